// What the cleaner must know about transactions and producers, and its bookkeeping of them while it
// walks a log in offset order (Kafka's CleanedTransactionMetadata): which data batches belong to
// aborted transactions (removed), and which COMMIT/ABORT markers no longer have data of their
// transaction before them (removable once delete.retention.ms has passed).
import { ControlRecordType, decodeControlKey, type BatchHeader, isTransactional } from '../../protocol/records/index.js';
import type { PartitionLog } from './partition-log.js';

export interface AbortedRange {
  producerId: number;
  firstOffset: number;
  /** Offset of the ABORT marker. */
  lastOffset: number;
}

/** A producer's newest state in a partition: the batch the cleaner must keep so it survives. */
export interface ProducerTail {
  /** Last offset of the producer's last data batch, -1 when it has none since its epoch began. */
  lastDataOffset: number;
  epoch: number;
}

/** The transaction engine's view of a log, for the cleaner (log/ does not depend on txn/). */
export interface CleanerTxnView {
  /** Offsets from here on may belong to open transactions and are not cleaned. */
  lastStableOffset(log: PartitionLog): number;
  /** Aborted transactions overlapping [from, to). */
  abortedTransactions(log: PartitionLog, from: number, to: number): AbortedRange[];
  /** Producers whose state the log must keep (not expired), by producer id. */
  producerTails(log: PartitionLog): ReadonlyMap<number, ProducerTail>;
}

/** Without transactions: everything written is stable, nothing aborted, no producer kept. */
export const NO_TRANSACTIONS: CleanerTxnView = {
  lastStableOffset: (log) => log.highWatermark,
  abortedTransactions: () => [],
  producerTails: () => new Map(),
};

/** Follows the transactions of the batches it is shown, in offset order. */
export class TxnCleaningState {
  private readonly pending: AbortedRange[];
  /** Producer id → whether a batch of its aborted transaction was seen. */
  private readonly ongoingAborted = new Map<number, boolean>();
  private readonly ongoingCommitted = new Set<number>();

  constructor(aborted: readonly AbortedRange[]) {
    this.pending = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** A data batch: true when it belongs to an aborted transaction. */
  onDataBatch(h: BatchHeader): boolean {
    this.startAbortedUpTo(h.baseOffset + h.lastOffsetDelta);
    if (!isTransactional(h.attributes)) return false;
    if (this.ongoingAborted.has(h.producerId)) {
      this.ongoingAborted.set(h.producerId, true);
      return true;
    }
    this.ongoingCommitted.add(h.producerId);
    return false;
  }

  /** A control batch (`key`: its record's key, null when it has none): true when its marker may go. */
  onControlBatch(h: BatchHeader, key: Buffer | null | undefined): boolean {
    this.startAbortedUpTo(h.baseOffset + h.lastOffsetDelta);
    if (key === undefined || key === null) return true;
    const type = decodeControlKey(key).type;
    if (type === ControlRecordType.ABORT) {
      const sawData = this.ongoingAborted.get(h.producerId);
      this.ongoingAborted.delete(h.producerId);
      return sawData !== true;
    }
    if (type === ControlRecordType.COMMIT) return !this.ongoingCommitted.delete(h.producerId);
    return false;
  }

  private startAbortedUpTo(offset: number): void {
    while (this.pending.length > 0 && this.pending[0]!.firstOffset <= offset) {
      const txn = this.pending.shift()!;
      this.ongoingAborted.set(txn.producerId, false);
    }
  }
}
