// DeleteAcls (key 31), versions 1-3 (Kafka 4 dropped v0).
// v1: ACL filters with pattern type (LITERAL, PREFIXED, ANY, MATCH); each result lists the ACLs it
// matched. v2: flexible. v3: user-group resource type.
// Without an authorizer Kafka answers SECURITY_DISABLED for every filter, matching nothing; with
// one the client needs ALTER on the cluster, a filter with UNKNOWN elements is an INVALID_REQUEST,
// and the matched ACLs are removed (and saved) before the answer.
import { ErrorCode } from '../../protocol/errors.js';
import { ALTER_ACLS_NO_AUTHORIZER } from '../security/no-authorizer.js';
import { AclOperation, CLUSTER_NAME, PatternType, PermissionType, ResourceType, normalizeFilter, type AclBindingFilter } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 31,
  minVersion: 1,
  maxVersion: 3,
  uses: [],
  async handle(req, ctx) {
    const all = (errorCode: number, errorMessage: string | null) => ({
      throttleTimeMs: 0,
      filterResults: req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
    });
    const { authorizer } = ctx.authz;
    if (authorizer === null) return all(ErrorCode.SECURITY_DISABLED, ALTER_ACLS_NO_AUTHORIZER);
    if (!ctx.authz.allows(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const filters: AclBindingFilter[] = req.filters.map((f) =>
      normalizeFilter({
        resourceType: f.resourceTypeFilter,
        resourceName: f.resourceNameFilter,
        patternType: f.patternTypeFilter,
        principal: f.principalFilter,
        host: f.hostFilter,
        operation: f.operation,
        permissionType: f.permissionType,
      }),
    );
    // AclControlManager.validateFilter: the pattern part first, then the entry part.
    const invalid = filters.map((f) =>
      f.resourceType === ResourceType.UNKNOWN || f.patternType === PatternType.UNKNOWN
        ? 'Unknown patternFilter.'
        : f.operation === AclOperation.UNKNOWN || f.permissionType === PermissionType.UNKNOWN
          ? 'Unknown entryFilter.'
          : null,
    );
    const removed = await authorizer.deleteAcls(filters.filter((_, i) => invalid[i] === null));
    let next = 0;
    const filterResults = invalid.map((reason) => {
      if (reason !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: reason, matchingAcls: [] };
      const matchingAcls = removed[next++]!.map((acl) => ({ errorCode: ErrorCode.NONE, errorMessage: null, ...acl }));
      return { errorCode: ErrorCode.NONE, errorMessage: null, matchingAcls };
    });
    if (removed.some((r) => r.length > 0)) ctx.log.info({ principal: ctx.connection.principal, deleted: removed.flat().length }, 'ACLs deleted');
    return { throttleTimeMs: 0, filterResults };
  },
});
