// Counts the records of the whole v2 batches in a fetch response's record set, given as the
// chunks the log read (a batch header may straddle two chunks). A partial last batch, which Kafka
// allows at the end of a response, is not counted.
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, OFFSET } from './batch-header.js';

export function countRecords(chunks: readonly Buffer[]): number {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  let count = 0;
  for (let at = 0; at + BATCH_HEADER_SIZE <= total; ) {
    const header = bytesAt(chunks, at, BATCH_HEADER_SIZE);
    const size = LOG_OVERHEAD + header.readInt32BE(OFFSET.batchLength);
    if (size < BATCH_HEADER_SIZE || at + size > total) break;
    count += header.readInt32BE(OFFSET.recordCount);
    at += size;
  }
  return count;
}

/** `length` bytes from position `at` of the chunks taken as one buffer (copied only across a boundary). */
function bytesAt(chunks: readonly Buffer[], at: number, length: number): Buffer {
  let i = 0;
  while (at >= chunks[i]!.length) at -= chunks[i++]!.length;
  const first = chunks[i]!;
  if (at + length <= first.length) return first.subarray(at, at + length);
  const parts = [first.subarray(at)];
  let have = parts[0]!.length;
  while (have < length) {
    const next = chunks[++i]!;
    parts.push(next.subarray(0, length - have));
    have += parts.at(-1)!.length;
  }
  return Buffer.concat(parts, length);
}
