// DescribeDelegationToken (key 41), versions 1-3 (Kafka 4 dropped v0).
// v0: owners to describe (null: all); the tokens with renewers. v1: same. v2: flexible. v3: token
// requester in the response.
// Token authentication is never enabled: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED on PLAINTEXT
// connections, else DELEGATION_TOKEN_AUTH_DISABLED; no tokens either way.
import { tokenRequestError } from '../security/delegation-tokens.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 41,
  minVersion: 1,
  maxVersion: 3,
  uses: [],
  handle(_req, ctx) {
    return { errorCode: tokenRequestError(ctx.connection), tokens: [], throttleTimeMs: 0 };
  },
});
