// The log's seams for producer-state snapshots: the file SnapshotStore and segment change events.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openFileLog } from '../../../src/log/file-log.js';
import { DEFAULT_LOG_CONFIG } from '../../../src/log/log-config.js';
import { MemoryLog } from '../../../src/log/memory-log.js';
import type { SegmentChange } from '../../../src/log/partition-log.js';
import { makeBatch } from './batches.js';
import { appendCommitted } from '../../helpers/append-committed.js';

const root = mkdtempSync(join(tmpdir(), 'creek-snapshot-store-'));
let dirs = 0;
/** A partition directory of its own data directory: each log is the only writer of its recovery points. */
const freshDir = (): string => join(root, `${dirs++}`, 'p-0');
const silent = pino({ level: 'silent' });
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('file snapshot store', () => {
  it('keeps <offset>.snapshot files across reopening the log', async () => {
    const dir = freshDir();
    const log = openFileLog(dir, DEFAULT_LOG_CONFIG, silent);
    await log.snapshots.write(12, Buffer.from('twelve'));
    await log.snapshots.write(3, Buffer.from('three'));
    expect(await log.snapshots.list()).toEqual([3, 12]);
    expect(readdirSync(dir)).toContain('00000000000000000012.snapshot');
    await log.close();

    const reopened = openFileLog(dir, DEFAULT_LOG_CONFIG, silent);
    expect(await reopened.snapshots.list()).toEqual([3, 12]);
    expect((await reopened.snapshots.read(12))?.toString()).toBe('twelve');
    await reopened.snapshots.delete(3);
    await reopened.snapshots.delete(99);
    expect(await reopened.snapshots.list()).toEqual([12]);
    expect(await reopened.snapshots.read(3)).toBeUndefined();
    expect(readdirSync(dir)).not.toContain('00000000000000000003.snapshot');
    await reopened.close();
  });

  it('the memory backend keeps none', async () => {
    const log = new MemoryLog();
    await log.snapshots.write(5, Buffer.from('x'));
    expect(await log.snapshots.list()).toEqual([]);
    await log.close();
  });
});

describe('segment change events', () => {
  it('report rolls and log start moves', async () => {
    const log = openFileLog(freshDir(), { ...DEFAULT_LOG_CONFIG, segmentBytes: 300 }, silent);
    const changes: SegmentChange[] = [];
    const unsubscribe = log.onSegmentChange((c) => changes.push(c));
    for (let i = 0; i < 8; i++) await appendCommitted(log, makeBatch({ payload: 39, records: 2 }), { leaderEpoch: 0 });
    expect(changes.filter((c) => c.kind === 'rolled').map((c) => (c.kind === 'rolled' ? c.baseOffset : -1))).toEqual([6, 12]);
    await log.deleteRecordsBefore(7);
    expect(changes.at(-1)).toEqual({ kind: 'logStartAdvanced', logStartOffset: 7 });
    unsubscribe();
    await log.deleteRecordsBefore(9);
    expect(changes.at(-1)).toEqual({ kind: 'logStartAdvanced', logStartOffset: 7 });
    await log.close();
  });
});
