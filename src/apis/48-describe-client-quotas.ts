// DescribeClientQuotas (key 48), versions 0-1 (KIP-546).
// v0: filter components (entity type with EXACT, DEFAULT or SPECIFIED match) and strict; the
// matching entities with their quota values. v1: flexible.
// Needs DESCRIBE_CONFIGS on the cluster. A bad filter answers INVALID_REQUEST (an unknown entity
// type UNSUPPORTED_VERSION) with null entries, as Kafka does.
import { ErrorCode } from '../../protocol/errors.js';
import { QuotaRequestError } from '../quotas/client-quotas.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 48,
  minVersion: 0,
  maxVersion: 1,
  uses: ['quotas'],
  handle(req, ctx) {
    const failed = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, errorCode, errorMessage, entries: null });
    if (!ctx.authz.allows(AclOperation.DESCRIBE_CONFIGS, ResourceType.CLUSTER, CLUSTER_NAME)) return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    try {
      const entries = ctx.broker.quotas.describe(req.components, req.strict).map(({ entity, values }) => ({
        entity: [...entity].map(([entityType, entityName]) => ({ entityType, entityName })),
        values: [...values].map(([key, value]) => ({ key, value })),
      }));
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries };
    } catch (err) {
      if (!(err instanceof QuotaRequestError)) throw err;
      return failed(ErrorCode[err.code], err.message);
    }
  },
});
