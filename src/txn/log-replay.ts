// Rebuilds a partition's producer state from its log on start: every batch header is read
// (records only for the one-record control batches), so the cost is one sequential read of the
// partition; Kafka bounds the same work with producer-state snapshots, Creek reads it all.
import { ControlRecordType, decodeBatch, decodeControlKey, decodeEndTxnMarker, isControl, readBatchHeader, splitBatches } from '../../protocol/records/index.js';
import type { PartitionLog } from '../log/partition-log.js';
import type { PartitionProducerState } from './producer-state.js';

const READ_CHUNK_BYTES = 4 << 20;

/** Feeds every idempotent/transactional batch of `log` into `state`; returns how many batches were read. */
export async function replayProducerState(log: PartitionLog, state: PartitionProducerState): Promise<number> {
  let offset = log.logStartOffset;
  let batches = 0;
  const end = log.logEndOffset;
  while (offset < end) {
    const read = await log.read(offset, READ_CHUNK_BYTES, { maxOffset: end });
    if (read.chunks.length === 0) break;
    for (const batch of read.chunks.flatMap((c) => splitBatches(c))) {
      const h = readBatchHeader(batch);
      const last = h.baseOffset + h.lastOffsetDelta;
      offset = last + 1;
      batches++;
      if (h.producerId < 0) continue;
      if (!isControl(h.attributes)) {
        state.recordData(h, h.baseOffset, last);
        continue;
      }
      const record = decodeBatch(batch, { verifyCrc: false }).records[0];
      if (!record) continue;
      const type = decodeControlKey(record.key).type;
      if (type !== ControlRecordType.COMMIT && type !== ControlRecordType.ABORT) continue;
      state.recordMarker(h, h.baseOffset, { commit: type === ControlRecordType.COMMIT, coordinatorEpoch: decodeEndTxnMarker(record.value).coordinatorEpoch });
    }
  }
  return batches;
}
