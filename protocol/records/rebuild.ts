// Rebuilding a stored v2 batch with a subset of its records, as Kafka's log cleaner does
// (MemoryRecords.filterTo): the base offset, last offset delta, codec, attributes, leader epoch and
// producer fields stay; only the kept records are written (their offset deltas unchanged). A batch
// may get a delete horizon (KIP-534: attribute bit 6, the horizon as base timestamp, record
// timestamp deltas taken from it) and may be emptied to a bare header that keeps producer state.
import {
  ATTR_COMPRESSION_MASK,
  ATTR_DELETE_HORIZON,
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  OFFSET,
  compressionOf,
  isLogAppendTime,
  rewriteCrc,
  writeInt64,
  type BatchHeader,
} from './batch-header.js';
import { compress } from './compression.js';
import type { Record } from './records.js';
import { encodeRecords } from './records.js';
import { CURRENT_MAGIC } from './validate.js';

/** The delete horizon a batch carries (KIP-534), else undefined. */
export function deleteHorizonOf(header: BatchHeader): number | undefined {
  return (header.attributes & ATTR_DELETE_HORIZON) !== 0 ? header.baseTimestamp : undefined;
}

function writeHeader(header: BatchHeader, attributes: number, baseTimestamp: number, maxTimestamp: number, count: number, payload: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  writeInt64(buf, header.baseOffset, OFFSET.baseOffset);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, OFFSET.batchLength);
  buf.writeInt32BE(header.partitionLeaderEpoch, OFFSET.partitionLeaderEpoch);
  buf.writeInt8(CURRENT_MAGIC, OFFSET.magic);
  buf.writeInt16BE(attributes, OFFSET.attributes);
  buf.writeInt32BE(header.lastOffsetDelta, OFFSET.lastOffsetDelta);
  writeInt64(buf, baseTimestamp, OFFSET.baseTimestamp);
  writeInt64(buf, maxTimestamp, OFFSET.maxTimestamp);
  writeInt64(buf, header.producerId, OFFSET.producerId);
  buf.writeInt16BE(header.producerEpoch, OFFSET.producerEpoch);
  buf.writeInt32BE(header.baseSequence, OFFSET.baseSequence);
  buf.writeInt32BE(count, OFFSET.recordCount);
  payload.copy(buf, BATCH_HEADER_SIZE);
  rewriteCrc(buf);
  return buf;
}

/**
 * The batch of `header` holding only `kept` (decoded from it, in order). With `deleteHorizonMs`
 * the batch is marked with that horizon; a horizon it already carries is kept.
 */
export function rebuildBatch(header: BatchHeader, kept: readonly Record[], deleteHorizonMs?: number): Buffer {
  if (kept.length === 0) return emptyBatch(header);
  const horizon = deleteHorizonMs ?? deleteHorizonOf(header);
  const baseTimestamp = horizon ?? header.baseTimestamp;
  const shift = header.baseTimestamp - baseTimestamp;
  const records = shift === 0 ? kept : kept.map((r) => ({ ...r, timestampDelta: r.timestampDelta + shift }));
  let maxTimestamp = header.maxTimestamp;
  if (!isLogAppendTime(header.attributes)) {
    maxTimestamp = -1;
    for (const r of records) maxTimestamp = Math.max(maxTimestamp, baseTimestamp + r.timestampDelta);
  }
  const attributes = horizon === undefined ? header.attributes : header.attributes | ATTR_DELETE_HORIZON;
  const payload = compress(compressionOf(header.attributes), encodeRecords(records as Record[]));
  return writeHeader(header, attributes, baseTimestamp, maxTimestamp, records.length, payload);
}

/**
 * A batch with no records and the offsets, producer fields and max timestamp of `header` (Kafka's
 * writeEmptyHeader): what remains of a producer's last batch once all its records are cleaned.
 */
export function emptyBatch(header: BatchHeader): Buffer {
  const attributes = header.attributes & ~ATTR_COMPRESSION_MASK & ~ATTR_DELETE_HORIZON;
  return writeHeader(header, attributes, header.maxTimestamp, header.maxTimestamp, 0, Buffer.alloc(0));
}
