// ConsumerGroupHeartbeat (key 68), versions 0-1 (KIP-848). Joins (member epoch 0), heartbeats, and
// leaves (epoch -1, or -2 for a static member) a consumer group whose assignment the coordinator
// computes (assignors "uniform", the default, and "range"). Partitions travel by topic id.
// v1: subscribed_topic_regex (a subscription by regular expression, resolved by the coordinator;
// INVALID_REGULAR_EXPRESSION when it does not compile), and the client makes its own member id
// (KIP-1082): an empty one is INVALID_REQUEST even when joining.
import { ErrorCode } from '../../protocol/errors.js';
import { clientInfoOf } from '../groups/client-info.js';
import type { TopicPartitions } from '../groups/consumer-group.js';
import { errorCodeOf, errorMessageOf } from '../kafka-error.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 68,
  minVersion: 0,
  maxVersion: 1,
  uses: ['topics', 'groups'],
  handle(req, ctx) {
    if (!ctx.authz.allows(AclOperation.READ, ResourceType.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
    const { topics } = ctx.broker;
    let owned: TopicPartitions | null = null;
    if (req.topicPartitions !== null) {
      owned = new Map();
      for (const tp of req.topicPartitions) {
        const topic = topics.getById(tp.topicId);
        if (topic) owned.set(topic.name, new Set(tp.partitions));
      }
    }
    try {
      const r = ctx.broker.groups.consumerGroupHeartbeat(req.groupId, {
        memberId: req.memberId,
        memberEpoch: req.memberEpoch,
        instanceId: req.instanceId,
        rackId: req.rackId,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs,
        subscribedTopicNames: req.subscribedTopicNames,
        subscribedTopicRegex: req.subscribedTopicRegex,
        serverAssignor: req.serverAssignor,
        owned,
        ...clientInfoOf(ctx),
      }, ctx.version);
      const assignment =
        r.assignment === null
          ? null
          : {
              topicPartitions: [...r.assignment]
                .filter(([name, ps]) => ps.size > 0 && topics.get(name))
                .map(([name, ps]) => ({ topicId: topics.get(name)!.id, partitions: [...ps].sort((a, b) => a - b) })),
            };
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, memberId: r.memberId, memberEpoch: r.memberEpoch, heartbeatIntervalMs: r.heartbeatIntervalMs, assignment };
    } catch (err) {
      const errorCode = errorCodeOf(err);
      if (errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) ctx.log.error({ err }, 'consumer group heartbeat failed');
      return { throttleTimeMs: 0, errorCode, errorMessage: errorMessageOf(err), memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
  },
});
