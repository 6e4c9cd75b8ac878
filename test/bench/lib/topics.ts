// Topics with a given partition count on any Kafka-protocol broker or cluster: CreateTopics, then
// Metadata until every partition has a leader, then ListOffsets to each leader until it answers
// for its partitions. Apache Kafka answers CreateTopics once the controller has the topic; its
// metadata cache may list a leader a moment before the replica manager acts as one (Produce answers
// NOT_LEADER_OR_FOLLOWER until then). And which broker leads each partition, for loads that must
// send each partition's requests to its leader.
import { decodeResponse } from '../../../protocol/codec/messages.js';
import type { CreateTopicsResponse, DeleteTopicsResponse, ListOffsetsResponse, MetadataResponse } from '../../../protocol/schema/index.js';
import type { TopicPartition } from './drivers.js';
import { FrameConnection } from './frame-connection.js';
import { sleep } from './stats.js';
import { CREATE_TOPICS_VERSION, DELETE_TOPICS_VERSION, LIST_OFFSETS_VERSION, METADATA_VERSION, createTopicsFrame, deleteTopicsFrame, describeTopicsFrame, latestOffsetsFrame } from './workload.js';

const TOPIC_ALREADY_EXISTS = 36;

export interface TopicSpec {
  name: string;
  partitions: number;
}

/** The partitions of a topic that one broker leads, and the port it serves them on. */
export interface LeaderPartitions {
  port: number;
  partitions: TopicPartition[];
}

/**
 * `topic`'s partitions grouped by leader as a Metadata response lists them, ordered by port. The
 * port is the leader's advertised one: every broker the bench starts listens on loopback.
 */
export function leadersIn(metadata: MetadataResponse, topic: string): LeaderPartitions[] {
  const ports = new Map(metadata.brokers.map((b) => [b.nodeId, b.port]));
  const byPort = new Map<number, TopicPartition[]>();
  const found = metadata.topics.find((t) => t.name === topic);
  if (found === undefined || found.errorCode !== 0) throw new Error(`Metadata has no topic ${topic} (error ${found?.errorCode})`);
  for (const p of found.partitions) {
    const port = ports.get(p.leaderId);
    if (port === undefined) throw new Error(`${topic}-${p.partitionIndex} has no leader the Metadata response lists (leader ${p.leaderId})`);
    byPort.set(port, [...(byPort.get(port) ?? []), { topic, partition: p.partitionIndex }]);
  }
  return [...byPort].sort(([a], [b]) => a - b).map(([port, partitions]) => ({ port, partitions }));
}

/** `topic`'s partitions grouped by leader, as the broker on `port` sees them. */
export async function partitionLeaders(port: number, topic: string): Promise<LeaderPartitions[]> {
  const conn = await FrameConnection.open(port);
  try {
    const { body } = decodeResponse(3, METADATA_VERSION, await conn.request(describeTopicsFrame([topic]))) as { body: MetadataResponse };
    return leadersIn(body, topic);
  } finally {
    conn.close();
  }
}

export async function createTopicsAndWait(port: number, topics: readonly TopicSpec[], timeoutMs = 300_000): Promise<void> {
  const conn = await FrameConnection.open(port);
  // The other brokers of a cluster, connected to once a topic has partitions they lead.
  const others = new Map<number, FrameConnection>();
  const connectionTo = async (leader: number): Promise<FrameConnection> => (leader === port ? conn : (others.get(leader) ?? others.set(leader, await FrameConnection.open(leader)).get(leader)!));
  try {
    for (let i = 0; i < topics.length; i += 100) {
      const { body } = decodeResponse(19, CREATE_TOPICS_VERSION, await conn.request(createTopicsFrame(topics.slice(i, i + 100)))) as { body: CreateTopicsResponse };
      for (const t of body.topics) {
        if (t.errorCode !== 0 && t.errorCode !== TOPIC_ALREADY_EXISTS) throw new Error(`CreateTopics ${t.name}: error ${t.errorCode} ${t.errorMessage ?? ''}`);
      }
    }
    const deadline = performance.now() + timeoutMs;
    const leaders = new Map<string, LeaderPartitions[]>();
    for (let i = 0; i < topics.length; ) {
      const slice = topics.slice(i, i + 100);
      const { body } = decodeResponse(3, METADATA_VERSION, await conn.request(describeTopicsFrame(slice.map((t) => t.name)))) as { body: MetadataResponse };
      const ready = slice.every((spec) => {
        const t = body.topics.find((x) => x.name === spec.name);
        return t !== undefined && t.errorCode === 0 && t.partitions.length === spec.partitions && t.partitions.every((p) => p.errorCode === 0 && p.leaderId >= 0);
      });
      if (ready) {
        for (const spec of slice) leaders.set(spec.name, leadersIn(body, spec.name));
        i += 100;
      } else if (performance.now() > deadline) throw new Error(`topics not ready within ${timeoutMs / 1000} s`);
      else await sleep(50);
    }
    for (const spec of topics) {
      for (const leader of leaders.get(spec.name)!) {
        const to = await connectionTo(leader.port);
        const frame = latestOffsetsFrame(spec.name, leader.partitions.map((p) => p.partition));
        for (;;) {
          const { body } = decodeResponse(2, LIST_OFFSETS_VERSION, await to.request(frame)) as { body: ListOffsetsResponse };
          if (body.topics.every((t) => t.partitions.every((p) => p.errorCode === 0))) break;
          if (performance.now() > deadline) throw new Error(`topic ${spec.name} has partitions without a serving leader after ${timeoutMs / 1000} s`);
          await sleep(50);
        }
      }
    }
  } finally {
    conn.close();
    for (const c of others.values()) c.close();
  }
}

/**
 * Deletes topics a shape is done with, so that a run's data does not pile up on the disk (a full
 * side-by-side run writes tens of GiB to each broker).
 */
export async function deleteTopics(port: number, names: readonly string[]): Promise<void> {
  const conn = await FrameConnection.open(port);
  try {
    const { body } = decodeResponse(20, DELETE_TOPICS_VERSION, await conn.request(deleteTopicsFrame(names))) as { body: DeleteTopicsResponse };
    for (const r of body.responses) if (r.errorCode !== 0) throw new Error(`DeleteTopics ${r.name}: error ${r.errorCode} ${r.errorMessage ?? ''}`);
  } finally {
    conn.close();
  }
}
