// Heartbeat (key 12), versions 0-4.
// v1: throttle time. v2: no change. v3: group_instance_id. v4: flexible.
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 12,
  minVersion: 0,
  maxVersion: 4,
  uses: ['groups'],
  handle(req, ctx) {
    if (!ctx.authz.allows(AclOperation.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    return { throttleTimeMs: 0, errorCode: ctx.broker.groups.heartbeat(req.groupId, req.memberId, req.groupInstanceId, req.generationId) };
  },
});
