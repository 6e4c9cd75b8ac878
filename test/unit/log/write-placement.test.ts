import { expect, it } from 'vitest';
import { WritePlacement } from '../../../src/log/write-placement.js';

it('keeps writes on the loop until one blocks, then on the pool for 10 minutes after the last that blocked', () => {
  let now = 0;
  const placement = new WritePlacement(() => now);
  expect(placement.onLoop).toBe(true);
  expect(placement.took(2, 16 * 1024, true)).toBe(false);
  // A 1 MiB write is allowed its copy time: 50 ms + 10 ms at 100 MiB/s.
  expect(placement.took(59, 1024 * 1024, true)).toBe(false);
  expect(placement.took(45, 16 * 1024, true)).toBe(false);
  expect(placement.onLoop).toBe(true);
  expect(placement.took(150, 16 * 1024, true)).toBe(true);
  expect(placement.onLoop).toBe(false);
  now = 599_999;
  expect(placement.onLoop).toBe(false);
  // Through the pool the pool's own queue counts too: 40 ms is not a block, 90 ms neither, 200 ms is, and holds the pool on.
  expect(placement.took(40, 16 * 1024, false)).toBe(false);
  expect(placement.took(90, 16 * 1024, false)).toBe(false);
  expect(placement.took(200, 16 * 1024, false)).toBe(true);
  now = 1_199_998;
  expect(placement.onLoop).toBe(false);
  now = 1_199_999;
  expect(placement.onLoop).toBe(true);
});

it('tells its listeners when writes move to the pool, not each time the hold is extended', () => {
  let now = 0;
  const placement = new WritePlacement(() => now);
  const moves: number[] = [];
  const unsubscribe = placement.onMoved(({ ms }) => moves.push(ms));
  placement.took(150, 0, true);
  placement.took(300, 0, false);
  expect(moves).toEqual([150]);
  now = 2_000_000;
  placement.took(120, 0, true);
  expect(moves).toEqual([150, 120]);
  unsubscribe();
  now = 4_000_000;
  placement.took(120, 0, true);
  expect(moves).toEqual([150, 120]);
});
