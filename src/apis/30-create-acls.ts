// CreateAcls (key 30), versions 1-3 (Kafka 4 dropped v0).
// v1: ACL creations (resource, pattern type, principal, host, operation, permission). v2: flexible.
// v3: user-group resource type.
// Without an authorizer Kafka answers SECURITY_DISABLED for every creation; with one the client
// needs ALTER on the cluster, each creation is validated on its own (INVALID_REQUEST), and the
// valid ones are saved before the answer and apply to the next request.
import { ErrorCode } from '../../protocol/errors.js';
import { ALTER_ACLS_NO_AUTHORIZER } from '../security/no-authorizer.js';
import { AclOperation, CLUSTER_NAME, ResourceType, invalidAclReason, type AclBinding } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 30,
  minVersion: 1,
  maxVersion: 3,
  uses: [],
  async handle(req, ctx) {
    const all = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode, errorMessage })) });
    const { authorizer } = ctx.authz;
    if (authorizer === null) return all(ErrorCode.SECURITY_DISABLED, ALTER_ACLS_NO_AUTHORIZER);
    if (!ctx.authz.allows(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const bindings: AclBinding[] = req.creations.map((c) => ({
      resourceType: c.resourceType,
      resourceName: c.resourceName,
      patternType: c.resourcePatternType,
      principal: c.principal,
      host: c.host,
      operation: c.operation,
      permissionType: c.permissionType,
    }));
    const reasons = bindings.map(invalidAclReason);
    await authorizer.createAcls(bindings.filter((_, i) => reasons[i] === null));
    ctx.log.info({ principal: ctx.connection.principal, created: reasons.filter((r) => r === null).length }, 'ACLs created');
    return {
      throttleTimeMs: 0,
      results: reasons.map((reason) => (reason === null ? { errorCode: ErrorCode.NONE, errorMessage: null } : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: reason })),
    };
  },
});
