// The bench's quota measurement over whole burst cycles (test/bench/lib/quota-cycles.ts), on the
// timeline the broker's own quota rate gives a flat-out producer in virtual time: the rate over
// whole cycles is the quota wherever the measurement starts, where a fixed span is not.
import { describe, expect, it } from 'vitest';
import { WindowedRate } from '../../../src/quotas/windowed-rate.js';
import { burstStarts, rateOverCycles } from '../../bench/lib/quota-cycles.js';

const QUOTA = 1024 * 1024;
const REQUEST = 65 * 1024 + 100;

/** Answer times of a producer that sends its next request 1 ms after the last, or once its throttle has passed. */
function flatOutTimeline(quota: number, untilMs: number): number[] {
  const rate = new WindowedRate(11, 1000);
  const answeredAt: number[] = [];
  for (let t = 0; t < untilMs; ) {
    rate.record(REQUEST, t);
    answeredAt.push(t);
    t += Math.max(1, rate.throttleMs(quota, t));
  }
  return answeredAt;
}

describe('rate over whole burst cycles', () => {
  const timeline = flatOutTimeline(QUOTA, 120_000);

  it('finds one burst start about every 11 s', () => {
    const starts = burstStarts(timeline, REQUEST, QUOTA, 120_000);
    expect(starts[0]).toBe(0);
    expect(starts.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThan(10_000);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeLessThan(12_500);
  });

  it('measures the quota from any start, where a fixed 44 s span does not', () => {
    const fixedSpan = (from: number) => (timeline.filter((t) => t >= from && t < from + 44_000).length * REQUEST * 1000) / 44_000 / QUOTA;
    const fixed = [2_000, 6_000, 12_000].map(fixedSpan);
    expect(Math.max(...fixed) - Math.min(...fixed)).toBeGreaterThan(0.15);
    for (const from of [2_000, 6_000, 12_000, 30_000]) {
      const measured = rateOverCycles(timeline, REQUEST, QUOTA, from, 120_000, 3);
      expect(measured).toBeDefined();
      expect(measured!.boundaries[0]).toBeGreaterThanOrEqual(from);
      expect(measured!.bytesPerSec / QUOTA).toBeGreaterThan(0.97);
      expect(measured!.bytesPerSec / QUOTA).toBeLessThan(1.03);
    }
  });

  it('has no answer until the cycles are complete, nor a start whose window is still open', () => {
    expect(rateOverCycles(timeline, REQUEST, QUOTA, 2_000, 30_000, 3)).toBeUndefined();
    const first = burstStarts(timeline, REQUEST, QUOTA, 120_000)[1]!;
    expect(burstStarts(timeline, REQUEST, QUOTA, first + 50)).toEqual([0]);
  });

  it('sees no bursts in a producer held to the quota evenly, nor in one not throttled at all', () => {
    const even = Array.from({ length: 600 }, (_, i) => (i * REQUEST * 1000) / QUOTA);
    expect(burstStarts(even, REQUEST, QUOTA, 60_000)).toEqual([]);
    const unthrottled = Array.from({ length: 60_000 }, (_, i) => i);
    expect(burstStarts(unthrottled, REQUEST, QUOTA, 60_000)).toEqual([0]);
  });
});
