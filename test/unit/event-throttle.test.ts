import { afterEach, expect, it, vi } from 'vitest';
import { EventThrottle } from '../../src/event-throttle.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A throttle on a clock the test sets, its reports collected. */
function setUp(perWindow: number) {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  let now = 0;
  const reports: { count: number; last: string }[] = [];
  const throttle = new EventThrottle<string>({ perWindow, windowMs: 1000, clock: () => now, onHeld: (count, last) => reports.push({ count, last }) });
  const at = (ms: number): void => {
    vi.advanceTimersByTime(ms - now);
    now = ms;
  };
  return { throttle, reports, at };
}

it('passes a few events a window, and reports the rest with the last of them once the window ends', () => {
  const { throttle, reports, at } = setUp(2);
  expect(['a', 'b', 'c', 'd'].map((e) => throttle.admit(e))).toEqual([true, true, false, false]);
  at(999);
  expect(reports).toEqual([]);
  at(1000);
  expect(reports).toEqual([{ count: 2, last: 'd' }]);
  // The report opened the next window and counts in it: one more passes.
  at(1500);
  expect(['e', 'f'].map((e) => throttle.admit(e))).toEqual([true, false]);
  at(2000);
  expect(reports).toEqual([{ count: 2, last: 'd' }, { count: 1, last: 'f' }]);
  // After a quiet window, events pass again, and nothing is reported for it.
  at(4000);
  expect(['g', 'h'].map((e) => throttle.admit(e))).toEqual([true, true]);
  at(6000);
  expect(reports).toHaveLength(2);
});

it('reports what a window held before letting the next event through, when its timer has not fired yet', () => {
  let now = 0;
  const reports: { count: number; last: string }[] = [];
  const throttle = new EventThrottle<string>({ perWindow: 1, windowMs: 1000, clock: () => now, onHeld: (count, last) => reports.push({ count, last }) });
  expect([throttle.admit('a'), throttle.admit('b')]).toEqual([true, false]);
  now = 1200; // the clock moved on; the timer has not run
  expect(throttle.admit('c')).toBe(false);
  expect(reports).toEqual([{ count: 1, last: 'b' }]);
  throttle.flush();
  expect(reports).toEqual([{ count: 1, last: 'b' }, { count: 1, last: 'c' }]);
});

it('counts events held by a budget elsewhere, and flush reports at once', () => {
  const { throttle, reports, at } = setUp(5);
  throttle.hold('x');
  throttle.hold('y');
  expect(throttle.admit('z')).toBe(true);
  throttle.flush();
  expect(reports).toEqual([{ count: 2, last: 'y' }]);
  throttle.flush();
  at(5000);
  expect(reports).toHaveLength(1);
});
