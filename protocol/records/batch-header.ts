// Record batch v2 header: read and patch fields in place without touching the records.
// Layout (big-endian), from the start of a batch:
//   0 baseOffset int64 | 8 batchLength int32 | 12 partitionLeaderEpoch int32 | 16 magic int8
//   17 crc uint32 | 21 attributes int16 | 23 lastOffsetDelta int32 | 27 baseTimestamp int64
//   35 maxTimestamp int64 | 43 producerId int64 | 51 producerEpoch int16 | 53 baseSequence int32
//   57 recordCount int32 | 61 records...
// The CRC (CRC-32C) covers everything from `attributes` to the end of the batch.
import { crc32c } from '@node-rs/crc32';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before `batchLength` counts: baseOffset + batchLength itself. */
export const LOG_OVERHEAD = 12;
/** Smallest value batchLength may have: the header after the length field, no records. */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;

export const OFFSET = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

export const enum Compression {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_LOG_APPEND_TIME = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
export const ATTR_DELETE_HORIZON = 0x40;

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Reads a signed int64 as a JS number (exact up to 2^53). */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

/** Writes a JS integer as a signed int64. */
export function writeInt64(buf: Buffer, value: number, at: number): void {
  const hi = Math.floor(value / 4294967296);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(value - hi * 4294967296, at + 4);
}

/** Total size in bytes of the batch starting at `at` (baseOffset through the last record). */
export function batchSize(buf: Buffer, at = 0): number {
  return LOG_OVERHEAD + buf.readInt32BE(at + OFFSET.batchLength);
}

export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  return {
    baseOffset: readInt64(buf, at + OFFSET.baseOffset),
    batchLength: buf.readInt32BE(at + OFFSET.batchLength),
    partitionLeaderEpoch: buf.readInt32BE(at + OFFSET.partitionLeaderEpoch),
    magic: buf.readInt8(at + OFFSET.magic),
    crc: buf.readUInt32BE(at + OFFSET.crc),
    attributes: buf.readInt16BE(at + OFFSET.attributes),
    lastOffsetDelta: buf.readInt32BE(at + OFFSET.lastOffsetDelta),
    baseTimestamp: readInt64(buf, at + OFFSET.baseTimestamp),
    maxTimestamp: readInt64(buf, at + OFFSET.maxTimestamp),
    producerId: readInt64(buf, at + OFFSET.producerId),
    producerEpoch: buf.readInt16BE(at + OFFSET.producerEpoch),
    baseSequence: buf.readInt32BE(at + OFFSET.baseSequence),
    recordCount: buf.readInt32BE(at + OFFSET.recordCount),
  };
}

/** CRC-32C of the batch at `at`, computed over attributes..end as Kafka does. */
export function computeBatchCrc(buf: Buffer, at = 0): number {
  const end = at + batchSize(buf, at);
  return crc32c(buf.subarray(at + OFFSET.attributes, end)) >>> 0;
}

export function isCrcValid(buf: Buffer, at = 0): boolean {
  return buf.readUInt32BE(at + OFFSET.crc) === computeBatchCrc(buf, at);
}

/** Recomputes and stores the CRC; needed after patching any field from `attributes` on. */
export function rewriteCrc(buf: Buffer, at = 0): void {
  buf.writeUInt32BE(computeBatchCrc(buf, at), at + OFFSET.crc);
}

/** Base offset and partition leader epoch are outside the CRC: patching them is free. */
export function patchBaseOffset(buf: Buffer, baseOffset: number, at = 0): void {
  writeInt64(buf, baseOffset, at + OFFSET.baseOffset);
}

export function patchLeaderEpoch(buf: Buffer, epoch: number, at = 0): void {
  buf.writeInt32BE(epoch, at + OFFSET.partitionLeaderEpoch);
}

/** Sets LogAppendTime: timestamp type bit and maxTimestamp; caller must rewriteCrc(). */
export function patchLogAppendTime(buf: Buffer, timestamp: number, at = 0): void {
  const attrs = buf.readInt16BE(at + OFFSET.attributes);
  buf.writeInt16BE(attrs | ATTR_LOG_APPEND_TIME, at + OFFSET.attributes);
  writeInt64(buf, timestamp, at + OFFSET.maxTimestamp);
}

export const compressionOf = (attributes: number): Compression => attributes & ATTR_COMPRESSION_MASK;
export const isTransactional = (attributes: number): boolean => (attributes & ATTR_TRANSACTIONAL) !== 0;
export const isControl = (attributes: number): boolean => (attributes & ATTR_CONTROL) !== 0;
export const isLogAppendTime = (attributes: number): boolean => (attributes & ATTR_LOG_APPEND_TIME) !== 0;
