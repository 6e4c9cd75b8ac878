// Topics with a given partition count on any Kafka-protocol broker: CreateTopics, then Metadata
// until every partition has a leader, then ListOffsets until every leader answers. Apache Kafka
// answers CreateTopics once the controller has the topic; its metadata cache may list a leader a
// moment before the replica manager acts as one (Produce answers NOT_LEADER_OR_FOLLOWER until then).
import { decodeResponse } from '../../../protocol/codec/messages.js';
import type { CreateTopicsResponse, DeleteTopicsResponse, ListOffsetsResponse, MetadataResponse } from '../../../protocol/schema/index.js';
import { FrameConnection } from './frame-connection.js';
import { sleep } from './stats.js';
import { CREATE_TOPICS_VERSION, DELETE_TOPICS_VERSION, LIST_OFFSETS_VERSION, METADATA_VERSION, createTopicsFrame, deleteTopicsFrame, describeTopicsFrame, latestOffsetsFrame } from './workload.js';

const TOPIC_ALREADY_EXISTS = 36;

export interface TopicSpec {
  name: string;
  partitions: number;
}

export async function createTopicsAndWait(port: number, topics: readonly TopicSpec[], timeoutMs = 300_000): Promise<void> {
  const conn = await FrameConnection.open(port);
  try {
    for (let i = 0; i < topics.length; i += 100) {
      const { body } = decodeResponse(19, CREATE_TOPICS_VERSION, await conn.request(createTopicsFrame(topics.slice(i, i + 100)))) as { body: CreateTopicsResponse };
      for (const t of body.topics) {
        if (t.errorCode !== 0 && t.errorCode !== TOPIC_ALREADY_EXISTS) throw new Error(`CreateTopics ${t.name}: error ${t.errorCode} ${t.errorMessage ?? ''}`);
      }
    }
    const deadline = performance.now() + timeoutMs;
    for (let i = 0; i < topics.length; ) {
      const slice = topics.slice(i, i + 100);
      const { body } = decodeResponse(3, METADATA_VERSION, await conn.request(describeTopicsFrame(slice.map((t) => t.name)))) as { body: MetadataResponse };
      const ready = slice.every((spec) => {
        const t = body.topics.find((x) => x.name === spec.name);
        return t !== undefined && t.errorCode === 0 && t.partitions.length === spec.partitions && t.partitions.every((p) => p.errorCode === 0 && p.leaderId >= 0);
      });
      if (ready) i += 100;
      else if (performance.now() > deadline) throw new Error(`topics not ready within ${timeoutMs / 1000} s`);
      else await sleep(50);
    }
    for (const spec of topics) {
      for (;;) {
        const { body } = decodeResponse(2, LIST_OFFSETS_VERSION, await conn.request(latestOffsetsFrame(spec.name, spec.partitions))) as { body: ListOffsetsResponse };
        if (body.topics.every((t) => t.partitions.every((p) => p.errorCode === 0))) break;
        if (performance.now() > deadline) throw new Error(`topic ${spec.name} has partitions without a serving leader after ${timeoutMs / 1000} s`);
        await sleep(50);
      }
    }
  } finally {
    conn.close();
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
