import { describe, expect, it } from 'vitest';
import { SegmentIndex } from '../../../src/log/segment-index.js';

describe('SegmentIndex', () => {
  const index = new SegmentIndex(100);
  index.addOffset(110, 4000);
  index.addOffset(125, 8200);
  index.addTime(50, 109);
  index.addTime(40, 120);
  index.addTime(70, 124);

  it('finds the position of the latest indexed batch at or before an offset', () => {
    expect(index.positionFor(100)).toBe(0);
    expect(index.positionFor(110)).toBe(4000);
    expect(index.positionFor(124)).toBe(4000);
    expect(index.positionFor(900)).toBe(8200);
  });

  it('keeps only rising timestamps and looks up strictly below', () => {
    expect(index.lastTime()).toEqual({ timestamp: 70, offset: 124 });
    expect(index.offsetBeforeTimestamp(50)).toBe(100);
    expect(index.offsetBeforeTimestamp(51)).toBe(109);
    expect(index.offsetBeforeTimestamp(1000)).toBe(124);
  });

  it('round-trips through the Kafka file formats and rejects inconsistent files', () => {
    const offsets = index.serializeOffsets();
    const times = index.serializeTimes();
    expect(offsets.length).toBe(16);
    expect(times.length).toBe(24);
    const back = SegmentIndex.parse(100, offsets, times, 9000)!;
    expect(back.positionFor(126)).toBe(8200);
    expect(back.lastTime()).toEqual({ timestamp: 70, offset: 124 });
    expect(SegmentIndex.parse(100, offsets, times, 8000)).toBeUndefined();
    expect(SegmentIndex.parse(100, offsets.subarray(0, 7), times, 9000)).toBeUndefined();
    expect(SegmentIndex.parse(100, Buffer.concat([offsets.subarray(8), offsets.subarray(0, 8)]), times, 9000)).toBeUndefined();
    expect(SegmentIndex.parse(100, offsets, Buffer.concat([times.subarray(12), times.subarray(0, 12)]), 9000)).toBeUndefined();
  });

  it('keeps every entry as it grows past the room it first made', () => {
    const big = new SegmentIndex(1_000_000);
    for (let i = 1; i <= 1000; i++) {
      big.addOffset(1_000_000 + 10 * i, 4096 * i);
      big.addTime(5000 + i, 1_000_000 + 10 * i + 9);
    }
    expect(big.entryCount).toBe(1000);
    expect(big.positionFor(1_000_000 + 5)).toBe(0);
    expect(big.positionFor(1_000_000 + 10 * 37 + 3)).toBe(4096 * 37);
    expect(big.exactPositionOf(1_000_000 + 10 * 999)).toBe(4096 * 999);
    expect(big.exactPositionOf(1_000_000 + 10 * 999 + 1)).toBeUndefined();
    expect(big.offsetBeforeTimestamp(5000 + 500)).toBe(1_000_000 + 10 * 499 + 9);
    expect(big.lastOffsetEntry()).toEqual({ offset: 1_000_000 + 10_000, position: 4096 * 1000 });
    const back = SegmentIndex.parse(1_000_000, big.serializeOffsets(), big.serializeTimes(), 4096 * 1001)!;
    expect(back.entryCount).toBe(1000);
    expect(back.positionFor(1_000_000 + 10 * 640)).toBe(4096 * 640);
    expect(back.lastTime()).toEqual({ timestamp: 6000, offset: 1_000_000 + 10_009 });
  });
});
