// The data directory's recovery-point-offset-checkpoint: Kafka's format, coalesced writes, and a
// deleted partition's point gone before a partition of the same name can be created.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStorage } from '../../../src/log/file-storage.js';
import { DEFAULT_LOG_CONFIG } from '../../../src/log/log-config.js';
import { RECOVERY_POINT_FILE, RecoveryPointFile, parseRecoveryPoints } from '../../../src/log/recovery-point-file.js';
import type { SegmentedLog } from '../../../src/log/segmented-log.js';
import { makeBatch } from './batches.js';
import { appendCommitted } from '../../helpers/append-committed.js';

const root = mkdtempSync(join(tmpdir(), 'creek-recovery-points-'));
const freshDataDir = (): string => mkdtempSync(join(root, 'd-'));
const silent = pino({ level: 'silent' });
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fileText = (dataDir: string): string => readFileSync(join(dataDir, RECOVERY_POINT_FILE), 'utf8');

describe('recovery-point-offset-checkpoint', () => {
  it("is written in Kafka's checkpoint format and read back by the next instance", async () => {
    const dataDir = freshDataDir();
    const points = new RecoveryPointFile(dataDir);
    await Promise.all([points.save('orders-0', 120), points.save('orders-1', 7), points.save('my.topic-with-dashes-12', 0)]);
    expect(fileText(dataDir)).toBe('0\n3\norders 0 120\norders 1 7\nmy.topic-with-dashes 12 0\n');
    const again = new RecoveryPointFile(dataDir);
    expect([again.saved('orders-0'), again.saved('orders-1'), again.saved('my.topic-with-dashes-12'), again.saved('other-0')]).toEqual([120, 7, 0, 0]);
  });

  it('carries many changes in few writes, each save resolving once a file holding it is written', async () => {
    const dataDir = freshDataDir();
    const points = new RecoveryPointFile(dataDir);
    const saves = Array.from({ length: 500 }, (_, p) => points.save(`t-${p}`, p + 1));
    // One write took the first point; the one after it took the other 499.
    expect(new Set(saves).size).toBe(2);
    const missing: number[] = [];
    await Promise.all(
      saves.map((saved, p) =>
        saved.then(() => {
          if (parseRecoveryPoints(fileText(dataDir)).get(`t-${p}`) !== p + 1) missing.push(p);
        }),
      ),
    );
    expect(missing).toEqual([]);
    expect(parseRecoveryPoints(fileText(dataDir)).size).toBe(500);
  });

  it('reads a malformed file as no points (recovery checks everything) and refuses names that are not partitions', async () => {
    const dataDir = freshDataDir();
    for (const text of ['1\n1\nt 0 5\n', '0\n2\nt 0 5\n', '0\n1\nt 0 x\n', '0\n1\nt 0\n', 'garbage']) {
      writeFileSync(join(dataDir, RECOVERY_POINT_FILE), text);
      expect(new RecoveryPointFile(dataDir).saved('t-0')).toBe(0);
    }
    await expect(new RecoveryPointFile(dataDir).save('not-a-partition', 1)).rejects.toThrow('not a partition directory name');
  });
});

describe('FileStorage and recovery points', () => {
  const open = async (dataDir: string, topics: { name: string; partitions: number }[]): Promise<FileStorage> => {
    const storage = new FileStorage(dataDir, silent);
    await storage.open(topics);
    return storage;
  };
  const append = async (log: SegmentedLog, count: number): Promise<void> => {
    for (let i = 0; i < count; i++) await appendCommitted(log, makeBatch({ records: 2 }), { leaderEpoch: 0 });
  };

  it('keeps every partition of a data directory in one file, and no recovery-point file in partition directories', async () => {
    const dataDir = freshDataDir();
    const storage = await open(dataDir, [{ name: 'a', partitions: 2 }]);
    const logs = (await Promise.all([storage.openLog('a', 0, DEFAULT_LOG_CONFIG), storage.openLog('a', 1, DEFAULT_LOG_CONFIG)])) as SegmentedLog[];
    await append(logs[0]!, 3);
    await append(logs[1]!, 5);
    await Promise.all(logs.map((l) => l.close()));
    await storage.close();
    expect(parseRecoveryPoints(fileText(dataDir))).toEqual(new Map([['a-0', 6], ['a-1', 10]]));
    expect(readdirSync(join(dataDir, 'a-0')).filter((f) => f.includes('recovery'))).toEqual([]);
  });

  it("removes a deleted topic's points before its directories, and drops those of unknown topics at open", async () => {
    const dataDir = freshDataDir();
    let storage = await open(dataDir, [{ name: 'gone', partitions: 1 }, { name: 'kept', partitions: 1 }]);
    for (const topic of ['gone', 'kept']) {
      const log = (await storage.openLog(topic, 0, DEFAULT_LOG_CONFIG)) as SegmentedLog;
      await append(log, 4);
      await log.close();
    }
    expect(parseRecoveryPoints(fileText(dataDir))).toEqual(new Map([['gone-0', 8], ['kept-0', 8]]));
    let pointsWhenForgotten = '';
    await storage.removeTopic({ name: 'gone', partitions: 1 }, () => {
      pointsWhenForgotten = fileText(dataDir);
      return Promise.resolve();
    });
    expect(parseRecoveryPoints(pointsWhenForgotten)).toEqual(new Map([['kept-0', 8]]));
    await storage.close();

    writeFileSync(join(dataDir, RECOVERY_POINT_FILE), '0\n2\nkept 0 8\nstale 0 99\n');
    storage = await open(dataDir, [{ name: 'kept', partitions: 1 }]);
    const log = (await storage.openLog('kept', 0, DEFAULT_LOG_CONFIG)) as SegmentedLog;
    await append(log, 1);
    await log.close();
    expect(parseRecoveryPoints(fileText(dataDir))).toEqual(new Map([['kept-0', 10]]));
  });

  it('has a truncated log lower its point in the file before truncation returns', async () => {
    const dataDir = freshDataDir();
    const storage = await open(dataDir, [{ name: 't', partitions: 1 }]);
    const log = (await storage.openLog('t', 0, DEFAULT_LOG_CONFIG)) as SegmentedLog;
    await append(log, 10);
    await log.flush();
    expect(parseRecoveryPoints(fileText(dataDir)).get('t-0')).toBe(20);
    await log.truncateTo(6);
    expect(parseRecoveryPoints(fileText(dataDir)).get('t-0')).toBe(6);
    await log.close();
  });
});
