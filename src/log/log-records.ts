// Reads the records of a partition log from an offset, batch by batch, skipping control batches
// (transaction markers): for the places that must look inside stored records (the schema
// registry's replay of _schemas, the web console's record browser).
import { decodeBatch, isControl, splitBatches, type Record as BatchRecord } from '../../protocol/records/index.js';
import type { PartitionLog } from './partition-log.js';

const READ_BYTES = 1 << 20;

export interface LogRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: BatchRecord['headers'];
}

/** The data records at offsets from `from` up to the high watermark, in offset order. */
export async function* logRecords(log: PartitionLog, from: number): AsyncGenerator<LogRecord> {
  let offset = Math.max(from, log.logStartOffset);
  const end = log.highWatermark;
  while (offset < end) {
    const { chunks } = await log.read(offset, READ_BYTES, { maxOffset: end });
    if (chunks.length === 0) return;
    for (const batch of chunks.flatMap((c) => splitBatches(c))) {
      const { header, records } = decodeBatch(batch);
      offset = header.baseOffset + header.lastOffsetDelta + 1;
      if (isControl(header.attributes)) continue;
      for (const r of records) {
        const at = header.baseOffset + r.offsetDelta;
        if (at >= from) yield { offset: at, timestamp: header.baseTimestamp + r.timestampDelta, key: r.key, value: r.value, headers: r.headers };
      }
    }
  }
}
