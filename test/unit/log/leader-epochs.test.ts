import { describe, expect, it } from 'vitest';
import { LeaderEpochCache, type EpochEntry } from '../../../src/log/leader-epochs.js';

describe('LeaderEpochCache', () => {
  const make = (): { cache: LeaderEpochCache; saved: EpochEntry[][] } => {
    const saved: EpochEntry[][] = [];
    const cache = new LeaderEpochCache([], (e) => saved.push([...e]));
    cache.assign(1, 0);
    cache.assign(3, 10);
    cache.assign(5, 20);
    return { cache, saved };
  };

  it('answers OffsetForLeaderEpoch as Kafka does', () => {
    const { cache } = make();
    expect(cache.endOffsetFor(5, 30)).toEqual({ epoch: 5, endOffset: 30 });
    expect(cache.endOffsetFor(3, 30)).toEqual({ epoch: 3, endOffset: 20 });
    expect(cache.endOffsetFor(4, 30)).toEqual({ epoch: 3, endOffset: 20 });
    expect(cache.endOffsetFor(0, 30)).toEqual({ epoch: 0, endOffset: 0 });
    expect(cache.endOffsetFor(6, 30)).toEqual({ epoch: -1, endOffset: -1 });
    expect(cache.endOffsetFor(-1, 30)).toEqual({ epoch: -1, endOffset: -1 });
  });

  it('ignores stale epochs and saves each change', () => {
    const { cache, saved } = make();
    cache.assign(4, 25);
    cache.assign(5, 26);
    expect(saved.length).toBe(3);
    expect(cache.latestEpoch).toBe(5);
  });

  it('truncates from the end and from the start', () => {
    const { cache } = make();
    cache.truncateFromEnd(15);
    expect(cache.entries).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 10 }]);
    cache.truncateFromStart(12);
    expect(cache.entries).toEqual([{ epoch: 3, startOffset: 12 }]);
    const other = make().cache;
    other.truncateFromStart(10);
    expect(other.entries).toEqual([{ epoch: 3, startOffset: 10 }, { epoch: 5, startOffset: 20 }]);
  });
});
