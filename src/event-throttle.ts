// Bounds how often a kind of event is reported (log lines a client can cause, a failing disk's
// writeback errors, a peer refusing this broker's credentials): a few pass in each window, the
// rest are counted, and when the window ends the count and the last of them are reported once.
// That report opens the next window, so an event that keeps happening is reported once a window.

export interface ThrottleOptions<T> {
  /** Events passed on in each window. */
  perWindow: number;
  windowMs: number;
  /** The events held back in a window that has ended: how many, and the last of them. */
  onHeld: (count: number, last: T) => void;
  /** Milliseconds on any monotonic scale (tests drive it). */
  clock?: () => number;
}

export class EventThrottle<T> {
  private windowEnd = -Infinity;
  private passed = 0;
  private held = 0;
  private last: T | undefined;
  private report: NodeJS.Timeout | undefined;
  private readonly clock: () => number;

  constructor(private readonly o: ThrottleOptions<T>) {
    this.clock = o.clock ?? (() => performance.now());
  }

  /** Whether `event` is to be reported now; if not, it is counted and reported when the window ends. */
  admit(event: T): boolean {
    this.roll();
    if (this.passed < this.o.perWindow) {
      this.passed++;
      return true;
    }
    this.hold(event);
    return false;
  }

  /** Counts `event` as held back without letting it pass (a budget elsewhere refused it). */
  hold(event: T): void {
    this.roll();
    this.held++;
    this.last = event;
    this.report ??= setTimeout(() => this.flush(), Math.max(0, this.windowEnd - this.clock())).unref();
  }

  /** Reports what is held back now, if anything; the report opens the next window. */
  flush(): void {
    if (this.report !== undefined) clearTimeout(this.report);
    this.report = undefined;
    if (this.held === 0) return;
    const count = this.held;
    const last = this.last as T;
    this.held = 0;
    this.last = undefined;
    this.open(1);
    this.o.onHeld(count, last);
  }

  /** Once the window has ended: a report due and not yet fired (timers run late) comes first, and opens the next window. */
  private roll(): void {
    if (this.clock() < this.windowEnd) return;
    if (this.held > 0) this.flush();
    else this.open(0);
  }

  private open(passed: number): void {
    this.windowEnd = this.clock() + this.o.windowMs;
    this.passed = passed;
  }
}
