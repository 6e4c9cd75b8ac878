// EtcdMembership against a real etcd: registration under a lease (a live node id is refused),
// the live set and the controller as every member sees them, failover when the controller closes,
// crashes (a member in its own process, killed) or has its lease revoked, and etcd restarting
// under running members.
import type { Etcd3 } from 'etcd3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient } from '../../src/cluster/etcd/etcd-client.js';
import { EtcdMembership } from '../../src/cluster/etcd/etcd-membership.js';
import { NodeIdInUse, type BrokerRegistration } from '../../src/cluster/membership.js';
import { brokerConfigDef } from '../../src/config/broker-config-defs.js';
import { etcdMissing, spawnMember, startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { eventually } from '../helpers/eventually.js';
import { LogLines } from '../helpers/log-lines.js';

const log = pino({ level: 'silent' });
const missing = etcdMissing();
let etcd: TestEtcd;
const clients: Etcd3[] = [];
const memberships: EtcdMembership[] = [];
let clusters = 0;

function registration(nodeId: number, incarnation = `run-${nodeId}`): BrokerRegistration {
  return { nodeId, endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + nodeId, securityProtocol: 'PLAINTEXT' }], rack: null, incarnation };
}

interface Member {
  membership: EtcdMembership;
  events: string[];
}

const UNREACHABLE = 'etcd unreachable: the broker keeps serving as it is and makes no leadership changes until etcd answers again';

function cluster(): { prefix: string; member(leaseTtlMs?: number, logTo?: LogLines): Promise<EtcdMembership>; raw: Etcd3 } {
  const prefix = `/creek/members-${++clusters}/`;
  const raw = createEtcdClient([etcd.url]);
  clients.push(raw);
  return {
    prefix,
    raw,
    async member(leaseTtlMs = 2000, logTo?: LogLines) {
      const client = createEtcdClient([etcd.url]);
      clients.push(client);
      const membership = await EtcdMembership.open(client.namespace(prefix), { leaseTtlMs }, logTo === undefined ? log : pino({ level: 'info' }, logTo));
      memberships.push(membership);
      return membership;
    },
  };
}

/** Registers and campaigns, recording elected/lost in order. */
async function campaigner(membership: EtcdMembership, nodeId: number): Promise<Member> {
  const events: string[] = [];
  await membership.register(registration(nodeId));
  membership.campaign(() => events.push('elected'), () => events.push('lost'));
  return { membership, events };
}

describe.skipIf(missing !== undefined)('EtcdMembership', () => {
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    for (const m of memberships) await m.close().catch(() => undefined);
    for (const client of clients) client.close();
    await etcd?.remove();
  });

  it('registers brokers under a lease, refuses a node id that is live, and frees it on close', async () => {
    const c = cluster();
    const [a, b, watcher] = [await c.member(), await c.member(), await c.member()];
    const seen: number[][] = [];
    watcher.watchLive((live) => seen.push([...live.keys()].sort()));

    await a.register(registration(1));
    expect(a.live().get(1)).toEqual(registration(1));
    const stored = await c.raw.namespace(c.prefix).get('brokers/1').exec();
    expect(JSON.parse(stored.kvs[0]!.value.toString())).toEqual(registration(1));
    expect(stored.kvs[0]!.lease).not.toBe('0');

    await expect(b.register(registration(1, 'another-run'))).rejects.toBeInstanceOf(NodeIdInUse);
    await b.register(registration(2));
    await eventually(() => watcher.live().size === 2, 'both brokers in a third member\'s view');
    expect(watcher.live().get(1)?.incarnation).toBe('run-1');

    await a.close();
    await eventually(() => !watcher.live().has(1), 'the closed broker leaving the live set');
    expect(seen).toEqual([[1], [1, 2], [2]]);
    const again = await c.member();
    await again.register(registration(1, 'next-run'));
    expect(again.live().get(1)?.incarnation).toBe('next-run');
  });

  it('drops a broker whose process died once its lease expires', async () => {
    const c = cluster();
    const watcher = await c.member();
    const crashing = spawnMember(etcd.url, c.prefix, 7, 1000);
    try {
      await crashing.waitFor('registered');
      await eventually(() => watcher.live().has(7), 'the broker in the live set');
      await crashing.kill();
      await eventually(() => !watcher.live().has(7), 'the dead broker leaving the live set');
    } finally {
      await crashing.kill();
    }
  });

  it('elects one controller and fails over when it closes', async () => {
    const c = cluster();
    const a = await campaigner(await c.member(), 1);
    await eventually(() => a.events.includes('elected'), 'the first campaigner elected');
    const b = await campaigner(await c.member(), 2);
    const d = await campaigner(await c.member(), 3);
    const observer = await c.member();
    expect(observer.controllerId()).toBe(1);
    expect(b.membership.controllerId()).toBe(1);
    const firstEpoch = observer.controllerEpoch();
    expect(firstEpoch).toBeGreaterThan(0);
    expect(a.membership.controllerEpoch()).toBe(firstEpoch);
    const changes: number[] = [];
    observer.watchController((id) => changes.push(id));

    await a.membership.close();
    expect(a.events).toEqual(['elected', 'lost']);
    const next = await eventually(() => [b, d].find((m) => m.events.includes('elected')), 'a new controller');
    const nextId = next === b ? 2 : 3;
    await eventually(() => observer.controllerId() === nextId, 'the observer seeing the new controller');
    expect(observer.controllerEpoch()).toBeGreaterThan(firstEpoch);
    expect(next.membership.controllerEpoch()).toBe(observer.controllerEpoch());
    expect(changes.filter((id) => id !== -1)).toEqual([nextId]);
    expect([b, d].filter((m) => m.events.length > 0)).toEqual([next]);

    // Resigning hands it on too, and the campaign is over for the one that resigned.
    const other = next === b ? d : b;
    await next.membership.close();
    await eventually(() => other.events.includes('elected'), 'the last campaigner elected');
    expect(next.events).toEqual(['elected', 'lost']);
  });

  it('takes the controller role away when the controller\'s lease is revoked, and registers that broker again', async () => {
    const c = cluster();
    const a = await campaigner(await c.member(), 1);
    await eventually(() => a.events.includes('elected'), 'the first campaigner elected');
    const b = await campaigner(await c.member(), 2);

    const leaseOfA = (await c.raw.namespace(c.prefix).get('brokers/1').exec()).kvs[0]!.lease;
    await c.raw.leaseClient.leaseRevoke({ ID: leaseOfA });

    await eventually(() => a.events.includes('lost'), 'the old controller told it lost the role');
    await eventually(() => b.events.includes('elected'), 'the other broker elected');
    // The first broker comes back as a live member under a new lease, not as controller.
    await eventually(async () => {
      const kv = (await c.raw.namespace(c.prefix).get('brokers/1').exec()).kvs[0];
      return kv !== undefined && kv.lease !== leaseOfA;
    }, 'the first broker registered again');
    await eventually(() => b.membership.live().has(1), 'the first broker live again');
    await eventually(() => a.membership.controllerId() === 2, 'the first broker seeing the new controller');
    expect(a.events).toEqual(['elected', 'lost']);
  });

  it('fails the controller over when its broker process dies, within the default lease TTL', async () => {
    const c = cluster();
    const ttl = Number(brokerConfigDef('creek.etcd.lease.ttl.ms')!.default);
    const dying = spawnMember(etcd.url, c.prefix, 1, ttl);
    try {
      await dying.waitFor('elected');
      const b = await campaigner(await c.member(ttl), 2);
      await eventually(() => b.membership.controllerId() === 1, 'the process seen as controller');
      let expiredAt = 0;
      b.membership.watchLive((live) => (expiredAt ||= live.has(1) ? 0 : Date.now()));
      let electedAt = 0;
      b.membership.watchController((id) => (electedAt ||= id === 2 ? Date.now() : 0));
      const killedAt = Date.now();
      await dying.kill();
      await eventually(() => b.events.includes('elected'), 'the surviving broker elected', 30_000);
      console.log(
        `controller failover (lease TTL ${ttl} ms): ${electedAt - killedAt} ms from the kill, ${electedAt - expiredAt} ms from the lease expiring`,
      );
      expect(b.membership.live().has(1)).toBe(false);
    } finally {
      await dying.kill();
    }
  });

  it('changes nothing while etcd restarts within the lease TTL', async () => {
    const c = cluster();
    const lines = new LogLines();
    const a = await campaigner(await c.member(10_000, lines), 1);
    await eventually(() => a.events.includes('elected'), 'the first campaigner elected');
    const b = await campaigner(await c.member(10_000), 2);

    await etcd.stop();
    await etcd.start();
    // A broker joining after the restart, seen by both: they are watching etcd again.
    await eventually(async () => (await c.member(10_000)).register(registration(3)).then(() => true, () => false), 'a third broker registered');
    await eventually(() => a.membership.live().size === 3 && b.membership.live().size === 3, 'both views caught up');
    expect(a.events).toEqual(['elected']);
    expect(b.events).toEqual([]);
    expect(b.membership.controllerId()).toBe(1);
    // Said once, not once per retry.
    await eventually(() => lines.withMessage('etcd answers again: broker lease kept, nothing changed').length === 1, 'the lease kept');
    expect(lines.withMessage(UNREACHABLE)).toHaveLength(1);
    expect(lines.withMessage('broker lease lapsed: this broker is not live in etcd and not controller until it registers again')).toHaveLength(0);
  });

  it('gives up the controller role when etcd stays away past the lease TTL, and campaigns again once it is back', async () => {
    const c = cluster();
    const lines = new LogLines();
    const a = await campaigner(await c.member(1000, lines), 1);
    await eventually(() => a.events.includes('elected'), 'the first campaigner elected');
    const b = await campaigner(await c.member(1000), 2);

    await etcd.stop();
    await eventually(() => a.events.includes('lost'), 'the controller giving up the role without etcd');
    await etcd.start();
    await eventually(() => a.events.length === 3 || b.events.includes('elected'), 'a controller once etcd is back');
    await eventually(() => a.membership.live().size === 2 && b.membership.live().size === 2, 'both brokers live again');
    const controller = a.membership.controllerId();
    expect([1, 2]).toContain(controller);
    await eventually(() => b.membership.controllerId() === controller, 'both agreeing on the controller');
    // Each thing said once, however many times the broker retried meanwhile.
    expect(lines.withMessage(UNREACHABLE)).toHaveLength(1);
    expect(lines.withMessage('broker lease lapsed: this broker is not live in etcd and not controller until it registers again')).toHaveLength(1);
    expect(lines.withMessage('broker registered again in etcd')).toHaveLength(1);
    expect(lines.withMessage('etcd watch lost: the local view stays as it is until etcd answers again')).toHaveLength(2); // brokers/, controller
  });
});

if (missing !== undefined) console.log(`skipping EtcdMembership tests: ${missing}`);
