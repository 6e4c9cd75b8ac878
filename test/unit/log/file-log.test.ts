import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openFileLog } from '../../../src/log/file-log.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../../src/log/log-config.js';
import type { SegmentedLog } from '../../../src/log/segmented-log.js';
import { baseOffsets, makeBatch } from './batches.js';
import { partitionLogSuite } from './partition-log-suite.js';

const root = mkdtempSync(join(tmpdir(), 'creek-file-log-'));
let dirs = 0;
const freshDir = (): string => join(root, `p-${dirs++}`);
const silent = pino({ level: 'silent' });
afterAll(() => rmSync(root, { recursive: true, force: true }));

partitionLogSuite('file', (config) => Promise.resolve(openFileLog(freshDir(), config, silent)));
partitionLogSuite('file without tail cache', (config) => Promise.resolve(openFileLog(freshDir(), config, silent, { tailCacheBytes: 0 })));

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
    for (let i = 0; i < count; i++) await log.append(makeBatch({ payload, records: 2, timestamp: 1000 + i }), meta);
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

  it('reopens with the same offsets, bytes, log start and epochs', async () => {
    const dir = freshDir();
    const first = open(dir, { segmentBytes: 300, indexIntervalBytes: 50 });
    await append(first, 10);
    await first.append(makeBatch({ records: 2 }), { leaderEpoch: 3 });
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
    expect((await again.append(makeBatch(), meta)).baseOffset).toBe(22);
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
    expect((await again.append(makeBatch(), meta)).baseOffset).toBe(8);
  });

  it('cuts a tail batch with a bad CRC and any garbage after it', async () => {
    const dir = freshDir();
    const log = open(dir);
    await append(log, 4);
    await log.close();
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
    expect((await again.append(makeBatch(), meta)).baseOffset).toBe(4);
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
