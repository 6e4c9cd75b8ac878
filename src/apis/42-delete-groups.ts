// DeleteGroups (key 42), versions 0-3.
// v1: no change. v2: flexible. v3: an error message per group, which Kafka 4.4 leaves null for
// every error Creek can answer (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, ...). Each group gets its own result: GROUP_ID_NOT_FOUND,
// NON_EMPTY_GROUP while it has members, else its offsets and metadata are deleted.
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 42,
  minVersion: 0,
  maxVersion: 3,
  uses: ['groups'],
  async handle(req, ctx) {
    const results = [];
    for (const groupId of req.groupsNames) {
      const allowed = ctx.authz.allows(AclOperation.DELETE, ResourceType.GROUP, groupId);
      results.push({ groupId, errorCode: allowed ? await ctx.broker.groups.deleteGroup(groupId) : ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null });
    }
    return { throttleTimeMs: 0, results };
  },
});
