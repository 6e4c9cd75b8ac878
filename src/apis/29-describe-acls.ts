// DescribeAcls (key 29), versions 1-3 (Kafka 4 dropped v0).
// v0: resource type/name, principal, host, operation and permission filters. v1: pattern type
// filter (prefixed ACLs). v2: flexible. v3: user-group resource type.
// Without an authorizer Kafka answers SECURITY_DISABLED for the whole request.
import { ErrorCode } from '../../protocol/errors.js';
import { DESCRIBE_ACLS_NO_AUTHORIZER } from '../security/no-authorizer.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 29,
  minVersion: 1,
  maxVersion: 3,
  handle() {
    return { throttleTimeMs: 0, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: DESCRIBE_ACLS_NO_AUTHORIZER, resources: [] };
  },
});
