import { afterEach, expect, it, vi } from 'vitest';
import { WritebackPacer, type WritebackLimits, type WritebackTarget } from '../../../src/log/writeback-pacer.js';

const MIB = 1024 * 1024;
const LIMITS: WritebackLimits = { fileBytes: 8 * MIB, maxAgeMs: 10_000, totalBytes: 32 * MIB, minBytes: MIB, inFlight: 2, tickMs: 3_600_000 };

/** A file whose writebacks the test settles by hand. */
class FakeFile implements WritebackTarget {
  started = 0;
  private pending: { resolve: () => void; reject: (err: Error) => void }[] = [];

  constructor(readonly name: string) {}

  writeBack(): Promise<void> {
    this.started++;
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  get syncing(): boolean {
    return this.pending.length > 0;
  }

  async settle(err?: Error): Promise<void> {
    const sync = this.pending.shift()!;
    if (err) sync.reject(err);
    else sync.resolve();
    await new Promise((r) => setImmediate(r));
  }
}

afterEach(() => {
  vi.useRealTimers();
});

function setUp(limits: Partial<WritebackLimits> = {}): { pacer: WritebackPacer; at: (ms: number) => void } {
  let now = 0;
  const pacer = new WritebackPacer({ ...LIMITS, ...limits }, () => now);
  return { pacer, at: (ms) => void (now = ms) };
}

it('writes a file back once 8 MiB of it are unsynced, and counts what is written during the sync again', async () => {
  const { pacer } = setUp();
  const file = new FakeFile('a');
  for (let i = 0; i < 7; i++) pacer.wrote(file, MIB);
  expect(file.started).toBe(0);
  pacer.wrote(file, MIB);
  expect(file.started).toBe(1);
  // Writes during the sync wait for it: one sync per file at a time.
  for (let i = 0; i < 9; i++) pacer.wrote(file, MIB);
  expect(file.started).toBe(1);
  expect(pacer.unsyncedBytes).toBe(17 * MIB);
  await file.settle();
  expect(pacer.unsyncedBytes).toBe(9 * MIB);
  expect(file.started).toBe(2);
  await file.settle();
  expect(pacer.unsyncedBytes).toBe(0);
});

it('keeps at most `inFlight` syncs going, and starts the queued ones as those end', async () => {
  const { pacer } = setUp();
  const files = ['a', 'b', 'c'].map((n) => new FakeFile(n));
  for (const f of files) pacer.wrote(f, 8 * MIB);
  expect(files.map((f) => f.started)).toEqual([1, 1, 0]);
  await files[1]!.settle();
  expect(files[2]!.started).toBe(1);
  await files[0]!.settle();
  await files[2]!.settle();
  expect(pacer.unsyncedBytes).toBe(0);
});

it('writes back a file with at least 1 MiB unsynced for 10 s, and leaves smaller trickles to the kernel', () => {
  const { pacer, at } = setUp();
  const big = new FakeFile('big');
  const small = new FakeFile('small');
  pacer.wrote(big, 2 * MIB);
  pacer.wrote(small, 100_000);
  at(9_999);
  pacer.tick();
  expect([big.started, small.started]).toEqual([0, 0]);
  at(10_000);
  pacer.tick();
  expect([big.started, small.started]).toEqual([1, 0]);
  // The trickle is forgotten, not held: its bytes no longer count.
  expect(pacer.unsyncedBytes).toBe(2 * MIB);
});

it('over the total, writes back the largest files first until the rest fits', () => {
  const { pacer } = setUp({ inFlight: 10 });
  const sizes = [7, 3, 6, 5, 7, 2, 4];
  const files = sizes.map((mib, i) => {
    const f = new FakeFile(String(i));
    pacer.wrote(f, mib * MIB);
    return f;
  });
  // 34 MiB against 32: the largest (7 MiB) alone brings it under.
  pacer.tick();
  expect(files.map((f) => f.started)).toEqual([1, 0, 0, 0, 0, 0, 0]);
  const more = [4, 4, 4, 1].map((mib, i) => {
    const f = new FakeFile(`more-${i}`);
    pacer.wrote(f, mib * MIB);
    return f;
  });
  // 47 MiB, 7 of it syncing: 8 MiB too many, so the other 7 MiB file and then the 6 MiB one.
  pacer.tick();
  expect(files.map((f) => f.started)).toEqual([1, 0, 1, 0, 1, 0, 0]);
  expect(more.map((f) => f.started)).toEqual([0, 0, 0, 0]);
});

it('stops counting bytes whose writeback failed, and reports the first failure at once and later ones once the minute after it ends', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const { pacer, at } = setUp();
  const reports: { file: string; error: string; others: number }[] = [];
  pacer.onFailed(({ file, error, others }) => reports.push({ file, error: error.message, others }));
  const a = new FakeFile('a');
  const b = new FakeFile('b');
  pacer.wrote(a, 8 * MIB);
  expect(a.syncing).toBe(true);
  await a.settle(new Error('EIO'));
  expect(pacer.unsyncedBytes).toBe(0);
  expect(reports).toEqual([{ file: 'a', error: 'EIO', others: 0 }]);
  // A failing disk fails every file: these are held back, and reported together when the minute ends.
  at(30_000);
  pacer.wrote(a, 8 * MIB);
  expect(a.started).toBe(2);
  await a.settle(new Error('EIO'));
  pacer.wrote(b, 8 * MIB);
  await b.settle(new Error('ENOSPC'));
  expect(reports).toHaveLength(1);
  at(59_999);
  vi.advanceTimersByTime(29_999);
  expect(reports).toHaveLength(1);
  at(60_000);
  vi.advanceTimersByTime(1);
  expect(reports).toEqual([
    { file: 'a', error: 'EIO', others: 0 },
    { file: 'b', error: 'ENOSPC', others: 1 },
  ]);
  // That report starts the next minute.
  at(70_000);
  pacer.wrote(a, 8 * MIB);
  await a.settle(new Error('EIO'));
  expect(reports).toHaveLength(2);
  at(120_000);
  vi.advanceTimersByTime(50_000);
  expect(reports[2]).toEqual({ file: 'a', error: 'EIO', others: 0 });
  // A writeback that succeeds reports nothing, and a failure after a quiet minute is reported at once.
  pacer.wrote(a, 8 * MIB);
  await a.settle();
  expect(reports).toHaveLength(3);
  at(200_000);
  pacer.wrote(b, 8 * MIB);
  await b.settle(new Error('EIO'));
  expect(reports).toHaveLength(4);
});
