// The cluster state of `creek cluster --threads` seen from a broker thread, over a real
// MessageChannel: the host's store and membership registry on one end (StateHost), the thread's
// store and membership on the other. Reads see a write once it resolved; a write's conflict, a
// fenced controller write and a node id in use arrive as the same error classes; watchers on the
// thread hear changes made by others; a campaign is won with the registry's epoch and lost on resign.
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessMembershipRegistry } from '../../../src/cluster/in-process-membership.js';
import { NodeIdInUse, type BrokerRegistration } from '../../../src/cluster/membership.js';
import { BrokerThreadState } from '../../../src/cluster/threads/broker-thread-state.js';
import { StateHost } from '../../../src/cluster/threads/state-host.js';
import { MemoryMetadataStore } from '../../../src/metadata/memory-metadata-store.js';
import { ABSENT, ControllerFenced, MetadataConflict, type MetadataChange } from '../../../src/metadata/metadata-store.js';

const registration = (nodeId: number): BrokerRegistration => ({
  nodeId,
  endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + nodeId, securityProtocol: 'PLAINTEXT' }],
  rack: null,
  incarnation: `run-${nodeId}`,
});

const topic = (name: string, partitions = 1) => ({ name, topicId: `${name}-id`, partitions, configs: {} });

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

/** A broker thread's view of a registry and store, over a MessageChannel. */
function threadView(registry: InProcessMembershipRegistry, shared: MemoryMetadataStore) {
  const channel = new MessageChannel();
  channels.push(channel);
  const host = new StateHost(shared, registry.membership());
  const start = host.snapshot();
  host.serve(channel.port1, { ready: () => undefined, stopped: () => undefined });
  const state = new BrokerThreadState(channel.port2, start);
  channel.port2.on('message', (m) => state.receive(m));
  return { store: state.metadata, membership: state.membership };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('broker-thread cluster state', () => {
  it('starts from the documents there were, reads its own writes at once, and hears the writes of others', async () => {
    const registry = new InProcessMembershipRegistry();
    const shared = new MemoryMetadataStore(() => registry.controllerEpoch());
    await shared.put('topic', 'before', topic('before'));
    const a = threadView(registry, shared);
    const b = threadView(registry, shared);
    expect(a.store.get('topic', 'before')?.value.name).toBe('before');

    const heard: MetadataChange<'topic'>[] = [];
    b.store.watch('topic', (change) => heard.push(change));
    const version = await a.store.put('topic', 'made', topic('made', 3), ABSENT);
    expect(a.store.get('topic', 'made')).toEqual({ value: topic('made', 3), version });
    expect(shared.get('topic', 'made')?.version).toBe(version);
    await until(() => heard.length === 1);
    expect(heard[0]).toMatchObject({ key: 'made', version });
    expect(b.store.list('topic').size).toBe(2);

    await b.store.delete('topic', 'made', version);
    expect(b.store.get('topic', 'made')).toBeUndefined();
    await until(() => a.store.get('topic', 'made') === undefined);
  });

  it('fails a write as the host store does: a stale version is a MetadataConflict, a deposed controller ControllerFenced', async () => {
    const registry = new InProcessMembershipRegistry();
    const shared = new MemoryMetadataStore(() => registry.controllerEpoch());
    const a = threadView(registry, shared);
    await a.store.put('topic', 't', topic('t'), ABSENT);
    const stale = a.store.put('topic', 't', topic('t', 2), ABSENT);
    await expect(stale).rejects.toBeInstanceOf(MetadataConflict);
    await expect(stale).rejects.toThrow('metadata topic/t is at version');
    await expect(a.store.put('topic', 'u', topic('u'), undefined, { controllerEpoch: 99 })).rejects.toBeInstanceOf(ControllerFenced);
    expect(shared.get('topic', 'u')).toBeUndefined();
  });

  it('registers, refuses a node id in use with NodeIdInUse, elects a controller with its epoch and hands over on resign', async () => {
    const registry = new InProcessMembershipRegistry();
    const shared = new MemoryMetadataStore(() => registry.controllerEpoch());
    const a = threadView(registry, shared);
    const b = threadView(registry, shared);
    const controllers: number[] = [];
    b.membership.watchController((id) => controllers.push(id));
    await a.membership.register(registration(1));
    expect([...a.membership.live().keys()]).toEqual([1]);
    await expect(b.membership.register(registration(1))).rejects.toBeInstanceOf(NodeIdInUse);
    await b.membership.register(registration(2));

    const elected: string[] = [];
    const campaignA = a.membership.campaign((epoch) => elected.push(`1@${epoch}`), () => elected.push('1 lost'));
    const campaignB = b.membership.campaign((epoch) => elected.push(`2@${epoch}`), () => elected.push('2 lost'));
    await until(() => elected.length === 1);
    expect(elected).toEqual([`1@${registry.controllerEpoch()}`]);
    expect(campaignA.leading).toBe(true);
    await until(() => b.membership.controllerId() === 1);

    await campaignA.resign();
    await until(() => elected.length === 3);
    expect(elected.slice(1)).toEqual(['1 lost', `2@${registry.controllerEpoch()}`]);
    expect(campaignB.leading).toBe(true);
    await until(() => controllers.at(-1) === 2);

    await a.membership.close();
    await until(() => !b.membership.live().has(1));
  });
});
