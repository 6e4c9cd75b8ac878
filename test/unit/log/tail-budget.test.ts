// The bound on all file segments' tails: tails dropped in CLOCK order until the bound holds, a tail
// appended to since the hand last passed spared once.
import { describe, expect, it } from 'vitest';
import { TailBudget, type BudgetedTail } from '../../../src/log/tail-budget.js';

class FakeTail implements BudgetedTail {
  recent = false;
  held = 0;
  drops = 0;
  constructor(
    private readonly budget: TailBudget,
    readonly name: string,
  ) {}
  append(bytes: number): void {
    const before = this.held;
    this.held += bytes;
    this.recent = true;
    this.budget.changed(this, before, this.held);
  }
  drop(): void {
    const before = this.held;
    this.held = 0;
    this.drops++;
    this.budget.changed(this, before, 0);
  }
}

describe('TailBudget', () => {
  it('counts what tails hold, and leaves them alone within the bound', () => {
    const budget = new TailBudget(100);
    const [a, b] = [new FakeTail(budget, 'a'), new FakeTail(budget, 'b')];
    a.append(40);
    b.append(60);
    budget.reclaim();
    expect([budget.heldBytes, a.drops, b.drops]).toEqual([100, 0, 0]);
  });

  it('drops the tails not appended to since the hand passed first, then the others', () => {
    const budget = new TailBudget(100);
    const tails = ['a', 'b', 'c'].map((name) => new FakeTail(budget, name));
    for (const t of tails) t.append(40);
    // One pass clears every recent mark; the next drops from the first on, until the bound holds.
    budget.reclaim();
    expect(tails.map((t) => t.drops)).toEqual([1, 0, 0]);
    expect(budget.heldBytes).toBe(80);
    // b is appended to again: the hand, past a, spares it once and drops c.
    tails[1]!.append(40);
    budget.reclaim();
    expect(tails.map((t) => t.drops)).toEqual([1, 0, 1]);
    expect(budget.heldBytes).toBe(80);
  });

  it('gives up after passing every tail twice when none can drop anything', () => {
    const budget = new TailBudget(10);
    const stuck: BudgetedTail & { passes: number } = { recent: true, passes: 0, drop: () => void stuck.passes++ };
    budget.changed(stuck, 0, 50);
    budget.reclaim();
    expect(stuck.passes).toBe(1);
    expect(budget.heldBytes).toBe(50);
    budget.changed(stuck, 50, 0);
    expect(budget.heldBytes).toBe(0);
  });
});
