// Fetch (key 1), versions 4-18 (v0-3 return legacy message sets).
// v4: isolation level, last stable offset, aborted transactions. v5: log start offset.
// v6: no change. v7: fetch sessions (KIP-227). v8: no change. v9: current leader epoch.
// v10: no change. v11: rack id, preferred read replica. v12: flexible; last fetched epoch,
// diverging epoch. v13: topic ids replace names. v14: no change. v15: replica state.
// v16: node endpoints. v17: replica directory id. v18: a follower sends its high watermark
// (KIP-1166), and its fetch is answered at once while that is behind the leader's.
// A partition fetched with a last fetched epoch (v12+, kept in a fetch session like the rest of
// its fetch position) is first checked against the log's epochs, as Kafka's Partition.readRecords:
// when that epoch ends here below the fetch offset, or this log never had it, the answer is the
// diverging epoch (the latest epoch here at or below it, and its end offset) without records; an
// epoch newer than any here, or a fetch offset below the log start, is OFFSET_OUT_OF_RANGE. A
// failed partition reports no offsets (-1), as Kafka's.
// Long polling, as Kafka's ReplicaManager.fetchMessages and DelayedFetch: the first read answers
// at once when its bytes reach min_bytes (so always for a min_bytes of 0 or less), a partition
// failed or diverged, the fetch names no partition (an incremental fetch whose session is empty)
// or max_wait_ms is 0 or less. Otherwise the fetch waits up to max_wait_ms, checked at once and at
// each append to a fetched partition, until the bytes available reach min_bytes — each
// partition's bytes from its fetch position to the high watermark (last stable offset, a
// follower's log end), at most its max_bytes, not what a read would return
// (src/fetch/delayed-fetch.ts) — or a partition cannot wait (it failed or diverged meanwhile);
// then it reads again for the answer.
// A follower's fetch (replica_id, or replica_state from v15, naming a broker) reads up to the
// leader's log end instead of the high watermark and tells the partition how far that replica
// has come (its position, the ISR, the high watermark). Followers and consumers alike get up to
// each partition's max_bytes within what is left of the response's max_bytes, and the first batch
// of the first partition with records whole however large (Kafka's ReplicaManager.readFromLog).
// As in Kafka's KafkaApis.handleFetchRequest, the broker's fetch.max.bytes caps the response's
// max_bytes, for consumers and followers alike, and for a consumer with a consumer_byte_rate so do
// the bytes that quota allows in one quota window (ClientQuotaManager.maxValueInQuotaWindow: rate
// × (11 windows − 1) × 1 s); min_bytes is capped at the result. The first batch still comes whole
// however large.
// A partition refused with NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH names its current leader
// (v12+), and v16+ adds that leader's endpoint (KIP-951).
// Replication throttling (KIP-73): for a follower out of the ISR, a partition throttled on this
// leader (leader.replication.throttled.replicas) is answered without records while this broker's
// leader.replication.throttled.rate is exceeded, and counts nothing towards the follower's
// min_bytes; the bytes sent for throttled partitions count towards that rate.
import { ErrorCode } from '../../protocol/errors.js';
import { countRecords } from '../../protocol/records/index.js';
import type { FetchResponsePartitionData as PartitionOut, FetchResponseFetchableTopicResponse as TopicOut } from '../../protocol/schema/index.js';
import { errorCodeOf } from '../kafka-error.js';
import { FetchSession, INITIAL_EPOCH, FINAL_EPOCH, partitionKey, type SessionPartition } from '../fetch/fetch-sessions.js';
import type { Topic } from '../topics/topic-registry.js';
import type { Partition } from '../replica/partition.js';
import type { EpochEndOffset } from '../log/leader-epochs.js';
import { DelayedFetch, type WaitingPartition } from '../fetch/delayed-fetch.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi, type BrokerServices } from './api.js';
import { addLeaderEndpoint } from './leader-endpoints.js';
import type { BrokerNode } from '../cluster/cluster-view.js';

const READ_COMMITTED = 1;

/** One partition to answer for. */
interface Target {
  name: string;
  topicId: string;
  partition: number;
  topic: Topic | undefined;
  fetchOffset: number;
  maxBytes: number;
  /** The leader epoch the client knows (v9+; -1 when none). */
  currentLeaderEpoch: number;
  /** The epoch of the last batch the client fetched (v12+; -1 when none): checked for a diverging log. */
  lastFetchedEpoch: number;
  /** Sent in this request (always answered, even without news). */
  inRequest: boolean;
  /** Error known before reading: unknown topic id. */
  error?: number;
  /** The high watermark a follower knows (v18+); absent when not sent. */
  replicaHighWatermark?: number;
}

export default defineApi({
  apiKey: 1,
  minVersion: 4,
  maxVersion: 18,
  uses: ['config', 'replicas', 'cluster', 'topics', 'txn', 'fetchSessions', 'quotaMeter', 'replicationQuotas', 'metrics'],
  async handle(req, ctx) {
    const { broker, version } = ctx;
    const byId = version >= 13;
    const replicaId = version >= 15 ? req.replicaState.replicaId : req.replicaId;
    const follower = replicaId >= 0;
    const requested: Target[] = [];
    for (const t of req.topics) {
      const topic = byId ? broker.topics.getById(t.topicId) : broker.topics.get(t.topic);
      const name = topic?.name ?? t.topic;
      for (const p of t.partitions) {
        requested.push({
          name,
          topicId: topic?.id ?? t.topicId,
          partition: p.partition,
          topic,
          fetchOffset: p.fetchOffset,
          maxBytes: p.partitionMaxBytes,
          currentLeaderEpoch: p.currentLeaderEpoch,
          lastFetchedEpoch: version >= 12 ? p.lastFetchedEpoch : -1,
          inRequest: true,
        });
        if (byId && !topic) requested[requested.length - 1]!.error = ErrorCode.UNKNOWN_TOPIC_ID;
        if (version >= 18 && follower) requested[requested.length - 1]!.replicaHighWatermark = p.highWatermark;
      }
    }
    const forgotten = (req.forgottenTopicsData ?? []).flatMap((f) => {
      const name = byId ? (broker.topics.getById(f.topicId)?.name ?? '') : f.topic;
      return f.partitions.map((p) => partitionKey(name, p));
    });

    const resolved = resolveSession(broker, version, req.sessionId, req.sessionEpoch, requested, forgotten);
    if ('errorCode' in resolved) {
      return { throttleTimeMs: 0, errorCode: resolved.errorCode, sessionId: req.sessionId, responses: [] };
    }
    const { session, targets } = resolved;
    // A follower needs CLUSTER_ACTION on the cluster; a consumer READ on each topic it fetches.
    const clusterAction = follower && ctx.authz.allows(AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME);
    for (const t of targets) {
      if (t.error === undefined && !(follower ? clusterAction : ctx.authz.allows(AclOperation.READ, ResourceType.TOPIC, t.name))) t.error = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    }

    const readCommitted = req.isolationLevel === READ_COMMITTED;
    // Kafka truncates the quota window's bytes to an int.
    const quotaWindowBytes = follower ? Infinity : Math.trunc(broker.quotaMeter.fetchWindowBytes(ctx.connection));
    const maxBytes = Math.min(req.maxBytes, broker.config.fetchMaxBytes, quotaWindowBytes);
    const minBytes = Math.min(req.minBytes, maxBytes);
    const deadline = Date.now() + Math.max(0, req.maxWaitMs);
    let results = await readAll(broker, targets, maxBytes, readCommitted, replicaId, ctx.responseBuffer);
    if (Date.now() < deadline && !isEnough(results, minBytes)) {
      const delayed = new DelayedFetch(targets.map((t) => waitingPartition(broker, t, readCommitted, replicaId)), minBytes);
      await delayed.wait(deadline, ctx.connection.closed, (news) => watchPartitions(broker, targets, follower, news));
      results = await readAll(broker, targets, maxBytes, readCommitted, replicaId, ctx.responseBuffer);
    }

    const answered = session && resolved.incremental ? results.filter((r) => hasNews(session, r)) : results;
    // What a follower is sent of partitions throttled here counts towards leader.replication.throttled.rate.
    if (follower) broker.replicationQuotas.leader.record(throttledBytes(broker, answered));
    // consumer_byte_rate (KIP-219): a throttled fetch is answered at once without data, and the connection muted.
    const throttleTimeMs = follower ? 0 : broker.quotaMeter.recordFetch(ctx.connection, totalBytes(answered));
    if (throttleTimeMs > 0) return { throttleTimeMs, errorCode: ErrorCode.NONE, sessionId: session?.id ?? 0, responses: [] };
    if (session) remember(session, answered);
    const nodeEndpoints: BrokerNode[] = [];
    for (const r of answered) {
      broker.metrics.fetched(r.target.name, r.bytes, r.bytes > 0 ? countRecords(r.out.records as Buffer[]) : 0, r.out.errorCode !== ErrorCode.NONE);
      addLeaderEndpoint(nodeEndpoints, broker.cluster, ctx.connection.listenerName, r.out.currentLeader);
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: session?.id ?? 0,
      responses: groupByTopic(answered),
      ...(nodeEndpoints.length > 0 && { nodeEndpoints }),
    };
  },
});

type Resolved = { session: FetchSession | null; incremental: boolean; targets: Target[] } | { errorCode: number };

/** Applies KIP-227's session rules to find the partitions this request fetches. */
function resolveSession(
  broker: Pick<BrokerServices, 'fetchSessions' | 'topics'>,
  version: number,
  sessionId: number,
  epoch: number,
  requested: Target[],
  forgotten: string[],
): Resolved {
  const cache = broker.fetchSessions;
  if (version < 7 || (sessionId === 0 && epoch === FINAL_EPOCH)) return { session: null, incremental: false, targets: requested };
  if (epoch === FINAL_EPOCH) {
    cache.remove(sessionId);
    return { session: null, incremental: false, targets: requested };
  }
  if (epoch === INITIAL_EPOCH) {
    if (sessionId !== 0) cache.remove(sessionId);
    const session = cache.create();
    for (const t of requested) session.partitions.set(partitionKey(t.name, t.partition), sessionEntry(t));
    session.nextEpoch = 1;
    return { session, incremental: false, targets: requested };
  }
  const session = cache.get(sessionId);
  if (!session) return { errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
  if (epoch !== session.nextEpoch) return { errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
  session.nextEpoch = epoch >= 0x7fffffff ? 1 : epoch + 1;
  for (const key of forgotten) session.partitions.delete(key);
  const inRequest = new Set<string>();
  for (const t of requested) {
    const key = partitionKey(t.name, t.partition);
    inRequest.add(key);
    const prev = session.partitions.get(key);
    session.partitions.set(key, { ...sessionEntry(t), ...(prev ? { highWatermark: prev.highWatermark, lastStableOffset: prev.lastStableOffset, logStartOffset: prev.logStartOffset } : {}) });
  }
  const targets: Target[] = [];
  for (const [key, p] of session.partitions) {
    const topic = broker.topics.get(p.topic);
    targets.push({
      name: p.topic,
      topicId: topic?.id ?? p.topicId,
      partition: p.partition,
      topic,
      fetchOffset: p.fetchOffset,
      maxBytes: p.maxBytes,
      currentLeaderEpoch: p.currentLeaderEpoch,
      lastFetchedEpoch: p.lastFetchedEpoch,
      inRequest: inRequest.has(key),
    });
  }
  return { session, incremental: true, targets };
}

function sessionEntry(t: Target): SessionPartition {
  return {
    topic: t.name,
    topicId: t.topicId,
    partition: t.partition,
    fetchOffset: t.fetchOffset,
    maxBytes: t.maxBytes,
    currentLeaderEpoch: t.currentLeaderEpoch,
    lastFetchedEpoch: t.lastFetchedEpoch,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
  };
}

type ReadServices = Pick<BrokerServices, 'replicas' | 'txn' | 'cluster' | 'replicationQuotas'>;

interface Result {
  target: Target;
  out: PartitionOut;
  bytes: number;
}

/** Reads every target in turn within `maxBytes`; `buffer` gives memory for what is read (RequestContext.responseBuffer). */
async function readAll(broker: ReadServices, targets: Target[], maxBytes: number, readCommitted: boolean, replicaId: number, buffer?: (bytes: number) => Buffer): Promise<Result[]> {
  const results: Result[] = [];
  let total = 0;
  for (const target of targets) {
    const r = await readOne(broker, target, Math.max(0, maxBytes - total), total === 0, readCommitted, replicaId, buffer);
    total += r.bytes;
    results.push(r);
  }
  return results;
}

async function readOne(broker: ReadServices, target: Target, budget: number, first: boolean, readCommitted: boolean, replicaId: number, buffer?: (bytes: number) => Buffer): Promise<Result> {
  const out: PartitionOut = {
    partitionIndex: target.partition,
    errorCode: ErrorCode.NONE,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: readCommitted ? [] : null,
    preferredReadReplica: -1,
    // Kafka always sends a record set, empty when there is nothing to return; librdkafka refuses
    // a null one ("invalid MessageSetSize -1", seen with Fetch v11 from kcat).
    records: [],
  };
  const partition = broker.replicas.getPartition(target.topic, target.partition);
  if (target.error !== undefined || !partition) {
    out.errorCode = target.error ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return { target, out, bytes: 0 };
  }
  try {
    // Kafka's order: the leader epoch first, then the last fetched epoch, then the read.
    partition.checkLeaderEpoch(target.currentLeaderEpoch);
    const diverging = partition.divergingEpoch(target.fetchOffset, target.lastFetchedEpoch);
    if (diverging !== undefined) return divergingAnswer(broker, target, partition, out, diverging);
    if (replicaId >= 0) {
      // Judged before this fetch moves the follower's position, as Kafka does.
      const throttled = leaderThrottles(broker, target, partition, replicaId);
      const read = await partition.readForFollower(replicaId, target.fetchOffset, Math.min(target.maxBytes, budget), { currentLeaderEpoch: target.currentLeaderEpoch, minOneBatch: first });
      out.highWatermark = read.highWatermark;
      out.lastStableOffset = broker.txn.lastStableOffset(partition);
      out.logStartOffset = read.logStartOffset;
      if (throttled) return { target, out, bytes: 0 };
      out.records = read.chunks;
      return { target, out, bytes: read.bytes };
    }
    const lso = broker.txn.lastStableOffset(partition);
    out.highWatermark = partition.highWatermark;
    out.lastStableOffset = lso;
    out.logStartOffset = partition.logStartOffset;
    const limit = Math.min(target.maxBytes, budget);
    if (limit <= 0 && !first) return { target, out, bytes: 0 };
    const read = await partition.read(target.fetchOffset, limit, { maxOffset: consumerBound(broker, partition, readCommitted), minOneBatch: first, buffer });
    out.highWatermark = read.highWatermark;
    out.logStartOffset = read.logStartOffset;
    out.records = read.chunks;
    if (readCommitted && read.chunks.length > 0) {
      out.abortedTransactions = broker.txn.abortedTransactions(partition, target.fetchOffset, lso);
    }
    return { target, out, bytes: read.bytes };
  } catch (err) {
    // As Kafka's ReplicaManager.readFromLog: a partition that failed reports no offsets.
    out.errorCode = errorCodeOf(err);
    out.highWatermark = -1;
    out.lastStableOffset = -1;
    out.logStartOffset = -1;
    if (out.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || out.errorCode === ErrorCode.FENCED_LEADER_EPOCH) {
      const state = broker.cluster.partitionState(target.name, target.partition);
      out.currentLeader = { leaderId: state?.leaderId ?? -1, leaderEpoch: state?.leaderEpoch ?? -1 };
    }
    return { target, out, bytes: 0 };
  }
}

/** A fetch whose log diverged from this one is answered where to truncate, without records (Kafka's LogReadInfo with a divergingEpoch). */
function divergingAnswer(broker: Pick<BrokerServices, 'txn'>, target: Target, partition: Partition, out: PartitionOut, diverging: EpochEndOffset): Result {
  out.highWatermark = partition.highWatermark;
  out.lastStableOffset = broker.txn.lastStableOffset(partition);
  out.logStartOffset = partition.logStartOffset;
  out.divergingEpoch = { epoch: diverging.epoch, endOffset: diverging.endOffset };
  return { target, out, bytes: 0 };
}

function totalBytes(results: readonly Result[]): number {
  let bytes = 0;
  for (const r of results) bytes += r.bytes;
  return bytes;
}

function throttledBytes(broker: Pick<BrokerServices, 'replicationQuotas'>, results: readonly Result[]): number {
  let bytes = 0;
  for (const r of results) {
    if (r.target.topic !== undefined && broker.replicationQuotas.leader.isThrottled(r.target.topic, r.target.partition)) bytes += r.bytes;
  }
  return bytes;
}

/**
 * Kafka's ReplicaManager.fetchMessages answers without waiting when the fetch names no partition,
 * a partition failed, or the bytes read reach min_bytes: at once for a min_bytes of 0 or less.
 */
function isEnough(results: Result[], minBytes: number): boolean {
  if (results.length === 0) return true;
  let bytes = 0;
  for (const r of results) {
    if (r.out.errorCode !== ErrorCode.NONE || r.out.divergingEpoch !== undefined) return true;
    // KIP-1166: a follower that lags the leader's high watermark learns the new one without waiting.
    if (r.target.replicaHighWatermark !== undefined && r.target.replicaHighWatermark < r.out.highWatermark) return true;
    bytes += r.bytes;
  }
  return bytes >= minBytes;
}

/**
 * Kafka's ReplicaManager.shouldLeaderThrottle: a follower out of the ISR is sent nothing of a
 * partition throttled on this leader while leader.replication.throttled.rate is exceeded. ISR
 * members are never throttled, so that throttling cannot push a replica out of the ISR.
 */
function leaderThrottles(broker: Pick<BrokerServices, 'replicationQuotas'>, target: Target, partition: Partition, replicaId: number): boolean {
  const quota = broker.replicationQuotas.leader;
  return !partition.isr.includes(replicaId) && quota.isThrottled(target.topic!, target.partition) && quota.isExceeded();
}

/** The bound below the high watermark a consumer's reads stop at: read_committed's last stable offset. */
function consumerBound(broker: Pick<BrokerServices, 'txn'>, partition: Partition, readCommitted: boolean): number | undefined {
  return readCommitted ? broker.txn.lastStableOffset(partition) : undefined;
}

/** A target as a waiting fetch checks it: where its reads stop now, or that it wants an answer at once. */
function waitingPartition(broker: ReadServices, target: Target, readCommitted: boolean, replicaId: number): WaitingPartition {
  return {
    fetchOffset: target.fetchOffset,
    maxBytes: target.maxBytes,
    now: () => {
      const partition = broker.replicas.getPartition(target.topic, target.partition);
      if (!partition) return undefined;
      partition.checkLeaderEpoch(target.currentLeaderEpoch);
      // Kafka's DelayedFetch: a log that has come to diverge from the fetcher's answers at once.
      if (partition.divergingEpoch(target.fetchOffset, target.lastFetchedEpoch) !== undefined) return undefined;
      // KIP-1166: a follower that lags the leader's high watermark learns the new one without waiting.
      if (target.replicaHighWatermark !== undefined && target.replicaHighWatermark < partition.highWatermark) return undefined;
      const follower = replicaId >= 0;
      const offset = partition.readEnd(follower, consumerBound(broker, partition, readCommitted));
      return { offset, log: partition.log, throttled: follower && leaderThrottles(broker, target, partition, replicaId) };
    },
  };
}

/** Subscribes `news` to what may give the fetch more to read: the high watermark moving, or for a follower also the leader's log end. */
function watchPartitions(broker: Pick<BrokerServices, 'replicas'>, targets: Target[], follower: boolean, news: () => void): () => void {
  const unsubscribers: (() => void)[] = [];
  for (const t of targets) {
    const partition = broker.replicas.getPartition(t.topic, t.partition);
    if (partition) unsubscribers.push(partition.onHighWatermark(news));
    if (partition && follower) unsubscribers.push(partition.onWritten(news));
  }
  return () => {
    for (const u of unsubscribers) u();
  };
}

function hasNews(session: FetchSession, r: Result): boolean {
  if (r.target.inRequest || r.bytes > 0 || r.out.errorCode !== ErrorCode.NONE || r.out.divergingEpoch !== undefined) return true;
  const prev = session.partitions.get(partitionKey(r.target.name, r.target.partition));
  return (
    !prev ||
    prev.highWatermark !== r.out.highWatermark ||
    prev.lastStableOffset !== r.out.lastStableOffset ||
    prev.logStartOffset !== r.out.logStartOffset
  );
}

function remember(session: FetchSession, answered: Result[]): void {
  for (const r of answered) {
    const entry = session.partitions.get(partitionKey(r.target.name, r.target.partition));
    if (!entry) continue;
    entry.highWatermark = r.out.highWatermark;
    entry.lastStableOffset = r.out.lastStableOffset ?? -1;
    entry.logStartOffset = r.out.logStartOffset ?? -1;
  }
}

function groupByTopic(results: Result[]): TopicOut[] {
  const topics: TopicOut[] = [];
  let current: TopicOut | undefined;
  for (const r of results) {
    if (!current || current.topic !== r.target.name) {
      current = { topic: r.target.name, topicId: r.target.topicId, partitions: [] };
      topics.push(current);
    }
    current.partitions.push(r.out);
  }
  return topics;
}
