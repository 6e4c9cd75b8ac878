// The bound on what file segments' in-memory tails hold together (creek.log.tail.cache.max.bytes).
// Each tail keeps up to its own bound (1 MiB) of its latest appends, so that fetches at the log end
// never read the file; with thousands of partitions those would add up to gigabytes. Beyond this
// bound tails are dropped in CLOCK order: a tail appended to since the hand last passed it is
// spared once, so the partitions being written keep theirs longest.

/** A tail as the budget sees it. */
export interface BudgetedTail {
  /** Appended to since the hand last passed it. */
  recent: boolean;
  /** Drops the tail's bytes that are in the file already, reporting the change (`changed`). */
  drop(): void;
}

export class TailBudget {
  private held = 0;
  /** The tails holding bytes, in the order the hand visits them. */
  private readonly tails = new Set<BudgetedTail>();
  private hand: Iterator<BudgetedTail> = this.tails.values();

  constructor(readonly maxBytes: number) {}

  /** Bytes all tails hold now. */
  get heldBytes(): number {
    return this.held;
  }

  /** `tail` went from holding `before` bytes to `after`. */
  changed(tail: BudgetedTail, before: number, after: number): void {
    this.held += after - before;
    if (after === 0) this.tails.delete(tail);
    else if (before === 0) this.tails.add(tail);
  }

  /**
   * Drops tails until the bound holds again, or every tail has been passed twice (what is left is
   * not in the files yet, and goes once written).
   */
  reclaim(): void {
    if (this.held <= this.maxBytes) return;
    let visits = 2 * this.tails.size;
    while (this.held > this.maxBytes && visits-- > 0) {
      let next = this.hand.next();
      if (next.done === true) {
        this.hand = this.tails.values();
        next = this.hand.next();
        if (next.done === true) return;
      }
      const tail = next.value;
      if (tail.recent) tail.recent = false;
      else tail.drop();
    }
  }
}
