// DeleteAcls (key 31), versions 1-3 (Kafka 4 dropped v0).
// v0: ACL filters; each result lists the ACLs it matched. v1: pattern type filter. v2: flexible.
// v3: user-group resource type.
// Without an authorizer Kafka answers SECURITY_DISABLED for every filter, matching nothing.
import { ErrorCode } from '../../protocol/errors.js';
import { ALTER_ACLS_NO_AUTHORIZER } from '../security/no-authorizer.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 31,
  minVersion: 1,
  maxVersion: 3,
  handle(req) {
    return {
      throttleTimeMs: 0,
      filterResults: req.filters.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: ALTER_ACLS_NO_AUTHORIZER, matchingAcls: [] })),
    };
  },
});
