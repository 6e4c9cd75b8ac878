// LeaveGroup (key 13), versions 0-5.
// v1: throttle time. v2: no change. v3: a batch of members, by member id or by
// group_instance_id alone (admin removal of static members, KIP-345), with an error per member.
// v4: flexible. v5: reason. Before v3 the one member's error is the response's error.
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 13,
  minVersion: 0,
  maxVersion: 5,
  uses: ['groups'],
  handle(req, ctx) {
    if (!ctx.authz.allows(AclOperation.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    const members = ctx.version >= 3 ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId })) : [{ memberId: req.memberId, groupInstanceId: null }];
    const r = ctx.broker.groups.leaveGroup(req.groupId, members);
    if (ctx.version < 3) return { throttleTimeMs: 0, errorCode: r.errorCode !== 0 ? r.errorCode : (r.members[0] ?? 0) };
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      members: r.members.map((errorCode, i) => ({ memberId: members[i]!.memberId, groupInstanceId: members[i]!.groupInstanceId, errorCode })),
    };
  },
});
