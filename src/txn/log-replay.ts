// Rebuilds a partition's producer state from its log: every batch header from a given offset is
// read (records only for the one-record control batches), one sequential read of that part of the
// partition. Start-up replays only what follows the latest snapshot (producer-snapshots.ts).
import { ControlRecordType, decodeBatch, decodeControlKey, decodeEndTxnMarker, isControl, readBatchHeader, splitBatches } from '../../protocol/records/index.js';
import type { PartitionLog } from '../log/partition-log.js';
import type { PartitionProducerState } from './producer-state.js';

const READ_CHUNK_BYTES = 4 << 20;

/** Feeds every idempotent/transactional batch of `log` from `from` on into `state`; returns how many batches were read. */
export async function replayProducerState(log: PartitionLog, state: PartitionProducerState, from = log.logStartOffset): Promise<number> {
  let offset = Math.max(from, log.logStartOffset);
  let batches = 0;
  const end = log.logEndOffset;
  while (offset < end) {
    const read = await log.read(offset, READ_CHUNK_BYTES, { maxOffset: end });
    if (read.chunks.length === 0) break;
    for (const batch of read.chunks.flatMap((c) => splitBatches(c))) {
      const h = readBatchHeader(batch);
      offset = h.baseOffset + h.lastOffsetDelta + 1;
      batches++;
      if (offset - 1 >= from) recordBatch(state, batch);
    }
  }
  return batches;
}

/** Feeds one stored batch into `state`: an idempotent/transactional data batch, or a COMMIT/ABORT marker. */
export function recordBatch(state: PartitionProducerState, batch: Buffer): void {
  const h = readBatchHeader(batch);
  if (h.producerId < 0) return;
  const last = h.baseOffset + h.lastOffsetDelta;
  if (!isControl(h.attributes)) {
    state.recordData(h, h.baseOffset, last);
    return;
  }
  const record = decodeBatch(batch, { verifyCrc: false }).records[0];
  if (!record) return;
  const type = decodeControlKey(record.key).type;
  if (type !== ControlRecordType.COMMIT && type !== ControlRecordType.ABORT) return;
  state.recordMarker(h, h.baseOffset, { commit: type === ControlRecordType.COMMIT, coordinatorEpoch: decodeEndTxnMarker(record.value).coordinatorEpoch });
}
