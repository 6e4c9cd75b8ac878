// The producer state of one partition, as Kafka's ProducerStateManager keeps it: per producer id
// its epoch and the last five batches' sequence ranges and offsets (for duplicate detection and
// sequence checks), the open transaction's first offset, and the partition's aborted-transaction
// index. Pure bookkeeping: the engine feeds it every appended batch, live or replayed from the log.
import { ErrorCode } from '../../protocol/errors.js';
import { isTransactional, type BatchHeader } from '../../protocol/records/batch-header.js';
import { KafkaError } from '../kafka-error.js';

/** Batches remembered per producer; Kafka's max.in.flight.requests.per.connection limit for idempotence. */
export const BATCHES_PER_PRODUCER = 5;
export const NO_SEQUENCE = -1;
export const NO_EPOCH = -1;

export interface BatchMeta {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

export interface ProducerEntry {
  readonly producerId: number;
  epoch: number;
  /** Oldest first, at most BATCHES_PER_PRODUCER. */
  batches: BatchMeta[];
  /** Max timestamp of the producer's last batch (what producer.id.expiration.ms measures from). */
  lastTimestamp: number;
  coordinatorEpoch: number;
  /** First offset of the producer's open transaction in this partition, else -1. */
  txnFirstOffset: number;
}

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the ABORT marker. */
  lastOffset: number;
}

/** What an end-transaction control batch says. */
export interface Marker {
  commit: boolean;
  coordinatorEpoch: number;
}

/** A batch already in the log: its original offsets. */
export interface Duplicate {
  firstOffset: number;
  lastOffset: number;
}

/** Everything a partition's producer state holds once no append is in flight: what a snapshot saves. */
export interface ProducerStateImage {
  /** In producer id order. */
  producers: ProducerEntry[];
  /** In marker offset order. */
  aborted: AbortedTxn[];
}

/** Last sequence of a batch, wrapping past Int32.MAX_VALUE to 0 as producers do. */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  const MAX = 0x7fffffff;
  return baseSequence > MAX - lastOffsetDelta ? lastOffsetDelta - (MAX - baseSequence) - 1 : baseSequence + lastOffsetDelta;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === 0x7fffffff);
}

export class PartitionProducerState {
  readonly producers = new Map<number, ProducerEntry>();
  /** Producer id → first offset of its open transaction (provisional while the batch is being appended). */
  private readonly open = new Map<number, number>();
  /** Ordered by marker offset. */
  private aborted: AbortedTxn[] = [];

  /**
   * Checks a batch from an idempotent producer before it is appended. Returns the original
   * offsets of a batch the producer sent before (a retry), undefined when the batch is new.
   * Throws INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER or UNKNOWN_PRODUCER_ID.
   */
  check(h: BatchHeader): Duplicate | undefined {
    const entry = this.producers.get(h.producerId);
    const firstSeq = h.baseSequence;
    if (!entry) {
      if (firstSeq !== 0) {
        throw new KafkaError(ErrorCode.UNKNOWN_PRODUCER_ID, `No state for producer ${h.producerId} (expired or never written here); first sequence ${firstSeq} is not 0`);
      }
      return undefined;
    }
    if (h.producerEpoch < entry.epoch) {
      throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, `Epoch ${h.producerEpoch} of producer ${h.producerId} is older than the current epoch ${entry.epoch}`);
    }
    if (h.producerEpoch === entry.epoch) {
      const lastSeq = lastSequenceOf(firstSeq, h.lastOffsetDelta);
      const dup = entry.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
      if (dup) return { firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
      const currentLast = entry.batches.at(-1)?.lastSeq ?? NO_SEQUENCE;
      if (entry.epoch !== NO_EPOCH && !inSequence(currentLast, firstSeq)) {
        throw new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `Out of order sequence number for producer ${h.producerId}: ${firstSeq} (incoming seq. number), ${currentLast} (current end sequence number)`);
      }
    } else if (firstSeq !== 0 && entry.epoch !== NO_EPOCH) {
      throw new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `Invalid sequence number for new epoch ${h.producerEpoch} of producer ${h.producerId}: ${firstSeq} (must be 0)`);
    }
    return undefined;
  }

  /**
   * Marks the start of a transaction before its first batch is written, at the offset the batch
   * will get at the earliest, so the last stable offset never passes uncommitted data.
   */
  beginPending(h: BatchHeader, earliestOffset: number): boolean {
    if (!isTransactional(h.attributes) || this.open.has(h.producerId)) return false;
    this.open.set(h.producerId, earliestOffset);
    return true;
  }

  /** Undoes beginPending after a failed append. */
  cancelPending(producerId: number): void {
    if ((this.producers.get(producerId)?.txnFirstOffset ?? -1) < 0) this.open.delete(producerId);
  }

  /** Records an appended data batch (live or replayed). */
  recordData(h: BatchHeader, firstOffset: number, lastOffset: number): void {
    const entry = this.entryFor(h.producerId, h.producerEpoch);
    entry.lastTimestamp = h.maxTimestamp;
    if (h.baseSequence !== NO_SEQUENCE) {
      entry.batches.push({ firstSeq: h.baseSequence, lastSeq: lastSequenceOf(h.baseSequence, h.lastOffsetDelta), firstOffset, lastOffset });
      if (entry.batches.length > BATCHES_PER_PRODUCER) entry.batches.shift();
    }
    if (isTransactional(h.attributes) && entry.txnFirstOffset < 0) {
      entry.txnFirstOffset = firstOffset;
      this.open.set(h.producerId, firstOffset);
    }
  }

  /**
   * Kafka's checks of a COMMIT/ABORT marker before it is appended: a marker of an older producer
   * epoch is INVALID_PRODUCER_EPOCH, one from a coordinator older than the one that last ended a
   * transaction of the producer here is TRANSACTION_COORDINATOR_FENCED (a coordinator that lost its
   * partition must not end what its successor decides).
   */
  checkMarker(producerId: number, producerEpoch: number, coordinatorEpoch: number): void {
    const entry = this.producers.get(producerId);
    if (entry === undefined) return;
    if (producerEpoch < entry.epoch) {
      throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, `The marker's epoch ${producerEpoch} of producer ${producerId} is older than the current epoch ${entry.epoch}`);
    }
    if (coordinatorEpoch < entry.coordinatorEpoch) {
      throw new KafkaError(
        ErrorCode.TRANSACTION_COORDINATOR_FENCED,
        `The marker for producer ${producerId} comes from coordinator epoch ${coordinatorEpoch}, older than ${entry.coordinatorEpoch}`,
      );
    }
  }

  /** Records an appended COMMIT/ABORT marker: the producer's transaction here is over. */
  recordMarker(h: BatchHeader, offset: number, marker: Marker): void {
    const entry = this.entryFor(h.producerId, h.producerEpoch);
    entry.lastTimestamp = h.maxTimestamp;
    entry.coordinatorEpoch = marker.coordinatorEpoch;
    if (entry.txnFirstOffset >= 0 && !marker.commit) {
      this.aborted.push({ producerId: h.producerId, firstOffset: entry.txnFirstOffset, lastOffset: offset });
    }
    entry.txnFirstOffset = -1;
    this.open.delete(h.producerId);
  }

  /** A newer epoch starts the producer's sequences over. */
  private entryFor(producerId: number, epoch: number): ProducerEntry {
    let entry = this.producers.get(producerId);
    if (!entry) {
      entry = { producerId, epoch, batches: [], lastTimestamp: -1, coordinatorEpoch: -1, txnFirstOffset: -1 };
      this.producers.set(producerId, entry);
    } else if (epoch > entry.epoch) {
      entry.epoch = epoch;
      entry.batches = [];
    }
    return entry;
  }

  /** The first offset of the earliest open transaction, capped by the high watermark. */
  lastStableOffset(highWatermark: number): number {
    let lso = highWatermark;
    for (const first of this.open.values()) if (first < lso) lso = first;
    return lso;
  }

  /** Aborted transactions overlapping [from, to): Kafka's collectAbortedTxns. */
  abortedBetween(from: number, to: number): AbortedTxn[] {
    return this.aborted.filter((t) => t.lastOffset >= from && t.firstOffset < to);
  }

  /** Forgets producers idle for `expirationMs` with no open transaction, and aborted transactions below the log start. */
  expire(now: number, expirationMs: number, logStartOffset: number): void {
    for (const [id, entry] of this.producers) {
      if (entry.txnFirstOffset < 0 && !this.open.has(id) && now - entry.lastTimestamp >= expirationMs) this.producers.delete(id);
    }
    this.forgetAbortedBefore(logStartOffset);
  }

  /** Forgets aborted transactions whose marker is below `offset` (deleted from the log). */
  forgetAbortedBefore(offset: number): void {
    if (this.aborted.length > 0 && this.aborted[0]!.lastOffset < offset) {
      this.aborted = this.aborted.filter((t) => t.lastOffset >= offset);
    }
  }

  /** A copy of the state; call with no append in flight (a pending transaction start is not part of it). */
  image(): ProducerStateImage {
    const producers = [...this.producers.values()].sort((a, b) => a.producerId - b.producerId);
    return {
      producers: producers.map((e) => ({ ...e, batches: e.batches.map((b) => ({ ...b })) })),
      aborted: this.aborted.map((t) => ({ ...t })),
    };
  }

  /** Replaces the state with `image` (a snapshot being loaded). */
  restore(image: ProducerStateImage): void {
    this.producers.clear();
    this.open.clear();
    for (const e of image.producers) {
      this.producers.set(e.producerId, { ...e, batches: e.batches.map((b) => ({ ...b })) });
      if (e.txnFirstOffset >= 0) this.open.set(e.producerId, e.txnFirstOffset);
    }
    this.aborted = image.aborted.map((t) => ({ ...t }));
  }
}
