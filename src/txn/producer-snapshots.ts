// Producer-state snapshots of one partition, as Kafka's ProducerStateManager keeps them: a
// snapshot at offset N holds the state after every batch below N (producers, open transactions
// and the aborted-transaction index). The engine saves one when a segment rolls, when the log
// start moves and on clean shutdown; start-up loads the latest intact one and replays only the
// log after it. A snapshot past the log end (a log cut back by recovery), below the log start
// (its segments are deleted) or corrupt is deleted, and an older one (or a full replay) is used.
import type { Logger } from 'pino';
import type { PartitionLog } from '../log/partition-log.js';
import { replayProducerState } from './log-replay.js';
import { decodeProducerSnapshot, encodeProducerSnapshot } from './producer-snapshot-format.js';
import type { PartitionProducerState } from './producer-state.js';

/** Snapshots kept per partition: the newest, and older ones to fall back on should it be unreadable. */
export const SNAPSHOTS_KEPT = 3;

export interface LoadedProducerState {
  /** Offset of the snapshot loaded; undefined after a full replay. */
  snapshotOffset: number | undefined;
  /** Batches replayed after it. */
  batches: number;
}

/** Fills `state` (empty) from the latest usable snapshot and the log after it. */
export async function loadProducerState(log: PartitionLog, state: PartitionProducerState, logger: Logger): Promise<LoadedProducerState> {
  const store = log.snapshots;
  let snapshotOffset: number | undefined;
  for (const offset of (await store.list()).reverse()) {
    if (offset > log.logEndOffset || offset < log.logStartOffset) {
      await store.delete(offset);
      continue;
    }
    if (snapshotOffset !== undefined) continue;
    const data = await store.read(offset);
    const snapshot = data && decodeProducerSnapshot(data);
    if (snapshot === undefined || snapshot.offset !== offset) {
      logger.warn({ offset }, 'deleting unreadable producer-state snapshot');
      await store.delete(offset);
      continue;
    }
    state.restore(snapshot);
    state.forgetAbortedBefore(log.logStartOffset);
    snapshotOffset = offset;
  }
  const batches = await replayProducerState(log, state, snapshotOffset ?? log.logStartOffset);
  return { snapshotOffset, batches };
}

/**
 * Saves `state` (no append in flight) as the snapshot at the log end unless there is one already,
 * then deletes the snapshots outside [log start, log end] and all but the newest SNAPSHOTS_KEPT.
 */
export async function saveProducerState(log: PartitionLog, state: PartitionProducerState): Promise<void> {
  const store = log.snapshots;
  const end = log.logEndOffset;
  const existing = await store.list();
  if (!existing.includes(end)) {
    await store.write(end, encodeProducerSnapshot({ offset: end, ...state.image() }));
    existing.push(end);
  }
  const kept = existing.filter((o) => o >= log.logStartOffset && o <= end).sort((a, b) => a - b).slice(-SNAPSHOTS_KEPT);
  await Promise.all(existing.filter((o) => !kept.includes(o)).map((o) => store.delete(o)));
}
