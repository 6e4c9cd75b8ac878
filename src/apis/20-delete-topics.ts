// DeleteTopics (key 20), versions 1-6 (Kafka 4 removed v0).
// v1: throttle time. v2: no change. v3: TOPIC_DELETION_DISABLED instead of INVALID_REQUEST when
// delete.topic.enable=false. v4: flexible. v5: error_message. v6: topics named by name or by id.
import { ErrorCode } from '../../protocol/errors.js';
import type { DeleteTopicsResponseDeletableTopicResult as Result } from '../../protocol/schema/index.js';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { failure } from '../admin/failure.js';
import type { Topic } from '../topics/topic-registry.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

const result = (name: string | null, topicId: string, errorCode: number, errorMessage: string | null = null): Result => ({
  name,
  topicId,
  errorCode,
  errorMessage,
});

export default defineApi({
  apiKey: 20,
  minVersion: 1,
  maxVersion: 6,
  uses: ['config', 'topics', 'quotaMeter'],
  async handle(req, ctx) {
    const { broker, version } = ctx;
    // Before v6 the names come in topic_names; v6 names each topic by name or by id.
    const requested = version >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));

    if (!broker.config.deleteTopicEnable) {
      const code = version < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED;
      return { throttleTimeMs: 0, responses: requested.map((t) => result(t.name, t.topicId, code)) };
    }

    const responses: Result[] = [];
    const count = (key: string): number => requested.filter((t) => (t.name ?? `#${t.topicId}`) === key).length;
    const reported = new Set<string>();
    const toDelete = new Map<string, Topic>();
    for (const t of requested) {
      const byId = t.topicId !== ZERO_UUID;
      if (t.name === null && !byId) {
        responses.push(result(null, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'));
        continue;
      }
      if (t.name !== null && byId) {
        responses.push(result(t.name, t.topicId, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'));
        continue;
      }
      const key = t.name ?? `#${t.topicId}`;
      if (count(key) > 1) {
        if (!reported.has(key)) {
          reported.add(key);
          responses.push(t.name === null
            ? result(null, t.topicId, ErrorCode.INVALID_REQUEST, 'Duplicate topic id.')
            : result(t.name, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'));
        }
        continue;
      }
      // A name the client may not describe is not told to exist or not.
      if (t.name !== null && !ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name)) {
        responses.push(result(t.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'));
        continue;
      }
      const topic = t.name === null ? broker.topics.getById(t.topicId) : broker.topics.get(t.name);
      if (!topic) {
        responses.push(t.name === null
          ? result(null, t.topicId, ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.')
          : result(t.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        continue;
      }
      if (!ctx.authz.allows(AclOperation.DELETE, ResourceType.TOPIC, topic.name)) {
        responses.push(result(t.name, t.topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'));
        continue;
      }
      if (toDelete.has(topic.id)) {
        responses.push(result(topic.name, topic.id, ErrorCode.INVALID_REQUEST, 'The provided topic name maps to an ID that was already supplied.'));
        toDelete.delete(topic.id);
        continue;
      }
      toDelete.set(topic.id, topic);
    }
    // KIP-599: from v5 a topic over controller_mutation_rate fails with THROTTLING_QUOTA_EXCEEDED.
    const mutations = broker.quotaMeter.mutations(ctx.connection, ctx.version >= 5);
    for (const topic of toDelete.values()) {
      try {
        mutations.record(topic.partitions.length);
        await broker.topics.delete(topic.name);
        responses.push(result(topic.name, topic.id, ErrorCode.NONE));
      } catch (err) {
        responses.push({ name: topic.name, topicId: topic.id, ...failure(err, ctx.log, { topic: topic.name }) });
      }
    }
    return { throttleTimeMs: mutations.throttleTimeMs, responses };
  },
});
