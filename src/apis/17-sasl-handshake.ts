// SaslHandshake (key 17), versions 0-1.
// v0: the mechanism, answered with the enabled mechanisms; the next frames are raw SASL tokens
// (src/server/connection.ts passes them to the authenticator). v1: the same, after which tokens
// travel in SaslAuthenticate requests.
// On a SASL listener before authentication: NONE, or UNSUPPORTED_SASL_MECHANISM and the
// connection closes. On a PLAINTEXT listener or after authentication Kafka's request handler
// answers ILLEGAL_SASL_STATE with no mechanisms.
import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 17,
  minVersion: 0,
  maxVersion: 1,
  uses: [],
  handle(req, ctx) {
    const sasl = ctx.connection.sasl;
    if (sasl === undefined || sasl.authenticated) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    const response = sasl.handshake(req.mechanism, ctx.version);
    if (response.errorCode !== ErrorCode.NONE) ctx.log.info({ mechanism: req.mechanism }, 'SASL mechanism not enabled; closing connection');
    return response;
  },
});
