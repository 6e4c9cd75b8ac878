// Records inside a v2 batch: decode a whole batch (decompressing as needed) into its records,
// and encode records into a complete batch with header, compression and CRC-32C.
// Every read is bounded by the record's declared length and the buffer end.
import {
  ATTR_CONTROL,
  ATTR_LOG_APPEND_TIME,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_SIZE,
  Compression,
  LOG_OVERHEAD,
  OFFSET,
  compressionOf,
  rewriteCrc,
  writeInt64,
  type BatchHeader,
} from './batch-header.js';
import { ProtocolError } from '../protocol-error.js';
import { compress, decompress, type CompressOptions } from './compression.js';
import { CorruptRecordError } from './errors.js';
import { CURRENT_MAGIC, MIN_RECORD_SIZE, validateBatch } from './validate.js';
import {
  readVarint,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
  type Cursor,
} from './varint.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** One record; key, value and header values of decoded records are views into the batch (or its inflated copy). */
export interface Record {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  attributes: number;
}

export interface DecodedBatch {
  header: BatchHeader;
  records: Record[];
}

export interface DecodeOptions {
  /** Cap on the decompressed records (default DEFAULT_MAX_DECOMPRESSED_SIZE). */
  maxDecompressedSize?: number;
  /** Check the CRC-32C first (default true). */
  verifyCrc?: boolean;
}

/** Validates and decodes the batch at the start of `buf`. */
export function decodeBatch(buf: Buffer, options: DecodeOptions = {}): DecodedBatch {
  const { header, size } = validateBatch(buf, { verifyCrc: options.verifyCrc });
  const body = buf.subarray(BATCH_HEADER_SIZE, size);
  const codec = compressionOf(header.attributes);
  const data = codec === Compression.None ? body : decompress(codec, body, options.maxDecompressedSize);
  return { header, records: decodeRecords(data, header.recordCount) };
}

/** Decodes exactly `count` records filling all of `data` (a batch's uncompressed record section). */
export function decodeRecords(data: Buffer, count: number): Record[] {
  if (count * MIN_RECORD_SIZE > data.length) {
    throw new CorruptRecordError(`${count} records cannot fit in ${data.length} bytes`);
  }
  const c: Cursor = { buf: data, pos: 0, end: data.length };
  const records = new Array<Record>(count);
  for (let i = 0; i < count; i++) {
    try {
      records[i] = readRecord(c);
    } catch (err) {
      if (err instanceof ProtocolError && !(err instanceof CorruptRecordError)) {
        throw new CorruptRecordError(`record ${i}: ${err.message}`);
      }
      throw err;
    }
  }
  if (c.pos !== c.end) throw new CorruptRecordError(`${c.end - c.pos} bytes left over after ${count} records`);
  return records;
}

function readRecord(c: Cursor): Record {
  const length = readVarint(c);
  if (length < MIN_RECORD_SIZE - 1 || length > c.end - c.pos) {
    throw new CorruptRecordError(`record length ${length} at byte ${c.pos} is invalid (${c.end - c.pos} bytes remain)`);
  }
  const r: Cursor = { buf: c.buf, pos: c.pos, end: c.pos + length };
  const attributes = r.buf.readInt8(r.pos++);
  const timestampDelta = readVarlong(r);
  const offsetDelta = readVarint(r);
  const key = readNullableBytes(r, 'key');
  const value = readNullableBytes(r, 'value');
  const headerCount = readVarint(r);
  if (headerCount < 0 || headerCount * 2 > r.end - r.pos) {
    throw new CorruptRecordError(`invalid header count ${headerCount}`);
  }
  const headers = new Array<RecordHeader>(headerCount);
  for (let i = 0; i < headerCount; i++) {
    const headerKey = readNullableBytes(r, 'header key');
    if (headerKey === null) throw new CorruptRecordError('null header key');
    headers[i] = { key: headerKey.toString('utf8'), value: readNullableBytes(r, 'header value') };
  }
  if (r.pos !== r.end) throw new CorruptRecordError(`record declares ${length} bytes but its fields end ${r.end - r.pos} bytes early`);
  c.pos = r.end;
  return { offsetDelta, timestampDelta, key, value, headers, attributes };
}

function readNullableBytes(c: Cursor, what: string): Buffer | null {
  const length = readVarint(c);
  if (length === -1) return null;
  if (length < -1 || length > c.end - c.pos) {
    throw new CorruptRecordError(`${what} length ${length} at byte ${c.pos} is invalid (${c.end - c.pos} bytes remain)`);
  }
  c.pos += length;
  return c.buf.subarray(c.pos - length, c.pos);
}

/** A record to encode; a decoded Record is one. offsetDelta defaults to its index, the rest to empty. */
export interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: RecordHeader[];
  attributes?: number;
}

export interface EncodeBatchOptions extends CompressOptions {
  records: RecordInput[];
  baseOffset?: number;
  /** Default -1, as producers write it. */
  partitionLeaderEpoch?: number;
  /** Default Date.now(); record timestamps are baseTimestamp + timestampDelta. */
  baseTimestamp?: number;
  compression?: Compression;
  transactional?: boolean;
  control?: boolean;
  /** Marks the batch LogAppendTime and uses this as its maxTimestamp. */
  logAppendTime?: number;
  /** Defaults -1: not idempotent. */
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Default: the largest offsetDelta (0 for no records). */
  lastOffsetDelta?: number;
}

export function encodeBatch(options: EncodeBatchOptions): Buffer {
  const { records } = options;
  const codec = options.compression ?? Compression.None;
  const payload = compress(codec, encodeRecords(records), options);
  const baseTimestamp = options.baseTimestamp ?? Date.now();

  let lastOffsetDelta = 0;
  let maxTimestampDelta = -Infinity;
  records.forEach((record, i) => {
    lastOffsetDelta = Math.max(lastOffsetDelta, record.offsetDelta ?? i);
    maxTimestampDelta = Math.max(maxTimestampDelta, record.timestampDelta ?? 0);
  });
  const maxTimestamp = options.logAppendTime ?? (records.length > 0 ? baseTimestamp + maxTimestampDelta : -1);

  let attributes = codec;
  if (options.logAppendTime !== undefined) attributes |= ATTR_LOG_APPEND_TIME;
  if (options.transactional) attributes |= ATTR_TRANSACTIONAL;
  if (options.control) attributes |= ATTR_CONTROL;

  const buf = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  writeInt64(buf, options.baseOffset ?? 0, OFFSET.baseOffset);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, OFFSET.batchLength);
  buf.writeInt32BE(options.partitionLeaderEpoch ?? -1, OFFSET.partitionLeaderEpoch);
  buf.writeInt8(CURRENT_MAGIC, OFFSET.magic);
  buf.writeInt16BE(attributes, OFFSET.attributes);
  buf.writeInt32BE(options.lastOffsetDelta ?? lastOffsetDelta, OFFSET.lastOffsetDelta);
  writeInt64(buf, baseTimestamp, OFFSET.baseTimestamp);
  writeInt64(buf, maxTimestamp, OFFSET.maxTimestamp);
  writeInt64(buf, options.producerId ?? -1, OFFSET.producerId);
  buf.writeInt16BE(options.producerEpoch ?? -1, OFFSET.producerEpoch);
  buf.writeInt32BE(options.baseSequence ?? -1, OFFSET.baseSequence);
  buf.writeInt32BE(records.length, OFFSET.recordCount);
  payload.copy(buf, BATCH_HEADER_SIZE);
  rewriteCrc(buf);
  return buf;
}

/** The uncompressed record section for `records`. */
export function encodeRecords(records: RecordInput[]): Buffer {
  const bodySizes = records.map(recordBodySize);
  const total = bodySizes.reduce((sum, size) => sum + sizeOfVarint(size) + size, 0);
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  records.forEach((record, i) => {
    at = writeVarint(buf, bodySizes[i] as number, at);
    at = buf.writeInt8(record.attributes ?? 0, at);
    at = writeVarlong(buf, record.timestampDelta ?? 0, at);
    at = writeVarint(buf, record.offsetDelta ?? i, at);
    at = writeNullableBytes(buf, record.key ?? null, at);
    at = writeNullableBytes(buf, record.value ?? null, at);
    const headers = record.headers ?? [];
    at = writeVarint(buf, headers.length, at);
    for (const header of headers) {
      const keyLength = Buffer.byteLength(header.key, 'utf8');
      at = writeVarint(buf, keyLength, at);
      at += buf.write(header.key, at, keyLength, 'utf8');
      at = writeNullableBytes(buf, header.value, at);
    }
  });
  return buf;
}

function recordBodySize(record: RecordInput, index: number): number {
  let size =
    1 +
    sizeOfVarlong(record.timestampDelta ?? 0) +
    sizeOfVarint(record.offsetDelta ?? index) +
    sizeOfNullableBytes(record.key ?? null) +
    sizeOfNullableBytes(record.value ?? null);
  const headers = record.headers ?? [];
  size += sizeOfVarint(headers.length);
  for (const header of headers) {
    const keyLength = Buffer.byteLength(header.key, 'utf8');
    size += sizeOfVarint(keyLength) + keyLength + sizeOfNullableBytes(header.value);
  }
  return size;
}

const sizeOfNullableBytes = (bytes: Buffer | null): number =>
  bytes === null ? 1 : sizeOfVarint(bytes.length) + bytes.length;

function writeNullableBytes(buf: Buffer, bytes: Buffer | null, at: number): number {
  if (bytes === null) return writeVarint(buf, -1, at);
  at = writeVarint(buf, bytes.length, at);
  return at + bytes.copy(buf, at);
}
