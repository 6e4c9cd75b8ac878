// Bounds the warnings (and errors) that clients can cause (bad frames, failed TLS handshakes,
// refused connections, requests a handler fails on), so that one client opening connection after
// connection cannot fill a disk with log lines. Each connection may log a few warnings, and the broker a few per interval; the rest
// are counted, and the count is logged (with the last suppressed message) when the interval ends.
import type { Logger } from 'pino';

export interface WarningLimits {
  /** Warnings the whole broker logs per interval. */
  perInterval: number;
  intervalMs: number;
  /** Warnings one connection may log in its lifetime. */
  perConnection: number;
}

export const DEFAULT_WARNING_LIMITS: WarningLimits = { perInterval: 20, intervalMs: 10_000, perConnection: 3 };

export class WarningLimiter {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;
  private lastSuppressed = '';
  private report: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    readonly limits: WarningLimits = DEFAULT_WARNING_LIMITS,
  ) {}

  /** A budget for one connection's warnings, drawn from the broker's. */
  forConnection(): ConnectionWarnings {
    return new ConnectionWarnings(this, this.limits.perConnection);
  }

  /** Logs a warning through `log` (a child logger with the connection's fields) unless over the limits. */
  warn(log: Logger, fields: Record<string, unknown>, message: string, level: 'warn' | 'error' = 'warn'): void {
    const now = Date.now();
    if (now - this.windowStart >= this.limits.intervalMs) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow < this.limits.perInterval) {
      this.inWindow++;
      log[level](fields, message);
      return;
    }
    this.suppress(message);
  }

  suppress(message: string): void {
    this.suppressed++;
    this.lastSuppressed = message;
    this.report ??= setTimeout(() => this.flush(), this.windowStart + this.limits.intervalMs - Date.now()).unref();
  }

  /** Logs how many warnings were suppressed since the last report, if any. */
  flush(): void {
    if (this.report !== undefined) clearTimeout(this.report);
    this.report = undefined;
    if (this.suppressed === 0) return;
    this.log.warn({ suppressed: this.suppressed, last: this.lastSuppressed }, 'log lines suppressed: too many caused by clients');
    this.suppressed = 0;
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
