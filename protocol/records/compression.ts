// Record batch compression (attributes bits 0-2): one entry point per direction that dispatches
// to the codec modules. Decompression is always bounded and reports failures as CorruptRecordError.
import { Compression } from './batch-header.js';
import { ProtocolError } from '../protocol-error.js';
import { CorruptRecordError } from './errors.js';
import { gzipCompress, gzipDecompress } from './gzip.js';
import { lz4Compress, lz4Decompress } from './lz4.js';
import { snappyCompress, snappyDecompress, type SnappyFraming } from './snappy.js';
import { zstdCompress, zstdDecompress } from './zstd.js';

/** Default cap on one batch's decompressed records. */
export const DEFAULT_MAX_DECOMPRESSED_SIZE = 64 * 1024 * 1024;

export interface CompressOptions {
  /** gzip and zstd level; the codec's default when absent. */
  level?: number;
  /** Snappy framing to write; 'xerial' (what Java clients write) by default. */
  snappyFraming?: SnappyFraming;
}

const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

export function codecName(codec: number): string {
  return CODEC_NAMES[codec] ?? `unknown(${codec})`;
}

export function compress(codec: Compression, data: Buffer, options: CompressOptions = {}): Buffer {
  switch (codec) {
    case Compression.None:
      return data;
    case Compression.Gzip:
      return gzipCompress(data, options.level);
    case Compression.Snappy:
      return snappyCompress(data, options.snappyFraming ?? 'xerial');
    case Compression.Lz4:
      return lz4Compress(data);
    case Compression.Zstd:
      return zstdCompress(data, options.level);
    default:
      throw new CorruptRecordError(`unknown compression codec ${codecName(codec)}`);
  }
}

export function decompress(codec: Compression, data: Buffer, maxSize = DEFAULT_MAX_DECOMPRESSED_SIZE): Buffer {
  try {
    switch (codec) {
      case Compression.None:
        return data;
      case Compression.Gzip:
        return gzipDecompress(data, maxSize);
      case Compression.Snappy:
        return snappyDecompress(data, maxSize);
      case Compression.Lz4:
        return lz4Decompress(data, maxSize);
      case Compression.Zstd:
        return zstdDecompress(data, maxSize);
      default:
        throw new CorruptRecordError(`unknown compression codec ${codecName(codec)}`);
    }
  } catch (err) {
    if (err instanceof CorruptRecordError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    const what = err instanceof ProtocolError ? 'malformed data' : 'decoder error';
    throw new CorruptRecordError(`${codecName(codec)}: ${what}: ${reason}`);
  }
}
