// StreamsGroupDescribe (key 89), versions 0-1 (KIP-1071): streams groups with their epochs,
// topology and members (current and target task assignments). v1: include_topology_description
// (KIP-1331) and the assignor's name; Creek stores no topology descriptions, so a request for one
// gets status 1 (NOT_STORED). GROUP_ID_NOT_FOUND for unknown groups and for other group types;
// NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS for a group this broker does not coordinate (now).
import { ErrorCode } from '../../protocol/errors.js';
import type { StreamsGroupDescribeResponseDescribedGroup as GroupOut } from '../../protocol/schema/index.js';
import { OPS_OMITTED } from '../groups/authorized-operations.js';
import type { Tasks, TasksTuple } from '../groups/streams-assignor.js';
import { StreamsGroup } from '../groups/streams-group.js';
import type { StreamsTopicInfo } from '../groups/streams-topology.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

const NOT_REQUESTED = 0;
const NOT_STORED = 1;

const taskIds = (tasks: Tasks) =>
  [...tasks].filter(([, ps]) => ps.size > 0).map(([subtopologyId, ps]) => ({ subtopologyId, partitions: [...ps].sort((a, b) => a - b) }));
const assignment = (t: TasksTuple) => ({ activeTasks: taskIds(t.active), standbyTasks: taskIds(t.standby), warmupTasks: taskIds(t.warmup) });
const topicInfo = (i: StreamsTopicInfo) => ({ name: i.name, partitions: i.partitions, replicationFactor: i.replicationFactor, topicConfigs: i.configs.map(([key, value]) => ({ key, value })) });

export default defineApi({
  apiKey: 89,
  minVersion: 0,
  maxVersion: 1,
  uses: ['groups'],
  handle(req, ctx) {
    const groups = req.groupIds.map((groupId): GroupOut => {
      const base = { groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, topology: null, members: [], authorizedOperations: OPS_OMITTED, assignorName: null };
      if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) return { ...base, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null };
      const owner = ctx.broker.groups.ownerError(groupId);
      if (owner !== ErrorCode.NONE) return { ...base, errorCode: owner, errorMessage: null };
      const g = ctx.broker.groups.group(groupId);
      if (!g) return { ...base, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.` };
      if (!(g instanceof StreamsGroup)) return { ...base, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a streams group.` };
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        groupId,
        groupState: g.state,
        groupEpoch: g.groupEpoch,
        assignmentEpoch: g.assignmentEpoch,
        topology:
          g.topology === null
            ? null
            : {
                epoch: g.topology.epoch,
                subtopologies: g.topology.subtopologies.map((s) => ({
                  subtopologyId: s.subtopologyId,
                  sourceTopics: s.sourceTopics,
                  repartitionSinkTopics: s.repartitionSinkTopics,
                  stateChangelogTopics: s.stateChangelogTopics.map(topicInfo),
                  repartitionSourceTopics: s.repartitionSourceTopics.map(topicInfo),
                })),
              },
        members: [...g.members.values()].map((m) => ({
          memberId: m.memberId,
          memberEpoch: m.memberEpoch,
          instanceId: m.instanceId,
          rackId: m.rackId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          topologyEpoch: m.topologyEpoch,
          processId: m.processId,
          userEndpoint: m.userEndpoint,
          clientTags: m.clientTags.map(([key, value]) => ({ key, value })),
          taskOffsets: m.taskOffsets,
          taskEndOffsets: m.taskEndOffsets,
          assignment: assignment(m.assigned),
          targetAssignment: assignment(g.targetOf(m.memberId)),
          isClassic: false,
        })),
        authorizedOperations: req.includeAuthorizedOperations ? ctx.authz.operations(ResourceType.GROUP, groupId) : OPS_OMITTED,
        topologyDescription: null,
        topologyDescriptionStatus: req.includeTopologyDescription ? NOT_STORED : NOT_REQUESTED,
        assignorName: g.assignorName,
      };
    });
    return { throttleTimeMs: 0, groups };
  },
});
