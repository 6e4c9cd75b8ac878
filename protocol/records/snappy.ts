// snappy codec (compression type 2). Two framings exist on the wire: raw snappy blocks
// (librdkafka, kafkajs-snappy) and the xerial framing Java clients write: the magic
// "\x82SNAPPY\0", int32 version, int32 min-compatible version, then [int32 length, raw block]*.
// Decoding detects the framing; each raw block's length preamble is checked before inflating.
import type * as Snappy from 'snappy';
import { onFirstUse } from '../load-on-first-use.js';
import { CorruptRecordError, DecompressionLimitError } from './errors.js';
import { readUVarint } from './varint.js';

const snappy = onFirstUse<typeof Snappy>('snappy');

export type SnappyFraming = 'xerial' | 'raw';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_VERSION = 1;
/** snappy-java's default block size. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

export function snappyCompress(data: Buffer, framing: SnappyFraming): Buffer {
  if (framing === 'raw') return snappy().compressSync(data);
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_VERSION, 12);
  const parts: Buffer[] = [header];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) {
    const block = snappy().compressSync(data.subarray(at, at + XERIAL_BLOCK_SIZE));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

export function snappyDecompress(data: Buffer, maxSize: number): Buffer {
  const isXerial = data.length >= XERIAL_MAGIC.length && XERIAL_MAGIC.equals(data.subarray(0, XERIAL_MAGIC.length));
  return isXerial ? decompressXerial(data, maxSize) : decompressRaw(data, maxSize);
}

function decompressRaw(block: Buffer, maxSize: number): Buffer {
  const expected = readUVarint({ buf: block, pos: 0, end: block.length });
  if (expected > maxSize) throw new DecompressionLimitError('snappy', maxSize);
  const out = snappy().uncompressSync(block, { asBuffer: true }) as Buffer;
  if (out.length !== expected) {
    throw new CorruptRecordError(`snappy: block inflated to ${out.length} bytes, preamble says ${expected}`);
  }
  return out;
}

function decompressXerial(data: Buffer, maxSize: number): Buffer {
  if (data.length < XERIAL_HEADER_SIZE) throw new CorruptRecordError('snappy: truncated xerial header');
  const parts: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_SIZE;
  while (at < data.length) {
    if (data.length - at < 4) throw new CorruptRecordError(`snappy: truncated xerial block length at byte ${at}`);
    const length = data.readInt32BE(at);
    at += 4;
    if (length < 0 || length > data.length - at) {
      throw new CorruptRecordError(`snappy: xerial block of ${length} bytes at byte ${at} overruns the data`);
    }
    const out = decompressRaw(data.subarray(at, at + length), maxSize - total);
    total += out.length;
    parts.push(out);
    at += length;
  }
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, total);
}
