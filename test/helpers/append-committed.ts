// Appends to a bare PartitionLog as a single-node leader does: the high watermark follows the log
// end once the write is done. In the broker the partition layer (src/replica/partition.ts) moves it.
import type { AppendMeta, AppendResult, PartitionLog } from '../../src/log/partition-log.js';

export async function appendCommitted(log: PartitionLog, data: Buffer, meta: AppendMeta): Promise<AppendResult> {
  const result = await log.append(data, meta);
  log.advanceHighWatermark(result.lastOffset + 1);
  return result;
}
