import { describe, expect, it } from 'vitest';
import { RequestMemory } from '../../../src/server/request-memory.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('RequestMemory', () => {
  it('admits a frame while anything is left, even a larger one, and refuses once used up', () => {
    const memory = new RequestMemory(100);
    expect(memory.tryReserve(60)).toBe(true);
    expect(memory.tryReserve(500)).toBe(true);
    expect(memory.tryReserve(1)).toBe(false);
    expect(memory.tryReserve(0)).toBe(true);
    expect(memory.usedBytes).toBe(560);
  });

  it('wakes waiters in arrival order while memory lasts, and never inside release', async () => {
    const memory = new RequestMemory(100);
    memory.tryReserve(100);
    const woken: string[] = [];
    memory.whenAvailable(() => woken.push('a') && void memory.tryReserve(100));
    memory.whenAvailable(() => woken.push('b'));
    const cancel = memory.whenAvailable(() => woken.push('c'));
    cancel();
    memory.release(100);
    expect(woken).toEqual([]);
    await nextTurn();
    expect(woken).toEqual(['a']);
    memory.release(100);
    await nextTurn();
    expect(woken).toEqual(['a', 'b']);
  });

  it('has no bound at 0 or below', () => {
    const memory = new RequestMemory(-1);
    expect(memory.tryReserve(1e12)).toBe(true);
    expect(memory.tryReserve(1)).toBe(true);
  });
});
