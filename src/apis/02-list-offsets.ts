// ListOffsets (key 2), versions 1-11 (v0's offset arrays were removed in Kafka 4).
// v1: one offset + timestamp per partition. v2: isolation level. v3: no change. v4: current
// leader epoch in, leader epoch out. v5: no change. v6: flexible. v7: MAX_TIMESTAMP (-3).
// v8: EARLIEST_LOCAL_TIMESTAMP (-4). v9: LATEST_TIERED_TIMESTAMP (-5). v10: timeout_ms.
// v11: EARLIEST_PENDING_UPLOAD_TIMESTAMP (-6, KIP-1023). A special timestamp from a version
// before the one that added it, or a negative one no version defines, is UNSUPPORTED_VERSION.
// Creek has no tiered storage: the tiered lookups (-5, -6) find no offset.
import { ErrorCode } from '../../protocol/errors.js';
import type {
  ListOffsetsRequestListOffsetsPartition as PartitionIn,
  ListOffsetsRequestListOffsetsTopic as TopicIn,
  ListOffsetsResponseListOffsetsPartitionResponse as PartitionOut,
} from '../../protocol/schema/index.js';
import { decodeBatch, isLogAppendTime, splitBatches } from '../../protocol/records/index.js';
import { errorCodeOf } from '../kafka-error.js';
import type { PartitionLog, TimestampOffset } from '../log/partition-log.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;
const EARLIEST_PENDING_UPLOAD = -6;
/** The first version that knows each special timestamp (LATEST and EARLIEST are known to all). */
const SPECIAL_TIMESTAMP_SINCE = new Map([[LATEST, 0], [EARLIEST, 0], [MAX_TIMESTAMP, 7], [EARLIEST_LOCAL, 8], [LATEST_TIERED, 9], [EARLIEST_PENDING_UPLOAD, 11]]);
const READ_COMMITTED = 1;

export default defineApi({
  apiKey: 2,
  minVersion: 1,
  maxVersion: 11,
  uses: ['replicas', 'topics', 'txn'],
  async handle(req, ctx) {
    const { broker } = ctx;
    const topics = await Promise.all(
      [...byTopicPartition(req.topics)].map(async ([name, requested]) => {
        const topic = broker.topics.get(name);
        const partitions = await Promise.all(
          [...requested.values()].map(async ({ p, duplicated }): Promise<PartitionOut> => {
            const out: PartitionOut = { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, timestamp: -1, offset: -1, leaderEpoch: -1 };
            if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, name)) return { ...out, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
            if (duplicated) return { ...out, errorCode: ErrorCode.INVALID_REQUEST };
            if (p.timestamp < 0 && !(ctx.version >= (SPECIAL_TIMESTAMP_SINCE.get(p.timestamp) ?? Infinity))) return { ...out, errorCode: ErrorCode.UNSUPPORTED_VERSION };
            try {
              const partition = broker.replicas.leaderPartition(topic, p.partitionIndex, p.currentLeaderEpoch);
              const { log } = partition;
              const end = req.isolationLevel === READ_COMMITTED ? broker.txn.lastStableOffset(partition) : partition.highWatermark;
              switch (p.timestamp) {
                case LATEST:
                  return { ...out, offset: end, leaderEpoch: log.latestEpoch };
                case EARLIEST:
                case EARLIEST_LOCAL:
                  return { ...out, offset: log.logStartOffset, leaderEpoch: log.latestEpoch };
                case LATEST_TIERED:
                case EARLIEST_PENDING_UPLOAD:
                  return out;
                case MAX_TIMESTAMP: {
                  const m = await recordWithMaxTimestamp(log);
                  return m && m.offset < end ? { ...out, offset: m.offset, timestamp: m.timestamp, leaderEpoch: log.latestEpoch } : out;
                }
                default: {
                  const found = await firstRecordAtOrAfter(log, p.timestamp);
                  return found && found.offset < end ? { ...out, offset: found.offset, timestamp: found.timestamp, leaderEpoch: log.latestEpoch } : out;
                }
              }
            } catch (err) {
              return { ...out, errorCode: errorCodeOf(err) };
            }
          }),
        );
        return { name, partitions };
      }),
    );
    return { throttleTimeMs: 0, topics };
  },
});

/**
 * The request's partitions as Kafka's ReplicaManager answers them: one entry per topic-partition,
 * however often it was asked for (a topic named twice is answered once), and a partition named
 * more than once answered INVALID_REQUEST, whether the topic exists or not.
 */
function byTopicPartition(topics: readonly TopicIn[]): Map<string, Map<number, { p: PartitionIn; duplicated: boolean }>> {
  const out = new Map<string, Map<number, { p: PartitionIn; duplicated: boolean }>>();
  for (const t of topics) {
    let partitions = out.get(t.name);
    if (!partitions) out.set(t.name, (partitions = new Map()));
    for (const p of t.partitions) {
      const seen = partitions.get(p.partitionIndex);
      if (seen) seen.duplicated = true;
      else partitions.set(p.partitionIndex, { p, duplicated: false });
    }
  }
  return out;
}

/**
 * Kafka's answer to MAX_TIMESTAMP: the first record (not the batch's last offset) carrying the
 * log's largest timestamp. The log knows the batch; its records are decoded here.
 */
async function recordWithMaxTimestamp(log: PartitionLog): Promise<TimestampOffset | undefined> {
  const batchHit = await log.maxTimestampOffset();
  if (!batchHit) return undefined;
  const decoded = await batchAt(log, batchHit.offset);
  if (!decoded) return batchHit;
  const { header, records } = decoded;
  // Under LogAppendTime every record carries the batch's append time: the first one has it.
  if (isLogAppendTime(header.attributes)) return { offset: header.baseOffset, timestamp: header.maxTimestamp };
  const r = records.find((rec) => header.baseTimestamp + rec.timestampDelta === header.maxTimestamp);
  return r ? { offset: header.baseOffset + r.offsetDelta, timestamp: header.maxTimestamp } : batchHit;
}

/** The decoded batch holding `offset`, if the log still has it. */
async function batchAt(log: PartitionLog, offset: number): Promise<ReturnType<typeof decodeBatch> | undefined> {
  const read = await log.read(offset, 1, { minOneBatch: true });
  const first = splitBatches(read.chunks.length === 1 ? read.chunks[0]! : Buffer.concat(read.chunks))[0];
  return first ? decodeBatch(first) : undefined;
}

/**
 * Kafka's answer to a timestamp lookup: the first record (not batch) whose timestamp is at or
 * after `timestamp`. The log finds the batch by its max timestamp; its records are decoded here.
 */
async function firstRecordAtOrAfter(log: PartitionLog, timestamp: number): Promise<TimestampOffset | undefined> {
  const batchHit = await log.offsetForTimestamp(timestamp);
  if (!batchHit) return undefined;
  const decoded = await batchAt(log, batchHit.offset);
  if (!decoded) return batchHit;
  const { header, records } = decoded;
  // Under LogAppendTime every record carries the batch's append time.
  if (isLogAppendTime(header.attributes)) return { offset: header.baseOffset, timestamp: header.maxTimestamp };
  for (const r of records) {
    const offset = header.baseOffset + r.offsetDelta;
    const ts = header.baseTimestamp + r.timestampDelta;
    if (ts >= timestamp && offset >= batchHit.offset) return { offset, timestamp: ts };
  }
  return batchHit;
}
