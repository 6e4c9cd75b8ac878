// Reads a whole partition back with raw Fetch requests: every record with its offset, timestamp,
// key, value and headers, for tests that compare what a broker stored across restarts.
import { expect } from 'vitest';
import { decodeResponse, encodeRequest, type RequestOf } from '../../protocol/codec/messages.js';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { INT64_MAX } from '../../protocol/codec/writer.js';
import { decodeBatch, splitBatches } from '../../protocol/records/index.js';
import { openFrameSocket } from './frames.js';

export interface Seen {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** A consumer's Fetch request (no session, no wait) for one partition from `fetchOffset`. */
export function consumerFetch(topic: string, partition: number, fetchOffset: number, opts: { topicId?: string; currentLeaderEpoch?: number } = {}): RequestOf<1> {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        topicId: opts.topicId ?? ZERO_UUID,
        partitions: [{ partition, currentLeaderEpoch: opts.currentLeaderEpoch ?? -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20, replicaDirectoryId: ZERO_UUID, highWatermark: INT64_MAX }],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

/** Reads a partition from `from` (its log start or later) to its end with raw Fetch v12 requests. */
export async function readPartition(broker: { port: number }, topic: string, partition = 0, from = 0): Promise<Seen[]> {
  const s = await openFrameSocket(broker.port);
  const seen: Seen[] = [];
  let offset = from;
  for (let correlationId = 1; ; correlationId++) {
    s.send(encodeRequest(1, 12, correlationId, 'reader', consumerFetch(topic, partition, offset)));
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
