import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openFileLog } from '../../../src/log/file-log.js';
import { RecoveryPointFile, RECOVERY_POINT_FILE } from '../../../src/log/recovery-point-file.js';
import { SlabPool } from '../../../src/log/slab-pool.js';
import { TailBudget } from '../../../src/log/tail-budget.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../../src/log/log-config.js';
import type { SegmentedLog } from '../../../src/log/segmented-log.js';
import { baseOffsets, makeBatch } from './batches.js';
import { partitionLogSuite } from './partition-log-suite.js';
import { appendCommitted } from '../../helpers/append-committed.js';

const root = mkdtempSync(join(tmpdir(), 'creek-file-log-'));
let dirs = 0;
/** A partition directory of its own data directory: each log is the only writer of its recovery points. */
const freshDir = (): string => join(root, `${dirs++}`, 'p-0');
const savedRecoveryPoint = (dir: string): number => new RecoveryPointFile(dirname(dir)).saved(basename(dir));
/** As if nothing had ever been synced. */
const forgetRecoveryPoints = (dir: string): void => rmSync(join(dirname(dir), RECOVERY_POINT_FILE));
const silent = pino({ level: 'silent' });
afterAll(() => rmSync(root, { recursive: true, force: true }));

partitionLogSuite('file', (config) => Promise.resolve(openFileLog(freshDir(), config, silent)));
partitionLogSuite('file without tail cache', (config) => Promise.resolve(openFileLog(freshDir(), config, silent, { tailCacheBytes: 0 })));
partitionLogSuite('file whose tail the broker-wide budget drops', (config) => Promise.resolve(openFileLog(freshDir(), config, silent, { tailBudget: new TailBudget(1) })));

describe('FileLog on disk', () => {
  const logs: SegmentedLog[] = [];
  const open = (dir: string, overrides: Partial<LogConfig> = {}, logger = silent): SegmentedLog => {
    const log = openFileLog(dir, { ...DEFAULT_LOG_CONFIG, ...overrides }, logger, { tailCacheBytes: 0 });
    logs.push(log);
    return log;
  };
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((l) => l.close()));
  });
  const meta = { leaderEpoch: 0 };
  const append = async (log: SegmentedLog, count: number, payload = 39): Promise<void> => {
    for (let i = 0; i < count; i++) await appendCommitted(log, makeBatch({ payload, records: 2, timestamp: 1000 + i }), meta);
  };
  const readAll = async (log: SegmentedLog): Promise<Buffer> =>
    Buffer.concat((await log.read(log.logStartOffset, 1 << 24)).chunks);

  it('lays files out like Kafka', async () => {
    const dir = freshDir();
    const log = open(dir, { segmentBytes: 300, indexIntervalBytes: 50 });
    await append(log, 8);
    await log.flush();
    const files = readdirSync(dir).sort();
    expect(files).toContain('00000000000000000000.log');
    expect(files).toContain('00000000000000000000.index');
    expect(files).toContain('00000000000000000000.timeindex');
    expect(files).toContain('00000000000000000006.log');
    expect(files).toContain('leader-epoch-checkpoint');
    expect(statSync(join(dir, '00000000000000000000.index')).size % 8).toBe(0);
    expect(readFileSync(join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n1\n0 0\n');
  });

  it('reads from an indexed batch start as from anywhere else (maxBytes, minOneBatch, maxOffset, mid-batch offsets)', async () => {
    const log = open(freshDir(), { indexIntervalBytes: 1 });
    await append(log, 6, 200); // batches of 2 records: offsets 0-1, 2-3, ... 10-11; every one indexed but the first
    const size = makeBatch({ payload: 200, records: 2 }).length;
    expect(baseOffsets((await log.read(4, 1 << 20)).chunks)).toEqual([4, 6, 8, 10]);
    expect(baseOffsets((await log.read(5, 1 << 20)).chunks)).toEqual([4, 6, 8, 10]);
    expect(baseOffsets((await log.read(4, 2 * size + 10)).chunks)).toEqual([4, 6]);
    expect(baseOffsets((await log.read(4, 10)).chunks)).toEqual([4]);
    expect((await log.read(4, 10, { minOneBatch: false })).chunks).toEqual([]);
    expect(baseOffsets((await log.read(4, 1 << 20, { maxOffset: 8 })).chunks)).toEqual([4, 6]);
    expect((await log.read(4, 1 << 20, { maxOffset: 4 })).chunks).toEqual([]);
  });

  it('reopens with the same offsets, bytes, log start and epochs', async () => {
    const dir = freshDir();
    const first = open(dir, { segmentBytes: 300, indexIntervalBytes: 50 });
    await append(first, 10);
    await appendCommitted(first, makeBatch({ records: 2 }), { leaderEpoch: 3 });
    await first.deleteRecordsBefore(7);
    const before = await readAll(first);
    await first.close();

    const again = open(dir, { segmentBytes: 300, indexIntervalBytes: 50 });
    expect(again.logStartOffset).toBe(7);
    expect(again.logEndOffset).toBe(22);
    expect(again.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 20 });
    expect(again.latestEpoch).toBe(3);
    expect(await readAll(again)).toEqual(before);
    expect(baseOffsets((await again.read(13, 1)).chunks)).toEqual([12]);
    expect(await again.offsetForTimestamp(1005)).toEqual({ offset: 10, timestamp: 1005 });
    expect((await appendCommitted(again, makeBatch(), meta)).baseOffset).toBe(22);
  });

  it('recovers a torn tail to the last whole batch', async () => {
    const dir = freshDir();
    const log = open(dir);
    await append(log, 5);
    await log.close();
    const file = join(dir, '00000000000000000000.log');
    truncateSync(file, statSync(file).size - 30);
    const warnings: unknown[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    const again = open(dir, {}, logger);
    expect(again.logEndOffset).toBe(8);
    expect(statSync(file).size).toBe(4 * 100);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ msg: 'truncated segment to its last valid batch', droppedBytes: 70 });
    expect((await appendCommitted(again, makeBatch(), meta)).baseOffset).toBe(8);
  });

  it('cuts a tail batch with a bad CRC and any garbage after it', async () => {
    const dir = freshDir();
    const log = open(dir);
    await append(log, 4);
    await log.close();
    forgetRecoveryPoints(dir);
    const file = join(dir, '00000000000000000000.log');
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] ^= 0x01;
    writeFileSync(file, bytes);
    appendFileSync(file, Buffer.alloc(33, 0x7f));
    const again = open(dir);
    expect(again.logEndOffset).toBe(6);
    expect(statSync(file).size).toBe(300);
  });

  it('rebuilds missing and corrupt indexes of sealed segments', async () => {
    const dir = freshDir();
    const config = { segmentBytes: 1000, indexIntervalBytes: 100 };
    const log = open(dir, config);
    await append(log, 40);
    const before = await readAll(log);
    await log.close();
    rmSync(join(dir, '00000000000000000000.index'));
    writeFileSync(join(dir, '00000000000000000020.index'), Buffer.alloc(13, 1));
    const again = open(dir, config);
    expect(await readAll(again)).toEqual(before);
    for (const offset of [0, 5, 17, 18, 19, 40, 61, 79]) {
      expect(baseOffsets((await again.read(offset, 1)).chunks)).toEqual([offset - (offset % 2)]);
    }
    await again.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(dir, '00000000000000000000.index'))).toBe(true);
    expect(statSync(join(dir, '00000000000000000020.index')).size % 8).toBe(0);
  });

  it('drops an empty segment left behind a torn one', async () => {
    const dir = freshDir();
    const log = open(dir, { segmentBytes: 300 });
    await append(log, 3);
    await log.close();
    const file = join(dir, '00000000000000000000.log');
    truncateSync(file, 250);
    writeFileSync(join(dir, '00000000000000000006.log'), Buffer.alloc(0));
    const again = open(dir, { segmentBytes: 300 });
    expect(again.logEndOffset).toBe(4);
    expect(existsSync(join(dir, '00000000000000000006.log'))).toBe(false);
    expect((await appendCommitted(again, makeBatch(), meta)).baseOffset).toBe(4);
  });

  it('removes segment files on retention', async () => {
    const dir = freshDir();
    const log = open(dir, { segmentBytes: 300, retentionBytes: 300, retentionMs: -1 });
    await append(log, 9);
    await log.flush();
    expect(await log.applyRetention()).toBe(2);
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual(['00000000000000000012.log']);
    expect(readFileSync(join(dir, 'log-start-offset'), 'utf8')).toBe('12\n');
  });
});

describe('FileLog recovery points and clean shutdown', () => {
  const logs: SegmentedLog[] = [];
  const config = (overrides: Partial<LogConfig>): LogConfig => ({ ...DEFAULT_LOG_CONFIG, ...overrides });
  /** Opens `dir`; returns the log and the JSON lines it logged at info level and above. */
  const open = (dir: string, overrides: Partial<LogConfig> = {}, cleanShutdown = false): { log: SegmentedLog; lines: Record<string, unknown>[] } => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const log = openFileLog(dir, config(overrides), logger, { tailCacheBytes: 0, cleanShutdown });
    logs.push(log);
    return { log, lines };
  };
  /** A log opened without being tracked: left open, like a process killed with SIGKILL. */
  const openToCrash = (dir: string, overrides: Partial<LogConfig> = {}): SegmentedLog =>
    openFileLog(dir, config(overrides), silent, { tailCacheBytes: 0 });
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((l) => l.close()));
  });
  const meta = { leaderEpoch: 0 };
  /** 100-byte batches of 2 records, timestamps 1000 + i. */
  const append = async (log: SegmentedLog, count: number, first = 0): Promise<void> => {
    for (let i = first; i < first + count; i++) await appendCommitted(log, makeBatch({ payload: 39, records: 2, timestamp: 1000 + i }), meta);
  };
  const readAll = async (log: SegmentedLog): Promise<Buffer> => Buffer.concat((await log.read(log.logStartOffset, 1 << 24)).chunks);
  const recoveredLines = (lines: Record<string, unknown>[]): Record<string, unknown>[] =>
    lines.filter((l) => l.msg === 'recovered log' || l.msg === 'rebuilding missing or corrupt segment index');
  /** Flips one payload byte of the batch at `position` in a segment file: its CRC no longer matches. */
  const corrupt = (file: string, position: number): void => {
    const bytes = readFileSync(file);
    bytes[position + 80] ^= 0x01;
    writeFileSync(file, bytes);
  };

  it('after a clean shutdown reads no sealed segment, reads a small active one whole, and keeps every answer', async () => {
    const dir = freshDir();
    const overrides = { segmentBytes: 1000, indexIntervalBytes: 100 };
    const first = open(dir, overrides).log;
    await append(first, 25);
    const before = { data: await readAll(first), max: await first.maxTimestampOffset(), byTime: await first.offsetForTimestamp(1022) };
    await first.close();
    expect(savedRecoveryPoint(dir)).toBe(50);
    expect(existsSync(join(dir, '00000000000000000020.index'))).toBe(true);
    // Under 1 MiB (indexedAtClose): closed without index files, to be read whole at the next start.
    expect(existsSync(join(dir, '00000000000000000040.index'))).toBe(false);
    expect(existsSync(join(dir, '00000000000000000040.timeindex'))).toBe(false);
    // Bad bytes go unnoticed, in a sealed segment and in the active one: after a clean shutdown no CRC is checked.
    corrupt(join(dir, '00000000000000000020.log'), 100);
    corrupt(join(dir, '00000000000000000040.log'), 100);

    const { log, lines } = open(dir, overrides, true);
    expect(recoveredLines(lines)).toEqual([]);
    expect(log.logEndOffset).toBe(50);
    expect(log.recoveryPoint).toBe(50);
    expect(await log.maxTimestampOffset()).toEqual(before.max);
    expect(await log.offsetForTimestamp(1022)).toEqual(before.byTime);
    expect((await readAll(log)).length).toBe(before.data.length);
    for (const offset of [0, 17, 41, 44, 49]) expect(baseOffsets((await log.read(offset, 1)).chunks)).toEqual([offset - (offset % 2)]);
    expect((await appendCommitted(log, makeBatch(), meta)).baseOffset).toBe(50);
  });

  it('after a clean shutdown reads no segment when the active one was large enough to save its indexes', async () => {
    const dir = freshDir();
    // 20 batches of 64 KiB: 1.3 MiB, over the 1 MiB of indexedAtClose.
    const big = async (log: SegmentedLog, count: number, first = 0): Promise<void> => {
      for (let i = first; i < first + count; i++) await appendCommitted(log, makeBatch({ payload: 64 * 1024, records: 2, timestamp: 1000 + i }), meta);
    };
    const first = open(dir).log;
    await big(first, 20);
    const before = { max: await first.maxTimestampOffset(), byTime: await first.offsetForTimestamp(1013) };
    await first.close();
    expect(existsSync(join(dir, '00000000000000000000.index'))).toBe(true);
    expect(existsSync(join(dir, '00000000000000000000.timeindex'))).toBe(true);
    // Bad bytes before the last index entry are not read: only the batches after it are (framing only).
    corrupt(join(dir, '00000000000000000000.log'), 0);

    const { log, lines } = open(dir, {}, true);
    expect(recoveredLines(lines)).toEqual([]);
    expect(log.logEndOffset).toBe(40);
    expect(await log.maxTimestampOffset()).toEqual(before.max);
    expect(await log.offsetForTimestamp(1013)).toEqual(before.byTime);
    // The first append makes the saved indexes of the active segment stale: they are gone at once.
    await big(log, 1, 20);
    expect(existsSync(join(dir, '00000000000000000000.index'))).toBe(false);
    expect(log.logEndOffset).toBe(42);
  });

  it('after a crash checks CRCs only past the recovery point, and cuts a torn write there', async () => {
    const dir = freshDir();
    const crashed = openToCrash(dir);
    await append(crashed, 6);
    await crashed.flush();
    expect(crashed.recoveryPoint).toBe(12);
    await append(crashed, 3, 6);
    const file = join(dir, '00000000000000000000.log');
    truncateSync(file, statSync(file).size - 30);

    const { log, lines } = open(dir);
    expect(log.logEndOffset).toBe(16);
    expect(recoveredLines(lines)).toEqual([
      expect.objectContaining({ msg: 'recovered log', recoveryPoint: 12, logEndOffset: 16, segments: 1, readBytes: 870, checkedBytes: 200, truncatedBytes: 70 }),
    ]);
    expect(log.recoveryPoint).toBe(16);
    await new Promise((r) => setTimeout(r, 20));
    expect(savedRecoveryPoint(dir)).toBe(16);
    expect((await appendCommitted(log, makeBatch(), meta)).baseOffset).toBe(16);
  });

  it('after a crash takes the epochs of unflushed batches from the batches, which the checkpoint lacks', async () => {
    const dir = freshDir();
    const checkpoint = join(dir, 'leader-epoch-checkpoint');
    const crashed = openToCrash(dir);
    await append(crashed, 6);
    await crashed.flush();
    expect(readFileSync(checkpoint, 'utf8')).toBe('0\n1\n0 0\n');
    await appendCommitted(crashed, makeBatch({ payload: 39, records: 2 }), { leaderEpoch: 2 });
    await appendCommitted(crashed, makeBatch({ payload: 39, records: 2 }), { leaderEpoch: 5 });
    // New epochs are saved when the recovery point passes their batches, not on the append path.
    await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(checkpoint, 'utf8')).toBe('0\n1\n0 0\n');

    const { log } = open(dir);
    expect(log.logEndOffset).toBe(16);
    expect(log.latestEpoch).toBe(5);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 12 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 2, endOffset: 14 });
    await vi.waitFor(() => expect(readFileSync(checkpoint, 'utf8')).toBe('0\n3\n0 0\n2 12\n5 14\n'));
  });

  it('trusts data below the recovery point after a crash (it was synced and checked before)', async () => {
    const dir = freshDir();
    const crashed = openToCrash(dir);
    await append(crashed, 4);
    await crashed.flush();
    corrupt(join(dir, '00000000000000000000.log'), 100);
    const { log, lines } = open(dir);
    expect(log.logEndOffset).toBe(8);
    expect(recoveredLines(lines)).toEqual([expect.objectContaining({ msg: 'recovered log', checkedBytes: 0, truncatedBytes: 0 })]);
  });

  it('moves the recovery point with segment rolls and keeps it through DeleteRecords', async () => {
    const dir = freshDir();
    const overrides = { segmentBytes: 300, indexIntervalBytes: 100 };
    const crashed = openToCrash(dir, overrides);
    await append(crashed, 10); // 3 batches per segment: segments at 0, 6, 12, 18
    // No flush: the roll to 18 synced the segments before it.
    await vi.waitFor(() => expect(crashed.recoveryPoint).toBe(18));
    await crashed.deleteRecordsBefore(9);
    await append(crashed, 1, 10);
    await crashed.flush();
    expect(crashed.recoveryPoint).toBe(22);
    await append(crashed, 1, 11); // unsynced, and no roll: segment 18 holds 18..23
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual(['00000000000000000006.log', '00000000000000000012.log', '00000000000000000018.log']);
    expect(savedRecoveryPoint(dir)).toBe(22);

    const { log, lines } = open(dir, overrides);
    expect(log.logStartOffset).toBe(9);
    expect(log.logEndOffset).toBe(24);
    // Only the segment holding the recovery point was read, and CRCs checked from it on.
    expect(recoveredLines(lines)).toEqual([expect.objectContaining({ msg: 'recovered log', recoveryPoint: 22, segments: 1, readBytes: 300, checkedBytes: 100 })]);
    expect(baseOffsets((await log.read(9, 1 << 20)).chunks)).toEqual([8, 10, 12, 14, 16, 18, 20, 22]);
  });

  it('drops the segments after a cut in an unsynced one', async () => {
    const dir = freshDir();
    const overrides = { segmentBytes: 300 };
    const crashed = openToCrash(dir, overrides);
    await append(crashed, 8); // segments at 0, 6, 12
    await crashed.flush();
    forgetRecoveryPoints(dir); // the crash came before any sync
    corrupt(join(dir, '00000000000000000006.log'), 100);
    const { log } = open(dir, overrides);
    expect(log.logEndOffset).toBe(8);
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual(['00000000000000000000.log', '00000000000000000006.log']);
    expect((await appendCommitted(log, makeBatch(), meta)).baseOffset).toBe(8);
  });

  it('rebuilds the indexes of the active segment when one of its clean-shutdown index files is missing', async () => {
    const dir = freshDir();
    const first = open(dir).log;
    for (let i = 0; i < 20; i++) await appendCommitted(first, makeBatch({ payload: 64 * 1024, records: 2, timestamp: 1000 + i }), meta);
    await first.close();
    rmSync(join(dir, '00000000000000000000.timeindex'));
    const { log, lines } = open(dir, {}, true);
    expect(lines.map((l) => l.msg)).toContain('rebuilding missing or corrupt segment index');
    expect(log.logEndOffset).toBe(40);
    expect(await log.offsetForTimestamp(1003)).toEqual({ offset: 6, timestamp: 1003 });
  });
});

describe('FileLog tail', () => {
  it('hands readers copies of tail bytes that later appends cannot change', async () => {
    const log = openFileLog(freshDir(), DEFAULT_LOG_CONFIG, silent, { tailCacheBytes: 4096, slabs: new SlabPool({ slabBytes: 8192, maxFree: 2 }) });
    try {
      const meta = { leaderEpoch: 0 };
      await appendCommitted(log, makeBatch({ payload: 1000, fill: 0x41 }), meta);
      const read = await log.read(0, 1 << 20);
      const before = Buffer.concat(read.chunks);
      // Enough appends to evict the first batch from the tail and reuse its slab several times.
      for (let i = 0; i < 40; i++) await appendCommitted(log, makeBatch({ payload: 1000, fill: 0x42 + (i % 20) }), meta);
      expect(Buffer.concat(read.chunks).equals(before)).toBe(true);
      const all = Buffer.concat((await log.read(0, 1 << 20)).chunks);
      expect(baseOffsets([all])).toEqual(Array.from({ length: 41 }, (_, i) => i));
      expect(all.subarray(0, before.length).equals(before)).toBe(true);
    } finally {
      await log.close();
    }
  });

  it('keeps all tails within the broker-wide budget, the latest written kept longest, and gives their bytes back on close', async () => {
    const budget = new TailBudget(8 * 1024);
    const logs = Array.from({ length: 8 }, () => openFileLog(freshDir(), DEFAULT_LOG_CONFIG, silent, { tailBudget: budget }));
    const meta = { leaderEpoch: 0 };
    try {
      // Each log alone would keep up to 1 MiB: 8 × 4 batches of ~1 KiB are four times the budget.
      for (let round = 0; round < 4; round++) {
        for (const log of logs) {
          await appendCommitted(log, makeBatch({ payload: 1000, fill: 0x41 + round }), meta);
          expect(budget.heldBytes).toBeLessThanOrEqual(budget.maxBytes);
        }
      }
      expect(budget.heldBytes).toBeGreaterThan(0);
      // Dropped tails are read from the files, whole and in order.
      for (const log of logs) {
        const all = Buffer.concat((await log.read(0, 1 << 20)).chunks);
        expect(baseOffsets([all])).toEqual([0, 1, 2, 3]);
      }
    } finally {
      await Promise.all(logs.map((l) => l.close()));
    }
    expect(budget.heldBytes).toBe(0);
  });
});
