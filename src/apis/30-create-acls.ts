// CreateAcls (key 30), versions 1-3 (Kafka 4 dropped v0).
// v0: ACL creations (resource, principal, host, operation, permission). v1: resource pattern
// type. v2: flexible. v3: user-group resource type.
// Without an authorizer Kafka answers SECURITY_DISABLED for every creation.
import { ErrorCode } from '../../protocol/errors.js';
import { ALTER_ACLS_NO_AUTHORIZER } from '../security/no-authorizer.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 30,
  minVersion: 1,
  maxVersion: 3,
  handle(req) {
    return {
      throttleTimeMs: 0,
      results: req.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: ALTER_ACLS_NO_AUTHORIZER })),
    };
  },
});
