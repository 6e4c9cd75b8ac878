// Walks concatenated v2 record batches in a buffer, checking framing (and optionally the CRC)
// batch by batch. Used to validate produced data and to recover segment files.
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  MIN_BATCH_LENGTH,
  OFFSET,
  isCrcValid,
  readInt64,
} from '../../protocol/records/batch-header.js';

/** What the log needs to know about one stored batch. */
export interface BatchInfo {
  /** Byte position of the batch: in the scanned buffer, or in its segment. */
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  recordCount: number;
  leaderEpoch: number;
}

/** Why a scan stopped before the end of the buffer. */
export type ScanStop =
  | { kind: 'incomplete'; needed: number }
  | { kind: 'corrupt'; reason: string };

export interface ScanResult {
  batches: BatchInfo[];
  /** Bytes from the start of the buffer covered by whole valid batches. */
  validBytes: number;
  stop?: ScanStop;
}

/** Header facts of the batch at `at`; needs BATCH_HEADER_SIZE bytes there. */
export function batchInfoAt(buf: Buffer, at: number, position: number): BatchInfo {
  const baseOffset = readInt64(buf, at + OFFSET.baseOffset);
  return {
    position,
    size: LOG_OVERHEAD + buf.readInt32BE(at + OFFSET.batchLength),
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(at + OFFSET.lastOffsetDelta),
    maxTimestamp: readInt64(buf, at + OFFSET.maxTimestamp),
    recordCount: buf.readInt32BE(at + OFFSET.recordCount),
    leaderEpoch: buf.readInt32BE(at + OFFSET.partitionLeaderEpoch),
  };
}

/** Checks one batch whose header is in `buf` at `at`; returns why it is unusable, if it is. */
function checkBatch(buf: Buffer, at: number, checkCrc: boolean): ScanStop | undefined {
  const remaining = buf.length - at;
  if (remaining < LOG_OVERHEAD) return { kind: 'incomplete', needed: BATCH_HEADER_SIZE };
  const length = buf.readInt32BE(at + OFFSET.batchLength);
  if (length < MIN_BATCH_LENGTH) return { kind: 'corrupt', reason: `batch length ${length} is too small` };
  const size = LOG_OVERHEAD + length;
  if (size > remaining) return { kind: 'incomplete', needed: size };
  const magic = buf.readInt8(at + OFFSET.magic);
  if (magic !== 2) return { kind: 'corrupt', reason: `unsupported magic ${magic}` };
  if (buf.readInt32BE(at + OFFSET.lastOffsetDelta) < 0) return { kind: 'corrupt', reason: 'negative lastOffsetDelta' };
  if (buf.readInt32BE(at + OFFSET.recordCount) < 0) return { kind: 'corrupt', reason: 'negative record count' };
  if (checkCrc && !isCrcValid(buf, at)) return { kind: 'corrupt', reason: 'CRC mismatch' };
  return undefined;
}

/** Scans whole batches from the start of `buf`; positions are reported as `basePosition + at`. */
export function scanBatches(buf: Buffer, checkCrc: boolean, basePosition = 0): ScanResult {
  const batches: BatchInfo[] = [];
  let at = 0;
  while (at < buf.length) {
    const stop = checkBatch(buf, at, checkCrc);
    if (stop !== undefined) return { batches, validBytes: at, stop };
    const info = batchInfoAt(buf, at, basePosition + at);
    batches.push(info);
    at += info.size;
  }
  return { batches, validBytes: at };
}
