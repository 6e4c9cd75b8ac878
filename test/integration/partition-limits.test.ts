// Partition counts a broker refuses, and those it holds within a bounded number of open files:
// CreateTopics beyond Kafka's per-request cap or max.broker.partitions is refused up front and
// leaves nothing behind; a creation failing midway is undone; thousands of partitions on a data
// dir produce, restart and read back with open descriptors under creek.log.max.open.files.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { decodeBatch, splitBatches } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, stillServes, tempDir, withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { fetchRequest } from '../helpers/raw-requests.js';
import { readPartition } from '../helpers/read-partition.js';

const POLICY_VIOLATION = 44;

let running: RunningBroker | undefined;
let client: RawClient | undefined;
const dirs: { remove(): void }[] = [];
// Stopping a broker with 5000 partitions (an index save per active segment) and removing their
// directories took over 30 s, vitest's default hook limit, on a loaded machine.
afterEach(async () => {
  client?.close();
  client = undefined;
  await running?.stop();
  running = undefined;
  for (const d of dirs.splice(0)) d.remove();
}, 180_000);

async function start(properties: Record<string, string> = {}): Promise<{ dataDir: string }> {
  const dir = tempDir();
  dirs.push(dir);
  running = await withBroker({ dataDir: dir.path, properties });
  client = await RawClient.connect(running.host, running.port);
  return { dataDir: dir.path };
}

const topic = (name: string, numPartitions: number) => ({ name, numPartitions, replicationFactor: -1, assignments: [], configs: [] });

async function create(...topics: ReturnType<typeof topic>[]) {
  return (await client!.send(19, 7, { topics, timeoutMs: 30_000, validateOnly: false })).topics;
}

/** Partition directories of `name` in the data dir (deleted ones included). */
const partitionDirs = (dataDir: string, name: string): string[] => readdirSync(dataDir).filter((e) => e.startsWith(`${name}-`));

/** Descriptors this process has open (Linux). */
const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

describe('partition limits', () => {
  it('refuses a request for more than 10000 partitions up front, for every topic in it', async () => {
    const { dataDir } = await start();
    const producer = kafkaFor(running!).producer();
    await producer.connect();
    await producer.send({ topic: 'kept', acks: -1, messages: [{ value: 'before' }] });
    for (const count of [100_000, 2_147_483_647]) {
      const results = await create(topic('huge', count), topic('small', 1));
      expect(results.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual([
        ['huge', POLICY_VIOLATION, 'Excessively large number of partitions per request.'],
        ['small', POLICY_VIOLATION, 'Excessively large number of partitions per request.'],
      ]);
    }
    expect(partitionDirs(dataDir, 'huge')).toEqual([]);
    expect(partitionDirs(dataDir, 'small')).toEqual([]);
    const [ok] = await create(topic('after', 3));
    expect(ok!.errorCode).toBe(0);
    await stillServes(running!);
    // The producer connected before the refusals is still served, and nothing it wrote was lost.
    await producer.send({ topic: 'kept', acks: -1, messages: [{ value: 'after' }] });
    await producer.disconnect();
    expect((await readPartition(running!, 'kept', 0)).map((r) => r.value)).toEqual(['before', 'after']);
  });

  it('refuses partitions beyond max.broker.partitions (CreateTopics and CreatePartitions)', async () => {
    const { dataDir } = await start({ 'max.broker.partitions': '10' });
    // Partitions the broker made for itself (__consumer_offsets) count too.
    const own = running!.broker.topics.list().reduce((n, t) => n + t.partitions.length, 0);
    const first = 8 - own;
    expect((await create(topic('first', first)))[0]!.errorCode).toBe(0);
    const [refused] = await create(topic('second', 3));
    expect([refused!.errorCode, refused!.errorMessage]).toEqual([
      POLICY_VIOLATION,
      'Cannot add 3 partition(s): this broker has 8 of at most 10 (max.broker.partitions).',
    ]);
    expect(partitionDirs(dataDir, 'second')).toEqual([]);
    const grow = await client!.send(37, 3, { topics: [{ name: 'first', count: first + 3, assignments: null }], timeoutMs: 5000, validateOnly: false });
    expect(grow.results[0]!.errorCode).toBe(POLICY_VIOLATION);
    expect(partitionDirs(dataDir, 'first')).toHaveLength(first);
    expect((await create(topic('second', 2)))[0]!.errorCode).toBe(0);
    // Deleting a topic gives its partitions back.
    await client!.send(20, 6, { topics: [{ name: 'first', topicId: ZERO_UUID }], topicNames: [], timeoutMs: 5000 });
    expect((await create(topic('third', first)))[0]!.errorCode).toBe(0);
  });

  it('removes everything of a topic whose creation fails midway', async () => {
    const { dataDir } = await start();
    // A file where partition 3's directory belongs makes the creation fail after partitions 0-2.
    writeFileSync(join(dataDir, 'torn-3'), 'in the way');
    const [failed] = await create(topic('torn', 6));
    expect(failed!.errorCode).not.toBe(0);
    expect(partitionDirs(dataDir, 'torn')).toEqual([]);
    expect(running!.broker.topics.get('torn')).toBeUndefined();
    const [again] = await create(topic('torn', 6));
    expect(again!.errorCode).toBe(0);
    expect(partitionDirs(dataDir, 'torn')).toHaveLength(6);
  });

  it.skipIf(process.platform !== 'linux')(
    'holds 5000 partitions within creek.log.max.open.files: produce to all, restart, read back',
    { timeout: 240_000 },
    async () => {
      const partitions = 5000;
      const bound = 300;
      // Sockets, the metadata store, checkpoint writes in flight (at most 64 at once), pino.
      const margin = 120;
      const baseline = openDescriptors();
      const properties = { 'creek.log.max.open.files': String(bound) };
      const { dataDir } = await start(properties);
      expect((await create(topic('wide', partitions)))[0]!.errorCode).toBe(0);
      expect(openDescriptors() - baseline).toBeLessThan(bound + margin);

      const producer = kafkaFor(running!).producer();
      await producer.connect();
      await producer.send({ topic: 'wide', acks: -1, messages: Array.from({ length: partitions }, (_, p) => ({ partition: p, value: `v${p}` })) });
      await producer.disconnect();
      expect(openDescriptors() - baseline).toBeLessThan(bound + margin);

      client!.close();
      client = undefined;
      await running!.stop();
      running = await withBroker({ dataDir, properties });
      client = await RawClient.connect(running.host, running.port);
      expect(openDescriptors() - baseline).toBeLessThan(bound + margin);

      const wide = Array.from({ length: partitions }, (_, partition) => ({ topic: 'wide', partition, partitionMaxBytes: 4096 }));
      const res = await client.send(1, 12, fetchRequest(wide, { maxBytes: 64 << 20 }));
      const read = res.responses[0]!.partitions;
      expect(read).toHaveLength(partitions);
      const values = (records: Buffer | null): string[] =>
        splitBatches(records ?? Buffer.alloc(0)).flatMap((b) => decodeBatch(b).records.map((r) => r.value?.toString() ?? ''));
      const problems = read.filter((p) => p.errorCode !== 0 || p.highWatermark !== 1 || values(p.records as Buffer | null).join() !== `v${p.partitionIndex}`);
      expect(problems.map((p) => p.partitionIndex)).toEqual([]);
      expect(openDescriptors() - baseline).toBeLessThan(bound + margin);
      expect(existsSync(join(dataDir, 'wide-4999'))).toBe(true);
    },
  );
});
