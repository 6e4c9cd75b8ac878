// JoinGroup (key 11), versions 0-9.
// v1: rebalance_timeout_ms (v0 uses the session timeout). v2: throttle time. v3: no change.
// v4: a new member must rejoin with the member id it is given (MEMBER_ID_REQUIRED, KIP-394).
// v5: group_instance_id (static membership, KIP-345). v6: flexible. v7: protocol type in the
// response, nullable protocol name. v8: reason. v9: skip_assignment for a static leader that
// rejoins without a rebalance.
import { ErrorCode } from '../../protocol/errors.js';
import { clientInfoOf } from '../groups/client-info.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 11,
  minVersion: 0,
  maxVersion: 9,
  uses: ['groups'],
  async handle(req, ctx) {
    if (!ctx.authz.allows(AclOperation.READ, ResourceType.GROUP, req.groupId)) {
      const errorCode = ErrorCode.GROUP_AUTHORIZATION_FAILED;
      return { throttleTimeMs: 0, errorCode, generationId: -1, protocolType: null, protocolName: ctx.version >= 7 ? null : '', leader: '', skipAssignment: false, memberId: '', members: [] };
    }
    const r = await ctx.broker.groups.joinGroup(req.groupId, {
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: ctx.version === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      ...clientInfoOf(ctx),
      version: ctx.version,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      protocolName: ctx.version >= 7 ? r.protocolName : (r.protocolName ?? ''),
      leader: r.leader,
      skipAssignment: r.skipAssignment,
      memberId: r.memberId,
      members: r.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
    };
  },
});
