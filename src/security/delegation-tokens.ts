// Delegation tokens in Creek are never enabled (no delegation.token.secret.key), so the token
// APIs answer as Kafka does then: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED on a connection that did
// not authenticate with SASL (Kafka refuses token requests on PLAINTEXT channels before anything
// else), otherwise DELEGATION_TOKEN_AUTH_DISABLED.
import { ErrorCode } from '../../protocol/errors.js';
import type { ConnectionInfo } from '../apis/api.js';

/** The expiry Kafka reports when a token request is refused before reaching the token manager. */
export const REFUSED_TIMESTAMP = -1;

/** Whether Kafka's allowTokenRequests refuses this connection (a PLAINTEXT channel). */
export function tokenRequestsRefused(connection: ConnectionInfo): boolean {
  return connection.sasl === undefined;
}

/** The error of a token request on this connection, with token authentication disabled. */
export function tokenRequestError(connection: ConnectionInfo): number {
  return tokenRequestsRefused(connection) ? ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED : ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED;
}

/** The answer to RenewDelegationToken / ExpireDelegationToken: expiry -1 when refused on the broker, 0 from the controller. */
export function tokenChangeAnswer(connection: ConnectionInfo): { errorCode: number; expiryTimestampMs: number; throttleTimeMs: number } {
  const errorCode = tokenRequestError(connection);
  return { errorCode, expiryTimestampMs: errorCode === ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED ? REFUSED_TIMESTAMP : 0, throttleTimeMs: 0 };
}

/** Splits `Type:name` (KafkaPrincipal's string form) at the first colon. */
export function splitPrincipal(principal: string): { principalType: string; principalName: string } {
  const colon = principal.indexOf(':');
  return { principalType: principal.slice(0, colon), principalName: principal.slice(colon + 1) };
}
