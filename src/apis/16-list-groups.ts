// ListGroups (key 16), versions 0-5.
// v1: throttle time. v2: no change. v3: flexible. v4: states filter and group state (KIP-518).
// v5: types filter and group type, "classic" or "consumer" (KIP-848). Filters match
// case-insensitively; an empty filter matches every group.
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 16,
  minVersion: 0,
  maxVersion: 5,
  uses: ['groups'],
  handle(req, ctx) {
    const states = new Set(req.statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(req.typesFilter.map((s) => s.toLowerCase()));
    // DESCRIBE on the cluster shows every group; otherwise those the client may describe.
    const everyGroup = ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME);
    const visible = (groupId: string): boolean => everyGroup || ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.GROUP, groupId);
    const groups = ctx.broker.groups
      .listGroups()
      .filter((g) => visible(g.groupId) && (states.size === 0 || states.has(g.state.toLowerCase())) && (types.size === 0 || types.has(g.type)))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: g.type }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
  },
});
