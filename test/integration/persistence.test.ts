// Data survives a restart on the same data dir (offsets, timestamps, keys, headers identical),
// and a torn tail segment recovers to the last whole batch.
import { readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';
import { readPartition as readAll } from '../helpers/read-partition.js';

let running: RunningBroker | undefined;
const dirs: { remove(): void }[] = [];
afterEach(async () => {
  await running?.stop();
  running = undefined;
  for (const d of dirs.splice(0)) d.remove();
});

describe('persistence', () => {
  it('reads back identical records after a restart on the same data dir', async () => {
    const dir = tempDir();
    dirs.push(dir);
    running = await withBroker({ dataDir: dir.path });
    const producer = kafkaFor(running).producer();
    await producer.connect();
    for (let round = 0; round < 5; round++) {
      await producer.send({
        topic: 'durable',
        messages: Array.from({ length: 20 }, (_, i) => ({
          key: `k${round}-${i}`,
          value: i === 3 ? null : `v${round}-${i}`,
          timestamp: String(1_700_000_000_000 + round * 1000 + i),
          headers: { round: String(round), i: String(i) },
        })),
      });
    }
    await producer.disconnect();
    const before = await readAll(running, 'durable');
    expect(before).toHaveLength(100);
    expect(before.map((r) => r.offset)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await running.stop();

    running = await withBroker({ dataDir: dir.path });
    const after = await readAll(running, 'durable');
    expect(after).toEqual(before);

    // New writes continue at the next offset.
    const again = kafkaFor(running).producer();
    await again.connect();
    const [res] = await again.send({ topic: 'durable', messages: [{ value: 'next' }] });
    await again.disconnect();
    expect(res!.baseOffset).toBe('100');
  });

  it('recovers a torn tail segment to the last whole batch', async () => {
    const dir = tempDir();
    dirs.push(dir);
    running = await withBroker({ dataDir: dir.path });
    const producer = kafkaFor(running).producer();
    await producer.connect();
    for (let i = 0; i < 3; i++) await producer.send({ topic: 'torn', messages: [{ value: `batch-${i}-`.padEnd(200, 'x') }] });
    await producer.disconnect();
    await running.stop();
    running = undefined;

    const partitionDir = join(dir.path, 'torn-0');
    const segment = readdirSync(partitionDir).find((f) => f.endsWith('.log'))!;
    const path = join(partitionDir, segment);
    truncateSync(path, statSync(path).size - 50); // cut the last batch mid-way

    running = await withBroker({ dataDir: dir.path });
    const recovered = await readAll(running, 'torn');
    expect(recovered.map((r) => r.value?.slice(0, 8))).toEqual(['batch-0-', 'batch-1-']);
    const producer2 = kafkaFor(running).producer();
    await producer2.connect();
    const [res] = await producer2.send({ topic: 'torn', messages: [{ value: 'after' }] });
    await producer2.disconnect();
    expect(res!.baseOffset).toBe('2');
  });
});

describe('cluster identity', () => {
  it('keeps the generated cluster id across restarts on the same data dir', async () => {
    const dir = tempDir();
    dirs.push(dir);
    running = await withBroker({ dataDir: dir.path });
    const first = running.broker.clusterId;
    await running.stop();
    running = await withBroker({ dataDir: dir.path });
    expect(running.broker.clusterId).toBe(first);
    const admin = kafkaFor(running).admin();
    await admin.connect();
    expect((await admin.describeCluster()).clusterId).toBe(first);
    await admin.disconnect();
  });

  it('stores each partition replica list with the topic and refuses to start the data dir under another node id', async () => {
    const dir = tempDir();
    dirs.push(dir);
    running = await withBroker({ dataDir: dir.path, nodeId: 4 });
    const admin = kafkaFor(running).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'placed', numPartitions: 2 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'placed', count: 3 }] });
    await admin.disconnect();
    await running.stop();
    running = undefined;
    const stored = JSON.parse(readFileSync(join(dir.path, 'topics', 'placed.json'), 'utf8')) as { replicas: number[][] };
    expect(stored.replicas).toEqual([[4], [4], [4]]);
    await expect(withBroker({ dataDir: dir.path, nodeId: 5 })).rejects.toThrow(/Stored node id 4 doesn't match the configured node id 5/);
  });
});
