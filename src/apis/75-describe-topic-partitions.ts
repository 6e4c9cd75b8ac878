// DescribeTopicPartitions (key 75), version 0 (KIP-966): topic and partition metadata paged by
// partition count. Topics are answered in name order from the cursor (topic, first partition) on,
// at most response_partition_limit partitions (capped at 2000, Kafka's
// max.request.partition.size.limit); next_cursor says where the next page starts. An empty topic
// list means every topic.
import { ErrorCode } from '../../protocol/errors.js';
import type {
  DescribeTopicPartitionsResponse as Response,
  DescribeTopicPartitionsResponseDescribeTopicPartitionsResponseTopic as TopicOut,
} from '../../protocol/schema/index.js';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { invalidTopicNameReason, isInternalTopic } from '../topics/topic-names.js';
import { describePartition } from '../cluster/cluster-view.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { allOperationsBits } from '../security/authorizer/acl-authorizer.js';
import { defineApi } from './api.js';

const MAX_PARTITIONS_PER_RESPONSE = 2000;
const ALL_TOPIC_OPS = allOperationsBits(ResourceType.TOPIC);

function unknown(name: string, errorCode: number): TopicOut {
  return { errorCode, name, topicId: ZERO_UUID, isInternal: isInternalTopic(name), partitions: [], topicAuthorizedOperations: ALL_TOPIC_OPS };
}

export default defineApi({
  apiKey: 75,
  minVersion: 0,
  maxVersion: 0,
  uses: ['cluster', 'topics'],
  handle(req, ctx) {
    const { broker } = ctx;
    const all = req.topics.length === 0;
    const cursor = req.cursor;
    const from = cursor?.topicName ?? '';
    const names = [...new Set(all ? broker.topics.list().map((t) => t.name) : req.topics.map((t) => t.name))]
      .filter((name) => name >= from)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

    // Kafka answers a bad cursor with INVALID_REQUEST for every requested topic, without a message.
    const invalid = (reason: string): Response => {
      ctx.log.info({ reason }, 'refusing DescribeTopicPartitions');
      const topics = req.topics.map((t) => ({ ...unknown(t.name, ErrorCode.INVALID_REQUEST), isInternal: false }));
      return { throttleTimeMs: 0, topics, nextCursor: null };
    };
    if (cursor && !all && !names.includes(cursor.topicName)) {
      return invalid(`DescribeTopicPartitionsRequest topic list should contain the cursor topic: ${cursor.topicName}`);
    }
    if (cursor && cursor.partitionIndex < 0) return invalid('DescribeTopicPartitionsRequest cursor partition must be valid');

    let remaining = Math.max(Math.min(MAX_PARTITIONS_PER_RESPONSE, req.responsePartitionLimit), 1);
    const topics: TopicOut[] = [];
    let nextCursor: Response['nextCursor'] = null;
    for (const name of names) {
      if (remaining === 0) {
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      // Topics the client may not describe are left out of "every topic" and refused when named.
      if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
        if (!all) topics.push(unknown(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        continue;
      }
      const topic = broker.topics.get(name);
      if (!topic) {
        if (!all) {
          topics.push(unknown(name, invalidTopicNameReason(name) ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        }
        continue;
      }
      const start = name === cursor?.topicName ? cursor.partitionIndex : 0;
      const end = Math.min(topic.partitions.length, start + remaining);
      const partitions = [];
      for (let p = start; p < end; p++) {
        partitions.push({ partitionIndex: p, ...describePartition(broker.cluster, name, p, ctx.connection.listenerName), eligibleLeaderReplicas: [], lastKnownElr: [] });
      }
      topics.push({ errorCode: ErrorCode.NONE, name, topicId: topic.id, isInternal: topic.internal, partitions, topicAuthorizedOperations: ctx.authz.operations(ResourceType.TOPIC, name) });
      if (end < topic.partitions.length) {
        nextCursor = { topicName: name, partitionIndex: end };
        break;
      }
      remaining -= partitions.length;
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
});
