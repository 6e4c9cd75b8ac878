// Keyed one-shot timers (group session expiry and rebalance deadlines, the transaction engine's
// periodic tasks). Scheduling a key again replaces its timer; every timer is unref'd so that it
// never keeps the process alive, and all are cleared on stop.
export class Timers {
  private readonly byKey = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  schedule(key: string, delayMs: number, fn: () => void): void {
    this.cancel(key);
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.byKey.delete(key);
      fn();
    }, Math.max(0, delayMs));
    t.unref();
    this.byKey.set(key, t);
  }

  cancel(key: string): void {
    const t = this.byKey.get(key);
    if (t !== undefined) clearTimeout(t);
    this.byKey.delete(key);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Cancels every timer whose key starts with `prefix`. */
  cancelPrefix(prefix: string): void {
    for (const key of [...this.byKey.keys()]) if (key.startsWith(prefix)) this.cancel(key);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.byKey.values()) clearTimeout(t);
    this.byKey.clear();
  }
}
