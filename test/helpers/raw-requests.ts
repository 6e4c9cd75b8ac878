// Produce and Fetch request bodies for raw-protocol tests and benchmarks, to send with RawClient.send
// or encode with encodeRequest: what a plain producer or consumer sends, with the fields a test
// varies given by name. No vitest import: the benchmarks load this outside vitest.
import type { RequestOf } from '../../protocol/codec/messages.js';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { INT64_MAX } from '../../protocol/codec/writer.js';

/** One partition a Produce request writes to: by name, or by id (Produce v13+, with name ''). */
export interface ProducePartition {
  topic: string;
  topicId?: string;
  /** Default 0. */
  partition?: number;
  /** A record batch, or null. */
  records: Buffer | null;
}

export interface ProduceOptions {
  /** Default -1 (all in-sync replicas). */
  acks?: number;
  /** Default 5000. */
  timeoutMs?: number;
  /** Default null (not transactional). */
  transactionalId?: string | null;
}

/** A Produce request writing to `to`, grouped by topic in the order given. */
export function produceRequest(to: ProducePartition | ProducePartition[], opts: ProduceOptions = {}): RequestOf<0> {
  return {
    transactionalId: opts.transactionalId ?? null,
    acks: opts.acks ?? -1,
    timeoutMs: opts.timeoutMs ?? 5000,
    topicData: byTopic(to).map(({ topic, topicId, partitions }) => ({ name: topic, topicId, partitionData: partitions.map((p) => ({ index: p.partition ?? 0, records: p.records })) })),
  };
}

/** One partition a Fetch request reads: by name, or by id (Fetch v13+, with name ''). */
export interface FetchPartition {
  topic: string;
  topicId?: string;
  /** Default 0. */
  partition?: number;
  /** Default 0. */
  fetchOffset?: number;
  /** Default 1 MiB, a Kafka consumer's max.partition.fetch.bytes. */
  partitionMaxBytes?: number;
  /** Default -1 (not checked). */
  currentLeaderEpoch?: number;
  /** The epoch of the last batch fetched (v12+): the leader checks the log has not diverged there. Default -1 (not checked). */
  lastFetchedEpoch?: number;
  /** What a follower knows of the high watermark (KIP-1166); a consumer sends INT64_MAX. */
  highWatermark?: number;
}

/** Top-level fields of a Fetch request; the topics come from the partitions given. */
export type FetchOptions = Partial<Omit<RequestOf<1>, 'topics'>>;

/**
 * A consumer's Fetch request for `from` (grouped by topic in the order given): no session, no
 * wait, read_uncommitted, at most 50 MiB (a Kafka consumer's fetch.max.bytes); `opts` replaces
 * any top-level field.
 */
export function fetchRequest(from: FetchPartition | FetchPartition[], opts: FetchOptions = {}): RequestOf<1> {
  const topics = byTopic(from).map(({ topic, topicId, partitions }) => ({
    topic,
    topicId,
    partitions: partitions.map((p) => ({
      partition: p.partition ?? 0,
      currentLeaderEpoch: p.currentLeaderEpoch ?? -1,
      fetchOffset: p.fetchOffset ?? 0,
      lastFetchedEpoch: p.lastFetchedEpoch ?? -1,
      logStartOffset: -1,
      partitionMaxBytes: p.partitionMaxBytes ?? 1 << 20,
      replicaDirectoryId: ZERO_UUID,
      highWatermark: p.highWatermark ?? INT64_MAX,
    })),
  }));
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 50 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    forgottenTopicsData: [],
    rackId: '',
    ...opts,
    topics,
  };
}

/** Partitions grouped by topic (name and id), each topic where it first appears. */
function byTopic<P extends { topic: string; topicId?: string }>(partitions: P | P[]): { topic: string; topicId: string; partitions: P[] }[] {
  const topics = new Map<string, { topic: string; topicId: string; partitions: P[] }>();
  for (const p of Array.isArray(partitions) ? partitions : [partitions]) {
    const topicId = p.topicId ?? ZERO_UUID;
    const key = `${topicId}/${p.topic}`;
    let group = topics.get(key);
    if (group === undefined) topics.set(key, (group = { topic: p.topic, topicId, partitions: [] }));
    group.partitions.push(p);
  }
  return [...topics.values()];
}
