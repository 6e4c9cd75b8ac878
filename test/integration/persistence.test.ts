// Data survives a restart on the same data dir (offsets, timestamps, keys, headers identical),
// and a torn tail segment recovers to the last whole batch.
import { readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../protocol/codec/messages.js';
import { decodeBatch, splitBatches } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { openFrameSocket } from '../helpers/frames.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';

interface Seen {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Reads a whole partition with raw Fetch v12 requests. */
async function readAll(broker: RunningBroker, topic: string, partition = 0): Promise<Seen[]> {
  const s = await openFrameSocket(broker.port);
  const seen: Seen[] = [];
  let offset = 0;
  for (let correlationId = 1; ; correlationId++) {
    s.send(
      encodeRequest(1, 12, correlationId, 'reader', {
        clusterId: null,
        replicaId: -1,
        replicaState: { replicaId: -1, replicaEpoch: -1 },
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20, replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA' }] }],
        forgottenTopicsData: [],
        rackId: '',
      }),
    );
    const res = decodeResponse(1, 12, await s.next());
    const p = res.body.responses[0]!.partitions[0]!;
    expect(p.errorCode).toBe(0);
    const records = p.records as Buffer | null;
    if (!records || records.length === 0) break;
    for (const batch of splitBatches(records)) {
      const { header, records: recs } = decodeBatch(batch);
      for (const r of recs) {
        const o = header.baseOffset + r.offsetDelta;
        if (o < offset) continue;
        seen.push({
          offset: o,
          timestamp: header.baseTimestamp + r.timestampDelta,
          key: r.key?.toString() ?? null,
          value: r.value?.toString() ?? null,
          headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString() ?? ''])),
        });
      }
      offset = header.baseOffset + header.lastOffsetDelta + 1;
    }
  }
  s.end();
  return seen;
}

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
});
