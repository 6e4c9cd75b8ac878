// The group coordinator of this broker: classic, consumer (KIP-848) and streams (KIP-1071) groups
// side by side in one group id space, committed offsets, and their durable copy in
// __consumer_offsets. It coordinates the groups of the __consumer_offsets partitions this broker
// leads (a single node: every group), loading a partition's groups by replaying it when it becomes
// the leader and forgetting them when it stops (src/coordinator/coordinator-partitions.ts).
// Handlers in src/apis/ translate wire versions; this class holds Kafka's semantics. Offsets
// committed by a transactional producer are written to __consumer_offsets at once, as a
// transactional batch, and stay pending until the transaction's COMMIT/ABORT marker reaches that
// partition (completeTxnOffsets, live or on replay).
import type { Logger } from 'pino';
import { Reader } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError, errorCodeOf } from '../kafka-error.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import type { Partition } from '../replica/partition.js';
import { CoordinatorPartitions } from '../coordinator/coordinator-partitions.js';
import type { TopicRegistry } from '../topics/topic-registry.js';
import { ClassicGroup, type GroupEnv, type JoinRequest, type JoinResult, type MemberIdentity, type SyncRequest, type SyncResult } from './classic-group.js';
import { ConsumerGroup, compileTopicRegex, type ConsumerGroupEnv, type ConsumerHeartbeat, type ConsumerHeartbeatResult } from './consumer-group.js';
import { StreamsGroup, type StreamsGroupEnv, type StreamsHeartbeat, type StreamsHeartbeatResult } from './streams-group.js';
import type { StreamsTopology } from './streams-topology.js';
import { CommittedOffsets, type CommittedOffset, type TopicPartitionOffset } from './committed-offsets.js';
import { groupConfigOf, type GroupConfig } from './group-config.js';
import {
  decodeConsumerGroupValue,
  decodeGroupValue,
  decodeOffsetValue,
  decodeStreamsGroupValue,
  decodeStreamsTopologyValue,
  encodeConsumerGroupValue,
  encodeGroupValue,
  encodeOffsetValue,
  encodeStreamsGroupValue,
  encodeStreamsTopologyValue,
  type GroupValue,
} from './group-records.js';
import { OFFSETS_TOPIC, OffsetsTopic, type GroupRecord, type TransactionalAppender, type TxnProducer } from './offsets-topic.js';
import { Timers } from '../timers.js';

export type Group = ClassicGroup | ConsumerGroup | StreamsGroup;

export interface ClientInfo {
  clientId: string;
  clientHost: string;
}

export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

export interface CommitRequest {
  groupId: string;
  /** Generation (classic) or member epoch (consumer); negative: a commit outside group management. */
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  /** OffsetCommit v2-4 retention_time_ms; -1: the broker's offsets.retention.minutes. */
  retentionTimeMs: number;
  offsets: OffsetToCommit[];
}

/** One error code per committed partition, in request order. */
export type CommitResult = number[];

export interface FetchedOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface FetchRequest {
  groupId: string;
  /** null: every partition with a committed offset. */
  partitions: { topic: string; partition: number }[] | null;
  requireStable: boolean;
  memberId: string | null;
  memberEpoch: number;
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: string;
  type: 'classic' | 'consumer' | 'streams';
}

export interface GroupCoordinatorOptions {
  brokerConfig: BrokerConfig;
  topics: TopicRegistry;
  replicas: ReplicaManager;
  /** Transactional offset commits are appended through it (the transaction engine). */
  appendForProducer: TransactionalAppender;
  /** The live brokers, over which a new __consumer_offsets is placed. */
  liveBrokers: () => number[];
  /** Partitions of a new __consumer_offsets. */
  offsetsTopicPartitions: number;
  /** A single node creates __consumer_offsets at start; in a cluster FindCoordinator does, once the brokers are up. */
  createTopicAtStart: boolean;
  log: Logger;
}

export class GroupCoordinator {
  readonly config: GroupConfig;
  private readonly ownership: CoordinatorPartitions<Partition>;
  private readonly timers = new Timers();
  private readonly groups = new Map<string, Group>();
  private readonly offsets = new CommittedOffsets();
  private readonly writes = new Set<Promise<unknown>>();
  private closed = false;
  private readonly classicEnv: GroupEnv;
  private readonly consumerEnv: ConsumerGroupEnv;
  private readonly streamsEnv: StreamsGroupEnv;

  private constructor(
    brokerConfig: BrokerConfig,
    private readonly topics: TopicRegistry,
    private readonly replicas: ReplicaManager,
    private readonly store: OffsetsTopic,
    private readonly log: Logger,
  ) {
    this.config = groupConfigOf(brokerConfig);
    this.ownership = new CoordinatorPartitions(OFFSETS_TOPIC, { load: (p) => this.load(p), unload: (index) => this.unload(index) }, log);
    this.classicEnv = { config: this.config, timers: this.timers, log, persist: (g) => this.persistClassic(g) };
    this.consumerEnv = {
      config: this.config,
      timers: this.timers,
      log,
      topics: { partitionCount: (t) => topics.get(t)?.partitions.length, names: () => topics.list().filter((t) => !t.internal).map((t) => t.name) },
      persist: (g) => void this.write(g.groupId, [{ key: { type: 'consumer-group', group: g.groupId }, value: encodeConsumerGroupValue({ epoch: g.groupEpoch }) }]).catch((err: unknown) => log.error({ err, group: g.groupId }, 'could not store consumer group epoch')),
    };
    this.streamsEnv = {
      config: this.config,
      timers: this.timers,
      log,
      partitionCount: (t) => topics.get(t)?.partitions.length,
      persist: (g) => void this.write(g.groupId, streamsGroupRecords(g)).catch((err: unknown) => log.error({ err, group: g.groupId }, 'could not store streams group')),
    };
  }

  /**
   * Opens the coordinator: creates __consumer_offsets on a single node, loads the partitions of it
   * this broker leads, and starts offset expiry. Later leadership changes arrive through
   * leadershipChanged.
   */
  static async open(o: GroupCoordinatorOptions): Promise<GroupCoordinator> {
    const groupLog = o.log.child({ component: 'groups' });
    const config = groupConfigOf(o.brokerConfig);
    const store = new OffsetsTopic({
      topics: o.topics,
      replicas: o.replicas,
      liveBrokers: o.liveBrokers,
      partitions: o.offsetsTopicPartitions,
      replicationFactor: config.offsetsTopicReplicationFactor,
      segmentBytes: config.offsetsTopicSegmentBytes,
      commitTimeoutMs: config.offsetsCommitTimeoutMs,
      appendForProducer: o.appendForProducer,
      log: groupLog,
    });
    const coordinator = new GroupCoordinator(o.brokerConfig, o.topics, o.replicas, store, groupLog);
    if (o.createTopicAtStart) await store.ensure();
    coordinator.loadLedPartitions();
    await coordinator.ownership.idle();
    coordinator.scheduleExpiry();
    return coordinator;
  }

  /** A replica here took a new state: a __consumer_offsets partition now led here is loaded, one no longer led is unloaded. */
  leadershipChanged(partition: Partition): void {
    if (!this.closed) this.ownership.leadershipChanged(partition);
  }

  /** Creates __consumer_offsets unless it exists or is being created (FindCoordinator's first request in a cluster). */
  async ensureTopic(): Promise<void> {
    if ((await this.store.ensure()) !== undefined) this.loadLedPartitions();
  }

  /** NONE when this broker coordinates the group now, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  ownerError(groupId: string): number {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    return this.ownership.errorCode(this.store.partitionFor(groupId));
  }

  private loadLedPartitions(): void {
    const topic = this.store.topic;
    if (topic === undefined) return;
    for (let i = 0; i < topic.partitions.length; i++) {
      const partition = this.replicas.getPartition(topic, i);
      if (partition !== undefined) this.ownership.leadershipChanged(partition);
    }
  }

  /** Loads one partition's groups and offsets (transactional offsets without a marker stay pending). */
  private async load(partition: Partition): Promise<void> {
    const started = Date.now();
    const classic = new Map<string, GroupValue>();
    const consumer = new Map<string, number>();
    const streams = new Map<string, { epoch: number; topology: StreamsTopology | null }>();
    const inPartition = (groupId: string): boolean => this.store.partitionFor(groupId) === partition.index;
    const records = await this.store.replay(partition, {
      marker: (producerId, commit) => this.offsets.completeTxn(producerId, commit, inPartition),
      record: ({ key, value }, logOffset, producerId) => {
        if (key.type === 'offset') {
          if (value === null) this.offsets.delete(key.group, key.topic, key.partition);
          else if (producerId >= 0) this.offsets.stage(producerId, key.group, key.topic, key.partition, decodeOffsetValue(value), logOffset);
          else this.offsets.set(key.group, key.topic, key.partition, decodeOffsetValue(value), logOffset);
        } else if (key.type === 'group') {
          if (value === null) classic.delete(key.group);
          else classic.set(key.group, decodeGroupValue(value));
          consumer.delete(key.group);
          streams.delete(key.group);
        } else if (key.type === 'consumer-group') {
          if (value === null) consumer.delete(key.group);
          else consumer.set(key.group, decodeConsumerGroupValue(value).epoch);
          classic.delete(key.group);
          streams.delete(key.group);
        } else {
          replayStreamsRecord(streams, key.type, key.group, value);
          classic.delete(key.group);
          consumer.delete(key.group);
        }
      },
    });
    for (const [id, value] of classic) this.groups.set(id, ClassicGroup.fromValue(id, value, this.classicEnv));
    for (const [id, epoch] of consumer) {
      const g = new ConsumerGroup(id, this.consumerEnv);
      g.groupEpoch = g.assignmentEpoch = epoch;
      this.groups.set(id, g);
    }
    for (const [id, { epoch, topology }] of streams) {
      const g = new StreamsGroup(id, this.streamsEnv);
      g.restore(epoch, topology);
      this.groups.set(id, g);
    }
    this.addOffsetOnlyGroups([...this.offsets.groups()].filter(inPartition));
    this.log.info({ partition: partition.index, records, groups: this.groups.size, ms: Date.now() - started }, 'loaded group state from __consumer_offsets');
  }

  /**
   * Forgets the groups of a partition no longer led here: members parked in a rebalance are told
   * NOT_COORDINATOR and, like every later request, find the new coordinator.
   */
  private unload(index: number): void {
    for (const group of [...this.groups.values()]) {
      if (this.store.partitionFor(group.groupId) !== index) continue;
      group.unload();
      this.groups.delete(group.groupId);
      this.offsets.forgetGroup(group.groupId);
    }
  }

  // ---- classic protocol ----

  async joinGroup(groupId: string, req: JoinRequest): Promise<JoinResult> {
    const fail = (errorCode: number): JoinResult => ({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: req.memberId, members: [], skipAssignment: false });
    const owner = this.ownerError(groupId);
    if (owner !== ErrorCode.NONE) return fail(owner);
    if (groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < this.config.minSessionTimeoutMs || req.sessionTimeoutMs > this.config.maxSessionTimeoutMs) return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    let group = this.groups.get(groupId);
    if (group instanceof ConsumerGroup || group instanceof StreamsGroup) {
      if (group.members.size > 0) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      group.markDead();
      group = undefined;
    }
    if (!group) {
      if (req.memberId !== '') return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      group = new ClassicGroup(groupId, this.classicEnv);
      this.groups.set(groupId, group);
    }
    return group.join(req);
  }

  async syncGroup(groupId: string, req: SyncRequest): Promise<SyncResult> {
    const group = this.groups.get(groupId);
    const fail = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    const owner = this.ownerError(groupId);
    if (owner !== ErrorCode.NONE) return fail(owner);
    if (groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    if (!(group instanceof ClassicGroup)) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    return group.sync(req);
  }

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    const owner = this.ownerError(groupId);
    if (owner !== ErrorCode.NONE) return owner;
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (!(group instanceof ClassicGroup)) return ErrorCode.UNKNOWN_MEMBER_ID;
    return group.heartbeat(memberId, groupInstanceId, generationId);
  }

  /** The group-level error code and one error code per member. */
  leaveGroup(groupId: string, members: MemberIdentity[]): { errorCode: number; members: number[] } {
    const all = (errorCode: number): { errorCode: number; members: number[] } => ({ errorCode, members: members.map(() => errorCode) });
    const owner = this.ownerError(groupId);
    if (owner !== ErrorCode.NONE) return { errorCode: owner, members: [] };
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const group = this.groups.get(groupId);
    if (!(group instanceof ClassicGroup)) return { ...all(ErrorCode.UNKNOWN_MEMBER_ID), errorCode: ErrorCode.NONE };
    if (group.state === 'Dead') return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    return { errorCode: ErrorCode.NONE, members: group.leave(members) };
  }

  // ---- consumer protocol (KIP-848) ----

  /** ConsumerGroupHeartbeat at `version` (v1+: the client makes its member id). */
  consumerGroupHeartbeat(groupId: string, req: ConsumerHeartbeat, version: number): ConsumerHeartbeatResult {
    const owner = this.ownerError(groupId);
    if (owner !== ErrorCode.NONE) throw new KafkaError(owner);
    if (!this.config.consumerProtocolEnabled) throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, 'The consumer group protocol is disabled (group.coordinator.rebalance.protocols).');
    checkHeartbeatRequest(groupId, req, version);
    let group = this.groups.get(groupId);
    if (group instanceof StreamsGroup) throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
    if (group instanceof ClassicGroup) {
      if (!group.isEmpty()) throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
      group.markDead();
      group = undefined;
    }
    if (!group) {
      if (req.memberEpoch !== 0) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${groupId}.`);
      group = new ConsumerGroup(groupId, this.consumerEnv);
      this.groups.set(groupId, group);
    }
    return group.heartbeat(req);
  }

  // ---- streams protocol (KIP-1071) ----

  /** A heartbeat of a streams group member; the group exists once a first heartbeat succeeded. */
  streamsGroupHeartbeat(groupId: string, req: StreamsHeartbeat): StreamsHeartbeatResult {
    const owner = this.ownerError(groupId);
    if (owner !== ErrorCode.NONE) throw new KafkaError(owner);
    if (!this.config.streamsProtocolEnabled) throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, 'The streams group protocol is disabled (group.coordinator.rebalance.protocols).');
    const existing = this.groups.get(groupId);
    let group: StreamsGroup;
    if (existing instanceof StreamsGroup) {
      group = existing;
    } else if (req.memberEpoch !== 0) {
      throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, existing ? `Group ${groupId} is not a streams group.` : `Streams group ${groupId} not found.`);
    } else if (existing && !(existing instanceof ClassicGroup && existing.isEmpty())) {
      throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a streams group.`);
    } else {
      group = new StreamsGroup(groupId, this.streamsEnv);
    }
    const result = group.heartbeat(req);
    if (existing !== group) {
      if (existing) existing.markDead();
      this.groups.set(groupId, group);
    }
    return result;
  }

  // ---- offsets ----

  async commitOffsets(req: CommitRequest, version: number): Promise<CommitResult> {
    try {
      this.groupForCommit(req.groupId, req.generationIdOrMemberEpoch, req.memberId, req.groupInstanceId, false, version);
    } catch (err) {
      return req.offsets.map(() => errorCodeOf(err));
    }
    const now = Date.now();
    const accepted: TopicPartitionOffset[] = [];
    const result = req.offsets.map((o) => {
      const error = this.checkOffset(o);
      if (error !== ErrorCode.NONE) return error;
      accepted.push({ topic: o.topic, partition: o.partition, offset: this.committed(o, now, req.retentionTimeMs) });
      return ErrorCode.NONE;
    });
    try {
      const baseOffset = await this.write(req.groupId, this.offsetRecords(req.groupId, accepted));
      accepted.forEach((o, i) => this.offsets.set(req.groupId, o.topic, o.partition, o.offset, baseOffset + i));
    } catch (err) {
      const code = commitWriteError(err);
      if (code === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.log.error({ err, group: req.groupId }, 'could not store committed offsets');
      return result.map((e) => (e === ErrorCode.NONE ? code : e));
    }
    return result;
  }

  /** The __consumer_offsets partition holding a group's offsets: AddOffsetsToTxn adds it to the transaction. */
  offsetsPartitionFor(groupId: string): number {
    return this.store.partitionFor(groupId);
  }

  /**
   * TxnOffsetCommit: checks the group member as Kafka does for transactional commits, then writes
   * the offsets as a transactional batch of the producer (which must have the group's partition in
   * its open transaction). They stay pending — UNSTABLE_OFFSET_COMMIT to require_stable fetches —
   * until the transaction's marker. Returns one error code per offset, in order; throws nothing.
   */
  async commitTxnOffsets(req: CommitRequest & TxnProducer): Promise<CommitResult> {
    try {
      this.groupForCommit(req.groupId, req.generationIdOrMemberEpoch, req.memberId, req.groupInstanceId, true, Number.MAX_SAFE_INTEGER);
    } catch (err) {
      return req.offsets.map(() => errorCodeOf(err));
    }
    const now = Date.now();
    const accepted: TopicPartitionOffset[] = [];
    const result = req.offsets.map((o) => {
      const error = this.checkOffset(o);
      if (error === ErrorCode.NONE) accepted.push({ topic: o.topic, partition: o.partition, offset: this.committed(o, now, -1) });
      return error;
    });
    try {
      await this.store.appendTransactional(this.store.partitionFor(req.groupId), this.offsetRecords(req.groupId, accepted), req, (baseOffset) => {
        accepted.forEach((o, i) => this.offsets.stage(req.producerId, req.groupId, o.topic, o.partition, o.offset, baseOffset + i));
      });
    } catch (err) {
      const code = commitWriteError(err);
      if (code === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.log.error({ err, group: req.groupId }, 'could not store transactional offsets');
      return result.map((e) => (e === ErrorCode.NONE ? code : e));
    }
    return result;
  }

  /** A COMMIT or ABORT marker of the producer's transaction reached __consumer_offsets: its pending offsets apply or are dropped. */
  completeTxnOffsets(producerId: number, commit: boolean, offsetsPartition: number): void {
    const inPartition = (groupId: string): boolean => this.store.partitionFor(groupId) === offsetsPartition;
    this.addOffsetOnlyGroups(this.offsets.completeTxn(producerId, commit, inPartition));
  }

  fetchOffsets(req: FetchRequest): { errorCode: number; offsets: FetchedOffset[] } {
    const owner = this.ownerError(req.groupId);
    if (owner !== ErrorCode.NONE) return { errorCode: owner, offsets: [] };
    const group = this.groups.get(req.groupId);
    if (group instanceof ConsumerGroup || group instanceof StreamsGroup) {
      try {
        group.validateOffsetFetch(req.memberId, req.memberEpoch);
      } catch (err) {
        return { errorCode: errorCodeOf(err), offsets: [] };
      }
    }
    const wanted = req.partitions ?? this.offsets.all(req.groupId).map((o) => ({ topic: o.topic, partition: o.partition }));
    const offsets = wanted.map(({ topic, partition }): FetchedOffset => {
      if (req.requireStable && this.offsets.hasPending(req.groupId, topic, partition)) {
        return { topic, partition, offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT };
      }
      const c = this.offsets.get(req.groupId, topic, partition);
      return { topic, partition, offset: c?.offset ?? -1, leaderEpoch: c?.leaderEpoch ?? -1, metadata: c?.metadata ?? '', errorCode: ErrorCode.NONE };
    });
    return { errorCode: ErrorCode.NONE, offsets };
  }

  /** OffsetDelete: a group-level error, else one error code per partition. */
  async deleteOffsets(groupId: string, partitions: { topic: string; partition: number }[]): Promise<{ errorCode: number; partitions: number[] }> {
    const owner = this.ownerError(groupId);
    if (owner !== ErrorCode.NONE) return { errorCode: owner, partitions: [] };
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, partitions: [] };
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] };
    let subscribed: Set<string>;
    if (group instanceof ConsumerGroup || group instanceof StreamsGroup) {
      subscribed = group.subscribedTopics();
    } else if (group.isEmpty()) {
      subscribed = new Set();
    } else if (group.protocolType === 'consumer') {
      subscribed = new Set(group.currentMembers().flatMap((m) => subscriptionTopics(m.metadata)));
    } else {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: [] };
    }
    const tombstones: GroupRecord[] = [];
    const results = partitions.map(({ topic, partition }) => {
      if (!this.topics.get(topic)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (subscribed.has(topic)) return ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
      if (this.offsets.get(groupId, topic, partition)) tombstones.push({ key: { type: 'offset', group: groupId, topic, partition }, value: null });
      return ErrorCode.NONE;
    });
    await this.write(groupId, tombstones);
    for (const t of tombstones) if (t.key.type === 'offset') this.offsets.delete(groupId, t.key.topic, t.key.partition);
    return { errorCode: ErrorCode.NONE, partitions: results };
  }

  // ---- admin ----

  group(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  listGroups(): GroupListing[] {
    return [...this.groups.values()]
      .filter((g) => (g instanceof ClassicGroup ? g.state !== 'Dead' : !g.dead))
      .map((g): GroupListing => {
        if (g instanceof ClassicGroup) return { groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state, type: 'classic' };
        if (g instanceof ConsumerGroup) return { groupId: g.groupId, protocolType: 'consumer', state: g.state, type: 'consumer' };
        return { groupId: g.groupId, protocolType: 'streams', state: g.state, type: 'streams' };
      });
  }

  /** DeleteGroups for one group: its offsets and metadata are removed for good. */
  async deleteGroup(groupId: string): Promise<number> {
    const owner = this.ownerError(groupId);
    if (owner !== ErrorCode.NONE) return owner;
    // The empty group id is a group id like any other here, as in Kafka (usually one with no group).
    const group = this.groups.get(groupId);
    if (!group || (group instanceof ClassicGroup && group.state === 'Dead')) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group instanceof ClassicGroup ? !group.isEmpty() : group.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
    try {
      await this.removeGroup(group);
    } catch (err) {
      this.log.error({ err, group: groupId }, 'could not delete group');
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return ErrorCode.NONE;
  }

  /** Deletes a group with the given offsets (by default all, with those its open transactions hold). */
  private async removeGroup(group: Group, offsets: { topic: string; partition: number }[] = [...this.offsets.all(group.groupId), ...this.offsets.pendingPartitions(group.groupId)]): Promise<void> {
    group.markDead();
    this.groups.delete(group.groupId);
    const records: GroupRecord[] = offsets.map((o) => ({ key: { type: 'offset', group: group.groupId, topic: o.topic, partition: o.partition }, value: null }));
    if (group instanceof StreamsGroup) records.push(...streamsGroupRecords(group).map((r) => ({ ...r, value: null })));
    else records.push({ key: { type: group instanceof ClassicGroup ? 'group' : 'consumer-group', group: group.groupId }, value: null });
    for (const o of offsets) this.offsets.delete(group.groupId, o.topic, o.partition);
    await this.write(group.groupId, records);
    this.log.info({ group: group.groupId }, 'group deleted');
  }

  // ---- expiry ----

  private scheduleExpiry(): void {
    this.timers.schedule('offsets-expiry', this.config.offsetsRetentionCheckIntervalMs, () => {
      void this.expireOffsets()
        .catch((err: unknown) => this.log.error({ err }, 'offset expiry failed'))
        .finally(() => this.scheduleExpiry());
    });
  }

  /**
   * Removes committed offsets of empty groups older than offsets.retention.minutes (counted from
   * when the group became empty, or from the commit for groups without group management and for
   * consumer groups, or until an explicit expire timestamp), then groups left with nothing.
   */
  async expireOffsets(now = Date.now()): Promise<void> {
    for (const group of [...this.groups.values()]) {
      const members = group instanceof ClassicGroup ? (group.isEmpty() ? 0 : 1) : group.members.size;
      if (members > 0 || this.offsets.hasPendingForGroup(group.groupId)) continue;
      const base = (c: CommittedOffset): number => (group instanceof ClassicGroup && group.protocolType !== null ? group.stateTimestamp : c.commitTimestamp);
      const expired = this.offsets.all(group.groupId).filter(({ offset: c }) => now >= (c.expireTimestamp ?? base(c) + this.config.offsetsRetentionMs));
      if (expired.length === 0 && this.offsets.hasOffsets(group.groupId)) continue;
      if (expired.length === this.offsets.all(group.groupId).length) {
        await this.removeGroup(group, expired);
        continue;
      }
      await this.write(group.groupId, expired.map((o) => ({ key: { type: 'offset' as const, group: group.groupId, topic: o.topic, partition: o.partition }, value: null })));
      for (const o of expired) this.offsets.delete(group.groupId, o.topic, o.partition);
      this.log.info({ group: group.groupId, expired: expired.length }, 'expired committed offsets');
    }
  }

  // ---- lifecycle ----

  /** Stops timers, answers parked JoinGroup/SyncGroup requests with NOT_COORDINATOR and waits for pending writes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timers.stop();
    for (const g of this.groups.values()) if (g instanceof ClassicGroup) g.shutdown();
    await Promise.allSettled([...this.writes]);
  }

  // ---- helpers ----

  private groupForCommit(groupId: string, generation: number, memberId: string, instanceId: string | null, transactional: boolean, version: number): Group {
    const owner = this.ownerError(groupId);
    if (owner !== ErrorCode.NONE) throw new KafkaError(owner);
    let group = this.groups.get(groupId);
    if (!group) {
      if (generation >= 0) throw new KafkaError(version >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION, `Group ${groupId} not found.`);
      // A simple (unmanaged) group holding offsets only.
      group = new ClassicGroup(groupId, this.classicEnv);
      this.groups.set(groupId, group);
    }
    if (group instanceof ClassicGroup) group.validateOffsetCommit(generation, memberId, instanceId, transactional);
    else group.validateOffsetCommit(memberId, generation, transactional, version);
    return group;
  }

  private checkOffset(o: OffsetToCommit): number {
    const topic = this.topics.get(o.topic);
    if (!topic || o.partition < 0 || o.partition >= topic.partitions.length) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (o.metadata !== null && Buffer.byteLength(o.metadata) > this.config.offsetMetadataMaxBytes) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
    return ErrorCode.NONE;
  }

  private committed(o: OffsetToCommit, now: number, retentionTimeMs: number): CommittedOffset {
    return {
      offset: o.offset,
      leaderEpoch: o.leaderEpoch,
      metadata: o.metadata ?? '',
      commitTimestamp: now,
      expireTimestamp: retentionTimeMs >= 0 ? now + retentionTimeMs : null,
    };
  }

  private offsetRecords(groupId: string, offsets: TopicPartitionOffset[]): GroupRecord[] {
    return offsets.map((o) => ({ key: { type: 'offset', group: groupId, topic: o.topic, partition: o.partition }, value: encodeOffsetValue(o.offset) }));
  }

  /** Groups known only by their offsets (simple commits) exist as empty classic groups. */
  private addOffsetOnlyGroups(ids: Iterable<string>): void {
    for (const id of ids) if (!this.groups.has(id)) this.groups.set(id, new ClassicGroup(id, this.classicEnv));
  }

  private async persistClassic(group: ClassicGroup): Promise<void> {
    if (this.closed) throw new KafkaError(ErrorCode.NOT_COORDINATOR);
    await this.write(group.groupId, [{ key: { type: 'group', group: group.groupId }, value: encodeGroupValue(group.toValue()) }]);
  }

  /** Appends a group's records to its partition; resolves with the log offset of the first once the ISR has them. */
  private write(groupId: string, records: GroupRecord[]): Promise<number> {
    const p = this.store.append(this.store.partitionFor(groupId), records);
    this.writes.add(p);
    void p.finally(() => this.writes.delete(p)).catch(() => undefined);
    return p;
  }
}

/** What an offset commit answers when its write fails, mapped as Kafka's coordinator maps append errors. */
export function commitWriteError(err: unknown): number {
  const code = errorCodeOf(err);
  switch (code) {
    // The transaction coordinator of a TxnOffsetCommit could not be reached: clients retry this without finding the group coordinator again.
    case ErrorCode.NETWORK_EXCEPTION:
      return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
    case ErrorCode.UNKNOWN_SERVER_ERROR:
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    default:
      return code;
  }
}

/** Kafka's request checks for ConsumerGroupHeartbeat (INVALID_REQUEST with its messages). */
function checkHeartbeatRequest(groupId: string, req: ConsumerHeartbeat, version: number): void {
  const invalid = (message: string): never => {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, message);
  };
  if (groupId === '') invalid('GroupId can\'t be empty.');
  if (req.rackId === '') invalid('RackId can\'t be empty.');
  if (req.instanceId === '') invalid('InstanceId can\'t be empty.');
  if (version >= 1 || req.memberEpoch > 0 || req.memberEpoch === -1) {
    if (req.memberId === '') invalid('MemberId can\'t be empty.');
  }
  if (req.memberEpoch > 0 || req.memberEpoch === -1) {
    if (req.memberId === '') invalid('MemberId can\'t be empty.');
  } else if (req.memberEpoch === 0) {
    if (req.rebalanceTimeoutMs === -1) invalid('RebalanceTimeoutMs must be provided in first request.');
    if (req.owned === null || req.owned.size > 0) invalid('TopicPartitions must be empty when (re-)joining.');
    if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
  } else if (req.memberEpoch === -2) {
    if (req.memberId === '') invalid('MemberId can\'t be empty.');
    if (req.instanceId === null) invalid('InstanceId can\'t be null.');
  } else {
    invalid(`MemberEpoch is invalid: ${req.memberEpoch}.`);
  }
  if (req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== '') compileTopicRegex(req.subscribedTopicRegex);
}

/** Topics named in a ConsumerProtocolSubscription (int16 version, then the topic array); [] when unreadable. */
export function subscriptionTopics(metadata: Buffer): string[] {
  try {
    const r = new Reader(metadata);
    r.int16();
    const n = r.arrayLength();
    return Array.from({ length: Math.max(n, 0) }, () => r.string());
  } catch {
    return [];
  }
}

/** The records holding a streams group: its epoch, and its topology once initialized. */
function streamsGroupRecords(g: StreamsGroup): GroupRecord[] {
  const records: GroupRecord[] = [{ key: { type: 'streams-group', group: g.groupId }, value: encodeStreamsGroupValue({ epoch: g.groupEpoch }) }];
  if (g.topology !== null) records.push({ key: { type: 'streams-topology', group: g.groupId }, value: encodeStreamsTopologyValue(g.topology) });
  return records;
}

function replayStreamsRecord(streams: Map<string, { epoch: number; topology: StreamsTopology | null }>, type: string, groupId: string, value: Buffer | null): void {
  const current = streams.get(groupId) ?? { epoch: 0, topology: null };
  if (type === 'streams-group') {
    if (value === null) streams.delete(groupId);
    else streams.set(groupId, { ...current, epoch: decodeStreamsGroupValue(value).epoch });
  } else if (value === null) {
    if (streams.has(groupId)) streams.set(groupId, { ...current, topology: null });
  } else {
    streams.set(groupId, { ...current, topology: decodeStreamsTopologyValue(value) });
  }
}
