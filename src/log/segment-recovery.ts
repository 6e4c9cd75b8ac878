// Reading segment files back at startup: scan batches (optionally checking CRCs and offset
// continuity) to find the valid prefix of a file and to rebuild its indexes.
import { readSync } from 'node:fs';
import { scanBatches, type BatchInfo } from './batch-scan.js';

const SCAN_BLOCK = 4 * 1024 * 1024;

export interface FileScan {
  /** Length of the prefix made of whole, valid, contiguous batches. */
  validBytes: number;
  /** Why the scan stopped before the end of the file. */
  problem?: string;
}

function readFully(fd: number, buf: Buffer, length: number, position: number): void {
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, buf, filled, length - filled, position + filled);
    if (n === 0) throw new Error(`unexpected end of file at ${position + filled}`);
    filled += n;
  }
}

/** Scans `size` bytes of a segment file starting at `baseOffset`, calling `onBatch` per valid batch. */
export function scanSegmentFile(
  fd: number,
  size: number,
  baseOffset: number,
  checkCrc: boolean,
  onBatch: (batch: BatchInfo) => void,
): FileScan {
  let block = Buffer.allocUnsafe(Math.min(SCAN_BLOCK, Math.max(size, 1)));
  let position = 0;
  let next = baseOffset;
  while (position < size) {
    const length = Math.min(block.length, size - position);
    readFully(fd, block, length, position);
    const { batches, stop } = scanBatches(block.subarray(0, length), checkCrc, position);
    for (const batch of batches) {
      if (batch.baseOffset !== next) {
        return { validBytes: batch.position, problem: `batch at offset ${batch.baseOffset} where ${next} was expected` };
      }
      onBatch(batch);
      next = batch.lastOffset + 1;
      position = batch.position + batch.size;
    }
    if (stop?.kind === 'corrupt') return { validBytes: position, problem: stop.reason };
    if (stop?.kind === 'incomplete') {
      if (position + stop.needed > size) return { validBytes: position, problem: 'incomplete batch at end of file' };
      if (stop.needed > block.length) block = Buffer.allocUnsafe(stop.needed);
    }
  }
  return { validBytes: position };
}
