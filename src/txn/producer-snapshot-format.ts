// Creek's producer-state snapshot file: the state of one partition after every batch below
// `offset`. Big-endian, like Kafka's own snapshot files (whose layout this is not):
//   version int16 (1) | crc uint32: CRC-32C of every byte after it | offset int64
//   producer count int32, then per producer (ascending id):
//     producerId int64 | epoch int16 | lastTimestamp int64 | coordinatorEpoch int32 | txnFirstOffset int64
//     batch count int8, then per batch (oldest first): firstSeq int32 | lastSeq int32 | firstOffset int64 | lastOffset int64
//   aborted count int32, then per aborted transaction (marker order): producerId int64 | firstOffset int64 | lastOffset int64
// decodeProducerSnapshot answers undefined for anything but a whole, intact version-1 file.
import { crc32c } from '@node-rs/crc32';
import { BATCHES_PER_PRODUCER, type BatchMeta, type ProducerEntry, type ProducerStateImage } from './producer-state.js';

const VERSION = 1;
const CRC_AT = 2;
const BODY_AT = 6;
const PRODUCER_BYTES = 8 + 2 + 8 + 4 + 8 + 1;
const BATCH_BYTES = 4 + 4 + 8 + 8;
const ABORTED_BYTES = 8 + 8 + 8;

export interface ProducerSnapshot extends ProducerStateImage {
  /** The state reflects every batch below this offset. */
  offset: number;
}

class Writer {
  at = 0;
  constructor(readonly buf: Buffer) {}
  i8(v: number): void { this.at = this.buf.writeInt8(v, this.at); }
  i16(v: number): void { this.at = this.buf.writeInt16BE(v, this.at); }
  i32(v: number): void { this.at = this.buf.writeInt32BE(v, this.at); }
  i64(v: number): void { this.at = this.buf.writeBigInt64BE(BigInt(v), this.at); }
}

/** Reads past the end throw RangeError, which decoding turns into "corrupt". */
class Reader {
  at = 0;
  constructor(readonly buf: Buffer) {}
  i8(): number { return this.buf.readInt8((this.at += 1) - 1); }
  i16(): number { return this.buf.readInt16BE((this.at += 2) - 2); }
  i32(): number { return this.buf.readInt32BE((this.at += 4) - 4); }
  i64(): number {
    const v = this.buf.readBigInt64BE((this.at += 8) - 8);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError('int64 out of range');
    return Number(v);
  }
}

export function encodeProducerSnapshot(snapshot: ProducerSnapshot): Buffer {
  const batches = snapshot.producers.reduce((n, p) => n + p.batches.length, 0);
  const size = BODY_AT + 8 + 4 + snapshot.producers.length * PRODUCER_BYTES + batches * BATCH_BYTES + 4 + snapshot.aborted.length * ABORTED_BYTES;
  const w = new Writer(Buffer.alloc(size));
  w.i16(VERSION);
  w.at = BODY_AT;
  w.i64(snapshot.offset);
  w.i32(snapshot.producers.length);
  for (const p of snapshot.producers) {
    w.i64(p.producerId);
    w.i16(p.epoch);
    w.i64(p.lastTimestamp);
    w.i32(p.coordinatorEpoch);
    w.i64(p.txnFirstOffset);
    w.i8(p.batches.length);
    for (const b of p.batches) {
      w.i32(b.firstSeq);
      w.i32(b.lastSeq);
      w.i64(b.firstOffset);
      w.i64(b.lastOffset);
    }
  }
  w.i32(snapshot.aborted.length);
  for (const t of snapshot.aborted) {
    w.i64(t.producerId);
    w.i64(t.firstOffset);
    w.i64(t.lastOffset);
  }
  w.buf.writeUInt32BE(crc32c(w.buf.subarray(BODY_AT)) >>> 0, CRC_AT);
  return w.buf;
}

/** The snapshot in `data`; undefined when it is truncated, corrupt or of an unknown version. */
export function decodeProducerSnapshot(data: Buffer): ProducerSnapshot | undefined {
  if (data.length < BODY_AT || data.readInt16BE(0) !== VERSION) return undefined;
  if (data.readUInt32BE(CRC_AT) !== crc32c(data.subarray(BODY_AT)) >>> 0) return undefined;
  try {
    const r = new Reader(data);
    r.at = BODY_AT;
    const offset = r.i64();
    const producers: ProducerEntry[] = [];
    for (let n = r.i32(); n > 0; n--) {
      const producerId = r.i64();
      const epoch = r.i16();
      const lastTimestamp = r.i64();
      const coordinatorEpoch = r.i32();
      const txnFirstOffset = r.i64();
      const count = r.i8();
      if (count < 0 || count > BATCHES_PER_PRODUCER) return undefined;
      const batches: BatchMeta[] = [];
      for (let i = 0; i < count; i++) batches.push({ firstSeq: r.i32(), lastSeq: r.i32(), firstOffset: r.i64(), lastOffset: r.i64() });
      producers.push({ producerId, epoch, batches, lastTimestamp, coordinatorEpoch, txnFirstOffset });
    }
    const aborted = [];
    for (let n = r.i32(); n > 0; n--) aborted.push({ producerId: r.i64(), firstOffset: r.i64(), lastOffset: r.i64() });
    return r.at === data.length ? { offset, producers, aborted } : undefined;
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}
