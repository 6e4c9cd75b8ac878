// SaslAuthenticate (key 36), versions 0-2.
// v0: one SASL token each way, with error code and message. v1: session_lifetime_ms (0: Creek
// does not expire sessions, as Kafka with connections.max.reauth.ms=0). v2: flexible.
// On a SASL listener after SaslHandshake: the mechanism's next step; a failure answers
// SASL_AUTHENTICATION_FAILED and the connection closes. On a PLAINTEXT listener or after
// authentication Kafka's request handler answers ILLEGAL_SASL_STATE.
import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 36,
  minVersion: 0,
  maxVersion: 2,
  uses: [],
  handle(req, ctx) {
    const sasl = ctx.connection.sasl;
    if (sasl === undefined || sasl.authenticated) {
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: 'SaslAuthenticate request received after successful authentication',
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0,
      };
    }
    const { reason, ...result } = sasl.authenticate(req.authBytes);
    const principal = sasl.principal;
    if (principal !== undefined) {
      ctx.connection.principal = principal;
      ctx.log.info({ principal }, 'SASL authentication succeeded');
    } else if (reason !== undefined) {
      ctx.log.info({ reason }, 'SASL authentication failed; closing connection');
    }
    return { ...result, sessionLifetimeMs: 0 };
  },
});
