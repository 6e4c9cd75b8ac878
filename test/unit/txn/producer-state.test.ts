import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, type BatchHeader } from '../../../protocol/records/batch-header.js';
import { errorCodeOf } from '../../../src/kafka-error.js';
import { PartitionProducerState, lastSequenceOf } from '../../../src/txn/producer-state.js';

function batch(producerId: number, epoch: number, baseSequence: number, records = 1, opts: { transactional?: boolean; control?: boolean; ts?: number } = {}): BatchHeader {
  return {
    baseOffset: 0,
    batchLength: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes: (opts.transactional ? ATTR_TRANSACTIONAL : 0) | (opts.control ? ATTR_CONTROL | ATTR_TRANSACTIONAL : 0),
    lastOffsetDelta: records - 1,
    baseTimestamp: opts.ts ?? 1000,
    maxTimestamp: opts.ts ?? 1000,
    producerId,
    producerEpoch: epoch,
    baseSequence,
    recordCount: records,
  };
}

function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    return errorCodeOf(err);
  }
  return ErrorCode.NONE;
}

/** Checks and records like the engine: returns the offsets the batch got (or already had). */
function produce(state: PartitionProducerState, h: BatchHeader, nextOffset: { value: number }): [number, number] {
  const dup = state.check(h);
  if (dup) return [dup.firstOffset, dup.lastOffset];
  const first = nextOffset.value;
  const last = first + h.lastOffsetDelta;
  state.recordData(h, first, last);
  nextOffset.value = last + 1;
  return [first, last];
}

describe('PartitionProducerState', () => {
  it('accepts sequences in order and answers a retried batch with its original offsets', () => {
    const s = new PartitionProducerState();
    const next = { value: 0 };
    expect(produce(s, batch(7, 0, 0, 3), next)).toEqual([0, 2]);
    expect(produce(s, batch(7, 0, 3, 2), next)).toEqual([3, 4]);
    expect(produce(s, batch(7, 0, 0, 3), next)).toEqual([0, 2]);
    expect(produce(s, batch(7, 0, 3, 2), next)).toEqual([3, 4]);
    expect(next.value).toBe(5);
  });

  it('remembers only the last five batches: an older retry is out of order', () => {
    const s = new PartitionProducerState();
    const next = { value: 0 };
    for (let seq = 0; seq < 6; seq++) produce(s, batch(1, 0, seq), next);
    expect(codeOf(() => s.check(batch(1, 0, 0)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(s.check(batch(1, 0, 1))).toEqual({ firstOffset: 1, lastOffset: 1 });
  });

  it('rejects gaps, stale epochs, a new epoch not starting at 0, and unknown producers past sequence 0', () => {
    const s = new PartitionProducerState();
    const next = { value: 0 };
    produce(s, batch(1, 3, 0, 2), next);
    expect(codeOf(() => s.check(batch(1, 3, 5)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(codeOf(() => s.check(batch(1, 2, 2)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(codeOf(() => s.check(batch(1, 4, 2)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(codeOf(() => s.check(batch(1, 4, 0)))).toBe(ErrorCode.NONE);
    expect(codeOf(() => s.check(batch(2, 0, 9)))).toBe(ErrorCode.UNKNOWN_PRODUCER_ID);
    expect(codeOf(() => s.check(batch(2, 0, 0)))).toBe(ErrorCode.NONE);
  });

  it('wraps sequences past Int32.MAX_VALUE', () => {
    expect(lastSequenceOf(0x7fffffff, 0)).toBe(0x7fffffff);
    expect(lastSequenceOf(0x7fffffff, 2)).toBe(1);
    const s = new PartitionProducerState();
    const next = { value: 0 };
    produce(s, batch(1, 0, 0), next);
    s.producers.get(1)!.batches[0]!.lastSeq = 0x7fffffff;
    expect(codeOf(() => s.check(batch(1, 0, 0, 2)))).toBe(ErrorCode.NONE);
  });

  it('holds the last stable offset at the first offset of an open transaction and lists aborted ones', () => {
    const s = new PartitionProducerState();
    const next = { value: 0 };
    produce(s, batch(1, 0, 0), next); // offset 0, not transactional
    produce(s, batch(2, 0, 0, 2, { transactional: true }), next); // 1-2
    produce(s, batch(3, 0, 0, 1, { transactional: true }), next); // 3
    expect(s.lastStableOffset(4)).toBe(1);
    s.recordMarker(batch(2, 0, -1, 1, { control: true }), 4, { commit: false, coordinatorEpoch: 0 });
    expect(s.lastStableOffset(5)).toBe(3);
    s.recordMarker(batch(3, 0, -1, 1, { control: true }), 5, { commit: true, coordinatorEpoch: 0 });
    expect(s.lastStableOffset(6)).toBe(6);
    expect(s.abortedBetween(0, 6)).toEqual([{ producerId: 2, firstOffset: 1, lastOffset: 4 }]);
    expect(s.abortedBetween(5, 6)).toEqual([]);
    expect(s.abortedBetween(0, 1)).toEqual([]);
    expect(s.producers.get(3)!.txnFirstOffset).toBe(-1);
  });

  it('a provisional transaction start holds the last stable offset until the batch is recorded or cancelled', () => {
    const s = new PartitionProducerState();
    const h = batch(5, 0, 0, 1, { transactional: true });
    expect(s.beginPending(h, 10)).toBe(true);
    expect(s.lastStableOffset(12)).toBe(10);
    s.cancelPending(5);
    expect(s.lastStableOffset(12)).toBe(12);
    s.beginPending(h, 10);
    s.recordData(h, 11, 11);
    expect(s.lastStableOffset(12)).toBe(11);
  });

  it('a marker with a bumped epoch resets the producer sequences (fencing)', () => {
    const s = new PartitionProducerState();
    const next = { value: 0 };
    produce(s, batch(1, 0, 0, 1, { transactional: true }), next);
    s.recordMarker(batch(1, 1, -1, 1, { control: true }), 1, { commit: false, coordinatorEpoch: 0 });
    expect(codeOf(() => s.check(batch(1, 0, 1, 1, { transactional: true })))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(codeOf(() => s.check(batch(1, 1, 1)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(codeOf(() => s.check(batch(1, 2, 0)))).toBe(ErrorCode.NONE);
  });

  it('expires idle producers without open transactions and drops aborted transactions below the log start', () => {
    const s = new PartitionProducerState();
    const next = { value: 0 };
    produce(s, batch(1, 0, 0, 1, { ts: 1000 }), next);
    produce(s, batch(2, 0, 0, 1, { transactional: true, ts: 1000 }), next);
    s.recordMarker(batch(2, 0, -1, 1, { control: true, ts: 1000 }), 2, { commit: false, coordinatorEpoch: 0 });
    produce(s, batch(3, 0, 0, 1, { transactional: true, ts: 1000 }), next);
    s.expire(5000, 4000, 0);
    expect([...s.producers.keys()]).toEqual([3]);
    expect(s.abortedBetween(0, 10)).toHaveLength(1);
    s.expire(5000, 4000, 3);
    expect(s.abortedBetween(0, 10)).toHaveLength(0);
  });

  it('refuses a marker of an older producer epoch or from an older coordinator than the last one here', () => {
    const s = new PartitionProducerState();
    expect(codeOf(() => s.checkMarker(9, 0, 0))).toBe(ErrorCode.NONE);
    s.recordData(batch(9, 2, 0, 1, { transactional: true }), 0, 0);
    s.recordMarker(batch(9, 2, -1, 1, { control: true }), 1, { commit: true, coordinatorEpoch: 5 });
    expect(codeOf(() => s.checkMarker(9, 1, 5))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(codeOf(() => s.checkMarker(9, 2, 4))).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    expect(codeOf(() => s.checkMarker(9, 2, 5))).toBe(ErrorCode.NONE);
    expect(codeOf(() => s.checkMarker(9, 3, 6))).toBe(ErrorCode.NONE);
  });
});
