// Test helper: builds v2 record batches (a real header, opaque record bytes, a valid CRC).
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, OFFSET, rewriteCrc, writeInt64 } from '../../../protocol/records/batch-header.js';

export interface BatchSpec {
  /** Records in the batch (default 1). */
  records?: number;
  /** Bytes of opaque record payload (default 16). */
  payload?: number;
  /** Base timestamp (default 1000); max timestamp defaults to it. */
  timestamp?: number;
  maxTimestamp?: number;
  /** Fill byte of the payload, to tell batches apart (default 0x61). */
  fill?: number;
}

export function makeBatch(spec: BatchSpec = {}): Buffer {
  const records = spec.records ?? 1;
  const payload = spec.payload ?? 16;
  const timestamp = spec.timestamp ?? 1000;
  const buf = Buffer.alloc(BATCH_HEADER_SIZE + payload, spec.fill ?? 0x61);
  buf.fill(0, 0, BATCH_HEADER_SIZE);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, OFFSET.batchLength);
  buf.writeInt32BE(-1, OFFSET.partitionLeaderEpoch);
  buf.writeInt8(2, OFFSET.magic);
  buf.writeInt32BE(records - 1, OFFSET.lastOffsetDelta);
  writeInt64(buf, timestamp, OFFSET.baseTimestamp);
  writeInt64(buf, spec.maxTimestamp ?? timestamp, OFFSET.maxTimestamp);
  writeInt64(buf, -1, OFFSET.producerId);
  buf.writeInt16BE(-1, OFFSET.producerEpoch);
  buf.writeInt32BE(-1, OFFSET.baseSequence);
  buf.writeInt32BE(records, OFFSET.recordCount);
  rewriteCrc(buf);
  return buf;
}

/** Splits concatenated batches into one buffer per batch. */
export function splitBatches(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const size = LOG_OVERHEAD + data.readInt32BE(at + OFFSET.batchLength);
    out.push(data.subarray(at, at + size));
    at += size;
  }
  return out;
}

/** Base offsets of the batches in `chunks`. */
export function baseOffsets(chunks: readonly Buffer[]): number[] {
  return splitBatches(Buffer.concat(chunks)).map((b) => Number(b.readBigInt64BE(0)));
}
