// Pure parts of the cleaner: the cleanable range, when a log is due, grouping, the offset map and
// the transaction bookkeeping.
import { describe, expect, it } from 'vitest';
import { encodeControlKey, ControlRecordType, ATTR_TRANSACTIONAL, ATTR_CONTROL, type BatchHeader } from '../../../protocol/records/index.js';
import { cleanableRange, cleaningReason, groupSegments, type SegmentSummary } from '../../../src/log/cleaner-selection.js';
import { TxnCleaningState } from '../../../src/log/cleaner-txn.js';
import { OffsetMap } from '../../../src/log/offset-map.js';

const seg = (baseOffset: number, nextOffset: number, size = 100, largestTimestamp = 0): SegmentSummary => ({ baseOffset, nextOffset, size, largestTimestamp });
const sealed = [seg(0, 10), seg(10, 20), seg(20, 30, 100, 500), seg(30, 40, 100, 900)];
const base = { sealed, checkpoint: 0, logStartOffset: 0, lastStableOffset: 100, minCompactionLagMs: 0, now: 1000 };

describe('cleanableRange', () => {
  it('covers the dirty sealed segments from the checkpoint', () => {
    expect(cleanableRange({ ...base, checkpoint: 20 })).toEqual({ firstDirty: 20, end: 40, cleanBytes: 200, dirtyBytes: 200 });
  });
  it('stops before a segment holding offsets at or past the last stable offset', () => {
    expect(cleanableRange({ ...base, lastStableOffset: 25 })).toMatchObject({ end: 20, dirtyBytes: 200 });
  });
  it('stops before a segment younger than min.compaction.lag.ms', () => {
    expect(cleanableRange({ ...base, minCompactionLagMs: 200 })).toMatchObject({ end: 30 });
  });
  it('restarts from the log start when the checkpoint is out of range', () => {
    expect(cleanableRange({ ...base, checkpoint: 5000, logStartOffset: 10 })).toMatchObject({ firstDirty: 10 });
    expect(cleanableRange({ ...base, checkpoint: 3, logStartOffset: 10 })).toMatchObject({ firstDirty: 10 });
  });
});

describe('cleaningReason', () => {
  const range = { firstDirty: 30, end: 40, cleanBytes: 300, dirtyBytes: 100 };
  const need = { range, minCleanableDirtyRatio: 0.5, firstDirtyTimestamp: -1, maxCompactionLagMs: Number.MAX_SAFE_INTEGER, nextDeleteHorizon: -1, now: 1000 };
  it('follows the dirty ratio, max compaction lag and delete horizon', () => {
    expect(cleaningReason(need)).toBeUndefined();
    expect(cleaningReason({ ...need, minCleanableDirtyRatio: 0.25 })).toBe('dirty ratio');
    expect(cleaningReason({ ...need, firstDirtyTimestamp: 100, maxCompactionLagMs: 800 })).toBe('max compaction lag');
    expect(cleaningReason({ ...need, firstDirtyTimestamp: 100, maxCompactionLagMs: 900 })).toBeUndefined();
    expect(cleaningReason({ ...need, nextDeleteHorizon: 1000 })).toBe('delete horizon');
    expect(cleaningReason({ ...need, nextDeleteHorizon: 1001 })).toBeUndefined();
  });
});

describe('groupSegments', () => {
  it('groups consecutive segments up to the size limit', () => {
    const groups = groupSegments([seg(0, 10, 60), seg(10, 20, 30), seg(20, 30, 20), seg(30, 40, 90), seg(40, 50, 5)], 100);
    expect(groups.map((g) => g.map((s) => s.baseOffset))).toEqual([[0, 10], [20], [30, 40]]);
  });
});

describe('OffsetMap', () => {
  it('keeps the latest offset per exact key and accounts its memory', () => {
    const map = new OffsetMap(200);
    map.put(Buffer.from('a'), 1);
    map.put(Buffer.from([0xff, 0x00]), 2);
    map.put(Buffer.from('a'), 5);
    expect(map.get(Buffer.from('a'))).toBe(5);
    expect(map.get(Buffer.from([0xff, 0x00]))).toBe(2);
    expect(map.get(Buffer.from([0xff]))).toBe(-1);
    expect(map.latestOffset).toBe(5);
    expect(map.size).toBe(2);
    expect(map.full).toBe(false);
    map.put(Buffer.alloc(100), 6);
    expect(map.full).toBe(true);
  });
});

describe('TxnCleaningState', () => {
  const header = (producerId: number, baseOffset: number, attributes: number): BatchHeader => ({
    baseOffset, batchLength: 0, partitionLeaderEpoch: 0, magic: 2, crc: 0, attributes, lastOffsetDelta: 0,
    baseTimestamp: 0, maxTimestamp: 0, producerId, producerEpoch: 0, baseSequence: 0, recordCount: 1,
  });
  const abort = encodeControlKey(ControlRecordType.ABORT);
  const commit = encodeControlKey(ControlRecordType.COMMIT);
  const CTRL = ATTR_TRANSACTIONAL | ATTR_CONTROL;
  it('marks aborted data and tells when markers have no data left', () => {
    const state = new TxnCleaningState([{ producerId: 1, firstOffset: 2, lastOffset: 4 }]);
    expect(state.onDataBatch(header(1, 0, ATTR_TRANSACTIONAL))).toBe(false); // committed txn of producer 1
    expect(state.onControlBatch(header(1, 1, CTRL), commit)).toBe(false); // its data was seen
    expect(state.onDataBatch(header(1, 2, ATTR_TRANSACTIONAL))).toBe(true); // aborted
    expect(state.onDataBatch(header(2, 3, 0))).toBe(false); // not transactional
    expect(state.onControlBatch(header(1, 4, CTRL), abort)).toBe(false); // aborted data was seen here
    expect(state.onControlBatch(header(3, 5, CTRL), commit)).toBe(true); // no data of producer 3 left
    expect(state.onControlBatch(header(3, 6, CTRL), null)).toBe(true); // an emptied marker
  });
});
