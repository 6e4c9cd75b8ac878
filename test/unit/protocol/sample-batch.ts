// Builds a real, uncompressed record batch v2 (valid CRC, keyless records of one value size)
// for protocol tests and benchmarks that need batch bytes without the records/ encoder.
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, OFFSET, rewriteCrc, writeInt64 } from '../../../protocol/records/batch-header.js';

function varint(out: number[], v: number): void {
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  while (u >= 0x80) {
    out.push((u & 0x7f) | 0x80);
    u = Math.floor(u / 128);
  }
  out.push(u);
}

export function sampleBatch(recordCount: number, valueSize: number, baseOffset = 0, timestamp = 1_700_000_000_000): Buffer {
  const value = Buffer.alloc(valueSize, 'v');
  const records: Buffer[] = [];
  for (let i = 0; i < recordCount; i++) {
    const body: number[] = [0]; // attributes
    varint(body, 0); // timestamp delta
    varint(body, i); // offset delta
    varint(body, -1); // null key
    varint(body, valueSize);
    const tail: number[] = [];
    varint(tail, 0); // header count
    const len: number[] = [];
    varint(len, body.length + valueSize + tail.length);
    records.push(Buffer.from(len), Buffer.from(body), value, Buffer.from(tail));
  }
  const batch = Buffer.concat([Buffer.alloc(BATCH_HEADER_SIZE), ...records]);
  writeInt64(batch, baseOffset, OFFSET.baseOffset);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, OFFSET.batchLength);
  batch.writeInt32BE(0, OFFSET.partitionLeaderEpoch);
  batch.writeInt8(2, OFFSET.magic);
  batch.writeInt16BE(0, OFFSET.attributes);
  batch.writeInt32BE(recordCount - 1, OFFSET.lastOffsetDelta);
  writeInt64(batch, timestamp, OFFSET.baseTimestamp);
  writeInt64(batch, timestamp, OFFSET.maxTimestamp);
  writeInt64(batch, -1, OFFSET.producerId);
  batch.writeInt16BE(-1, OFFSET.producerEpoch);
  batch.writeInt32BE(-1, OFFSET.baseSequence);
  batch.writeInt32BE(recordCount, OFFSET.recordCount);
  rewriteCrc(batch);
  return batch;
}
