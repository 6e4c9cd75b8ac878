// Failed authentication between brokers: the peer refused this broker's SASL login, or the TLS
// handshake failed (this broker did not trust the peer's certificate, or the peer refused this
// one's). Like Kafka's AuthenticationException (SaslAuthenticationException,
// SslAuthenticationException) neither heals by retrying, so whoever opened the connection says
// so in a warning naming the peer and the reason, at most once per peer per interval (then with how
// many more failures there were), while its other failures (a peer restarting, a dropped
// connection) are retried quietly.
import type { Logger } from 'pino';
import { EventThrottle } from '../event-throttle.js';

export class InterBrokerAuthFailure extends Error {
  override readonly name = 'InterBrokerAuthFailure';

  constructor(
    message: string,
    /** Which layer failed: the SASL exchange or the TLS handshake. */
    readonly layer: 'sasl' | 'tls',
  ) {
    super(message);
  }
}

/** Node's codes for a TLS handshake that failed: a certificate this side refused, or an alert the peer sent. */
const TLS_HANDSHAKE_CODE = /^(ERR_SSL_|ERR_TLS_CERT_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/** `err` as an InterBrokerAuthFailure when it is a failed TLS handshake with `peer` (host:port), else unchanged. */
export function asTlsFailure(err: Error, peer: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || !TLS_HANDSHAKE_CODE.test(code)) return err;
  return new InterBrokerAuthFailure(`TLS handshake with ${peer} failed: ${err.message} (${code})`, 'tls');
}

/** A peer's authentication failures are warned about at most once in this time. */
const WARNING_INTERVAL_MS = 60_000;

/** What the failure stops, for the warning: e.g. the leader, and "replication from it stops". */
export interface AuthFailureContext {
  /** The peer as the message names it ("the leader", "broker 2"). */
  peer: string;
  /** What does not happen until the settings are fixed. */
  consequence: string;
  /** Fields naming the peer in the log line (its id, its address). */
  fields: Record<string, unknown>;
}

/** Logs authentication failures as warnings: one per peer per interval, and then how many more there were. */
export class AuthFailureWarnings {
  private readonly byPeer = new Map<string, EventThrottle<{ err: InterBrokerAuthFailure; context: AuthFailureContext }>>();

  constructor(
    private readonly log: Logger,
    private readonly listenerName: string,
    private readonly intervalMs = WARNING_INTERVAL_MS,
  ) {}

  /** Whether `err` is an authentication failure; if so it is logged, or counted when this peer's last warning is too recent. */
  report(err: unknown, context: AuthFailureContext): boolean {
    if (!(err instanceof InterBrokerAuthFailure)) return false;
    const key = JSON.stringify(context.fields);
    let throttle = this.byPeer.get(key);
    if (throttle === undefined) {
      throttle = new EventThrottle({ perWindow: 1, windowMs: this.intervalMs, onHeld: (more, last) => this.warn(last.err, last.context, { more }) });
      this.byPeer.set(key, throttle);
    }
    if (throttle.admit({ err, context })) this.warn(err, context, {});
    return true;
  }

  private warn(err: InterBrokerAuthFailure, context: AuthFailureContext, extra: { more?: number }): void {
    const message =
      err.layer === 'sasl'
        ? `${context.peer} refused this broker's inter-broker authentication; ${context.consequence} until the credentials are fixed`
        : `the TLS handshake with ${context.peer} failed; ${context.consequence} until the certificates are fixed`;
    this.log.warn({ ...context.fields, listener: this.listenerName, reason: err.message, ...extra }, message);
  }
}
