// DeleteGroups (key 42), versions 0-2.
// v1: no change. v2: flexible. Each group gets its own result: GROUP_ID_NOT_FOUND,
// NON_EMPTY_GROUP while it has members, else its offsets and metadata are deleted.
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 42,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const results = [];
    for (const groupId of req.groupsNames) results.push({ groupId, errorCode: await ctx.broker.groups.deleteGroup(groupId) });
    return { throttleTimeMs: 0, results };
  },
});
