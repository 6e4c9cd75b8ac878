// The log cleaner on real logs of both backends: latest record per key at its original offset,
// tombstone and marker horizons, aborted transactions, producers' last batches, restarts and
// crashes in the middle of a swap (file backend).
import { copyFileSync, cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch, encodeControlBatch, readBatchHeader, splitBatches, deleteHorizonOf } from '../../../protocol/records/index.js';
import { NO_TRANSACTIONS, type CleanerTxnView } from '../../../src/log/cleaner-txn.js';
import { openFileLog } from '../../../src/log/file-log.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../../src/log/log-config.js';
import { LogCleaner } from '../../../src/log/log-cleaner.js';
import { MemoryLog } from '../../../src/log/memory-log.js';
import type { PartitionLog } from '../../../src/log/partition-log.js';
import { appendCommitted } from '../../helpers/append-committed.js';

const root = mkdtempSync(join(tmpdir(), 'creek-cleaner-'));
let dirs = 0;
/** A partition directory of its own data directory: each log is the only writer of its recovery points. */
const freshDir = (): string => join(root, `${dirs++}`, 'p-0');
const silent = pino({ level: 'silent' });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const T0 = 1_700_000_000_000;
const config: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: 400, compact: true, minCleanableDirtyRatio: 0.01, deleteRetentionMs: 1000, retentionMs: -1 };

interface Rec { offset: number; key: string | null; value: string | null }

function keyed(records: [string | null, string | null][], extra: Partial<Parameters<typeof encodeBatch>[0]> = {}): Buffer {
  return encodeBatch({ baseTimestamp: T0, records: records.map(([k, v]) => ({ key: k === null ? null : Buffer.from(k), value: v === null ? null : Buffer.from(v) })), ...extra });
}

async function readAll(log: PartitionLog): Promise<{ recs: Rec[]; batches: Buffer[] }> {
  const batches = splitBatches(Buffer.concat((await log.read(log.logStartOffset, 1 << 26, { maxOffset: log.logEndOffset })).chunks));
  const recs = batches.flatMap((b) => {
    const { header, records } = decodeBatch(b);
    return records.map((r) => ({ offset: header.baseOffset + r.offsetDelta, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null }));
  });
  return { recs, batches };
}

/** What compaction of everything below `end` must leave: the latest record per key there, all records from `end`. */
function expectedAfterCleaning(all: Rec[], end: number): Rec[] {
  const latest = new Map<string, number>();
  for (const r of all) if (r.offset < end && r.key !== null) latest.set(r.key, r.offset);
  return all.filter((r) => r.offset >= end || (r.key !== null && latest.get(r.key) === r.offset));
}

function cleanerFor(log: PartitionLog, now: () => number, txn: CleanerTxnView = NO_TRANSACTIONS): LogCleaner {
  return new LogCleaner({
    partitions: () => [{ topic: 't', partition: 0, log }],
    txn,
    settings: () => ({ backoffMs: 10, dedupeBufferBytes: 1 << 20 }),
    logger: silent,
    now,
  });
}

const backends: [string, () => PartitionLog][] = [
  ['memory', () => new MemoryLog(config, silent)],
  ['file', () => openFileLog(freshDir(), config, silent, { tailCacheBytes: 0 })],
];

for (const [name, open] of backends) {
  describe(`log cleaner: ${name}`, () => {
    const opened: PartitionLog[] = [];
    const openLog = (): PartitionLog => {
      const log = open();
      opened.push(log);
      return log;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((l) => l.close()));
    });

    it('keeps the latest record per key at its original offset, across rounds', async () => {
      const log = openLog();
      for (let round = 0; round < 20; round++) {
        await appendCommitted(log, keyed([[`k${round % 5}`, `v${round}`], [`k${(round + 2) % 5}`, `w${round}`]]), { leaderEpoch: 0 });
      }
      const before = (await readAll(log)).recs;
      expect(log.sealedSegments().length).toBeGreaterThan(2);
      const cleaner = cleanerFor(log, () => T0);
      const stats = await cleaner.cleanOnce();
      expect(stats?.reason).toBe('dirty ratio');
      const end = log.firstDirtyOffset;
      expect(end).toBe(log.sealedSegments().at(-1)!.nextOffset);
      const after = (await readAll(log)).recs;
      expect(after).toEqual(expectedAfterCleaning(before, end));
      expect(after.length).toBeLessThan(before.length);
      expect(log.logEndOffset).toBe(40);

      // More writes, a second round re-cleans the clean part with the new keys' offsets.
      for (let round = 20; round < 28; round++) await appendCommitted(log, keyed([[`k${round % 5}`, `v${round}`]]), { leaderEpoch: 0 });
      const before2 = (await readAll(log)).recs;
      const segmentsBefore2 = log.sealedSegments().length;
      await cleaner.cleanOnce();
      // Small cleaned segments are grouped into one up to segment.bytes.
      expect(log.sealedSegments().length).toBeLessThan(segmentsBefore2);
      expect((await readAll(log)).recs).toEqual(expectedAfterCleaning(before2, log.firstDirtyOffset));
      // Reads from any offset, gaps included, start at the next kept record.
      for (let offset = 0; offset < log.logEndOffset; offset++) {
        const read = await log.read(offset, 1 << 20);
        const first = splitBatches(Buffer.concat(read.chunks))[0]!;
        const h = readBatchHeader(first);
        expect(h.baseOffset + h.lastOffsetDelta).toBeGreaterThanOrEqual(offset);
      }
      expect(await cleaner.cleanOnce()).toBeUndefined();
    });

    it('drops keyless records and keeps tombstones until their delete horizon', async () => {
      const log = openLog();
      await appendCommitted(log, keyed([['a', '1'], [null, 'x'], ['b', '1']]), { leaderEpoch: 0 });
      await appendCommitted(log, keyed([['a', null]]), { leaderEpoch: 0 });
      for (let i = 0; i < 6; i++) await appendCommitted(log, keyed([[`f${i}`, 'filler-filler-filler-filler']]), { leaderEpoch: 0 });
      let now = T0;
      const cleaner = cleanerFor(log, () => now);
      await cleaner.cleanOnce();
      let { recs, batches } = await readAll(log);
      expect(recs.find((r) => r.key === null)).toBeUndefined();
      expect(recs.filter((r) => r.key === 'a')).toEqual([{ offset: 3, key: 'a', value: null }]);
      const tombstoneBatch = batches.find((b) => readBatchHeader(b).baseOffset === 3)!;
      expect(deleteHorizonOf(readBatchHeader(tombstoneBatch))).toBe(T0 + 1000);
      // Nothing dirty, horizon not reached: nothing to do.
      now = T0 + 999;
      expect(await cleaner.cleanOnce()).toBeUndefined();
      now = T0 + 1000;
      expect((await cleaner.cleanOnce())?.reason).toBe('delete horizon');
      ({ recs } = await readAll(log));
      expect(recs.filter((r) => r.key === 'a')).toEqual([]);
      expect(recs.find((r) => r.key === 'b')).toEqual({ offset: 2, key: 'b', value: '1' });
      // Record timestamps survive the horizon rewrite.
      expect(readBatchHeader(tombstoneBatch).maxTimestamp).toBe(T0);
    });

    it('removes aborted transactions and, after the horizon, their markers; keeps each producer\'s last batch', async () => {
      const log = openLog();
      const txnBatch = (pid: number, seq: number, key: string, value: string): Buffer =>
        keyed([[key, value]], { producerId: pid, producerEpoch: 0, baseSequence: seq, transactional: true });
      const marker = (pid: number, commit: boolean): Buffer =>
        encodeControlBatch({ producerId: pid, producerEpoch: 0, commit, coordinatorEpoch: 0, timestamp: T0, baseOffset: 0 });
      await appendCommitted(log, txnBatch(7, 0, 'x', 'aborted'), { leaderEpoch: 0 }); // 0
      await appendCommitted(log, marker(7, false), { leaderEpoch: 0 }); // 1
      await appendCommitted(log, txnBatch(8, 0, 'y', 'old'), { leaderEpoch: 0 }); // 2
      await appendCommitted(log, marker(8, true), { leaderEpoch: 0 }); // 3
      await appendCommitted(log, txnBatch(8, 1, 'y', 'new'), { leaderEpoch: 0 }); // 4
      await appendCommitted(log, marker(8, true), { leaderEpoch: 0 }); // 5
      for (let i = 0; i < 6; i++) await appendCommitted(log, keyed([[`f${i}`, 'filler-filler-filler-filler']]), { leaderEpoch: 0 });
      const txn: CleanerTxnView = {
        lastStableOffset: (l) => l.highWatermark,
        abortedTransactions: () => [{ producerId: 7, firstOffset: 0, lastOffset: 1 }],
        producerTails: () => new Map([[8, { lastDataOffset: 4, epoch: 0 }], [7, { lastDataOffset: 0, epoch: 0 }]]),
      };
      let now = T0;
      const cleaner = cleanerFor(log, () => now, txn);
      await cleaner.cleanOnce();
      let { recs, batches } = await readAll(log);
      expect(recs.find((r) => r.value === 'aborted')).toBeUndefined();
      expect(recs.find((r) => r.value === 'old')).toBeUndefined();
      expect(recs.find((r) => r.value === 'new')?.offset).toBe(4);
      // Producer 7's last batch stays, empty, with its sequence; its abort marker waits for the horizon.
      const pid7 = batches.map((b) => readBatchHeader(b)).filter((h) => h.producerId === 7);
      expect(pid7.map((h) => [h.baseOffset, h.recordCount, h.baseSequence])).toEqual([[0, 0, 0], [1, 1, -1]]);
      // The commit at 3 became removable when batch 2 went: it gets a horizon now, and goes after it.
      now = T0 + 5000;
      await cleaner.clean({ topic: 't', partition: 0, log });
      ({ batches } = await readAll(log));
      expect(deleteHorizonOf(readBatchHeader(batches.find((b) => readBatchHeader(b).baseOffset === 3)!))).toBe(T0 + 6000);
      now = T0 + 6000;
      expect((await cleaner.cleanOnce())?.reason).toBe('delete horizon');
      ({ batches } = await readAll(log));
      const left = batches.map((b) => readBatchHeader(b)).filter((h) => h.producerId >= 0).map((h) => [h.baseOffset, h.recordCount]);
      // Producer 7: its empty last batch, and its abort marker (a batch of that transaction remains, so the marker stays).
      // Producer 8: the commit of the old batch (3) went once no batch of it remained; 4 and its commit stay.
      expect(left).toEqual([[0, 0], [1, 1], [4, 1], [5, 1]]);
    });
  });
}

describe('log cleaner: file crash safety', () => {
  const fileConfig = { ...config };
  async function cleanedDir(): Promise<{ before: string; after: string; recs: Rec[]; base: number; end: number; leo: number }> {
    const dir = freshDir();
    const log = openFileLog(dir, fileConfig, silent);
    for (let round = 0; round < 15; round++) await appendCommitted(log, keyed([[`k${round % 3}`, `v${round}`]]), { leaderEpoch: 0 });
    await log.flush();
    const before = join(dirname(dir), 'before-0');
    cpSync(dir, before, { recursive: true });
    log.setConfig({ ...fileConfig, segmentBytes: 1 << 20 }); // one cleaned group: one swap file
    await cleanerFor(log, () => T0).cleanOnce();
    const recs = (await readAll(log)).recs;
    const base = log.sealedSegments()[0]!.baseOffset;
    const end = log.firstDirtyOffset;
    const leo = log.logEndOffset;
    await log.close();
    return { before, after: dir, recs, base, end, leo };
  }
  const name = (base: number, ext: string): string => `${String(base).padStart(20, '0')}.${ext}`;

  it('reads the same after a restart', async () => {
    const { after, recs, leo } = await cleanedDir();
    const log = openFileLog(after, fileConfig, silent);
    expect((await readAll(log)).recs).toEqual(recs);
    expect(log.logEndOffset).toBe(leo);
    expect(log.firstDirtyOffset).toBeGreaterThan(0);
    await log.close();
  });

  it('resumes removing tombstones after a restart between cleaning and their delete horizon', async () => {
    const dir = freshDir();
    let log = openFileLog(dir, fileConfig, silent);
    await appendCommitted(log, keyed([['a', '1'], ['b', '1']]), { leaderEpoch: 0 });
    await appendCommitted(log, keyed([['a', null]]), { leaderEpoch: 0 });
    for (let i = 0; i < 6; i++) await appendCommitted(log, keyed([[`f${i}`, 'filler-filler-filler-filler']]), { leaderEpoch: 0 });
    expect((await cleanerFor(log, () => T0).cleanOnce())?.reason).toBe('dirty ratio');
    expect((await readAll(log)).recs.filter((r) => r.key === 'a')).toEqual([{ offset: 2, key: 'a', value: null }]);
    await log.close();

    log = openFileLog(dir, fileConfig, silent);
    expect(log.nextDeleteHorizon).toBe(T0 + 1000);
    // No new data: only the saved horizon brings the cleaner back, and not before it passes.
    expect(await cleanerFor(log, () => T0 + 999).cleanOnce()).toBeUndefined();
    expect((await cleanerFor(log, () => T0 + 1000).cleanOnce())?.reason).toBe('delete horizon');
    expect((await readAll(log)).recs.filter((r) => r.key === 'a')).toEqual([]);
    expect(log.nextDeleteHorizon).toBe(-1);
    await log.close();

    log = openFileLog(dir, fileConfig, silent);
    expect(await cleanerFor(log, () => T0 + 5000).cleanOnce()).toBeUndefined();
    await log.close();
  });

  it('cleans once after a start from a checkpoint without a horizon (written before horizons were saved)', async () => {
    const dir = freshDir();
    let log = openFileLog(dir, fileConfig, silent);
    await appendCommitted(log, keyed([['a', '1']]), { leaderEpoch: 0 });
    await appendCommitted(log, keyed([['a', null]]), { leaderEpoch: 0 });
    for (let i = 0; i < 6; i++) await appendCommitted(log, keyed([[`f${i}`, 'filler-filler-filler-filler']]), { leaderEpoch: 0 });
    await cleanerFor(log, () => T0).cleanOnce();
    const end = log.firstDirtyOffset;
    await log.close();
    writeFileSync(join(dir, 'cleaner-offset-checkpoint'), `${end}\n`);

    log = openFileLog(dir, fileConfig, silent);
    expect(log.firstDirtyOffset).toBe(end);
    expect((await cleanerFor(log, () => T0 + 10).cleanOnce())?.reason).toBe('delete horizon');
    expect(log.nextDeleteHorizon).toBe(T0 + 1000);
    expect((await readAll(log)).recs.filter((r) => r.key === 'a')).toEqual([{ offset: 1, key: 'a', value: null }]);
    await log.close();
  });

  it('ignores a cleaned segment that was never committed', async () => {
    const { before, after, base } = await cleanedDir();
    const original = openFileLog(before, fileConfig, silent);
    const originalRecs = (await readAll(original)).recs;
    await original.close();
    copyFileSync(join(after, name(base, 'log')), join(before, `${name(base, 'log')}.cleaned`));
    const log = openFileLog(before, fileConfig, silent);
    expect((await readAll(log)).recs).toEqual(originalRecs);
    expect(readdirSync(before).some((f) => f.endsWith('.cleaned'))).toBe(false);
    await log.close();
  });

  it('finishes a committed swap whatever step the crash interrupted', async () => {
    const { before, after, base, recs } = await cleanedDir();
    const cleaned = join(after, name(base, 'log'));
    // Old segments still there, swap file written: the swap replaces all segments it covers.
    const crashDir = `${before}-swap`;
    cpSync(before, crashDir, { recursive: true });
    copyFileSync(cleaned, join(crashDir, `${name(base, 'log')}.swap`));
    // And a variant where the old first segment was already renamed away, with a stray .deleted file.
    const crashDir2 = `${before}-swap2`;
    cpSync(crashDir, crashDir2, { recursive: true });
    rmSync(join(crashDir2, name(base, 'log')));
    writeFileSync(join(crashDir2, `${name(base, 'log')}.deleted`), 'junk');
    for (const dir of [crashDir, crashDir2]) {
      const log = openFileLog(dir, fileConfig, silent);
      const read = (await readAll(log)).recs;
      expect(read).toEqual(recs);
      expect(new Set(read.map((r) => r.offset)).size).toBe(read.length);
      expect(readdirSync(dir).filter((f) => /\.(swap|deleted|cleaned)$/.test(f))).toEqual([]);
      await log.close();
    }
  });
});

describe('log cleaner: time slices', () => {
  /** Event-loop turns while the cleaner cleans a memory log of one-record batches, with `sliceClock` measuring its slices. */
  async function turnsWhileCleaning(sliceClock: () => number): Promise<{ turns: number; batches: number }> {
    const log = new MemoryLog(config, silent);
    for (let i = 0; i < 60; i++) await appendCommitted(log, keyed([[`k${i % 6}`, `v${i}`]]), { leaderEpoch: 0 });
    const cleaner = new LogCleaner({
      partitions: () => [],
      txn: NO_TRANSACTIONS,
      settings: () => ({ backoffMs: 10, dedupeBufferBytes: 1 << 20 }),
      logger: silent,
      now: () => T0,
      sliceClock,
    });
    let turns = 0;
    let cleaning = true;
    const tick = (): void => {
      turns++;
      if (cleaning) setImmediate(tick);
    };
    setImmediate(tick);
    const stats = await cleaner.clean({ topic: 't', partition: 0, log });
    cleaning = false;
    await log.close();
    // Every sealed batch is visited twice: once for the offset map, once for the rewrite.
    return { turns, batches: 2 * stats.batchesRead };
  }

  it('gives the event loop a turn before every batch once each batch uses up a slice', async () => {
    let ms = 0;
    const { turns, batches } = await turnsWhileCleaning(() => ms++);
    expect(batches).toBeGreaterThan(50);
    expect(turns).toBeGreaterThanOrEqual(batches);
  });

  it('keeps going without yielding while its slice lasts', async () => {
    const { turns, batches } = await turnsWhileCleaning(() => 0);
    expect(turns).toBeLessThan(batches / 4);
  });
});
