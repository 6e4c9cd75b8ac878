// CreateDelegationToken (key 38), versions 1-3 (Kafka 4 dropped v0).
// v0: renewers and max lifetime; the token's owner, timestamps, id and HMAC. v1: same. v2:
// flexible. v3: owner principal in the request (creating for another user), token requester in
// the response.
// Token authentication is never enabled: PLAINTEXT connections get
// DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, a renewer that is not a User INVALID_PRINCIPAL_TYPE (both
// checked by Kafka's broker, timestamps -1), anything else DELEGATION_TOKEN_AUTH_DISABLED (from
// the controller, timestamps 0).
import { ErrorCode } from '../../protocol/errors.js';
import { REFUSED_TIMESTAMP, splitPrincipal, tokenRequestsRefused } from '../security/delegation-tokens.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 38,
  minVersion: 1,
  maxVersion: 3,
  uses: [],
  handle(req, ctx) {
    const requester = splitPrincipal(ctx.connection.principal);
    const owner = req.ownerPrincipalName === null || req.ownerPrincipalName === ''
      ? requester
      : { principalType: req.ownerPrincipalType ?? '', principalName: req.ownerPrincipalName };
    const answer = (errorCode: number, timestamp: number) => ({
      errorCode,
      ...owner,
      tokenRequesterPrincipalType: requester.principalType,
      tokenRequesterPrincipalName: requester.principalName,
      issueTimestampMs: timestamp,
      expiryTimestampMs: timestamp,
      maxTimestampMs: timestamp,
      tokenId: '',
      hmac: Buffer.alloc(0),
      throttleTimeMs: 0,
    });
    if (tokenRequestsRefused(ctx.connection)) return answer(ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, REFUSED_TIMESTAMP);
    if (req.renewers.some((r) => r.principalType !== 'User')) return answer(ErrorCode.INVALID_PRINCIPAL_TYPE, REFUSED_TIMESTAMP);
    return answer(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED, 0);
  },
});
