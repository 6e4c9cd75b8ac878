// The transaction coordinator: transactional ids → producer id, epoch and the transaction in
// progress, with Kafka's state machine (Empty → Ongoing → PrepareCommit/PrepareAbort →
// CompleteCommit/CompleteAbort), epoch fencing of zombie producers, KIP-360 epoch bumps,
// timeouts that abort, and expiry of idle transactional ids. Every state change is written to
// __transaction_state before it takes effect; an operation in flight on an id answers any other
// request for it with CONCURRENT_TRANSACTIONS, as Kafka's pending transitions do.
// Transactions of transaction.version 2 (KIP-890 part 2; EndTxn v5) end with an epoch bump: the
// markers carry the next epoch and the producer continues with it (with a new producer id once
// epochs run out), so a late write of the finished transaction is fenced.
// It coordinates the transactional ids of the __transaction_state partitions this broker leads (a
// single node: all), loading a partition's ids when it becomes the leader, finishing the
// transactions found being committed or aborted, and forgetting them when it stops leading.
import type { Logger } from 'pino';
import { CoordinatorPartitions } from '../coordinator/coordinator-partitions.js';
import type { Partition } from '../replica/partition.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';
import type { ProducerIdManager } from './producer-ids.js';
import type { StoredTxn } from './txn-log-format.js';
import { TXN_STATE_TOPIC, type TxnStateLog } from './txn-state-log.js';
import { TxnState, hasPartition, isEpochExhausted, txnStateName, type TxnMetadata } from './txn-metadata.js';

export interface ProducerIdAndEpoch {
  producerId: number;
  producerEpoch: number;
}

/**
 * Writes COMMIT/ABORT markers to the partitions of a transaction (which settle its staged offsets),
 * stamped with the coordinator epoch; `stillCoordinator` tells whether this broker still owns the id.
 */
export type MarkerWriter = (
  producer: ProducerIdAndEpoch,
  commit: boolean,
  partitions: ReadonlyMap<string, ReadonlySet<number>>,
  coordinatorEpoch: number,
  stillCoordinator: () => boolean,
) => Promise<void>;

export interface TxnCoordinatorOptions {
  stateLog: TxnStateLog;
  replicas: ReplicaManager;
  /** A single node creates __transaction_state at its first write; in a cluster FindCoordinator does. */
  createTopicOnFirstUse: boolean;
  producerIds: ProducerIdManager;
  writeMarkers: MarkerWriter;
  transactionMaxTimeoutMs: number;
  transactionalIdExpirationMs: number;
  log: Logger;
}

const fail = (code: number, message: string): never => {
  throw new KafkaError(code, message);
};

export class TxnCoordinator {
  private readonly txns = new Map<string, TxnMetadata>();
  private readonly ownership: CoordinatorPartitions<Partition>;
  /** Set once open() has finished the transactions it loaded; later loads finish theirs on their own. */
  private opened = false;
  private closed = false;

  private constructor(private readonly o: TxnCoordinatorOptions) {
    this.ownership = new CoordinatorPartitions(TXN_STATE_TOPIC, { load: (p) => this.load(p), unload: (index) => this.unload(index) }, o.log);
  }

  /** Loads the __transaction_state partitions led here and finishes transactions that were being committed or aborted. */
  static async open(options: TxnCoordinatorOptions): Promise<TxnCoordinator> {
    const coordinator = new TxnCoordinator(options);
    coordinator.forEachPartition((p) => coordinator.ownership.leadershipChanged(p));
    await coordinator.ownership.idle();
    await coordinator.completePrepared();
    coordinator.opened = true;
    return coordinator;
  }

  /** A replica here took a new state: a __transaction_state partition now led here is loaded, one no longer led is unloaded. */
  leadershipChanged(partition: Partition): void {
    if (!this.closed) this.ownership.leadershipChanged(partition);
  }

  /** Creates __transaction_state unless it exists (FindCoordinator's first request in a cluster). */
  async ensureTopic(): Promise<void> {
    await this.o.stateLog.ensure();
  }

  /** NONE when this broker coordinates the transactional id now, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  ownerError(transactionalId: string): number {
    const index = this.o.stateLog.partitionOf(transactionalId);
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    if (index === undefined) return this.o.createTopicOnFirstUse ? ErrorCode.NONE : ErrorCode.NOT_COORDINATOR;
    return this.ownership.errorCode(index);
  }

  /** Stops loading and finishing transactions (the broker is stopping). */
  close(): void {
    this.closed = true;
  }

  private checkOwner(transactionalId: string): void {
    const code = this.ownerError(transactionalId);
    if (code !== ErrorCode.NONE) fail(code, `This broker does not coordinate transactional id ${transactionalId} now`);
  }

  private forEachPartition(fn: (partition: Partition) => void): void {
    const topic = this.o.stateLog.topic;
    for (let i = 0; i < (topic?.partitions.length ?? 0); i++) {
      const partition = this.o.replicas.getPartition(topic, i);
      if (partition !== undefined) fn(partition);
    }
  }

  private async load(partition: Partition): Promise<void> {
    for (const [id, stored] of await this.o.stateLog.load(partition)) {
      this.txns.set(id, { transactionalId: id, lastProducerEpoch: -1, pending: false, ...stored });
    }
    // A transaction the previous coordinator decided but did not finish is finished here, once the partition is owned.
    if (this.opened) void this.ownership.idle().then(() => this.completePrepared());
  }

  private unload(index: number): void {
    for (const id of [...this.txns.keys()]) if (this.o.stateLog.partitionOf(id) === index) this.txns.delete(id);
  }

  /** Creates __transaction_state at the first write of a single node; its new partitions are owned at once. */
  private async stateTopicReady(): Promise<void> {
    if (!this.o.createTopicOnFirstUse || this.o.stateLog.topic !== undefined) return;
    if ((await this.o.stateLog.ensure()) === undefined) fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${TXN_STATE_TOPIC} is being created`);
    this.forEachPartition((p) => this.ownership.adoptEmpty(p));
  }

  get(transactionalId: string): TxnMetadata | undefined {
    return this.txns.get(transactionalId);
  }

  all(): IterableIterator<TxnMetadata> {
    return this.txns.values();
  }

  /** InitProducerId of an idempotent producer: a new id, epoch 0. */
  newProducerId(): Promise<number> {
    return this.o.producerIds.generate();
  }

  /** InitProducerId for a transactional id; `expected` is the v3+ producer id/epoch (KIP-360). */
  async initProducerId(transactionalId: string, timeoutMs: number, expected: ProducerIdAndEpoch | null): Promise<ProducerIdAndEpoch> {
    if (transactionalId === '') fail(ErrorCode.INVALID_REQUEST, 'The transactional id must not be empty');
    if (timeoutMs <= 0 || timeoutMs > this.o.transactionMaxTimeoutMs) {
      fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT, `Transaction timeout ${timeoutMs} is not in (0, transaction.max.timeout.ms=${this.o.transactionMaxTimeoutMs}]`);
    }
    this.checkOwner(transactionalId);
    let meta = this.txns.get(transactionalId);
    if (!meta) {
      const producerId = await this.o.producerIds.generate();
      meta = this.txns.get(transactionalId) ?? this.create(transactionalId, producerId, timeoutMs);
    }
    if (meta.pending) fail(ErrorCode.CONCURRENT_TRANSACTIONS, `An operation on transactional id ${transactionalId} is in progress`);
    if (expected && !isValidProducerId(meta, expected)) {
      fail(ErrorCode.PRODUCER_FENCED, `Producer ${expected.producerId} epoch ${expected.producerEpoch} is not the current producer of ${transactionalId}`);
    }
    switch (meta.state) {
      case TxnState.PrepareCommit:
      case TxnState.PrepareAbort:
      case TxnState.PrepareEpochFence:
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS, `The transaction of ${transactionalId} is completing`);
      case TxnState.Ongoing:
        // Fence the previous producer and abort its transaction; the client retries and gets the next epoch.
        await this.exclusive(meta, () => this.fenceAndAbort(meta));
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS, `Aborted the open transaction of ${transactionalId}; retry`);
      default: {
        const m = meta;
        return this.exclusive(m, () => this.bumpEpoch(m, timeoutMs, expected));
      }
    }
  }

  private create(transactionalId: string, producerId: number, timeoutMs: number): TxnMetadata {
    const meta: TxnMetadata = {
      transactionalId,
      producerId,
      previousProducerId: -1,
      producerEpoch: -1,
      lastProducerEpoch: -1,
      clientTransactionVersion: 0,
      timeoutMs,
      state: TxnState.Empty,
      partitions: new Map(),
      startTimestamp: -1,
      lastUpdateTimestamp: Date.now(),
      pending: false,
    };
    this.txns.set(transactionalId, meta);
    return meta;
  }

  private async bumpEpoch(meta: TxnMetadata, timeoutMs: number, expected: ProducerIdAndEpoch | null): Promise<ProducerIdAndEpoch> {
    let producerId = meta.producerId;
    let epoch: number;
    let lastEpoch = -1;
    let previousProducerId = meta.previousProducerId;
    if (isEpochExhausted(meta.producerEpoch) && (!expected || expected.producerEpoch === meta.producerEpoch)) {
      previousProducerId = meta.producerId;
      producerId = await this.o.producerIds.generate();
      epoch = 0;
    } else if (!expected) {
      epoch = meta.producerEpoch + 1;
    } else if (meta.producerEpoch === -1 || expected.producerEpoch === meta.producerEpoch) {
      epoch = meta.producerEpoch + 1;
      lastEpoch = meta.producerEpoch;
    } else if (expected.producerEpoch === meta.lastProducerEpoch) {
      // A retry of a bump whose answer the producer never got.
      epoch = meta.producerEpoch;
      lastEpoch = meta.lastProducerEpoch;
    } else {
      return fail(ErrorCode.PRODUCER_FENCED, `Epoch ${expected.producerEpoch} of ${meta.transactionalId} is stale`);
    }
    await this.transition(meta, { producerId, previousProducerId, producerEpoch: epoch, timeoutMs, state: TxnState.Empty, partitions: new Map(), startTimestamp: -1 });
    meta.lastProducerEpoch = lastEpoch;
    return { producerId, producerEpoch: epoch };
  }

  /** Checks that a request comes from the current producer of a transactional id; returns its metadata. */
  private current(transactionalId: string, producerId: number, producerEpoch: number): TxnMetadata {
    this.checkOwner(transactionalId);
    const meta = this.txns.get(transactionalId);
    if (!meta || meta.producerId !== producerId) {
      return fail(ErrorCode.INVALID_PRODUCER_ID_MAPPING, `Producer id ${producerId} is not assigned to transactional id ${transactionalId}`);
    }
    if (producerEpoch !== meta.producerEpoch) {
      fail(ErrorCode.PRODUCER_FENCED, `Epoch ${producerEpoch} of producer ${producerId} is not the current epoch ${meta.producerEpoch} of ${transactionalId}`);
    }
    if (meta.pending) fail(ErrorCode.CONCURRENT_TRANSACTIONS, `An operation on transactional id ${transactionalId} is in progress`);
    return meta;
  }

  /** AddPartitionsToTxn / AddOffsetsToTxn: adds partitions to the transaction, starting it if needed. */
  async addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: ReadonlyMap<string, readonly number[]>): Promise<void> {
    const meta = this.current(transactionalId, producerId, producerEpoch);
    if (meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort || meta.state === TxnState.PrepareEpochFence) {
      fail(ErrorCode.CONCURRENT_TRANSACTIONS, `The previous transaction of ${transactionalId} is completing`);
    }
    if (meta.state === TxnState.Dead) fail(ErrorCode.INVALID_TXN_STATE, `Transactional id ${transactionalId} is dead`);
    const ongoing = meta.state === TxnState.Ongoing;
    const merged = new Map<string, Set<number>>(ongoing ? [...meta.partitions].map(([t, ps]) => [t, new Set(ps)]) : []);
    let added = false;
    for (const [topic, ps] of partitions) {
      let set = merged.get(topic);
      if (!set) merged.set(topic, (set = new Set()));
      for (const p of ps) {
        if (!set.has(p)) added = true;
        set.add(p);
      }
    }
    if (ongoing && !added) return;
    await this.exclusive(meta, () => this.transition(meta, { state: TxnState.Ongoing, partitions: merged, startTimestamp: ongoing ? meta.startTimestamp : Date.now() }));
  }

  /**
   * The v4+ verifyOnly form: each partition's error, as Kafka's coordinator answers it — NONE when
   * it is in the open transaction, else TRANSACTION_ABORTABLE (the asking broker answers its
   * client by request version), and CONCURRENT_TRANSACTIONS while the transaction completes.
   */
  verifyPartitions(transactionalId: string, producerId: number, producerEpoch: number, topic: string, partitions: readonly number[]): number[] {
    let meta: TxnMetadata;
    try {
      meta = this.current(transactionalId, producerId, producerEpoch);
    } catch (err) {
      return partitions.map(() => (err as KafkaError).errorCode);
    }
    if (meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort) return partitions.map(() => ErrorCode.CONCURRENT_TRANSACTIONS);
    return partitions.map((p) => (meta.state === TxnState.Ongoing && hasPartition(meta, topic, p) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE));
  }

  /**
   * A transactional write outside the coordinator — Produce (KIP-890 verification) or
   * TxnOffsetCommit to the group's offsets partition — must come from the current producer and
   * target a partition of its open transaction. Throws the error those APIs answer with.
   */
  checkInTransaction(transactionalId: string, producerId: number, producerEpoch: number, topic: string, partition: number): void {
    // Another broker coordinates the id: the leader or group coordinator asks it (txn-verifier.ts).
    if (this.ownerError(transactionalId) !== ErrorCode.NONE) return;
    const meta = this.txns.get(transactionalId);
    if (!meta || meta.producerId !== producerId) {
      fail(ErrorCode.INVALID_PRODUCER_ID_MAPPING, `Producer id ${producerId} is not assigned to transactional id ${transactionalId}`);
    } else if (producerEpoch !== meta.producerEpoch) {
      fail(ErrorCode.INVALID_PRODUCER_EPOCH, `Epoch ${producerEpoch} of producer ${producerId} is not the current epoch ${meta.producerEpoch}`);
    } else if (meta.state !== TxnState.Ongoing || !hasPartition(meta, topic, partition)) {
      fail(ErrorCode.INVALID_TXN_STATE, `Partition ${topic}-${partition} is not in the transaction of ${transactionalId}`);
    }
  }

  /**
   * EndTxn v5 (transaction.version 2): commits or aborts, moving the producer to its next epoch,
   * which the answer names. A retry of an EndTxn that already completed (the previous epoch) gets
   * the same answer; an abort with no transaction open only moves the epoch. As in Kafka, a retry is
   * recognised from the stored state alone, so a coordinator that took over recognises it too.
   */
  async endTxnBumpingEpoch(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<ProducerIdAndEpoch> {
    this.checkOwner(transactionalId);
    const meta = this.txns.get(transactionalId);
    const bumpedEach = meta?.clientTransactionVersion === 2;
    // The ending that moved the producer from this epoch to the current one, or to a new id once its epochs ran out.
    const retryOnEpochBump = bumpedEach && producerId === meta.producerId && producerEpoch + 1 === meta.producerEpoch;
    const retryOnRotation = bumpedEach && producerId === meta.previousProducerId && meta.producerEpoch === 0 && isEpochExhausted(producerEpoch + 1);
    if (!meta || (producerId !== meta.producerId && !retryOnRotation)) {
      return fail(ErrorCode.INVALID_PRODUCER_ID_MAPPING, `Producer id ${producerId} is not assigned to transactional id ${transactionalId}`);
    }
    if (meta.pending) fail(ErrorCode.CONCURRENT_TRANSACTIONS, `An operation on transactional id ${transactionalId} is in progress`);
    const invalid = (): never => fail(ErrorCode.INVALID_TXN_STATE, `Cannot ${commit ? 'commit' : 'abort'} ${transactionalId} in state ${txnStateName(meta.state)}`);
    const current = { producerId: meta.producerId, producerEpoch: meta.producerEpoch };
    const ended = meta.state === TxnState.CompleteCommit || meta.state === TxnState.CompleteAbort;
    const ending = meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort;
    if ((ended && (retryOnEpochBump || retryOnRotation)) || (ending && retryOnEpochBump)) {
      if (meta.state === (commit ? TxnState.CompleteCommit : TxnState.CompleteAbort)) return current;
      if (meta.state === (commit ? TxnState.PrepareCommit : TxnState.PrepareAbort)) fail(ErrorCode.CONCURRENT_TRANSACTIONS, 'The transaction is completing');
      return invalid();
    }
    if (producerId !== meta.producerId || producerEpoch !== meta.producerEpoch) {
      fail(ErrorCode.PRODUCER_FENCED, `Epoch ${producerEpoch} of producer ${producerId} is not the current epoch ${meta.producerEpoch} of ${transactionalId}`);
    }
    switch (meta.state) {
      case TxnState.Ongoing:
        return this.exclusive(meta, () => this.completeBumpingEpoch(meta, commit));
      case TxnState.Empty:
      case TxnState.CompleteCommit:
      case TxnState.CompleteAbort:
        return commit ? invalid() : this.exclusive(meta, () => this.completeBumpingEpoch(meta, false));
      case TxnState.PrepareCommit:
      case TxnState.PrepareAbort:
      case TxnState.PrepareEpochFence:
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS, `The transaction of ${transactionalId} is completing`);
      default:
        return invalid();
    }
  }

  /** Ends the open transaction (or none) with markers of the next epoch; the producer keeps that epoch, or a new id once it is exhausted. */
  private async completeBumpingEpoch(meta: TxnMetadata, commit: boolean): Promise<ProducerIdAndEpoch> {
    const previous = { producerId: meta.producerId, producerEpoch: meta.producerEpoch };
    const nextEpoch = meta.producerEpoch + 1;
    if (meta.state === TxnState.Ongoing) {
      await this.transition(meta, { producerEpoch: nextEpoch, state: commit ? TxnState.PrepareCommit : TxnState.PrepareAbort, clientTransactionVersion: 2 });
      await this.finishPrepared(meta);
    } else {
      await this.transition(meta, { producerEpoch: nextEpoch, state: TxnState.CompleteAbort, partitions: new Map(), clientTransactionVersion: 2 });
    }
    if (isEpochExhausted(meta.producerEpoch)) {
      const producerId = await this.o.producerIds.generate();
      await this.transition(meta, { producerId, previousProducerId: previous.producerId, producerEpoch: 0 });
    }
    return { producerId: meta.producerId, producerEpoch: meta.producerEpoch };
  }

  /** EndTxn from the client. */
  async endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<void> {
    const meta = this.current(transactionalId, producerId, producerEpoch);
    const invalid = (): never => fail(ErrorCode.INVALID_TXN_STATE, `Cannot ${commit ? 'commit' : 'abort'} ${transactionalId} in state ${txnStateName(meta.state)}`);
    switch (meta.state) {
      case TxnState.Ongoing:
        return this.exclusive(meta, () => this.complete(meta, commit));
      case TxnState.CompleteCommit:
        return commit ? undefined : invalid();
      case TxnState.CompleteAbort:
        return commit ? invalid() : undefined;
      case TxnState.PrepareCommit:
        return commit ? fail(ErrorCode.CONCURRENT_TRANSACTIONS, 'The commit is in progress') : invalid();
      case TxnState.PrepareAbort:
        return commit ? invalid() : fail(ErrorCode.CONCURRENT_TRANSACTIONS, 'The abort is in progress');
      default:
        return invalid();
    }
  }

  /** Prepares, writes the markers, completes. A failure leaves the prepared state for abortTimedOutTransactions() to finish. */
  private async complete(meta: TxnMetadata, commit: boolean): Promise<void> {
    await this.transition(meta, { state: commit ? TxnState.PrepareCommit : TxnState.PrepareAbort, clientTransactionVersion: 0 });
    await this.finishPrepared(meta);
  }

  private async finishPrepared(meta: TxnMetadata): Promise<void> {
    const commit = meta.state === TxnState.PrepareCommit;
    const index = this.o.stateLog.partitionOf(meta.transactionalId) ?? -1;
    const epoch = this.ownership.epochOf(index);
    const stillCoordinator = (): boolean => !this.closed && this.ownership.epochOf(index) === epoch && this.txns.get(meta.transactionalId) === meta;
    await this.o.writeMarkers({ producerId: meta.producerId, producerEpoch: meta.producerEpoch }, commit, meta.partitions, epoch, stillCoordinator);
    await this.transition(meta, { state: commit ? TxnState.CompleteCommit : TxnState.CompleteAbort, partitions: new Map() });
    this.o.log.debug({ transactionalId: meta.transactionalId, producerId: meta.producerId, epoch: meta.producerEpoch, commit }, 'transaction completed');
  }

  /** Bumps the epoch so the current producer is fenced, then aborts its transaction. */
  private async fenceAndAbort(meta: TxnMetadata): Promise<void> {
    const epoch = isEpochExhausted(meta.producerEpoch) ? meta.producerEpoch : meta.producerEpoch + 1;
    // Written at the broker's transaction version (2), as Kafka does, so the epoch this abort moved past is answered like an ended one.
    await this.transition(meta, { producerEpoch: epoch, state: TxnState.PrepareAbort, clientTransactionVersion: 2 });
    await this.finishPrepared(meta);
  }

  private async completePrepared(): Promise<void> {
    for (const meta of this.txns.values()) {
      if (meta.pending || (meta.state !== TxnState.PrepareCommit && meta.state !== TxnState.PrepareAbort)) continue;
      await this.exclusive(meta, () => this.finishPrepared(meta)).catch((err: unknown) => this.o.log.warn({ err, transactionalId: meta.transactionalId }, 'completing transaction failed; will retry'));
    }
  }

  /**
   * Periodic work every transaction.abort.timed.out.transaction.cleanup.interval.ms (Kafka's
   * transaction-abort task): finishes completions left unfinished, then fences and aborts the
   * transactions open longer than their timeout.
   */
  async abortTimedOutTransactions(now = Date.now()): Promise<void> {
    await this.completePrepared();
    await this.eachDue(
      (meta) => meta.state === TxnState.Ongoing && meta.startTimestamp + meta.timeoutMs < now,
      async (meta) => {
        this.o.log.info({ transactionalId: meta.transactionalId, producerId: meta.producerId, timeoutMs: meta.timeoutMs }, 'aborting timed-out transaction');
        await this.fenceAndAbort(meta);
      },
    );
  }

  /**
   * Periodic work every transaction.remove.expired.transaction.cleanup.interval.ms (Kafka's
   * transactionalId-expiration task): forgets the ids without a transaction in progress whose
   * last change is transactional.id.expiration.ms old, writing a tombstone for each.
   */
  async removeExpiredTransactionalIds(now = Date.now()): Promise<void> {
    await this.eachDue(
      (meta) => isIdle(meta) && now - meta.lastUpdateTimestamp >= this.o.transactionalIdExpirationMs,
      async (meta) => {
        await this.o.stateLog.write(meta.transactionalId, null);
        this.txns.delete(meta.transactionalId);
        this.o.log.info({ transactionalId: meta.transactionalId }, 'expired transactional id');
      },
    );
  }

  /** Runs `work` on each id `due` picks among those no operation holds, one at a time; a failure is logged and left to the next round. */
  private async eachDue(due: (meta: TxnMetadata) => boolean, work: (meta: TxnMetadata) => Promise<void>): Promise<void> {
    for (const meta of [...this.txns.values()]) {
      if (meta.pending || !due(meta)) continue;
      try {
        await this.exclusive(meta, () => work(meta));
      } catch (err) {
        this.o.log.warn({ err, transactionalId: meta.transactionalId }, 'transaction maintenance failed; will retry');
      }
    }
  }

  /** Writes a new state and applies it once durable. */
  private async transition(meta: TxnMetadata, change: Partial<StoredTxn>): Promise<void> {
    await this.stateTopicReady();
    const next: StoredTxn = {
      producerId: meta.producerId,
      previousProducerId: meta.previousProducerId,
      producerEpoch: meta.producerEpoch,
      timeoutMs: meta.timeoutMs,
      state: meta.state,
      partitions: meta.partitions,
      startTimestamp: meta.startTimestamp,
      clientTransactionVersion: meta.clientTransactionVersion,
      ...change,
      lastUpdateTimestamp: Date.now(),
    };
    await this.o.stateLog.write(meta.transactionalId, next);
    Object.assign(meta, next);
  }

  /** Runs one state change of an id; a concurrent one gets CONCURRENT_TRANSACTIONS. */
  private async exclusive<T>(meta: TxnMetadata, fn: () => Promise<T>): Promise<T> {
    if (meta.pending) fail(ErrorCode.CONCURRENT_TRANSACTIONS, `An operation on transactional id ${meta.transactionalId} is in progress`);
    meta.pending = true;
    try {
      return await fn();
    } finally {
      meta.pending = false;
    }
  }
}

function isIdle(meta: TxnMetadata): boolean {
  return meta.state === TxnState.Empty || meta.state === TxnState.CompleteCommit || meta.state === TxnState.CompleteAbort;
}

/** Kafka's isValidProducerId for an InitProducerId that names the producer it replaces. */
function isValidProducerId(meta: TxnMetadata, expected: ProducerIdAndEpoch): boolean {
  return (
    meta.producerEpoch === -1 ||
    expected.producerId === meta.producerId ||
    (expected.producerId === meta.previousProducerId && isEpochExhausted(expected.producerEpoch))
  );
}
