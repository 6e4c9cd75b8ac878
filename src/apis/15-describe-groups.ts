// DescribeGroups (key 15), versions 0-6.
// v1: throttle time. v2: no change. v3: include_authorized_operations. v4: group_instance_id of
// members. v5: flexible. v6: GROUP_ID_NOT_FOUND (KIP-1043). An unknown group (or a
// consumer-protocol group, which ConsumerGroupDescribe describes) is reported as Dead: with no
// error before v6, with GROUP_ID_NOT_FOUND and Kafka's message from v6.
// Member metadata and assignments are shown only while the group is Stable. A group this broker
// does not coordinate (now) gets NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS.
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeGroupsResponseDescribedGroup as GroupOut } from '../../protocol/schema/index.js';
import { OPS_OMITTED } from '../groups/authorized-operations.js';
import { ClassicGroup } from '../groups/classic-group.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';


export default defineApi({
  apiKey: 15,
  minVersion: 0,
  maxVersion: 6,
  uses: ['groups'],
  handle(req, ctx) {
    const groups = req.groups.map((groupId): GroupOut => {
      if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) {
        return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: OPS_OMITTED };
      }
      const ops = req.includeAuthorizedOperations ? ctx.authz.operations(ResourceType.GROUP, groupId) : OPS_OMITTED;
      const owner = ctx.broker.groups.ownerError(groupId);
      if (owner !== ErrorCode.NONE) return { errorCode: owner, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: ops };
      const g = ctx.broker.groups.group(groupId);
      if (!(g instanceof ClassicGroup) || g.state === 'Dead') {
        const dead = { groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: ops };
        if (ctx.version < 6) return { ...dead, errorCode: ErrorCode.NONE };
        const otherKind = g !== undefined && !(g instanceof ClassicGroup) && !g.dead;
        const errorMessage = otherKind ? `Group ${groupId} is not a classic group.` : `Group ${groupId} not found.`;
        return { ...dead, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage };
      }
      const stable = g.state === 'Stable';
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: g.state,
        protocolType: g.protocolType ?? '',
        protocolData: stable ? (g.protocolName ?? '') : '',
        members: [...g.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: stable ? m.metadataFor(g.protocolName) : Buffer.alloc(0),
          memberAssignment: stable ? m.assignment : Buffer.alloc(0),
        })),
        authorizedOperations: ops,
      };
    });
    return { throttleTimeMs: 0, groups };
  },
});
