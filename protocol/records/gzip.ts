// gzip codec (compression type 1) on node's zlib; decompression stops at maxSize bytes.
import { gunzipSync, gzipSync } from 'node:zlib';
import { DecompressionLimitError } from './errors.js';

export function gzipCompress(data: Buffer, level?: number): Buffer {
  return gzipSync(data, level === undefined ? {} : { level });
}

export function gzipDecompress(data: Buffer, maxSize: number): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: maxSize });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new DecompressionLimitError('gzip', maxSize);
    throw err;
  }
}
