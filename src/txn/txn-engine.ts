// The broker's idempotence and transaction engine: producer state per partition (checked on every
// produce from an idempotent producer, serialized per partition so sequence checks see the
// previous batch), the transaction coordinator, the markers that end transactions, and the
// periodic work, each task on its own interval as Kafka schedules it: timed-out transactions
// aborted every transaction.abort.timed.out.transaction.cleanup.interval.ms, idle transactional
// ids removed every transaction.remove.expired.transaction.cleanup.interval.ms, idle producers
// every producer.id.expiration.check.interval.ms.
// Producer state is saved as snapshots (producer-snapshots.ts) when a segment rolls, when the log
// start moves and on close, so that a start only replays the log after the latest snapshot.
// It starts in two steps: open() loads producer state (the group coordinator
// then appends transactional offset commits through it while it replays __consumer_offsets),
// startCoordinator() loads the __transaction_state partitions this broker leads and finishes the
// transactions decided before a restart, whose markers reach the group coordinator like live ones.
// Markers are written by each partition's leader: here through writeMarkerAsLeader, elsewhere
// through WriteTxnMarkers (txn-marker-sender.ts), whose handler here calls writeMarkerAsLeader too.
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeControlBatch, isTransactional, readBatchHeader, splitBatches, type BatchHeader } from '../../protocol/records/index.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { KafkaError } from '../kafka-error.js';
import type { CleanerTxnView, ProducerTail } from '../log/cleaner-txn.js';
import type { AppendResult, PartitionLog } from '../log/partition-log.js';
import { OFFSETS_TOPIC } from '../groups/offsets-topic.js';
import { Timers } from '../timers.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { ClusterView } from '../cluster/cluster-view.js';
import { TxnMarkerSender, type TxnMarker } from './txn-marker-sender.js';
import { TxnVerifier, produceVerificationError } from './txn-verifier.js';
import { BrokerConnections } from '../replica/broker-connections.js';
import { SocketBuffers } from '../server/socket-buffers.js';
import { ACKS_ALL, type Partition } from '../replica/partition.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import type { Topic, TopicRegistry } from '../topics/topic-registry.js';
import { loadProducerState, saveProducerState } from './producer-snapshots.js';
import { recordBatch } from './log-replay.js';
import { ProducerIdManager } from './producer-ids.js';
import { PartitionProducerState, type AbortedTxn, type ProducerEntry } from './producer-state.js';
import { TxnCoordinator, type ProducerIdAndEpoch } from './txn-coordinator.js';
import { txnSettings, type TxnSettings } from './txn-config.js';
import { TxnStateLog } from './txn-state-log.js';

/** How long a marker append waits for the partition's ISR (Kafka: request.timeout.ms). */
const MARKER_COMMIT_TIMEOUT_MS = 30_000;
/** How long one completion retries its markers before leaving them to the periodic retry. */
const MARKER_DEADLINE_MS = 10_000;
/** Kafka's retry.backoff.ms. */
const MARKER_RETRY_BACKOFF_MS = 100;

/** The group coordinator's side of transactional offset commits: told of every marker written to a __consumer_offsets partition. */
export interface TxnOffsetSink {
  completeTxnOffsets(producerId: number, commit: boolean, offsetsPartition: number): void;
}

export interface TxnEngineOptions {
  config: BrokerConfig;
  topics: TopicRegistry;
  /** Every append goes through the partition layer. */
  replicas: ReplicaManager;
  /** Where producer-id blocks are taken. */
  metadata: MetadataStore;
  /** Who leads the partitions markers go to, and the live brokers a new __transaction_state is placed on. */
  cluster: ClusterView;
  /** A broker among several: FindCoordinator creates __transaction_state, not the first write. */
  clusterMode: boolean;
  /** producer.id.expiration.ms as it is now: dynamic, read at each check as Kafka's ProducerStateManager reads it. */
  producerIdExpirationMs: () => number;
  /** transaction.partition.verification.enable as it is now (KIP-890; dynamic, as in Kafka): transactional writes must target partitions added to the transaction. */
  verifyPartitions: () => boolean;
  log: Logger;
}

/** A partition's producer state and the queue that serializes its checked appends and snapshots. */
class PartitionSlot {
  /** Replaced when a follower's log is truncated (rebuilt from what is left). */
  state = new PartitionProducerState();
  /** A snapshot queued and not yet started. */
  queuedSnapshot: Promise<void> | undefined;
  /** producer id → epoch whose open transaction another broker's coordinator confirmed holds this partition (until its marker). */
  readonly verified = new Map<number, number>();
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
  private markers: TxnMarkerSender | undefined;
  private readonly connections: BrokerConnections;
  private readonly verifier: TxnVerifier;
  private offsetSink!: TxnOffsetSink;
  /** The periodic tasks, each scheduled again once its run has finished. */
  private readonly timers = new Timers();
  /** Runs of periodic tasks in progress (close waits for them). */
  private readonly running = new Set<Promise<void>>();
  private readonly settings: TxnSettings;

  private constructor(private readonly o: TxnEngineOptions) {
    this.settings = txnSettings(o.config);
    // A single node, whose inter-broker settings need not resolve, only ever has itself to reach.
    const security = o.config.interBroker.security ?? { listenerName: o.config.listeners[0]!.advertised.name };
    const log = o.log.child({ component: 'inter-broker' });
    // Kafka's marker and verification clients leave SO_SNDBUF to the OS.
    const buffers = new SocketBuffers(-1, o.config.socketReceiveBufferBytes, 'socket.receive.buffer.bytes', log);
    this.connections = new BrokerConnections(o.cluster, security, `creek-txn-${o.config.nodeId}`, o.config.requestTimeoutMs, log, buffers);
    this.verifier = new TxnVerifier({ localId: o.config.nodeId, cluster: o.cluster, connections: this.connections, coordinator: () => this.coordinator });
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
    const { config, cluster } = this.o;
    const markers = new TxnMarkerSender({
      localId: config.nodeId,
      cluster,
      connections: this.connections,
      writeLocal: (topic, partition, marker) => this.writeMarkerAsLeader(topic, partition, marker),
      retryBackoffMs: MARKER_RETRY_BACKOFF_MS,
      deadlineMs: MARKER_DEADLINE_MS,
      log: this.o.log,
    });
    this.markers = markers;
    this.coordinatorRef = await TxnCoordinator.open({
      stateLog: new TxnStateLog({
        topics: this.o.topics,
        replicas: this.o.replicas,
        partitions: this.settings.stateLogPartitions,
        replicationFactor: this.settings.stateLogReplicationFactor,
        minIsr: this.settings.stateLogMinIsr,
        segmentBytes: this.settings.stateLogSegmentBytes,
        liveBrokers: () => cluster.brokerIds(),
        writeTimeoutMs: MARKER_COMMIT_TIMEOUT_MS,
        log: this.o.log,
      }),
      replicas: this.o.replicas,
      createTopicOnFirstUse: !this.o.clusterMode,
      producerIds: ProducerIdManager.open(this.o.metadata),
      writeMarkers: (producer, commit, partitions, coordinatorEpoch, stillCoordinator) => markers.send({ ...producer, commit, coordinatorEpoch }, partitions, stillCoordinator),
      transactionMaxTimeoutMs: this.settings.transactionMaxTimeoutMs,
      transactionalIdExpirationMs: this.settings.transactionalIdExpirationMs,
      log: this.o.log,
    });
    // Kafka's TransactionCoordinator (transaction-abort), TransactionStateManager
    // (transactionalId-expiration) and UnifiedLog (PeriodicProducerExpirationCheck) schedules.
    const { abortTimedOutIntervalMs, removeExpiredIdsIntervalMs, producerIdExpirationCheckIntervalMs } = this.settings;
    this.every('transaction-abort', abortTimedOutIntervalMs, (now) => this.coordinator.abortTimedOutTransactions(now));
    this.every('transactional-id-expiration', removeExpiredIdsIntervalMs, (now) => this.coordinator.removeExpiredTransactionalIds(now));
    this.every('producer-id-expiration', producerIdExpirationCheckIntervalMs, (now) => this.removeExpiredProducers(now));
  }

  /** Runs `task` `intervalMs` from now, and again `intervalMs` after each run has finished, until close. */
  private every(name: string, intervalMs: number, task: (now: number) => Promise<void> | void): void {
    this.timers.schedule(name, intervalMs, () => {
      const run: Promise<void> = (async () => task(Date.now()))()
        .catch((err: unknown) => this.o.log.error({ err, task: name }, 'transaction maintenance failed'))
        .finally(() => {
          this.running.delete(run);
          this.every(name, intervalMs, task);
        });
      this.running.add(run);
    });
  }

  get coordinator(): TxnCoordinator {
    return this.coordinatorRef!;
  }

  /**
   * transaction.version 2 (Produce v12, TxnOffsetCommit v5): adds partitions to the producer's
   * transaction at its coordinator, this broker's or another's; throws the coordinator's error.
   */
  addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: ReadonlyMap<string, readonly number[]>): Promise<void> {
    return this.verifier.add(transactionalId, producerId, producerEpoch, partitions);
  }

  /** A replica here took a new state: the transaction coordinator loads or unloads __transaction_state partitions. */
  leadershipChanged(partition: Partition): void {
    this.coordinatorRef?.leadershipChanged(partition);
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
    let verifiedElsewhere = false;
    if (transactional) {
      if (transactionalId === null) throw new KafkaError(ErrorCode.INVALID_TXN_STATE, 'A transactional batch needs the transactional id in the produce request');
      if (this.o.verifyPartitions()) {
        try {
          verifiedElsewhere = await this.verifyInTransaction(slot, transactionalId, header, partition);
        } catch (err) {
          throw produceVerificationError(err);
        }
      }
    }
    return slot.serial(async () => {
      // A marker queued ahead of this batch ended the transaction it was verified for (Kafka's verification guard).
      if (verifiedElsewhere && slot.verified.get(header.producerId) !== header.producerEpoch) {
        throw new KafkaError(ErrorCode.INVALID_TXN_STATE, `The transaction of producer ${header.producerId} ended before the write to ${partition.topic}-${partition.index}`);
      }
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
   * KIP-890: a transactional write must belong to its producer's open transaction on this
   * partition (TxnVerifier.verify's errors). Returns whether another broker's coordinator
   * confirmed it: only that answer is kept (until the transaction's marker), this broker's own is
   * asked every time, at no cost.
   */
  private async verifyInTransaction(slot: PartitionSlot, transactionalId: string, producer: ProducerIdAndEpoch, partition: Partition): Promise<boolean> {
    if (slot.verified.get(producer.producerId) === producer.producerEpoch) return true;
    await this.verifier.verify(transactionalId, producer.producerId, producer.producerEpoch, partition.topic, partition.index);
    if (this.coordinator.ownerError(transactionalId) === ErrorCode.NONE) return false;
    slot.verified.set(producer.producerId, producer.producerEpoch);
    return true;
  }

  /**
   * KIP-890 for a transactional batch the broker writes for a producer (TxnOffsetCommit's offsets),
   * asked before anything else is checked, as Kafka's group coordinator asks: the partition, led
   * here, must be in the producer's open transaction at its coordinator, on this broker or another.
   * Throws TxnVerifier.verify's errors; checks nothing when transaction.partition.verification.enable
   * is false. appendForProducer checks again, the answer of another broker's coordinator kept.
   */
  async verifyForProducer(topicName: string, index: number, transactionalId: string, producer: ProducerIdAndEpoch): Promise<void> {
    if (!this.o.verifyPartitions()) return;
    const partition = this.o.replicas.leaderPartition(this.o.topics.get(topicName), index);
    await this.verifyInTransaction(this.slot(partition.log), transactionalId, producer, partition);
  }

  /**
   * Appends a transactional batch the broker writes for a producer — TxnOffsetCommit's offsets
   * in __consumer_offsets, as Kafka's group coordinator does. It carries no sequence numbers;
   * the producer must be current and have the partition in its open transaction (KIP-890
   * verification when its coordinator is on another broker, as for produce; this broker's own
   * coordinator is asked in the partition's queue, so that the transaction's marker cannot be
   * written before the batch). `applied` runs before the next append to the partition.
   */
  async appendForProducer(topic: Topic, index: number, batch: Buffer, transactionalId: string, applied: (result: AppendResult) => void): Promise<void> {
    const partition = this.o.replicas.leaderPartition(topic, index);
    const { log } = partition;
    const header = readBatchHeader(batch);
    const slot = this.slot(log);
    const verifiedElsewhere = this.o.verifyPartitions() && (await this.verifyInTransaction(slot, transactionalId, header, partition));
    return slot.serial(async () => {
      // A marker queued ahead of this batch ended the transaction it was verified for (Kafka's verification guard).
      if (verifiedElsewhere && slot.verified.get(header.producerId) !== header.producerEpoch) {
        throw new KafkaError(ErrorCode.INVALID_TXN_STATE, `The transaction of producer ${header.producerId} ended before the write to ${topic.name}-${index}`);
      }
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

  /** A follower's append of batches fetched from its leader: the producer state follows them, as the leader's did. */
  appendReplicated(partition: Partition, records: Buffer): Promise<AppendResult> {
    const slot = this.slot(partition.log);
    return slot.serial(async () => {
      const result = await partition.appendAsFollower(records);
      for (const batch of splitBatches(records)) recordBatch(slot.state, batch);
      // Whatever this broker verified as leader may since have ended.
      slot.verified.clear();
      return result;
    });
  }

  /** After a follower's truncation: the partition's producer state is rebuilt from its log (snapshots, then batches). */
  reloadProducerState(partition: Partition): Promise<void> {
    const slot = this.slot(partition.log);
    return slot.serial(async () => {
      const state = new PartitionProducerState();
      await loadProducerState(partition.log, state, this.o.log.child({ topic: partition.topic, partition: partition.index }));
      slot.state = state;
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

  /**
   * Writes a COMMIT/ABORT marker to a partition this broker leads (the coordinator's own, or a
   * WriteTxnMarkers request's) and resolves once its ISR has it; a marker in __consumer_offsets
   * settles the groups' pending offsets. Throws UNKNOWN_TOPIC_OR_PARTITION or NOT_LEADER_OR_FOLLOWER
   * for a partition not led here.
   */
  async writeMarkerAsLeader(topicName: string, index: number, marker: TxnMarker): Promise<void> {
    const partition = this.o.replicas.leaderPartition(this.o.topics.get(topicName), index);
    const slot = this.slot(partition.log);
    const lastOffset = await slot.serial(async () => {
      const now = Date.now();
      const { producerId, producerEpoch, commit, coordinatorEpoch } = marker;
      slot.state.checkMarker(producerId, producerEpoch, coordinatorEpoch);
      const batch = encodeControlBatch({ producerId, producerEpoch, commit, coordinatorEpoch, timestamp: now, baseOffset: 0 });
      const header = readBatchHeader(batch);
      const result = await partition.appendAsLeader(batch, { now, requiredAcks: ACKS_ALL });
      slot.state.recordMarker(header, result.baseOffset, { commit, coordinatorEpoch });
      slot.verified.delete(producerId);
      if (topicName === OFFSETS_TOPIC) this.offsetSink.completeTxnOffsets(producerId, commit, index);
      return result.lastOffset;
    });
    await partition.waitForCommit(lastOffset, MARKER_COMMIT_TIMEOUT_MS);
  }

  /** Drops, in every partition, the producers idle for producer.id.expiration.ms without an open transaction, and aborted transactions below the log start. */
  private removeExpiredProducers(now: number): void {
    const expirationMs = this.o.producerIdExpirationMs();
    for (const topic of this.o.topics.list()) {
      for (const log of topic.partitions) this.slot(log).state.expire(now, expirationMs, log.logStartOffset);
    }
  }

  /** Stops the periodic work and saves a snapshot of every partition (before the logs close). */
  async close(): Promise<void> {
    this.timers.stop();
    this.coordinatorRef?.close();
    this.markers?.close();
    this.connections.close();
    await Promise.all(this.running);
    await Promise.all(this.o.topics.list().flatMap((t) => t.partitions.map((log) => this.snapshot(log, this.slot(log)))));
  }
}
