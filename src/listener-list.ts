// Subscribers to an event that many short-lived waiters join and leave (a long-polling fetch waits
// on each of its partitions). They are held in an array, not a Set: a long-lived Set that gains and
// loses an entry per request rehashes into a fresh table over and over, and V8 links each discarded
// table to its successor, so those tables (and through their entries every waiter's closure, its
// promise and its request) survive the young generation and fill the old one, which then needs
// mark-compacts that stall the event loop. Adding and removing here allocates nothing.

export class ListenerList<T> {
  private readonly items: (((value: T) => void) | null)[] = [];
  /** How many emits are running: a removal during one leaves a hole, filled in when the last ends. */
  private emitting = 0;
  private holes = 0;

  get size(): number {
    return this.items.length - this.holes;
  }

  /** Subscribes `listener`; returns the function that unsubscribes it. */
  add(listener: (value: T) => void): () => void {
    this.items.push(listener);
    return () => this.remove(listener);
  }

  remove(listener: (value: T) => void): void {
    const i = this.items.indexOf(listener);
    if (i < 0) return;
    if (this.emitting > 0) {
      this.items[i] = null;
      this.holes++;
    } else {
      this.items.splice(i, 1);
    }
  }

  /** Calls every listener, in the order they were added (as a Set would: those removed meanwhile are skipped, those added are called). */
  emit(value: T): void {
    this.emitting++;
    try {
      for (let i = 0; i < this.items.length; i++) this.items[i]?.(value);
    } finally {
      if (--this.emitting === 0 && this.holes > 0) this.compact();
    }
  }

  clear(): void {
    if (this.emitting > 0) {
      this.holes += this.items.filter((l) => l !== null).length;
      this.items.fill(null);
    } else {
      this.items.length = 0;
      this.holes = 0;
    }
  }

  private compact(): void {
    let kept = 0;
    for (const l of this.items) if (l !== null) this.items[kept++] = l;
    this.items.length = kept;
    this.holes = 0;
  }
}

/** One list per signal, fed by a single permanent 'abort' listener. */
const abortLists = new WeakMap<AbortSignal, ListenerList<void>>();

/**
 * Calls `listener` once `signal` aborts (at once, in a microtask, if it already has); returns the
 * function that unsubscribes it. For a long-lived signal that short-lived waiters join and leave —
 * a connection's, watched by each long-polling fetch — where `addEventListener` and
 * `removeEventListener` would rehash the signal's listener map on every request, as above.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    let cancelled = false;
    queueMicrotask(() => cancelled || listener());
    return () => void (cancelled = true);
  }
  let list = abortLists.get(signal);
  if (list === undefined) {
    const created = new ListenerList<void>();
    signal.addEventListener('abort', () => created.emit(), { once: true });
    abortLists.set(signal, created);
    list = created;
  }
  return list.add(listener);
}
