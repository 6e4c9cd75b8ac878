// Reading segment files back at startup: walk batches from a known batch start, checking framing
// and offset order (gaps are normal once the cleaner removed whole batches), and CRCs from a given
// offset on (the recovery point: data below it was synced and checked before), to find the valid
// prefix of a file and rebuild its indexes.
import { readSync } from 'node:fs';
import { isCrcValid } from '../../protocol/records/batch-header.js';
import { scanBatches, type BatchInfo } from './batch-scan.js';

const SCAN_BLOCK = 4 * 1024 * 1024;
/**
 * One block for every scan of the process: scans are synchronous, so they never overlap, and a
 * start-up that recovers many partitions does not fault in fresh pages for each (see NOTES.md).
 */
let sharedBlock: Buffer | undefined;

/** A block of at least `bytes` (at most SCAN_BLOCK unless a single batch needs more). */
function scanBlock(bytes: number): Buffer {
  if (sharedBlock !== undefined && sharedBlock.length >= bytes) return sharedBlock;
  const block = Buffer.allocUnsafeSlow(Math.max(bytes, Math.min(SCAN_BLOCK, (sharedBlock?.length ?? 0) * 2)));
  if (block.length <= SCAN_BLOCK) sharedBlock = block;
  return block;
}

/** Where a scan starts: a batch boundary and the offset of the batch there. */
export interface ScanStart {
  position: number;
  offset: number;
}

export interface FileScan {
  /** Length of the prefix made of whole, valid, contiguous batches. */
  validBytes: number;
  /** Bytes of batches whose CRC was checked. */
  checkedBytes: number;
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

/**
 * Scans `size` bytes of a segment file from `start`, calling `onBatch` per valid batch; checks the
 * CRC of every batch ending at or after `crcFromOffset` (Infinity: none).
 */
export function scanSegmentFile(
  fd: number,
  size: number,
  start: ScanStart,
  crcFromOffset: number,
  onBatch: (batch: BatchInfo) => void,
): FileScan {
  let block = scanBlock(Math.min(SCAN_BLOCK, Math.max(size - start.position, 1)));
  let position = start.position;
  let next = start.offset;
  let checkedBytes = 0;
  while (position < size) {
    const blockStart = position;
    const length = Math.min(block.length, size - position);
    readFully(fd, block, length, position);
    const { batches, stop } = scanBatches(block.subarray(0, length), false, position);
    for (const batch of batches) {
      if (batch.baseOffset < next) {
        return { validBytes: batch.position, checkedBytes, problem: `batch at offset ${batch.baseOffset} where ${next} or above was expected` };
      }
      if (batch.lastOffset >= crcFromOffset) {
        if (!isCrcValid(block, batch.position - blockStart)) return { validBytes: batch.position, checkedBytes, problem: 'CRC mismatch' };
        checkedBytes += batch.size;
      }
      onBatch(batch);
      next = batch.lastOffset + 1;
      position = batch.position + batch.size;
    }
    if (stop?.kind === 'corrupt') return { validBytes: position, checkedBytes, problem: stop.reason };
    if (stop?.kind === 'incomplete') {
      if (position + stop.needed > size) return { validBytes: position, checkedBytes, problem: 'incomplete batch at end of file' };
      if (stop.needed > block.length) block = scanBlock(stop.needed);
    }
  }
  return { validBytes: position, checkedBytes };
}
