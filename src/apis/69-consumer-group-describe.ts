// ConsumerGroupDescribe (key 69), versions 0-1 (KIP-848): consumer-protocol groups with their
// epochs, assignor and members (current and target assignments by topic id and name).
// GROUP_ID_NOT_FOUND for unknown groups and for classic groups; NOT_COORDINATOR or
// COORDINATOR_LOAD_IN_PROGRESS for a group this broker does not coordinate (now). v1: member_type
// (KIP-1099), 1 (consumer) for every member: classic members do not join a consumer-protocol group in Creek.
import { ErrorCode } from '../../protocol/errors.js';
import type { ConsumerGroupDescribeResponseDescribedGroup as GroupOut } from '../../protocol/schema/index.js';
import { OPS_OMITTED } from '../groups/authorized-operations.js';
import { ConsumerGroup, type TopicPartitions } from '../groups/consumer-group.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

const CONSUMER_MEMBER = 1;

export default defineApi({
  apiKey: 69,
  minVersion: 0,
  maxVersion: 1,
  uses: ['topics', 'groups'],
  handle(req, ctx) {
    const { topics } = ctx.broker;
    const describe = (tps: TopicPartitions) => ({
      topicPartitions: [...tps]
        .filter(([name, ps]) => ps.size > 0 && topics.get(name))
        .map(([name, ps]) => ({ topicId: topics.get(name)!.id, topicName: name, partitions: [...ps].sort((a, b) => a - b) })),
    });
    const groups = req.groupIds.map((groupId): GroupOut => {
      const g = ctx.broker.groups.group(groupId);
      const base = { groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: OPS_OMITTED };
      if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) return { ...base, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null };
      const owner = ctx.broker.groups.ownerError(groupId);
      if (owner !== ErrorCode.NONE) return { ...base, errorCode: owner, errorMessage: null };
      if (!g) return { ...base, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.` };
      if (!(g instanceof ConsumerGroup)) return { ...base, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a consumer group.` };
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        groupId,
        groupState: g.state,
        groupEpoch: g.groupEpoch,
        assignmentEpoch: g.assignmentEpoch,
        assignorName: g.assignor.name,
        members: [...g.members.values()].map((m) => ({
          memberId: m.memberId,
          instanceId: m.instanceId,
          rackId: m.rackId,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: m.subscribedTopicNames,
          subscribedTopicRegex: m.subscribedTopicRegex,
          assignment: describe(m.assigned),
          targetAssignment: describe(g.targetOf(m.memberId)),
          memberType: CONSUMER_MEMBER,
        })),
        authorizedOperations: req.includeAuthorizedOperations ? ctx.authz.operations(ResourceType.GROUP, groupId) : OPS_OMITTED,
      };
    });
    return { throttleTimeMs: 0, groups };
  },
});
