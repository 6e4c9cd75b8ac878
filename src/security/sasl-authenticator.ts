// The SASL state of one connection on a SASL listener, as Kafka's SaslServerAuthenticator keeps
// it: before the handshake only ApiVersions and SaslHandshake are accepted; after a v1 handshake
// only SaslAuthenticate (tokens framed as SaslAuthenticate requests), after a v0 handshake raw
// tokens (each frame is a bare SASL token, answered with a size-prefixed token: Kafka's legacy
// flow, still used by older clients such as kafka-python 2.0); once the mechanism completes,
// every API. A refused mechanism or failed authentication is answered (a failed raw token has no
// answer) and then the connection closes.
import { ErrorCode } from '../../protocol/errors.js';
import { PlainServer } from './plain.js';
import type { SaslConfig } from './sasl-config.js';
import { SaslFailure } from './sasl-failure.js';
import type { ScramCredentialStore } from './scram-credentials.js';
import { ScramServer, scramMechanismByName } from './scram.js';

export const API_VERSIONS_KEY = 18;
export const SASL_HANDSHAKE_KEY = 17;
export const SASL_AUTHENTICATE_KEY = 36;

/** The principal of a connection that has not authenticated (or needs not). */
export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';

interface MechanismServer {
  evaluate(token: Buffer): Buffer;
  readonly username: string | undefined;
}

export interface SaslAuthenticateResult {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  /** Why authentication failed, for the broker's log (may say more than the client is told). */
  reason?: string;
}

export class SaslAuthenticator {
  private state: 'handshake' | 'authenticate' | 'rawTokens' | 'complete' | 'failed' = 'handshake';
  private mechanism: string | undefined;
  private server: MechanismServer | undefined;

  constructor(
    private readonly config: SaslConfig,
    private readonly scramCredentials: ScramCredentialStore,
  ) {}

  get authenticated(): boolean {
    return this.state === 'complete';
  }

  /** The exchange failed: the connection closes once the response is written. */
  get failed(): boolean {
    return this.state === 'failed';
  }

  /** `User:<name>` once authenticated. */
  get principal(): string | undefined {
    const user = this.server?.username;
    return this.authenticated && user !== undefined ? `User:${user}` : undefined;
  }

  /** After a SaslHandshake v0: the next frames are raw SASL tokens, not requests. */
  get expectsRawTokens(): boolean {
    return this.state === 'rawTokens';
  }

  /** Whether a request with this API key may be handled in the current state. */
  accepts(apiKey: number): boolean {
    switch (this.state) {
      case 'handshake':
        return apiKey === API_VERSIONS_KEY || apiKey === SASL_HANDSHAKE_KEY;
      case 'authenticate':
        return apiKey === SASL_AUTHENTICATE_KEY;
      case 'rawTokens':
        return false;
      case 'complete':
        return true;
      case 'failed':
        return false;
    }
  }

  /**
   * Answers SaslHandshake before authentication: the mechanism is enabled, or the connection fails.
   * `version` 0 makes the tokens that follow raw frames, 1 SaslAuthenticate requests.
   */
  handshake(mechanism: string, version: number): { errorCode: number; mechanisms: string[] } {
    const mechanisms = [...this.config.mechanisms];
    if (!mechanisms.includes(mechanism)) {
      this.state = 'failed';
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    }
    const scram = scramMechanismByName(mechanism);
    this.server = scram === undefined
      ? new PlainServer(this.config.plainUsers)
      : new ScramServer(scram, (user) => this.scramCredentials.get(user, scram));
    this.mechanism = mechanism;
    this.state = version === 0 ? 'rawTokens' : 'authenticate';
    return { errorCode: ErrorCode.NONE, mechanisms };
  }

  /** Answers one token (of a SaslAuthenticate request, or raw) of the exchange begun by the handshake. */
  authenticate(token: Buffer): SaslAuthenticateResult {
    const server = this.server!;
    try {
      const authBytes = server.evaluate(token);
      if (server.username !== undefined) this.state = 'complete';
      return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes };
    } catch (err) {
      if (!(err instanceof SaslFailure)) throw err;
      this.state = 'failed';
      const errorMessage = err.visible
        ? err.message
        : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`;
      return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage, authBytes: Buffer.alloc(0), reason: err.message };
    }
  }
}
