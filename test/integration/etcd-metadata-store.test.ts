// EtcdMetadataStore against a real etcd: documents and versions as etcd keeps them, compare-and-
// swap conflicts, two stores (two brokers) seeing each other's writes, producer-id blocks that
// never overlap, and a store that rides out an etcd restart.
import type { Etcd3, Namespace } from 'etcd3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient } from '../../src/cluster/etcd/etcd-client.js';
import { EtcdMetadataStore } from '../../src/metadata/etcd-metadata-store.js';
import { ABSENT, CLUSTER_KEY, ControllerFenced, MetadataConflict, type MetadataChange, type TopicRecord } from '../../src/metadata/metadata-store.js';
import { ProducerIdManager } from '../../src/txn/producer-ids.js';
import { requireEtcd, startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { eventually } from '../helpers/eventually.js';

const log = pino({ level: 'silent' });
const noEtcd = requireEtcd();
let etcd: TestEtcd;
const clients: Etcd3[] = [];
const stores: EtcdMetadataStore[] = [];
let clusters = 0;

function topic(name: string, partitions = 1): TopicRecord {
  return { name, topicId: `id-${name}`, partitions, configs: {} };
}

/** A fresh cluster prefix and `count` stores on it, each with its own client (as separate brokers). */
async function storesOnOneCluster(count: number): Promise<{ prefix: string; raw: Namespace; stores: EtcdMetadataStore[] }> {
  const prefix = `/creek/test-${++clusters}/`;
  const opened: EtcdMetadataStore[] = [];
  for (let i = 0; i < count; i++) {
    const client = createEtcdClient([etcd.url]);
    clients.push(client);
    const store = await EtcdMetadataStore.open(client.namespace(prefix), log);
    stores.push(store);
    opened.push(store);
  }
  const raw = createEtcdClient([etcd.url]);
  clients.push(raw);
  return { prefix, raw: raw.namespace(prefix), stores: opened };
}

describe.skipIf(noEtcd)('EtcdMetadataStore', () => {
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const client of clients) client.close();
    await etcd?.remove();
  });

  it('keeps each document as JSON under the cluster prefix, versioned by its etcd mod revision', async () => {
    const { raw, stores: [store] } = await storesOnOneCluster(1);
    const version = await store!.put('topic', 'orders', topic('orders', 3));
    const stored = await raw.get('metadata/topic/orders').exec();
    expect(JSON.parse(stored.kvs[0]!.value.toString())).toEqual(topic('orders', 3));
    expect(Number(stored.kvs[0]!.mod_revision)).toBe(version);
    expect(store!.get('topic', 'orders')).toEqual({ value: topic('orders', 3), version });

    await store!.put('producerIdBlock', CLUSTER_KEY, { nextBlockStart: 1000 });
    expect((await raw.get('metadata/producerIdBlock/').json())).toEqual({ nextBlockStart: 1000 });
    expect([...store!.list('topic').keys()]).toEqual(['orders']);

    await store!.delete('topic', 'orders');
    expect(await raw.get('metadata/topic/orders').exists()).toBe(false);
    expect(store!.get('topic', 'orders')).toBeUndefined();
    await store!.delete('topic', 'orders'); // no document: a no-op
  });

  it('refuses compare-and-swap writes whose expected version is not the stored one', async () => {
    const { stores: [store] } = await storesOnOneCluster(1);
    const v1 = await store!.put('topic', 't', topic('t'), ABSENT);
    await expect(store!.put('topic', 't', topic('t', 2), ABSENT)).rejects.toBeInstanceOf(MetadataConflict);
    const v2 = await store!.put('topic', 't', topic('t', 2), v1);
    expect(v2).toBeGreaterThan(v1);
    await expect(store!.put('topic', 't', topic('t', 3), v1)).rejects.toThrow(`metadata topic/t is at version ${v2}, not the expected ${v1}`);
    await expect(store!.delete('topic', 't', v1)).rejects.toBeInstanceOf(MetadataConflict);
    expect(store!.get('topic', 't')).toEqual({ value: topic('t', 2), version: v2 });
    await store!.delete('topic', 't', v2);
    expect(store!.get('topic', 't')).toBeUndefined();
    await expect(store!.put('topic', 't', topic('t'), v2)).rejects.toBeInstanceOf(MetadataConflict);
  });

  it('writes a controller\'s document only while its epoch (the controller key\'s create revision) is current', async () => {
    const { raw, stores: [store] } = await storesOnOneCluster(1);
    const first = Number((await raw.put('controller').value('{"nodeId":1}').exec()).header.revision);
    const v1 = await store!.put('topic', 'fenced', topic('fenced'), ABSENT, { controllerEpoch: first });
    // The first controller's key lapses and another broker takes the role.
    await raw.delete().key('controller').exec();
    const second = Number((await raw.put('controller').value('{"nodeId":2}').exec()).header.revision);
    await expect(store!.put('topic', 'fenced', topic('fenced', 2), v1, { controllerEpoch: first })).rejects.toBeInstanceOf(ControllerFenced);
    await expect(store!.delete('topic', 'fenced', undefined, { controllerEpoch: first })).rejects.toBeInstanceOf(ControllerFenced);
    expect(JSON.parse((await raw.get('metadata/topic/fenced').exec()).kvs[0]!.value.toString())).toEqual(topic('fenced'));
    // The current controller's stale version is a conflict, not a fence; its current one writes.
    await expect(store!.put('topic', 'fenced', topic('fenced', 2), v1 - 1, { controllerEpoch: second })).rejects.toBeInstanceOf(MetadataConflict);
    const v2 = await store!.put('topic', 'fenced', topic('fenced', 2), v1, { controllerEpoch: second });
    expect(store!.get('topic', 'fenced')).toEqual({ value: topic('fenced', 2), version: v2 });
    // No controller at all: every fenced write is refused.
    await raw.delete().key('controller').exec();
    await expect(store!.put('topic', 'fenced', topic('fenced', 3), v2, { controllerEpoch: second })).rejects.toBeInstanceOf(ControllerFenced);
  });

  it('shows one store the writes of another, through watches, with the same versions', async () => {
    const { stores: [a, b] } = await storesOnOneCluster(2);
    const heard: MetadataChange<'topic'>[] = [];
    b!.watch('topic', (change) => heard.push(change));
    const version = await a!.put('topic', 'shared', topic('shared'));
    await eventually(() => heard.length === 1, 'the watch event');
    expect(heard[0]).toEqual({ kind: 'topic', key: 'shared', value: topic('shared'), version });
    expect(b!.get('topic', 'shared')).toEqual({ value: topic('shared'), version });

    // The loser of a race learns the winner's version from its view, and wins the retry.
    await expect(b!.put('topic', 'shared', topic('shared', 5), ABSENT)).rejects.toBeInstanceOf(MetadataConflict);
    const retried = await b!.put('topic', 'shared', topic('shared', 5), b!.get('topic', 'shared')!.version);
    await eventually(() => a!.get('topic', 'shared')?.version === retried, 'the retried write in the other view');

    await a!.delete('topic', 'shared');
    await eventually(() => heard.length === 3, 'the delete event');
    expect(heard[2]).toMatchObject({ key: 'shared', value: null });
    expect(b!.get('topic', 'shared')).toBeUndefined();
  });

  it('loads what is already in etcd, of any kind, including kinds it was not built with', async () => {
    const { prefix, raw } = await storesOnOneCluster(0);
    await raw.put('metadata/topic/early').value(JSON.stringify(topic('early')));
    await raw.put('metadata/partitionState/early%2F0').value(JSON.stringify({ leader: 2, epoch: 7 }));
    const client = createEtcdClient([etcd.url]);
    clients.push(client);
    const store = await EtcdMetadataStore.open(client.namespace(prefix), log);
    stores.push(store);
    expect(store.get('topic', 'early')?.value).toEqual(topic('early'));
    // A kind another part of Creek adds later is stored and read the same way.
    type Later = Parameters<EtcdMetadataStore['get']>[0];
    const later = 'partitionState' as Later;
    expect(store.get(later, 'early/0')?.value).toEqual({ leader: 2, epoch: 7 });
    await store.put(later, 'early/1', { leader: 1, epoch: 0 } as never, ABSENT);
    expect(await raw.get('metadata/partitionState/early%2F1').json()).toEqual({ leader: 1, epoch: 0 });
  });

  it('hands out producer ids that never repeat across two brokers sharing the cluster', async () => {
    const { raw, stores: [a, b] } = await storesOnOneCluster(2);
    const managers = [ProducerIdManager.open(a!), ProducerIdManager.open(b!)];
    const ids = await Promise.all(Array.from({ length: 5000 }, (_, i) => managers[i % 2]!.generate()));
    expect(new Set(ids).size).toBe(ids.length);
    // Five blocks went out (2500 ids each from blocks of 1000): the stored next start moved past them all.
    expect(((await raw.get('metadata/producerIdBlock/').json()) as { nextBlockStart: number }).nextBlockStart).toBeGreaterThan(Math.max(...ids));
  });

  it('catches up after etcd restarts under a connected store, and fails writes while etcd is down', async () => {
    const { stores: [a, b] } = await storesOnOneCluster(2);
    await a!.put('topic', 'before', topic('before'));
    await eventually(() => b!.get('topic', 'before'), 'the first write in the other view');

    await etcd.kill();
    await expect(a!.put('topic', 'during', topic('during'))).rejects.toThrow();
    expect(b!.get('topic', 'before')?.value).toEqual(topic('before')); // the view stays as it was
    await etcd.start();

    const after = await eventually(async () => a!.put('topic', 'after', topic('after')).catch(() => false as const), 'a write once etcd is back');
    await eventually(() => b!.get('topic', 'after')?.version === after, 'the write after the restart in the other view');
    expect(b!.get('topic', 'during')).toBeUndefined();
    await b!.delete('topic', 'before');
    await eventually(() => a!.get('topic', 'before') === undefined, 'the delete in the first view');
  });
});
