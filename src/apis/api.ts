// What an API handler is: the versions it serves and one function from a typed request to a
// typed response. ApiVersions advertises exactly the registered handlers' ranges.
import type { Logger } from 'pino';
import type { AnyApiKey, RequestOf, ResponseOf } from '../../protocol/codec/messages.js';
import type { RequestHeader } from '../../protocol/codec/headers.js';
import type { Broker } from '../broker.js';
import type { SaslAuthenticator } from '../security/sasl-authenticator.js';
import type { RequestAuthorization } from '../security/authorizer/request-authorization.js';

export interface ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  /** The listener the client came in on (its advertised address is the one the client is given). */
  readonly listenerName: string;
  clientId: string | null;
  /** Software name/version from ApiVersions v3+. */
  clientSoftware?: string;
  /** Aborted when the connection closes (ends long polls early). */
  readonly closed: AbortSignal;
  /** Who the client is: `User:<name>` once SASL-authenticated, `User:<certificate subject>` with a TLS client certificate, else `User:ANONYMOUS`. */
  principal: string;
  /** The SASL state on a SASL listener; absent on a PLAINTEXT one. */
  readonly sasl?: SaslAuthenticator;
}

export interface RequestContext {
  readonly broker: Broker;
  readonly header: RequestHeader;
  readonly version: number;
  readonly connection: ConnectionInfo;
  readonly log: Logger;
  /** Bytes of the request as received (what produce quotas count). */
  readonly requestBytes: number;
  /** ACL checks for this request's client (always allowed without an authorizer). */
  readonly authz: RequestAuthorization;
}

/** A response, or NO_RESPONSE when Kafka sends none (produce with acks=0). */
export const NO_RESPONSE = Symbol('no response');

export interface ApiHandler<K extends AnyApiKey = AnyApiKey> {
  readonly apiKey: K;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(request: RequestOf<K>, ctx: RequestContext): ResponseOf<K> | typeof NO_RESPONSE | Promise<ResponseOf<K> | typeof NO_RESPONSE>;
}

export function defineApi<K extends AnyApiKey>(handler: ApiHandler<K>): ApiHandler<K> {
  return handler;
}
