// The in-process Membership of startCluster: one live registration per node id, live-set and
// controller watches, and the controller election handing over on resignation or lapse.
import { describe, expect, it } from 'vitest';
import { InProcessMembershipRegistry } from '../../../src/cluster/in-process-membership.js';
import { NodeIdInUse, type BrokerRegistration } from '../../../src/cluster/membership.js';

const registration = (nodeId: number): BrokerRegistration => ({
  nodeId,
  endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + nodeId, securityProtocol: 'PLAINTEXT' }],
  rack: null,
  incarnation: `run-${nodeId}`,
});

/** Lets queued notifications run. */
const flush = () => new Promise((r) => setImmediate(r));

describe('InProcessMembershipRegistry', () => {
  it('refuses a node id that is live, and takes it again once that broker left', async () => {
    const registry = new InProcessMembershipRegistry();
    const first = registry.membership();
    await first.register(registration(1));
    await expect(registry.membership().register(registration(1))).rejects.toBeInstanceOf(NodeIdInUse);
    await first.close();
    await registry.membership().register(registration(1));
    expect([...registry.live().keys()]).toEqual([1]);
  });

  it('tells watchers of each live-set change', async () => {
    const registry = new InProcessMembershipRegistry();
    const a = registry.membership();
    await a.register(registration(1));
    const seen: number[][] = [];
    a.watchLive((live) => seen.push([...live.keys()].sort()));
    await registry.membership().register(registration(2));
    await flush();
    registry.expire(2);
    await flush();
    expect(seen).toEqual([[1, 2], [1]]);
    expect(a.live().get(1)?.endpoints[0]?.port).toBe(9001);
  });

  it('elects the first campaigner, and the next one when it resigns or its liveness lapses', async () => {
    const registry = new InProcessMembershipRegistry();
    const events: string[] = [];
    const brokers = [1, 2, 3].map(() => registry.membership());
    const campaigns = [];
    for (const [i, m] of brokers.entries()) {
      await m.register(registration(i + 1));
      campaigns.push(m.campaign(() => events.push(`elected ${i + 1}`), () => events.push(`lost ${i + 1}`)));
    }
    await flush();
    expect(registry.controllerId()).toBe(1);
    expect(campaigns.map((c) => c.leading)).toEqual([true, false, false]);
    await campaigns[0]!.resign();
    await flush();
    expect(registry.controllerId()).toBe(2);
    registry.expire(2);
    await flush();
    expect(registry.controllerId()).toBe(3);
    expect(events).toEqual(['elected 1', 'lost 1', 'elected 2', 'lost 2', 'elected 3']);
  });
});
