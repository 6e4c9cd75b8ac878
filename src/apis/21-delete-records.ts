// DeleteRecords (key 21), versions 0-2.
// v1: same as v0. v2: flexible. Moves each partition's log start offset up to the given offset
// (-1 = the high watermark) and answers the new low watermark.
import { ErrorCode } from '../../protocol/errors.js';
import type { DeleteRecordsResponseDeleteRecordsPartitionResult as PartitionOut } from '../../protocol/schema/index.js';
import { errorCodeOf } from '../kafka-error.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

const HIGH_WATERMARK = -1;

export default defineApi({
  apiKey: 21,
  minVersion: 0,
  maxVersion: 2,
  uses: ['replicas', 'topics'],
  async handle(req, ctx) {
    const { broker } = ctx;
    const topics = [];
    for (const t of req.topics) {
      const topic = broker.topics.get(t.name);
      const partitions: PartitionOut[] = [];
      for (const p of t.partitions) {
        const out = (errorCode: number, lowWatermark = -1): PartitionOut => ({ partitionIndex: p.partitionIndex, lowWatermark, errorCode });
        if (!ctx.authz.allows(AclOperation.DELETE, ResourceType.TOPIC, t.name)) {
          partitions.push(out(ErrorCode.TOPIC_AUTHORIZATION_FAILED));
          continue;
        }
        const partition = broker.replicas.getPartition(topic, p.partitionIndex);
        if (!topic || !partition) {
          partitions.push(out(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
          continue;
        }
        if (!partition.isLeader) {
          partitions.push(out(ErrorCode.NOT_LEADER_OR_FOLLOWER));
          continue;
        }
        if (!topic.config.delete) {
          // Kafka refuses to delete records of a topic whose cleanup.policy lacks "delete".
          partitions.push(out(ErrorCode.POLICY_VIOLATION));
          continue;
        }
        const offset = p.offset === HIGH_WATERMARK ? partition.highWatermark : p.offset;
        try {
          const lowWatermark = await partition.log.deleteRecordsBefore(offset);
          ctx.log.info({ topic: t.name, partition: p.partitionIndex, offset, lowWatermark }, 'deleted records');
          partitions.push(out(ErrorCode.NONE, lowWatermark));
        } catch (err) {
          partitions.push(out(errorCodeOf(err)));
        }
      }
      topics.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
});
