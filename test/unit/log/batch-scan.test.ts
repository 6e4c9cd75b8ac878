import { describe, expect, it } from 'vitest';
import { scanBatches } from '../../../src/log/batch-scan.js';
import { makeBatch } from './batches.js';

describe('scanBatches', () => {
  const two = Buffer.concat([makeBatch({ records: 3, timestamp: 5, maxTimestamp: 9 }), makeBatch({ payload: 4 })]);

  it('reports each whole batch', () => {
    const { batches, validBytes, stop } = scanBatches(two, true, 100);
    expect(stop).toBeUndefined();
    expect(validBytes).toBe(two.length);
    expect(batches).toEqual([
      { position: 100, size: 77, baseOffset: 0, lastOffset: 2, maxTimestamp: 9, recordCount: 3, leaderEpoch: -1 },
      { position: 177, size: 65, baseOffset: 0, lastOffset: 0, maxTimestamp: 1000, recordCount: 1, leaderEpoch: -1 },
    ]);
  });

  it('stops at an incomplete batch and says how much it needs', () => {
    expect(scanBatches(two.subarray(0, 100), true)).toMatchObject({ validBytes: 77, stop: { kind: 'incomplete', needed: 65 } });
    expect(scanBatches(two.subarray(0, 80), true)).toMatchObject({ validBytes: 77, stop: { kind: 'incomplete', needed: 61 } });
  });

  it('stops at a bad CRC only when asked to check it', () => {
    const bad = Buffer.from(two);
    bad[110] ^= 1;
    expect(scanBatches(bad, true)).toMatchObject({ validBytes: 77, stop: { kind: 'corrupt', reason: 'CRC mismatch' } });
    expect(scanBatches(bad, false).validBytes).toBe(two.length);
  });

  it('stops at impossible lengths and other magics', () => {
    const short = Buffer.from(two);
    short.writeInt32BE(10, 77 + 8);
    expect(scanBatches(short, false).stop).toMatchObject({ kind: 'corrupt' });
    const magic = Buffer.from(two);
    magic.writeInt8(1, 16);
    expect(scanBatches(magic, false)).toMatchObject({ validBytes: 0, stop: { kind: 'corrupt', reason: 'unsupported magic 1' } });
  });
});
