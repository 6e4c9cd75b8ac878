// Bounds the warnings (and errors) that clients can cause (bad frames, failed TLS handshakes,
// refused connections, requests a handler fails on), so that one client opening connection after
// connection cannot fill a disk with log lines. Each connection may log a few warnings, and the broker a few per interval; the rest
// are counted, and the count is logged (with the last suppressed message) when the interval ends.
import type { Logger } from 'pino';
import { EventThrottle } from '../event-throttle.js';

export interface WarningLimits {
  /** Warnings the whole broker logs per interval. */
  perInterval: number;
  intervalMs: number;
  /** Warnings one connection may log in its lifetime. */
  perConnection: number;
}

export const DEFAULT_WARNING_LIMITS: WarningLimits = { perInterval: 20, intervalMs: 10_000, perConnection: 3 };

export class WarningLimiter {
  private readonly throttle: EventThrottle<string>;

  constructor(
    private readonly log: Logger,
    readonly limits: WarningLimits = DEFAULT_WARNING_LIMITS,
  ) {
    this.throttle = new EventThrottle({
      perWindow: limits.perInterval,
      windowMs: limits.intervalMs,
      onHeld: (suppressed, last) => this.log.warn({ suppressed, last }, 'log lines suppressed: too many caused by clients'),
    });
  }

  /** A budget for one connection's warnings, drawn from the broker's. */
  forConnection(): ConnectionWarnings {
    return new ConnectionWarnings(this, this.limits.perConnection);
  }

  /** Logs a warning through `log` (a child logger with the connection's fields) unless over the limits. */
  warn(log: Logger, fields: Record<string, unknown>, message: string, level: 'warn' | 'error' = 'warn'): void {
    if (this.throttle.admit(message)) log[level](fields, message);
  }

  /** Counts a warning that is not logged, for the line that reports them. */
  suppress(message: string): void {
    this.throttle.hold(message);
  }

  /** Logs how many warnings were suppressed since the last report, if any. */
  flush(): void {
    this.throttle.flush();
  }
}

export class ConnectionWarnings {
  constructor(
    private readonly limiter: WarningLimiter,
    private left: number,
  ) {}

  warn(log: Logger, fields: Record<string, unknown>, message: string, level: 'warn' | 'error' = 'warn'): void {
    if (this.left <= 0) {
      this.limiter.suppress(message);
      return;
    }
    this.left--;
    this.limiter.warn(log, fields, message, level);
  }
}
