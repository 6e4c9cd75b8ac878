// lz4 codec (compression type 3): the standard LZ4 frame format (magic 0x184D2204). Java writes
// block-independent frames without checksums; other clients may add block or content checksums
// or link blocks. The frame is walked first to catch truncation and to bound the output from the
// block sizes (an over-estimate by at most about one block, so that much slack is allowed); the
// native decoder then inflates it and verifies the checksums, and the exact size is checked.
import type * as Lz4 from 'lz4-napi';
import { onFirstUse } from '../load-on-first-use.js';
import { CorruptRecordError, DecompressionLimitError } from './errors.js';

const lz4 = onFirstUse<typeof Lz4>('lz4-napi');

const MAGIC = 0x184d2204;
const FLG_VERSION_SHIFT = 6;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
/** Reserved bit 1 and the dictionary-id bit 0: neither is used by Kafka clients. */
const FLG_UNSUPPORTED = 0x03;
const BD_RESERVED = 0x8f;
const UNCOMPRESSED_BLOCK = 0x80000000;
/** Most output one input byte of an LZ4 block can produce. */
const MAX_RATIO = 255;
const BLOCK_MAX_SIZES: Readonly<Partial<{ [id: number]: number }>> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };

export function lz4Compress(data: Buffer): Buffer {
  return lz4().compressFrameSync(data);
}

export function lz4Decompress(data: Buffer, maxSize: number): Buffer {
  const frame = scanFrame(data, maxSize);
  const out = lz4().decompressFrameSync(data.subarray(0, frame.end));
  if (out.length > maxSize) throw new DecompressionLimitError('lz4', maxSize);
  if (frame.contentSize !== undefined && out.length !== frame.contentSize) {
    throw new CorruptRecordError(`lz4: frame inflated to ${out.length} bytes, header says ${frame.contentSize}`);
  }
  return out;
}

interface FrameExtent {
  end: number;
  contentSize: number | undefined;
}

/** Walks the frame's blocks without inflating them; throws on truncation or an output bound over maxSize + one block. */
function scanFrame(data: Buffer, maxSize: number): FrameExtent {
  const need = (bytes: number, at: number): void => {
    if (at + bytes > data.length) throw new CorruptRecordError(`lz4: frame truncated at byte ${data.length}`);
  };
  need(7, 0);
  if (data.readUInt32LE(0) !== MAGIC) throw new CorruptRecordError('lz4: not an LZ4 frame (bad magic)');
  const flg = data[4] as number;
  const bd = data[5] as number;
  if (flg >> FLG_VERSION_SHIFT !== 1) throw new CorruptRecordError(`lz4: unsupported frame version ${flg >> FLG_VERSION_SHIFT}`);
  if ((flg & FLG_UNSUPPORTED) !== 0) throw new CorruptRecordError('lz4: dictionary ids and reserved flags are unsupported');
  const blockMax = BLOCK_MAX_SIZES[bd >> 4];
  if (blockMax === undefined || (bd & BD_RESERVED) !== 0) throw new CorruptRecordError(`lz4: invalid block descriptor 0x${bd.toString(16)}`);

  let at = 6;
  let contentSize: number | undefined;
  if ((flg & FLG_CONTENT_SIZE) !== 0) {
    need(8, at);
    contentSize = data.readUInt32LE(at) + data.readUInt32LE(at + 4) * 2 ** 32;
    if (contentSize > maxSize) throw new DecompressionLimitError('lz4', maxSize);
    at += 8;
  }
  at += 1; // header checksum, verified by the decoder
  const blockChecksumSize = (flg & FLG_BLOCK_CHECKSUM) !== 0 ? 4 : 0;
  let bound = 0;
  for (;;) {
    need(4, at);
    const word = data.readUInt32LE(at);
    at += 4;
    if (word === 0) break;
    const stored = (word & UNCOMPRESSED_BLOCK) !== 0;
    const size = word & ~UNCOMPRESSED_BLOCK;
    if (size > blockMax) throw new CorruptRecordError(`lz4: block of ${size} bytes exceeds the frame's maximum ${blockMax}`);
    need(size + blockChecksumSize, at);
    at += size + blockChecksumSize;
    bound += stored ? size : Math.min(blockMax, size * MAX_RATIO);
    if (bound > maxSize + blockMax) throw new DecompressionLimitError('lz4', maxSize);
  }
  if ((flg & FLG_CONTENT_CHECKSUM) !== 0) {
    need(4, at);
    at += 4;
  }
  return { end: at, contentSize };
}
