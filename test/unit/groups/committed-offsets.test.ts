// Committed and pending (transactional) offsets: log order decides which write wins, markers
// apply or drop a producer's pending offsets, tombstones remove both.
import { describe, expect, it } from 'vitest';
import { CommittedOffsets, type CommittedOffset } from '../../../src/groups/committed-offsets.js';

const at = (offset: number): CommittedOffset => ({ offset, leaderEpoch: -1, metadata: '', commitTimestamp: 0, expireTimestamp: null });

describe('CommittedOffsets', () => {
  it('keeps the offset whose record is later in the log', () => {
    const o = new CommittedOffsets();
    o.set('g', 't', 0, at(5), 10);
    o.set('g', 't', 0, at(3), 7);
    expect(o.get('g', 't', 0)?.offset).toBe(5);
    o.set('g', 't', 0, at(8), 11);
    expect(o.get('g', 't', 0)?.offset).toBe(8);
  });

  it('holds a transaction\'s offsets as pending until its marker: commit applies, abort drops', () => {
    const o = new CommittedOffsets();
    o.stage(1, 'g', 't', 0, at(4), 20);
    o.stage(2, 'h', 't', 1, at(9), 21);
    expect([o.get('g', 't', 0), o.hasPending('g', 't', 0), o.hasPending('g', 't', 1), o.hasPendingForGroup('h')]).toEqual([undefined, true, false, true]);
    expect([...o.groups()].sort()).toEqual(['g', 'h']);
    expect(o.completeTxn(1, true, () => true)).toEqual(['g']);
    expect([o.get('g', 't', 0)?.offset, o.hasPending('g', 't', 0)]).toEqual([4, false]);
    expect(o.completeTxn(2, false, () => true)).toEqual([]);
    expect([o.get('h', 't', 1), o.hasPendingForGroup('h'), [...o.groups()]]).toEqual([undefined, false, ['g']]);
    expect(o.completeTxn(3, true, () => true)).toEqual([]);
  });

  it('a committed transaction does not overwrite an offset written after its record', () => {
    const o = new CommittedOffsets();
    o.stage(1, 'g', 't', 0, at(10), 30);
    o.stage(1, 'g', 't', 1, at(11), 31);
    o.set('g', 't', 0, at(20), 32);
    o.completeTxn(1, true, () => true);
    expect(o.all('g').map((e) => [e.partition, e.offset.offset])).toEqual([[0, 20], [1, 11]]);
  });

  it('a tombstone removes the committed offset and the pending ones of every producer for the partition', () => {
    const o = new CommittedOffsets();
    o.set('g', 't', 0, at(1), 1);
    o.stage(1, 'g', 't', 0, at(2), 2);
    o.stage(2, 'g', 't', 0, at(3), 3);
    o.stage(2, 'g', 'u', 0, at(4), 4);
    expect(o.pendingPartitions('g')).toEqual([{ topic: 't', partition: 0 }, { topic: 'u', partition: 0 }]);
    o.delete('g', 't', 0);
    expect([o.get('g', 't', 0), o.hasPending('g', 't', 0), o.hasPending('g', 'u', 0)]).toEqual([undefined, false, true]);
    o.completeTxn(1, true, () => true);
    o.completeTxn(2, true, () => true);
    expect(o.all('g').map((e) => [e.topic, e.offset.offset])).toEqual([['u', 4]]);
  });
});
