// zstd codec (compression type 4). Decompression streams into fixed-size chunks so that
// a frame cannot make us allocate more than maxSize bytes, whatever its header claims.
import type * as Zstd from 'zstd-napi';
import type Binding from 'zstd-napi/binding.js';
import { onFirstUse } from '../load-on-first-use.js';
import { CorruptRecordError, DecompressionLimitError } from './errors.js';

const zstd = onFirstUse<typeof Zstd>('zstd-napi');
const zstdBinding = onFirstUse<typeof Binding>('zstd-napi/binding.js');

const CHUNK_SIZE = 128 * 1024;

export function zstdCompress(data: Buffer, level?: number): Buffer {
  return zstd().compress(data, level === undefined ? {} : { compressionLevel: level });
}

export function zstdDecompress(data: Buffer, maxSize: number): Buffer {
  const dctx = new (zstdBinding().DCtx)();
  const chunks: Buffer[] = [];
  let total = 0;
  let input = data;
  let frameOpen = true;
  for (;;) {
    // One byte over the limit is enough to tell "exactly maxSize" from "too big".
    const out = Buffer.allocUnsafe(Math.min(CHUNK_SIZE, maxSize - total + 1));
    const [hint, produced, consumed] = dctx.decompressStream(out, input);
    frameOpen = hint !== 0;
    total += produced;
    if (total > maxSize) throw new DecompressionLimitError('zstd', maxSize);
    if (produced > 0) chunks.push(out.subarray(0, produced));
    input = input.subarray(consumed);
    if (input.length === 0 && produced < out.length) break;
    if (consumed === 0 && produced === 0) throw new CorruptRecordError('zstd: decoder made no progress');
  }
  if (frameOpen) throw new CorruptRecordError('zstd: truncated frame');
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
}
