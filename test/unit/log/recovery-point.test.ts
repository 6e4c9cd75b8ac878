// The order of what SegmentedLog asks of its backend around the recovery point: the point only
// moves past data once that data, the creation of the segments holding it and the leader epochs
// its batches start are durable.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOG_CONFIG } from '../../../src/log/log-config.js';
import { MemoryStore } from '../../../src/log/memory-store.js';
import { Segment } from '../../../src/log/segment.js';
import { SegmentedLog } from '../../../src/log/segmented-log.js';
import { makeBatch } from './batches.js';
import { appendCommitted } from '../../helpers/append-committed.js';

/** A memory-backed log whose backend records the durability steps in order. */
function recordingLog(): { log: SegmentedLog; steps: string[] } {
  const steps: string[] = [];
  const createSegment = (baseOffset: number, now: number): Segment => {
    const store = new MemoryStore();
    const flush = store.flush.bind(store);
    store.flush = () => {
      steps.push(`sync segment ${baseOffset}`);
      return flush();
    };
    return new Segment(baseOffset, store, now);
  };
  const done = (): Promise<void> => Promise.resolve();
  const log = new SegmentedLog({
    segments: [createSegment(0, Date.now())],
    logStartOffset: 0,
    recoveryPoint: 0,
    epochs: [],
    config: { ...DEFAULT_LOG_CONFIG, segmentBytes: 250 },
    logger: pino({ level: 'silent' }),
    backend: {
      createSegment: (baseOffset, now) => {
        steps.push(`create segment ${baseOffset}`);
        return createSegment(baseOffset, now);
      },
      saveLogStartOffset: done,
      saveRecoveryPoint: (offset) => {
        steps.push(`recovery point ${offset}`);
        return done();
      },
      syncSegmentList: () => {
        steps.push('sync segment list');
        return done();
      },
      saveEpochs: (entries, durable) => {
        steps.push(`epochs ${entries.map((e) => `${e.epoch}@${e.startOffset}`).join(' ')}${durable ? ' synced' : ''}`);
        return done();
      },
      createCleanedSegment: createSegment,
      swapSegments: done,
      saveCleanerCheckpoint: done,
    },
  });
  return { log, steps };
}

describe('recovery point', () => {
  it('moves past data only after it and the segment list are synced', async () => {
    const { log, steps } = recordingLog();
    for (let i = 0; i < 3; i++) await appendCommitted(log, makeBatch({ payload: 39 }), { leaderEpoch: 0 }); // 100 bytes each: the third rolls
    await log.flush();
    expect(log.recoveryPoint).toBe(3);
    const moves = steps.flatMap((s, i) => (s.startsWith('recovery point') ? [i] : []));
    expect(moves.length).toBeGreaterThan(0);
    for (const at of moves) {
      const before = steps.slice(0, at);
      expect(before).toContain('sync segment list');
      expect(before.indexOf('sync segment list')).toBeGreaterThan(before.indexOf('create segment 2'));
      expect(before).toContain('sync segment 0');
    }
    expect(steps.filter((s) => s === 'sync segment list')).toHaveLength(1);
    // No new segment since: the next flush syncs no segment list.
    await appendCommitted(log, makeBatch({ payload: 39 }), { leaderEpoch: 0 });
    await log.flush();
    expect(log.recoveryPoint).toBe(4);
    expect(steps.filter((s) => s === 'sync segment list')).toHaveLength(1);
  });

  it('saves a new epoch durably before the point passes its batches, and not on the append path', async () => {
    const { log, steps } = recordingLog();
    await appendCommitted(log, makeBatch({ payload: 39 }), { leaderEpoch: 0 });
    await appendCommitted(log, makeBatch({ payload: 39 }), { leaderEpoch: 3 });
    await new Promise((r) => setTimeout(r, 10));
    expect(steps.filter((s) => s.startsWith('epochs'))).toEqual([]);
    await appendCommitted(log, makeBatch({ payload: 39 }), { leaderEpoch: 3 }); // the third rolls
    await log.flush();
    expect(log.recoveryPoint).toBe(3);
    const firstMove = steps.findIndex((s) => s.startsWith('recovery point'));
    expect(steps.slice(0, firstMove)).toContain('epochs 0@0 3@1 synced');
    expect(steps.filter((s) => s.startsWith('epochs'))).toEqual(['epochs 0@0 3@1 synced']);
    // A truncation saves the cut history at once.
    await log.truncateTo(1);
    expect(steps.filter((s) => s.startsWith('epochs')).at(-1)).toBe('epochs 0@0');
  });
});
