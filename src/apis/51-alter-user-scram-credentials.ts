// AlterUserScramCredentials (key 51), version 0 (flexible): SCRAM credential deletions (user +
// mechanism) and upsertions (user, mechanism, iterations, salt, salted password computed by the
// client). Accepted changes are stored durably before the answer (scram-credentials.json in the
// data dir) and take effect for the next SCRAM authentication.
import { ErrorCode } from '../../protocol/errors.js';
import { planScramAlterations } from '../security/scram-alterations.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 51,
  minVersion: 0,
  maxVersion: 0,
  uses: ['scramCredentials'],
  async handle(req, ctx) {
    const store = ctx.broker.scramCredentials;
    if (!ctx.authz.allows(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      const users = [...new Set([...req.deletions, ...req.upsertions].map((c) => c.name))];
      return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null })) };
    }
    const { changes, results } = planScramAlterations(req, store);
    await store.apply(changes);
    if (changes.length > 0) ctx.log.info({ users: changes.map((c) => `${c.user}/${c.mechanism.name}${c.credential ? '' : ' (deleted)'}`) }, 'SCRAM credentials altered');
    return { throttleTimeMs: 0, results };
  },
});
