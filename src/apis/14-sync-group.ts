// SyncGroup (key 14), versions 0-5.
// v1: throttle time. v2: no change. v3: group_instance_id. v4: flexible. v5: protocol type and
// name in request (checked against the group's) and response.
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 14,
  minVersion: 0,
  maxVersion: 5,
  uses: ['groups'],
  async handle(req, ctx) {
    if (!ctx.authz.allows(AclOperation.READ, ResourceType.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    }
    const r = await ctx.broker.groups.syncGroup(req.groupId, {
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      generationId: req.generationId,
      protocolType: req.protocolType,
      protocolName: req.protocolName,
      assignments: req.assignments,
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode, protocolType: r.protocolType, protocolName: r.protocolName, assignment: r.assignment };
  },
});
