// A segment file's writeback (the pacer's fsync): its bytes reach the disk, and a failed one is
// reported by the file's next flush. The kernel's EIO is simulated by replacing fsync, since a
// real disk error cannot be caused on demand.
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';

const sync = vi.hoisted(() => ({ calls: 0, failWith: undefined as NodeJS.ErrnoException | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const fsync = (fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void => {
    sync.calls++;
    if (sync.failWith) queueMicrotask(() => cb(sync.failWith!));
    else fs.fsync(fd, cb);
  };
  return { ...fs, default: { ...fs, fsync }, fsync };
});

const { FileStore, segmentPaths } = await import('../../../src/log/file-store.js');
const { OpenFiles } = await import('../../../src/log/open-files.js');
const { SlabPool } = await import('../../../src/log/slab-pool.js');
const { TailBudget } = await import('../../../src/log/tail-budget.js');
const { WriteQueue } = await import('../../../src/log/write-queue.js');
const { WritebackPacer, sharedWritebackPacer } = await import('../../../src/log/writeback-pacer.js');

const KIB = 1024;
const dirs: string[] = [];
afterEach(() => {
  sync.calls = 0;
  sync.failWith = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function store() {
  const dir = mkdtempSync(join(tmpdir(), 'creek-writeback-'));
  dirs.push(dir);
  const paths = segmentPaths(dir, 0);
  const pacer = new WritebackPacer({ fileBytes: 64 * KIB, maxAgeMs: 10_000, totalBytes: 1024 * KIB, minBytes: 16 * KIB, inFlight: 1, tickMs: 3_600_000 });
  const files = new OpenFiles(8);
  const s = new FileStore(paths, files.file(paths.log, openSync(paths.log, 'w+')), 0, new WriteQueue(), { bytes: 0, budget: new TailBudget(Infinity) }, new SlabPool({ slabBytes: 256 * KIB, maxFree: 0 }), false, pacer);
  return { s, pacer, paths };
}

const settle = async (pacer: InstanceType<typeof WritebackPacer>): Promise<void> => {
  for (let i = 0; i < 100 && pacer.unsyncedBytes > 0; i++) await new Promise((r) => setTimeout(r, 1));
};

it('writes appended bytes back once the file has 64 KiB unsynced, and no sooner', async () => {
  const { s, pacer, paths } = store();
  const batch = Buffer.alloc(16 * KIB, 1);
  for (let i = 0; i < 3; i++) await s.append(batch);
  expect(sync.calls).toBe(0);
  expect(pacer.unsyncedBytes).toBe(48 * KIB);
  await s.append(batch);
  expect(sync.calls).toBe(1);
  await settle(pacer);
  expect(pacer.unsyncedBytes).toBe(0);
  expect(readFileSync(paths.log).length).toBe(64 * KIB);
  await s.close();
});

it('reports a failed writeback to the pacer at once and on the next flush, once', async () => {
  const { s, pacer } = store();
  const batch = Buffer.alloc(16 * KIB, 2);
  sync.failWith = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  const reported: string[] = [];
  pacer.onFailed(({ file, error }) => reported.push(`${file}: ${error.message}`));
  for (let i = 0; i < 4; i++) await s.append(batch);
  await settle(pacer);
  expect(sync.calls).toBe(1);
  expect(reported).toEqual([`${s.name}: EIO: i/o error, fsync`]);
  sync.failWith = undefined;
  await expect(s.flush()).rejects.toThrow('EIO');
  // The log's flush (SegmentedLog.syncTo) keeps its recovery point below data whose flush failed; a
  // later flush after new writes syncs again.
  await s.append(batch);
  await expect(s.flush()).resolves.toBeUndefined();
  await s.close();
});

it('counts the appends of a store given no pacer in the process-wide one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'creek-writeback-'));
  dirs.push(dir);
  const paths = segmentPaths(dir, 0);
  const s = new FileStore(paths, new OpenFiles(8).file(paths.log, openSync(paths.log, 'w+')), 0, new WriteQueue(), { bytes: 0, budget: new TailBudget(Infinity) }, new SlabPool({ slabBytes: 256 * KIB, maxFree: 0 }));
  const before = sharedWritebackPacer.unsyncedBytes;
  await s.append(Buffer.alloc(16 * KIB, 3));
  expect(sharedWritebackPacer.unsyncedBytes - before).toBe(16 * KIB);
  await s.close();
});
