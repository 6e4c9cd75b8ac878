// DynamicBrokerConfigs over a metadata store shared by two brokers: each applies the cluster
// default and its own document only, concurrent alterations of the default both count
// (compare-and-swap, retried), and an older version's single document is migrated once, also
// when a crash interrupted the migration.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DynamicBrokerConfigs } from '../../../src/config/dynamic-broker-configs.js';
import { MemoryMetadataStore } from '../../../src/metadata/memory-metadata-store.js';
import { CLUSTER_KEY } from '../../../src/metadata/metadata-store.js';

const log = pino({ level: 'silent' });
const set = (values: Record<string, string>) => (current: ReadonlyMap<string, string>) => new Map([...current, ...Object.entries(values)]);

describe('DynamicBrokerConfigs', () => {
  it("applies the default and its own document, never another broker's, and tells its follower of each change", async () => {
    const store = new MemoryMetadataStore();
    const one = await DynamicBrokerConfigs.open(store, 1, log);
    const two = await DynamicBrokerConfigs.open(store, 2, log);
    let changes = 0;
    one.onChange(() => changes++);

    await two.update('broker', set({ 'log.segment.bytes': '2097152' }));
    expect(two.dynamicBroker).toEqual(new Map([['log.segment.bytes', '2097152']]));
    expect(one.dynamicBroker).toEqual(new Map());
    expect(changes).toBe(0);

    await two.update('default', set({ 'log.retention.ms': '1000' }));
    expect(one.dynamicDefault).toEqual(new Map([['log.retention.ms', '1000']]));
    expect(changes).toBe(1);
    expect(store.get('brokerConfigs', CLUSTER_KEY)?.value).toEqual({ configs: { 'log.retention.ms': '1000' } });
    expect(store.get('brokerConfigs', '2')?.value).toEqual({ configs: { 'log.segment.bytes': '2097152' } });
  });

  it('keeps both of two concurrent alterations of the default', async () => {
    const store = new MemoryMetadataStore();
    const one = await DynamicBrokerConfigs.open(store, 1, log);
    const two = await DynamicBrokerConfigs.open(store, 2, log);
    await Promise.all([one.update('default', set({ 'log.retention.ms': '1000' })), two.update('default', set({ 'log.segment.bytes': '2097152' }))]);
    const both = new Map([['log.retention.ms', '1000'], ['log.segment.bytes', '2097152']]);
    expect(one.dynamicDefault).toEqual(both);
    expect(two.dynamicDefault).toEqual(both);
  });

  it('writes nothing when the edit answers nothing (validate only)', async () => {
    const store = new MemoryMetadataStore();
    const one = await DynamicBrokerConfigs.open(store, 1, log);
    await one.update('broker', () => undefined);
    expect(store.get('brokerConfigs', '1')).toBeUndefined();
  });

  it("migrates an older version's single document once, to the default and the opening broker's own", async () => {
    const store = new MemoryMetadataStore();
    await store.put('brokerConfigs', CLUSTER_KEY, { default: { 'log.retention.ms': '1000' }, broker: { 'log.segment.bytes': '2097152' } });
    const three = await DynamicBrokerConfigs.open(store, 3, log);
    expect(three.dynamicDefault).toEqual(new Map([['log.retention.ms', '1000']]));
    expect(three.dynamicBroker).toEqual(new Map([['log.segment.bytes', '2097152']]));
    const four = await DynamicBrokerConfigs.open(store, 4, log);
    expect(four.dynamicDefault).toEqual(new Map([['log.retention.ms', '1000']]));
    expect(four.dynamicBroker).toEqual(new Map());
  });

  it('finishes a migration a crash interrupted, keeping what the broker altered since', async () => {
    const store = new MemoryMetadataStore();
    // The broker's own document was written, the single one not yet replaced.
    await store.put('brokerConfigs', CLUSTER_KEY, { default: { 'log.retention.ms': '1000' }, broker: { 'log.segment.bytes': '2097152' } });
    await store.put('brokerConfigs', '3', { configs: { 'log.segment.bytes': '4194304' } });
    const three = await DynamicBrokerConfigs.open(store, 3, log);
    expect(three.dynamicBroker).toEqual(new Map([['log.segment.bytes', '4194304']]));
    expect(store.get('brokerConfigs', CLUSTER_KEY)?.value).toEqual({ configs: { 'log.retention.ms': '1000' } });
  });
});
