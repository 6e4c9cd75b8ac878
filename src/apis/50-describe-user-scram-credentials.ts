// DescribeUserScramCredentials (key 50), version 0 (flexible): per user the SCRAM mechanisms it
// has credentials for, with their iterations (never salts or keys). Null or no users: every user
// with a credential. As Kafka: RESOURCE_NOT_FOUND for a user without credentials,
// DUPLICATE_RESOURCE for a user named twice.
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 50,
  minVersion: 0,
  maxVersion: 0,
  uses: ['scramCredentials'],
  handle(req, ctx) {
    const store = ctx.broker.scramCredentials;
    if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, results: [] };
    /** user → named more than once */
    const users = new Map<string, boolean>();
    if (req.users === null || req.users.length === 0) {
      for (const user of store.userNames()) users.set(user, false);
    } else {
      for (const { name } of req.users) users.set(name, users.has(name));
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      results: [...users].map(([user, duplicate]) => {
        if (duplicate) {
          return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] };
        }
        const credentialInfos = store.describe(user).map(({ mechanism, iterations }) => ({ mechanism: mechanism.type, iterations }));
        if (credentialInfos.length === 0) {
          return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos };
        }
        return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos };
      }),
    };
  },
});
