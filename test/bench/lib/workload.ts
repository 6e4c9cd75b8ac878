// Pre-encoded load: record batches of a given record and batch size, and the Produce / Fetch /
// Metadata request frames built around them once (plus the group-membership requests of the scale scenario), so sending costs the generator nothing.
import { encodeData } from '../../../protocol/codec/data.js';
import { encodeRequest } from '../../../protocol/codec/messages.js';
import { ZERO_UUID } from '../../../protocol/codec/reader.js';
import { BATCH_HEADER_SIZE, OFFSET, batchSize, readInt64, writeInt64 } from '../../../protocol/records/batch-header.js';
import {
  consumerProtocolAssignment,
  consumerProtocolSubscription,
  type ConsumerProtocolAssignment,
  type ConsumerProtocolSubscription,
} from '../../../protocol/schema/index.js';
import { fetchRequest, produceRequest } from '../../helpers/raw-requests.js';
import { sampleBatch } from '../../unit/protocol/sample-batch.js';

export const CLIENT_ID = 'creek-bench';
export const PRODUCE_VERSION = 9;
export const FETCH_VERSION = 12;
export const METADATA_VERSION = 12;

/** Bytes a keyless, header-less record adds beyond its value (length, attributes, deltas, key, value length, header count). */
const RECORD_OVERHEAD = 10;

export interface BatchShape {
  recordSize: number;
  batchBytes: number;
}

export interface Batch {
  bytes: Buffer;
  records: number;
}

/**
 * One uncompressed batch of as many `recordSize`-byte records as fit in `batchBytes` (at least
 * one): a "1 MiB batch" must stay within Kafka's default max.message.bytes (1 MiB + 12).
 */
export function makeBatch({ recordSize, batchBytes }: BatchShape): Batch {
  const now = Date.now();
  let records = Math.max(1, Math.floor((batchBytes - BATCH_HEADER_SIZE) / (recordSize + RECORD_OVERHEAD)));
  let bytes = sampleBatch(records, recordSize, 0, now);
  // Varint lengths and offset deltas grow with the record count: trim until the batch fits.
  while (bytes.length > batchBytes && records > 1) {
    records = Math.max(1, records - Math.ceil((bytes.length - batchBytes) / (recordSize + RECORD_OVERHEAD)));
    bytes = sampleBatch(records, recordSize, 0, now);
  }
  return { bytes, records };
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  batch: Buffer;
}

/** A Produce v9 request frame carrying one batch for each listed partition. */
export function produceFrame(acks: number, parts: readonly PartitionBatch[]): Buffer {
  const to = parts.map((p) => ({ topic: p.topic, partition: p.partition, records: p.batch }));
  return encodeRequest(0, PRODUCE_VERSION, 0, CLIENT_ID, produceRequest(to, { acks, timeoutMs: 30_000 }));
}

export interface FetchPosition {
  topic: string;
  partition: number;
  offset: number;
}

/** A sessionless Fetch v12 request frame. */
export function fetchFrame(positions: readonly FetchPosition[], opts: { maxWaitMs: number; minBytes: number; partitionMaxBytes: number }): Buffer {
  const from = positions.map((p) => ({ topic: p.topic, partition: p.partition, fetchOffset: p.offset, partitionMaxBytes: opts.partitionMaxBytes }));
  return encodeRequest(1, FETCH_VERSION, 0, CLIENT_ID, fetchRequest(from, { maxWaitMs: opts.maxWaitMs, minBytes: opts.minBytes }));
}

/** A Metadata v12 request for `topics`, creating missing ones (with the broker's num.partitions). */
export function metadataFrame(topics: readonly string[]): Buffer {
  return encodeRequest(3, METADATA_VERSION, 0, CLIENT_ID, {
    topics: topics.map((name) => ({ topicId: ZERO_UUID, name })),
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
}

/** An ApiVersions v3 request frame. */
export function apiVersionsFrame(): Buffer {
  return encodeRequest(18, 3, 0, CLIENT_ID, { clientSoftwareName: 'creek-bench', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
}

/** Visits each whole batch in `records`: its base offset and last offset. */
export function forEachBatch(records: Buffer, visit: (baseOffset: number, lastOffset: number) => void): void {
  let at = 0;
  while (at + BATCH_HEADER_SIZE <= records.length) {
    const size = batchSize(records, at);
    if (at + size > records.length) return;
    const base = readInt64(records, at);
    visit(base, base + records.readInt32BE(at + OFFSET.lastOffsetDelta));
    at += size;
  }
}

/** `count` copies of `batch` with consecutive offsets, as a partition log would hold them. */
export function logImage(batch: Batch, count: number): Buffer {
  const out = Buffer.alloc(batch.bytes.length * count);
  for (let i = 0; i < count; i++) {
    const at = i * batch.bytes.length;
    batch.bytes.copy(out, at);
    writeInt64(out, i * batch.records, at + OFFSET.baseOffset);
  }
  return out;
}

export const JOIN_GROUP_VERSION = 3;
export const SYNC_GROUP_VERSION = 2;
export const HEARTBEAT_VERSION = 2;

/** A JoinGroup v3 request of a "consumer" member subscribed to `topics` (v3: no member-id round trip). */
export function joinGroupFrame(groupId: string, memberId: string, topics: readonly string[], sessionTimeoutMs: number): Buffer {
  return encodeRequest(11, JOIN_GROUP_VERSION, 0, CLIENT_ID, {
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs: sessionTimeoutMs,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeData<ConsumerProtocolSubscription>(consumerProtocolSubscription, 0, { topics: [...topics], userData: null }) }],
    reason: null,
  });
}

/** A SyncGroup v2 request; the leader hands `assignments` (member id → topic → partitions). */
export function syncGroupFrame(groupId: string, generationId: number, memberId: string, assignments: ReadonlyMap<string, Record<string, number[]>>): Buffer {
  return encodeRequest(14, SYNC_GROUP_VERSION, 0, CLIENT_ID, {
    groupId,
    generationId,
    memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [...assignments].map(([member, byTopic]) => ({
      memberId: member,
      assignment: encodeData<ConsumerProtocolAssignment>(consumerProtocolAssignment, 0, {
        assignedPartitions: Object.entries(byTopic).map(([topic, partitions]) => ({ topic, partitions })),
        userData: null,
      }),
    })),
  });
}

/** A Heartbeat v2 request. */
export function heartbeatFrame(groupId: string, generationId: number, memberId: string): Buffer {
  return encodeRequest(12, HEARTBEAT_VERSION, 0, CLIENT_ID, { groupId, generationId, memberId, groupInstanceId: null });
}

export const CREATE_TOPICS_VERSION = 5;
export const DELETE_TOPICS_VERSION = 4;

/** A DeleteTopics v4 request (topics by name). */
export function deleteTopicsFrame(names: readonly string[]): Buffer {
  return encodeRequest(20, DELETE_TOPICS_VERSION, 0, CLIENT_ID, { topics: [], topicNames: [...names], timeoutMs: 60_000 });
}

/** A CreateTopics v5 request: each topic with its own partition count, one replica. */
export function createTopicsFrame(topics: readonly { name: string; partitions: number }[]): Buffer {
  return encodeRequest(19, CREATE_TOPICS_VERSION, 0, CLIENT_ID, {
    topics: topics.map((t) => ({ name: t.name, numPartitions: t.partitions, replicationFactor: 1, assignments: [], configs: [] })),
    timeoutMs: 60_000,
    validateOnly: false,
  });
}

/** A Metadata v12 request for `topics` that does not create them. */
export function describeTopicsFrame(topics: readonly string[]): Buffer {
  return encodeRequest(3, METADATA_VERSION, 0, CLIENT_ID, {
    topics: topics.map((name) => ({ topicId: ZERO_UUID, name })),
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
}

export const LIST_OFFSETS_VERSION = 7;

/** A ListOffsets v7 request for the latest offset of each of `partitions` (numbers) of `topic`. */
export function latestOffsetsFrame(topic: string, partitions: readonly number[]): Buffer {
  return encodeRequest(2, LIST_OFFSETS_VERSION, 0, CLIENT_ID, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: -1 })) }],
    timeoutMs: 30_000,
  });
}
