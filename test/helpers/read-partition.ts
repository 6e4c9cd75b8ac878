// Reads a whole partition back with raw Fetch requests: every record with its offset, timestamp,
// key, value and headers, for tests that compare what a broker stored across restarts.
import { expect } from 'vitest';
import { decodeResponse, encodeRequest } from '../../protocol/codec/messages.js';
import { decodeBatch, splitBatches } from '../../protocol/records/index.js';
import { openFrameSocket } from './frames.js';
import { fetchRequest } from './raw-requests.js';

export interface Seen {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Reads a partition from `from` (its log start or later) to its end with raw Fetch v12 requests. */
export async function readPartition(broker: { port: number }, topic: string, partition = 0, from = 0): Promise<Seen[]> {
  const s = await openFrameSocket(broker.port);
  const seen: Seen[] = [];
  let offset = from;
  for (let correlationId = 1; ; correlationId++) {
    s.send(encodeRequest(1, 12, correlationId, 'reader', fetchRequest({ topic, partition, fetchOffset: offset })));
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

/** Attempts 50 ms apart: a few fetch rounds of a new leader's followers on a loaded machine. */
const HIGH_WATERMARK_ATTEMPTS = 200;

/**
 * readPartition, repeated until `complete` holds for what it read (or the attempts run out: the
 * last read is returned for the caller's check to fail on). A leader that has just taken over
 * serves reads up to the high watermark it had as a follower, and moves it once its followers
 * fetch from it (as in Kafka): records committed under the former leader can take a moment to show.
 */
export async function readPartitionUntil(broker: { port: number }, topic: string, partition: number, complete: (seen: readonly Seen[]) => boolean): Promise<Seen[]> {
  let read = await readPartition(broker, topic, partition);
  for (let i = 0; i < HIGH_WATERMARK_ATTEMPTS && !complete(read); i++) {
    await new Promise((r) => setTimeout(r, 50));
    read = await readPartition(broker, topic, partition);
  }
  return read;
}
