// What the cleaner keeps of one stored batch (Kafka's LogCleaner retention rules for v2 batches):
// records superseded by a later record of the same key, keyless records, data of aborted
// transactions, and tombstones and markers whose delete horizon has passed are dropped. A batch
// that must stay (a producer's last batch, or the last batch of a cleaned segment, which keeps the
// segment's offset range) stays, emptied if need be. Tombstones and removable markers get a delete
// horizon (now + delete.retention.ms) the first time they are cleaned.
import {
  decodeBatch,
  deleteHorizonOf,
  emptyBatch,
  isControl,
  readBatchHeader,
  rebuildBatch,
  type BatchHeader,
  type Record,
} from '../../protocol/records/index.js';
import type { ProducerTail, TxnCleaningState } from './cleaner-txn.js';
import type { OffsetMap } from './offset-map.js';

export interface BatchCleaningContext {
  map: OffsetMap;
  txn: TxnCleaningState;
  producers: ReadonlyMap<number, ProducerTail>;
  now: number;
  deleteRetentionMs: number;
}

export interface CleanedBatch {
  /** The batch to write (the original buffer when unchanged), undefined when removed. */
  out: Buffer | undefined;
  /** The delete horizon of tombstones or a marker still in `out`, -1 when none. */
  pendingHorizon: number;
}

function isProducersLastBatch(h: BatchHeader, producers: ReadonlyMap<number, ProducerTail>): boolean {
  const tail = producers.get(h.producerId);
  if (h.producerId < 0 || tail === undefined) return false;
  if (tail.lastDataOffset >= 0) return h.baseOffset + h.lastOffsetDelta === tail.lastDataOffset;
  return isControl(h.attributes) && h.producerEpoch === tail.epoch;
}

/** Cleans one batch; `mustStay`: keep it (emptied if need be) even when nothing of it remains. */
export function cleanBatch(batch: Buffer, ctx: BatchCleaningContext, mustStay: boolean): CleanedBatch {
  const h = readBatchHeader(batch);
  const records: Record[] = h.recordCount > 0 ? decodeBatch(batch, { verifyCrc: false }).records : [];
  const horizon = deleteHorizonOf(h);
  const horizonPassed = horizon !== undefined && horizon <= ctx.now;
  let kept: Record[];
  let wantsHorizon: boolean;
  if (isControl(h.attributes)) {
    const removable = ctx.txn.onControlBatch(h, records[0]?.key);
    kept = removable && horizonPassed ? [] : records;
    wantsHorizon = removable && kept.length > 0;
  } else if (ctx.txn.onDataBatch(h)) {
    kept = [];
    wantsHorizon = false;
  } else {
    kept = records.filter((r) => {
      if (r.key === null) return false;
      if (h.baseOffset + r.offsetDelta < ctx.map.get(r.key)) return false;
      return r.value !== null || !horizonPassed;
    });
    wantsHorizon = kept.some((r) => r.value === null);
  }
  const pendingHorizon = wantsHorizon ? (horizon ?? ctx.now + ctx.deleteRetentionMs) : -1;
  if (kept.length === 0) {
    if (!mustStay && !isProducersLastBatch(h, ctx.producers)) return { out: undefined, pendingHorizon: -1 };
    return { out: h.recordCount === 0 ? batch : emptyBatch(h), pendingHorizon: -1 };
  }
  if (kept.length === records.length && (!wantsHorizon || horizon !== undefined)) return { out: batch, pendingHorizon };
  return { out: rebuildBatch(h, kept, wantsHorizon && horizon === undefined ? pendingHorizon : undefined), pendingHorizon };
}
