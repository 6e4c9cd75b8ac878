import { describe, expect, it } from 'vitest';
import { countRecords, encodeBatch } from '../../../protocol/records/index.js';

const batch = (baseOffset: number, n: number): Buffer =>
  encodeBatch({ baseOffset, records: Array.from({ length: n }, (_, i) => ({ offsetDelta: i, value: Buffer.from(`v${i}`) })) });

describe('countRecords', () => {
  const whole = Buffer.concat([batch(0, 3), batch(3, 5), batch(8, 1)]);

  it('counts the records of every whole batch', () => {
    expect(countRecords([whole])).toBe(9);
    expect(countRecords([])).toBe(0);
  });

  it('reads headers that straddle chunks', () => {
    for (const cut of [1, 30, 60, 70, whole.length - 5]) {
      expect(countRecords([whole.subarray(0, cut), whole.subarray(cut)])).toBe(9);
    }
    const bytes = [...whole].map((b) => Buffer.from([b]));
    expect(countRecords(bytes)).toBe(9);
  });

  it('leaves out a partial last batch, as a fetch response may end with one', () => {
    expect(countRecords([whole.subarray(0, whole.length - 1)])).toBe(8);
  });
});
