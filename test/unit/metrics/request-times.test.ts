// Request times per API (src/metrics/request-times.ts): a time equal to a bucket's bound falls in
// that bucket (Prometheus' `le`), one above every bound in the last, with sum and count kept.
import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_MS, RequestTimes } from '../../../src/metrics/request-times.js';

describe('request times', () => {
  it('counts each time in the first bucket whose bound is at least it', () => {
    const times = new RequestTimes();
    for (const ms of [0.2, 1, 1.01, 10, 10_000, 10_001, 60_000]) times.observe(0, ms);
    times.observe(1, 3);
    const byApi = new Map(times.entries());
    const produce = byApi.get(0)!;
    const expected = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
    expected[0] = 2; // 0.2, 1
    expected[1] = 1; // 1.01
    expected[3] = 1; // 10
    expected[LATENCY_BUCKETS_MS.length - 1] = 1; // 10,000
    expected[LATENCY_BUCKETS_MS.length] = 2; // above every bound
    expect(produce.buckets).toEqual(expected);
    expect(produce.count).toBe(7);
    expect(produce.sumMs).toBeCloseTo(0.2 + 1 + 1.01 + 10 + 10_000 + 10_001 + 60_000);
    expect(byApi.get(1)!.buckets[2]).toBe(1);
  });
});
