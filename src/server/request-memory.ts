// The broker-wide budget of request bytes received but not yet handled (queued.max.request.bytes),
// kept as Kafka's SimpleMemoryPool keeps it: a frame takes its announced size when its size prefix
// arrives and gives it back once handled; while the budget is used up no new frame begins, and the
// connections that wait resume in arrival order as memory comes back. As in Kafka the check is
// not strict — a frame begins whenever anything is left, even if it is larger — so a request up
// to socket.request.max.bytes always fits, and a frame once begun can always finish.
export class RequestMemory {
  private used = 0;
  private readonly waiting = new Set<() => void>();
  private wakeScheduled = false;

  /** `capacity` in bytes; 0 or less for no bound (as Kafka's MemoryPool.NONE). */
  constructor(readonly capacity: number) {}

  get usedBytes(): number {
    return this.used;
  }

  private get exhausted(): boolean {
    return this.capacity > 0 && this.used >= this.capacity;
  }

  /** Takes `bytes` unless the budget is used up. */
  tryReserve(bytes: number): boolean {
    if (bytes > 0 && this.exhausted) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    if (bytes === 0) return;
    this.used -= bytes;
    if (!this.exhausted && this.waiting.size > 0 && !this.wakeScheduled) {
      this.wakeScheduled = true;
      // Later, not inside the caller (which is usually in the middle of handling a request).
      setImmediate(() => this.wake());
    }
  }

  /** Calls `retry` (once) when memory may be available again; returns a function that cancels. */
  whenAvailable(retry: () => void): () => void {
    this.waiting.add(retry);
    return () => this.waiting.delete(retry);
  }

  private wake(): void {
    this.wakeScheduled = false;
    for (const retry of this.waiting) {
      if (this.exhausted) return;
      this.waiting.delete(retry);
      retry();
    }
  }
}
