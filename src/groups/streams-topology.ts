// The topology a Kafka Streams application declares in its first StreamsGroupHeartbeat (KIP-1071),
// and how the coordinator configures it against the topics that exist: the number of tasks of each
// subtopology, the partition counts of the internal (repartition and changelog) topics it must
// create, and the status the members are told when the topology cannot run yet.
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';

export interface StreamsTopicInfo {
  name: string;
  /** 0: decided by the coordinator (always 0 for changelog topics). */
  partitions: number;
  /** 0: the broker's default. */
  replicationFactor: number;
  configs: [string, string][];
}

export interface StreamsCopartitionGroup {
  /** Indexes into the subtopology's sourceTopics. */
  sourceTopics: number[];
  /** Indexes into the subtopology's repartitionSourceTopics. */
  repartitionSourceTopics: number[];
}

export interface StreamsSubtopology {
  subtopologyId: string;
  sourceTopics: string[];
  repartitionSinkTopics: string[];
  stateChangelogTopics: StreamsTopicInfo[];
  repartitionSourceTopics: StreamsTopicInfo[];
  copartitionGroups: StreamsCopartitionGroup[];
}

export interface StreamsTopology {
  epoch: number;
  subtopologies: StreamsSubtopology[];
}

/** Status codes of StreamsGroupHeartbeatResponse. */
export const StreamsStatus = {
  STALE_TOPOLOGY: 0,
  MISSING_SOURCE_TOPICS: 1,
  INCORRECTLY_PARTITIONED_TOPICS: 2,
  MISSING_INTERNAL_TOPICS: 3,
  SHUTDOWN_APPLICATION: 4,
  ASSIGNMENT_DELAYED: 5,
} as const;

export interface StreamsStatusEntry {
  code: number;
  detail: string;
}

export interface InternalTopicToCreate {
  name: string;
  partitions: number;
  /** 0: the broker's default. */
  replicationFactor: number;
  configs: [string, string][];
}

export interface ConfiguredTopology {
  /** Tasks can be assigned: source topics exist, internal topics exist with the right partitions. */
  ready: boolean;
  /** Subtopology id → number of tasks (its input partitions); empty unless the partition counts could be decided. */
  tasks: Map<string, number>;
  internalTopicsToCreate: InternalTopicToCreate[];
  /** Why the topology is not ready. */
  status: StreamsStatusEntry | null;
}

export type PartitionCount = (topic: string) => number | undefined;

/** Kafka's checks of a topology sent on join: STREAMS_INVALID_TOPOLOGY. */
export function checkTopology(topology: StreamsTopology): void {
  for (const s of topology.subtopologies) {
    for (const t of s.stateChangelogTopics) {
      if (t.partitions !== 0) {
        throw new KafkaError(ErrorCode.STREAMS_INVALID_TOPOLOGY, `Changelog topic ${t.name} must have an undefined partition count, but it is set to ${t.partitions}.`);
      }
    }
  }
}

/** A canonical form: two topologies are the same when these strings are equal. */
export function topologyKey(t: StreamsTopology): string {
  const subs = [...t.subtopologies].sort((a, b) => (a.subtopologyId < b.subtopologyId ? -1 : a.subtopologyId > b.subtopologyId ? 1 : 0));
  return JSON.stringify({ epoch: t.epoch, subs });
}

/** Every topic the topology reads or writes, internal ones included (what its configuration depends on). */
export function topologyTopics(t: StreamsTopology): string[] {
  const names = new Set<string>();
  for (const s of t.subtopologies) {
    for (const n of s.sourceTopics) names.add(n);
    for (const n of s.repartitionSinkTopics) names.add(n);
    for (const i of [...s.stateChangelogTopics, ...s.repartitionSourceTopics]) names.add(i.name);
  }
  return [...names].sort();
}

/** A topology that cannot run yet, with the status code its members get. */
class TopicConfigurationError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function summarize(topics: Iterable<string>): string {
  const all = [...topics];
  const shown = all.slice(0, 3).join(', ');
  return all.length > 3 ? `${shown} and ${all.length - 3} additional topics` : shown;
}

export function configureTopology(topology: StreamsTopology, existing: PartitionCount): ConfiguredTopology {
  try {
    const missing = new Set<string>();
    for (const s of topology.subtopologies) for (const t of s.sourceTopics) if (existing(t) === undefined) missing.add(t);
    if (missing.size > 0) throw new TopicConfigurationError(StreamsStatus.MISSING_SOURCE_TOPICS, `Source topics ${summarize([...missing].sort())} are missing.`);

    const decided = decideRepartitionCounts(topology, existing);
    enforceCopartitioning(topology, existing, decided);
    const count = (topic: string): number | undefined => existing(topic) ?? decided.get(topic);

    const tasks = new Map<string, number>();
    for (const s of topology.subtopologies) {
      const inputs = [...s.sourceTopics, ...s.repartitionSourceTopics.map((r) => r.name)].map((t) => count(t) ?? 0);
      tasks.set(s.subtopologyId, Math.max(0, ...inputs));
      for (const c of s.stateChangelogTopics) decided.set(c.name, tasks.get(s.subtopologyId)!);
    }

    const toCreate: InternalTopicToCreate[] = [];
    for (const s of topology.subtopologies) {
      for (const info of [...s.repartitionSourceTopics, ...s.stateChangelogTopics]) {
        const expected = info.partitions !== 0 && !s.stateChangelogTopics.includes(info) ? info.partitions : decided.get(info.name)!;
        const actual = existing(info.name);
        if (actual === undefined) {
          if (!toCreate.some((t) => t.name === info.name)) toCreate.push({ name: info.name, partitions: expected, replicationFactor: info.replicationFactor, configs: info.configs });
        } else if (actual !== expected) {
          throw new TopicConfigurationError(StreamsStatus.INCORRECTLY_PARTITIONED_TOPICS, `Existing topic ${info.name} has different number of partitions: expected ${expected}, found ${actual}`);
        }
      }
    }
    if (toCreate.length > 0) {
      const names = toCreate.map((t) => t.name);
      return { ready: false, tasks, internalTopicsToCreate: toCreate, status: { code: StreamsStatus.MISSING_INTERNAL_TOPICS, detail: `Internal topics are missing: ${summarize(names)}` } };
    }
    return { ready: true, tasks, internalTopicsToCreate: [], status: null };
  } catch (err) {
    if (!(err instanceof TopicConfigurationError)) throw err;
    return { ready: false, tasks: new Map(), internalTopicsToCreate: [], status: { code: err.status, detail: err.message } };
  }
}

/**
 * Repartition topics without a fixed partition count get the largest input partition count of the
 * subtopologies writing to them; upstream repartition topics are decided first (a fixed point).
 */
function decideRepartitionCounts(topology: StreamsTopology, existing: PartitionCount): Map<string, number> {
  const decided = new Map<string, number>();
  const count = (topic: string): number | undefined => existing(topic) ?? decided.get(topic);
  for (const s of topology.subtopologies) for (const r of s.repartitionSourceTopics) if (r.partitions !== 0) decided.set(r.name, r.partitions);
  const open = new Set(topology.subtopologies.flatMap((s) => s.repartitionSourceTopics.filter((r) => r.partitions === 0).map((r) => r.name)));
  let progress = true;
  while (open.size > 0 && progress) {
    progress = false;
    for (const topic of [...open]) {
      let max: number | undefined;
      let unknown = false;
      for (const writer of topology.subtopologies.filter((s) => s.repartitionSinkTopics.includes(topic))) {
        for (const input of [...writer.sourceTopics, ...writer.repartitionSourceTopics.map((r) => r.name)]) {
          const n = input === topic ? undefined : count(input);
          if (n === undefined) unknown = true;
          else max = Math.max(max ?? 0, n);
        }
      }
      if (max !== undefined && !unknown) {
        decided.set(topic, max);
        open.delete(topic);
        progress = true;
      }
    }
  }
  if (open.size > 0) {
    throw new TopicConfigurationError(StreamsStatus.MISSING_SOURCE_TOPICS, `Failed to compute the number of partitions of repartition topics ${summarize([...open].sort())}.`);
  }
  return decided;
}

/** Topics of a copartition group must have equal partition counts; flexible repartition topics follow the others. */
function enforceCopartitioning(topology: StreamsTopology, existing: PartitionCount, decided: Map<string, number>): void {
  for (const s of topology.subtopologies) {
    for (const group of s.copartitionGroups) {
      const fixed = group.sourceTopics.map((i) => s.sourceTopics[i]!);
      const flexible: string[] = [];
      for (const i of group.repartitionSourceTopics) {
        const r = s.repartitionSourceTopics[i]!;
        if (r.partitions !== 0) fixed.push(r.name);
        else flexible.push(r.name);
      }
      const counts = new Map(fixed.map((t) => [t, existing(t) ?? decided.get(t) ?? 0]));
      const distinct = new Set(counts.values());
      if (distinct.size > 1) {
        const list = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, n]) => `${t}=${n}`).join(', ');
        throw new TopicConfigurationError(StreamsStatus.INCORRECTLY_PARTITIONED_TOPICS, `Following topics do not have the same number of partitions: [${list}]`);
      }
      const target = distinct.size === 1 ? [...distinct][0]! : Math.max(0, ...flexible.map((t) => decided.get(t) ?? 0));
      for (const t of flexible) if (existing(t) === undefined) decided.set(t, target);
    }
  }
}
