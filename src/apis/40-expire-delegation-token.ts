// ExpireDelegationToken (key 40), versions 1-2 (Kafka 4 dropped v0).
// v0: the token's HMAC and expiry period; the new expiry. v1: same. v2: flexible.
// Token authentication is never enabled: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED on PLAINTEXT
// connections (expiry -1), else DELEGATION_TOKEN_AUTH_DISABLED (expiry 0).
import { tokenChangeAnswer } from '../security/delegation-tokens.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 40,
  minVersion: 1,
  maxVersion: 2,
  uses: [],
  handle(_req, ctx) {
    return tokenChangeAnswer(ctx.connection);
  },
});
