// The metadata store: compare-and-swap writes, watches, and the data dir's files in the formats
// the broker always wrote (read back as they are, written the same way).
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FileMetadataStore } from '../../../src/metadata/file-metadata-store.js';
import { MemoryMetadataStore } from '../../../src/metadata/memory-metadata-store.js';
import { ABSENT, CLUSTER_KEY, MetadataConflict, type MetadataChange } from '../../../src/metadata/metadata-store.js';
import { PRODUCER_ID_BLOCK_SIZE, ProducerIdManager } from '../../../src/txn/producer-ids.js';
import { tempDir } from '../../helpers/broker.js';

const logger = pino({ level: 'silent' });
const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function newDir(): string {
  const dir = tempDir('creek-metadata-');
  dirs.push(dir);
  return dir.path;
}

const topic = (name: string, partitions = 1) => ({ name, topicId: `${name}-id`, partitions, configs: {} });

describe('metadata store', () => {
  it('writes with compare-and-swap on versions and tells watchers', async () => {
    const store = new MemoryMetadataStore();
    const seen: MetadataChange<'topic'>[] = [];
    store.watch('topic', (c) => seen.push(c));
    const v1 = await store.put('topic', 'a', topic('a'), ABSENT);
    await expect(store.put('topic', 'a', topic('a', 2), ABSENT)).rejects.toBeInstanceOf(MetadataConflict);
    const v2 = await store.put('topic', 'a', topic('a', 2), v1);
    expect(v2).not.toBe(v1);
    await expect(store.put('topic', 'a', topic('a', 3), v1)).rejects.toBeInstanceOf(MetadataConflict);
    expect(store.get('topic', 'a')).toEqual({ value: topic('a', 2), version: v2 });
    await expect(store.delete('topic', 'a', v1)).rejects.toBeInstanceOf(MetadataConflict);
    await store.delete('topic', 'a', v2);
    expect(store.get('topic', 'a')).toBeUndefined();
    expect(seen.map((c) => [c.key, c.value?.partitions ?? null])).toEqual([['a', 1], ['a', 2], ['a', null]]);
  });

  it('gives producer-id blocks to one allocator at a time (two allocators sharing a store never overlap)', async () => {
    const store = new MemoryMetadataStore();
    const a = ProducerIdManager.open(store);
    const b = ProducerIdManager.open(store);
    const [fromA, fromB] = await Promise.all([a.generate(), b.generate()]);
    expect(new Set([Math.floor(fromA / PRODUCER_ID_BLOCK_SIZE), Math.floor(fromB / PRODUCER_ID_BLOCK_SIZE)]).size).toBe(2);
    expect(store.get('producerIdBlock', CLUSTER_KEY)?.value.nextBlockStart).toBe(2 * PRODUCER_ID_BLOCK_SIZE);
  });

  it('reads the data dir files of earlier versions and writes them in the same formats', async () => {
    const dir = newDir();
    mkdirSync(join(dir, 'topics'));
    const oldTopic = `${JSON.stringify({ name: 'old', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: 2, configs: { 'retention.ms': '1000' } }, null, 2)}\n`;
    writeFileSync(join(dir, 'topics', 'old.json'), oldTopic);
    writeFileSync(join(dir, 'topics', 'broken.json'), '{');
    writeFileSync(join(dir, 'broker-configs.json'), JSON.stringify({ default: { 'log.retention.ms': '5' }, broker: {} }, null, 1));
    writeFileSync(join(dir, 'producer-ids.json'), JSON.stringify({ nextBlockStart: 3000 }));
    const scram = { version: 1, users: { alice: { 'SCRAM-SHA-256': { salt: 'c2FsdA==', storedKey: 'a2V5', serverKey: 'c2Vydg==', iterations: 4096 } } } };
    writeFileSync(join(dir, 'scram-credentials.json'), `${JSON.stringify(scram, null, 2)}\n`);

    const store = FileMetadataStore.open(dir, logger);
    expect([...store.list('topic').keys()]).toEqual(['old']);
    expect(store.get('brokerConfigs', CLUSTER_KEY)?.value).toEqual({ default: { 'log.retention.ms': '5' }, broker: {} });
    expect(store.get('producerIdBlock', CLUSTER_KEY)?.value).toEqual({ nextBlockStart: 3000 });
    expect(store.get('scramCredentials', CLUSTER_KEY)?.value).toEqual(scram);

    // Written back byte for byte as before.
    await store.put('topic', 'old', store.get('topic', 'old')!.value);
    expect(readFileSync(join(dir, 'topics', 'old.json'), 'utf8')).toBe(oldTopic);
    await store.put('producerIdBlock', CLUSTER_KEY, { nextBlockStart: 4000 });
    expect(readFileSync(join(dir, 'producer-ids.json'), 'utf8')).toBe('{"nextBlockStart":4000}');
    const acl = { resourceType: 2, resourceName: 'orders', patternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 };
    await store.put('acls', CLUSTER_KEY, { version: 1, acls: [acl] });
    await store.put('clientQuotas', CLUSTER_KEY, { version: 1, quotas: [{ entity: [['user', null]], values: { producer_byte_rate: 1024 } }] });
    await store.put('brokerConfigs', '2', { configs: { 'log.retention.ms': '7' } });
    expect(JSON.parse(readFileSync(join(dir, 'broker-configs', '2.json'), 'utf8'))).toEqual({ configs: { 'log.retention.ms': '7' } });
    const reopened = FileMetadataStore.open(dir, logger);
    expect(reopened.get('brokerConfigs', '2')?.value).toEqual({ configs: { 'log.retention.ms': '7' } });
    expect(reopened.get('brokerConfigs', CLUSTER_KEY)?.value).toEqual({ default: { 'log.retention.ms': '5' }, broker: {} });
    expect(JSON.parse(readFileSync(join(dir, 'acls.json'), 'utf8'))).toEqual({ version: 1, acls: [acl] });
    expect(reopened.get('acls', CLUSTER_KEY)?.value.acls).toEqual([acl]);
    expect(reopened.get('clientQuotas', CLUSTER_KEY)?.value.quotas[0]?.values).toEqual({ producer_byte_rate: 1024 });
    await store.delete('topic', 'old');
    expect(existsSync(join(dir, 'topics', 'old.json'))).toBe(false);
    expect([...FileMetadataStore.open(dir, logger).list('topic').keys()]).toEqual([]);
  });
});
