// AlterClientQuotas (key 49), versions 0-1 (KIP-546).
// v0: per entity (user, client-id, both, or ip; a null name is the default entity) quota values
// to set or remove, and validate_only. v1: flexible.
// Needs ALTER_CONFIGS on the cluster. Each entity is checked and applied on its own (Kafka's
// INVALID_REQUEST messages); changes are saved before the answer and apply to the next request.
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 49,
  minVersion: 0,
  maxVersion: 1,
  uses: ['quotas'],
  async handle(req, ctx) {
    if (!ctx.authz.allows(AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return { throttleTimeMs: 0, entries: req.entries.map((e) => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, entity: e.entity })) };
    }
    const reasons = await ctx.broker.quotas.alter(req.entries, req.validateOnly);
    if (!req.validateOnly && reasons.some((r) => r === null)) ctx.log.info({ entities: req.entries.filter((_, i) => reasons[i] === null).map((e) => e.entity) }, 'client quotas altered');
    return {
      throttleTimeMs: 0,
      entries: req.entries.map((e, i) => ({
        errorCode: reasons[i] === null ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST,
        errorMessage: reasons[i] ?? null,
        entity: e.entity,
      })),
    };
  },
});
