// DescribeAcls (key 29), versions 1-3 (Kafka 4 dropped v0).
// v1: resource type/name, pattern type (LITERAL, PREFIXED; ANY and MATCH in filters), principal,
// host, operation and permission filters. v2: flexible. v3: user-group resource type.
// Without an authorizer Kafka answers SECURITY_DISABLED; with one the client needs DESCRIBE on the
// cluster, and the ACLs the filter matches come back grouped by resource pattern.
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeAclsResponseDescribeAclsResource as ResourceOut } from '../../protocol/schema/index.js';
import { DESCRIBE_ACLS_NO_AUTHORIZER } from '../security/no-authorizer.js';
import { AclOperation, CLUSTER_NAME, ResourceType, filterIsUnknown } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 29,
  minVersion: 1,
  maxVersion: 3,
  uses: [],
  handle(req, ctx) {
    const failed = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });
    const { authorizer } = ctx.authz;
    if (authorizer === null) return failed(ErrorCode.SECURITY_DISABLED, DESCRIBE_ACLS_NO_AUTHORIZER);
    if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const filter = {
      resourceType: req.resourceTypeFilter,
      resourceName: req.resourceNameFilter,
      patternType: req.patternTypeFilter,
      principal: req.principalFilter,
      host: req.hostFilter,
      operation: req.operation,
      permissionType: req.permissionType,
    };
    if (filterIsUnknown(filter)) return failed(ErrorCode.INVALID_REQUEST, 'The filter has UNKNOWN elements');
    const resources = new Map<string, ResourceOut>();
    for (const acl of authorizer.acls(filter)) {
      const key = JSON.stringify([acl.resourceType, acl.resourceName, acl.patternType]);
      let resource = resources.get(key);
      if (resource === undefined) {
        resource = { resourceType: acl.resourceType, resourceName: acl.resourceName, patternType: acl.patternType, acls: [] };
        resources.set(key, resource);
      }
      resource.acls.push({ principal: acl.principal, host: acl.host, operation: acl.operation, permissionType: acl.permissionType });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...resources.values()] };
  },
});
