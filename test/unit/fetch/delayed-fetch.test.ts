// A waiting fetch's check (Kafka's DelayedFetch.tryComplete) over fake partitions: the bytes
// available between two positions of one segment, at most each partition's max_bytes, against
// min_bytes; a roll, a truncation or a failure answering at once; a follower's throttled partition
// counting nothing; the fetch position taken once; and the wait woken by news, also news that came
// during a check.
import { describe, expect, it } from 'vitest';
import { DelayedFetch, type FetchEnd, type WaitingPartition } from '../../../src/fetch/delayed-fetch.js';
import type { LogPosition } from '../../../src/log/partition-log.js';

const at = (segmentBaseOffset: number, position: number): LogPosition => ({ segmentBaseOffset, position });

/** A partition fetched from `fetchOffset` whose log stores the offsets at `positions` and whose reads stop at `end` (all changeable). */
function partition(fetchOffset: number, maxBytes: number, positions: Map<number, LogPosition>, end: { offset: number; throttled?: boolean }): WaitingPartition {
  const log = { positionOf: (offset: number) => Promise.resolve(positions.get(offset)!) };
  return { fetchOffset, maxBytes, now: (): FetchEnd => ({ offset: end.offset, log, throttled: end.throttled ?? false }) };
}

const never = new AbortController().signal;

describe('DelayedFetch', () => {
  it('counts the bytes between the fetch position and the end, at most max_bytes a partition, against min_bytes', async () => {
    const partitions = [
      partition(10, 1000, new Map([[10, at(0, 100)], [20, at(0, 700)]]), { offset: 20 }),
      partition(5, 300, new Map([[5, at(0, 0)], [9, at(0, 5000)]]), { offset: 9 }),
      partition(7, 1000, new Map([[7, at(0, 40)]]), { offset: 7 }),
    ];
    expect(await new DelayedFetch(partitions, 900).canAnswer()).toBe(true);
    expect(await new DelayedFetch(partitions, 901).canAnswer()).toBe(false);
  });

  it('answers once the end is in a later segment than the fetch position, or the fetch offset is past the end', async () => {
    expect(await new DelayedFetch([partition(10, 1000, new Map([[10, at(0, 100)], [12, at(12, 0)]]), { offset: 12 })], 1 << 20).canAnswer()).toBe(true);
    expect(await new DelayedFetch([partition(10, 1000, new Map([[10, at(0, 100)]]), { offset: 8 })], 1 << 20).canAnswer()).toBe(true);
  });

  it('answers when a partition fails or wants an answer at once', async () => {
    const failing: WaitingPartition = {
      fetchOffset: 0,
      maxBytes: 1000,
      now: () => {
        throw new Error('not the leader');
      },
    };
    expect(await new DelayedFetch([failing], 1 << 20).canAnswer()).toBe(true);
    expect(await new DelayedFetch([{ fetchOffset: 0, maxBytes: 1000, now: () => undefined }], 1 << 20).canAnswer()).toBe(true);
  });

  it('counts nothing of a follower\'s partition throttled here, a roll included', async () => {
    const positions = new Map([[10, at(0, 0)], [20, at(0, 800)]]);
    const end = { offset: 20, throttled: true };
    const delayed = new DelayedFetch([partition(10, 1000, positions, end)], 1);
    expect(await delayed.canAnswer()).toBe(false);
    positions.set(20, at(15, 100));
    expect(await delayed.canAnswer()).toBe(false);
    end.throttled = false;
    expect(await delayed.canAnswer()).toBe(true);
  });

  it('measures from where the fetch offset was stored at the first check, as Kafka keeps it', async () => {
    // At the first check the fetch offset is the end of segment 0; the next batch went to a new segment.
    const positions = new Map([[10, at(0, 400)]]);
    const end = { offset: 10 };
    const delayed = new DelayedFetch([partition(10, 1000, positions, end)], 1 << 20);
    expect(await delayed.canAnswer()).toBe(false);
    positions.set(10, at(10, 0));
    positions.set(12, at(10, 200));
    end.offset = 12;
    expect(await delayed.canAnswer()).toBe(true);
  });

  it('sleeps until news, then checks again, and stops listening once answered', async () => {
    const end = { offset: 10 };
    let news: (() => void) | undefined;
    const delayed = new DelayedFetch([partition(10, 1000, new Map([[10, at(0, 0)], [11, at(0, 500)]]), end)], 500);
    let answered = false;
    const waiting = delayed
      .wait(Date.now() + 10_000, never, (listener) => {
        news = listener;
        return () => (news = undefined);
      })
      .then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    end.offset = 11;
    news!();
    await waiting;
    expect(news).toBeUndefined();
  });

  it('checks again at once after news that came while a check awaited the log', async () => {
    const end = { offset: 10 };
    const fetched = partition(10, 1000, new Map([[10, at(0, 0)], [11, at(0, 500)]]), end);
    let news: () => void = () => undefined;
    let checks = 0;
    const racing: WaitingPartition = {
      ...fetched,
      now: () => {
        // An append lands while this first check awaits the log's positions.
        if (++checks === 1) {
          queueMicrotask(() => {
            end.offset = 11;
            news();
          });
        }
        return fetched.now();
      },
    };
    const started = Date.now();
    await new DelayedFetch([racing], 500).wait(started + 10_000, never, (listener) => {
      news = listener;
      return () => undefined;
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(checks).toBe(2);
  });

  it('gives up at the deadline, and when the connection closes', async () => {
    const delayed = new DelayedFetch([partition(10, 1000, new Map([[10, at(0, 0)]]), { offset: 10 })], 1);
    const started = Date.now();
    await delayed.wait(started + 100, never, () => () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    const closing = new AbortController();
    const waiting = delayed.wait(Date.now() + 10_000, closing.signal, () => () => undefined);
    closing.abort();
    await waiting;
  });
});
