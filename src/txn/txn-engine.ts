// The broker's idempotence and transaction engine: producer state per partition (checked on every
// produce from an idempotent producer, serialized per partition so sequence checks see the
// previous batch), the transaction coordinator, the markers that end transactions, and the
// periodic work (timed-out transactions, expired producers and transactional ids).
// Producer state is saved as snapshots (producer-snapshots.ts) when a segment rolls, when the log
// start moves and on close, so that a start only replays the log after the latest snapshot.
// It starts in two steps: open() loads producer state (the group coordinator
// then appends transactional offset commits through it while it replays __consumer_offsets),
// startCoordinator() loads __transaction_state and finishes the transactions decided before a
// restart, whose markers reach the group coordinator like live ones.
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeControlBatch, isTransactional, readBatchHeader, type BatchHeader } from '../../protocol/records/index.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { KafkaError } from '../kafka-error.js';
import type { CleanerTxnView, ProducerTail } from '../log/cleaner-txn.js';
import type { AppendResult, PartitionLog } from '../log/partition-log.js';
import { OFFSETS_TOPIC } from '../groups/offsets-topic.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { Partition } from '../replica/partition.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import type { Topic, TopicRegistry } from '../topics/topic-registry.js';
import { loadProducerState, saveProducerState } from './producer-snapshots.js';
import { ProducerIdManager } from './producer-ids.js';
import { PartitionProducerState, type AbortedTxn, type ProducerEntry } from './producer-state.js';
import { TxnCoordinator, type ProducerIdAndEpoch } from './txn-coordinator.js';
import { txnSettings, type TxnSettings } from './txn-config.js';
import { TxnStateLog } from './txn-state-log.js';

/** Single node: the coordinator epoch never changes. */
const COORDINATOR_EPOCH = 0;

/** The group coordinator's side of transactional offset commits: told of every marker written to __consumer_offsets. */
export interface TxnOffsetSink {
  completeTxnOffsets(producerId: number, commit: boolean): void;
}

export interface TxnEngineOptions {
  config: BrokerConfig;
  topics: TopicRegistry;
  /** Every append goes through the partition layer. */
  replicas: ReplicaManager;
  /** Where producer-id blocks are taken. */
  metadata: MetadataStore;
  log: Logger;
}

/** A partition's producer state and the queue that serializes its checked appends and snapshots. */
class PartitionSlot {
  readonly state = new PartitionProducerState();
  /** A snapshot queued and not yet started. */
  queuedSnapshot: Promise<void> | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

export class TxnEngine {
  private readonly slots = new WeakMap<PartitionLog, PartitionSlot>();
  private coordinatorRef: TxnCoordinator | undefined;
  private offsetSink!: TxnOffsetSink;
  private timer: NodeJS.Timeout | undefined;
  private maintaining: Promise<void> | undefined;
  private readonly settings: TxnSettings;

  private constructor(private readonly o: TxnEngineOptions) {
    this.settings = txnSettings(o.config);
  }

  /** Loads every partition's producer state: its latest snapshot and the log after it. */
  static async open(options: TxnEngineOptions): Promise<TxnEngine> {
    const engine = new TxnEngine(options);
    const started = Date.now();
    let batches = 0;
    let partitions = 0;
    let fromSnapshots = 0;
    for (const topic of options.topics.list()) {
      for (const [partition, log] of topic.partitions.entries()) {
        const loaded = await loadProducerState(log, engine.slot(log).state, options.log.child({ topic: topic.name, partition }));
        partitions++;
        batches += loaded.batches;
        if (loaded.snapshotOffset !== undefined) fromSnapshots++;
      }
    }
    options.log.info({ ms: Date.now() - started, partitions, fromSnapshots, batches }, 'loaded producer state (snapshots, then the log after them)');
    return engine;
  }

  /**
   * Loads the transaction coordinator (finishing transactions decided before a restart; their
   * markers in __consumer_offsets settle offsets through `offsets`) and starts the periodic work.
   */
  async startCoordinator(offsets: TxnOffsetSink): Promise<void> {
    this.offsetSink = offsets;
    this.coordinatorRef = await TxnCoordinator.open({
      stateLog: new TxnStateLog(this.o.topics, this.o.replicas, this.settings.stateLogPartitions, this.settings.stateLogSegmentBytes, this.o.log),
      producerIds: ProducerIdManager.open(this.o.metadata),
      writeMarkers: (producer, commit, partitions) => this.writeMarkers(producer, commit, partitions),
      transactionMaxTimeoutMs: this.settings.transactionMaxTimeoutMs,
      transactionalIdExpirationMs: this.settings.transactionalIdExpirationMs,
      log: this.o.log,
    });
    this.timer = setInterval(() => void this.maintain(), this.settings.checkIntervalMs);
    this.timer.unref();
  }

  get coordinator(): TxnCoordinator {
    return this.coordinatorRef!;
  }

  /** The partition's slot; a new one saves a snapshot at every segment change of the log. */
  private slot(log: PartitionLog): PartitionSlot {
    let slot = this.slots.get(log);
    if (!slot) {
      const created = new PartitionSlot();
      log.onSegmentChange(() => void this.snapshot(log, created));
      this.slots.set(log, (slot = created));
    }
    return slot;
  }

  /** Queues a snapshot of the partition (one at a time: a queued one will see later changes too). */
  private snapshot(log: PartitionLog, slot: PartitionSlot): Promise<void> {
    slot.queuedSnapshot ??= slot
      .serial(() => {
        slot.queuedSnapshot = undefined;
        return saveProducerState(log, slot.state);
      })
      .catch((err: unknown) => this.o.log.warn({ err }, 'saving producer-state snapshot failed'));
    return slot.queuedSnapshot;
  }

  /**
   * Appends a produced batch: batches of idempotent producers are checked for epoch and sequence
   * (a retried batch answers with its original offsets), transactional ones must belong to the
   * producer's open transaction on this partition.
   */
  async append(partition: Partition, records: Buffer, header: BatchHeader, transactionalId: string | null): Promise<AppendResult> {
    const { log } = partition;
    const slot = this.slot(log);
    const transactional = isTransactional(header.attributes);
    if (header.producerId < 0) {
      if (transactional) throw new KafkaError(ErrorCode.INVALID_RECORD, 'A transactional batch must carry a producer id');
      return partition.appendAsLeader(records, { crcVerified: true });
    }
    if (transactional) {
      if (transactionalId === null) throw new KafkaError(ErrorCode.INVALID_TXN_STATE, 'A transactional batch needs the transactional id in the produce request');
      if (this.settings.verifyPartitions) this.coordinator.checkInTransaction(transactionalId, header.producerId, header.producerEpoch, partition.topic, partition.index);
    }
    return slot.serial(async () => {
      const duplicate = slot.state.check(header);
      if (duplicate) {
        return { baseOffset: duplicate.firstOffset, lastOffset: duplicate.lastOffset, logAppendTime: -1, logStartOffset: log.logStartOffset };
      }
      const began = slot.state.beginPending(header, log.logEndOffset);
      let result: AppendResult;
      try {
        result = await partition.appendAsLeader(records, { crcVerified: true });
      } catch (err) {
        if (began) slot.state.cancelPending(header.producerId);
        throw err;
      }
      slot.state.recordData(header, result.baseOffset, result.lastOffset);
      return result;
    });
  }

  /**
   * Appends a transactional batch the broker writes for a producer — TxnOffsetCommit's offsets
   * in __consumer_offsets, as Kafka's group coordinator does. It carries no sequence numbers;
   * the producer must be current and have the partition in its open transaction, checked in the
   * partition's queue so that the transaction's marker cannot be written before the batch.
   * `applied` runs before the next append to the partition.
   */
  appendForProducer(topic: Topic, index: number, batch: Buffer, transactionalId: string, applied: (result: AppendResult) => void): Promise<void> {
    const partition = this.o.replicas.leaderPartition(topic, index);
    const { log } = partition;
    const header = readBatchHeader(batch);
    const slot = this.slot(log);
    return slot.serial(async () => {
      this.coordinator.checkInTransaction(transactionalId, header.producerId, header.producerEpoch, topic.name, index);
      const began = slot.state.beginPending(header, log.logEndOffset);
      let result: AppendResult;
      try {
        result = await partition.appendAsLeader(batch);
      } catch (err) {
        if (began) slot.state.cancelPending(header.producerId);
        throw err;
      }
      slot.state.recordData(header, result.baseOffset, result.lastOffset);
      applied(result);
    });
  }

  /** Offsets below it belong to no open transaction. */
  lastStableOffset(partition: Partition): number {
    return this.slots.get(partition.log)?.state.lastStableOffset(partition.highWatermark) ?? partition.highWatermark;
  }

  /** Aborted transactions overlapping [from, to), for read_committed fetches. */
  abortedTransactions(partition: Partition, from: number, to: number): AbortedTxn[] {
    return this.slots.get(partition.log)?.state.abortedBetween(from, to) ?? [];
  }

  /** What the log cleaner must respect: open transactions, aborted ones, and each producer's last batch. */
  cleanerView(): CleanerTxnView {
    return {
      lastStableOffset: (log) => this.slots.get(log)?.state.lastStableOffset(log.highWatermark) ?? log.highWatermark,
      abortedTransactions: (log, from, to) => this.slots.get(log)?.state.abortedBetween(from, to) ?? [],
      producerTails: (log) => {
        const tails = new Map<number, ProducerTail>();
        for (const e of this.slots.get(log)?.state.producers.values() ?? []) {
          tails.set(e.producerId, { lastDataOffset: e.batches.at(-1)?.lastOffset ?? -1, epoch: e.epoch });
        }
        return tails;
      },
    };
  }

  /** DescribeProducers: the producers with state in a partition. */
  producers(partition: Partition): ProducerEntry[] {
    return [...(this.slots.get(partition.log)?.state.producers.values() ?? [])];
  }

  /** Ends a transaction in each of its partitions; a marker in __consumer_offsets settles the groups' pending offsets. */
  private async writeMarkers(producer: ProducerIdAndEpoch, commit: boolean, partitions: ReadonlyMap<string, ReadonlySet<number>>): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const [name, parts] of partitions) {
      const topic = this.o.topics.get(name);
      for (const p of parts) {
        const partition = this.o.replicas.getPartition(topic, p);
        if (partition) writes.push(this.writeMarker(partition, producer, commit, name === OFFSETS_TOPIC));
      }
    }
    await Promise.all(writes);
  }

  private writeMarker(partition: Partition, producer: ProducerIdAndEpoch, commit: boolean, settlesOffsets: boolean): Promise<void> {
    const slot = this.slot(partition.log);
    return slot.serial(async () => {
      const now = Date.now();
      const batch = encodeControlBatch({ ...producer, commit, coordinatorEpoch: COORDINATOR_EPOCH, timestamp: now, baseOffset: 0 });
      const header = readBatchHeader(batch);
      const result = await partition.appendAsLeader(batch, { now });
      slot.state.recordMarker(header, result.baseOffset, { commit, coordinatorEpoch: COORDINATOR_EPOCH });
      if (settlesOffsets) this.offsetSink.completeTxnOffsets(producer.producerId, commit);
    });
  }

  /** One round of periodic work; runs never overlap. */
  maintain(now = Date.now()): Promise<void> {
    this.maintaining ??= (async () => {
      try {
        await this.coordinator.maintain(now);
        for (const topic of this.o.topics.list()) {
          for (const log of topic.partitions) this.slot(log).state.expire(now, this.settings.producerIdExpirationMs, log.logStartOffset);
        }
      } catch (err) {
        this.o.log.error({ err }, 'transaction maintenance failed');
      }
    })().finally(() => (this.maintaining = undefined));
    return this.maintaining;
  }

  /** Stops the periodic work and saves a snapshot of every partition (before the logs close). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.maintaining;
    await Promise.all(this.o.topics.list().flatMap((t) => t.partitions.map((log) => this.snapshot(log, this.slot(log)))));
  }
}
