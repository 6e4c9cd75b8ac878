// A segment in files: <base>.log holds the batches, <base>.index / <base>.timeindex the saved
// sparse indexes. Appends go through the partition's WriteQueue; recent appends stay in a small
// in-memory tail so fetches at the end of the log (and of unwritten data) never touch the disk.
// Small batches are copied into the tail's reused slabs (see slab-pool), so readers get copies of
// tail bytes, never views of it; only `scan` lends views, for use before the caller's next await.
// Saved index files always describe the segment's bytes: the first change after they were
// written (or loaded) deletes them, so a crash can never leave a stale index to be trusted.
import { fdatasync, fsync, ftruncate, read, rename, unlink, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { ChunkList } from './chunk-list.js';
import type { LazyFile } from './open-files.js';
import type { SegmentIndex } from './segment-index.js';
import type { SegmentStore } from './segment-store.js';
import type { SlabPool } from './slab-pool.js';
import type { BudgetedTail, TailBudget } from './tail-budget.js';
import type { WriteQueue } from './write-queue.js';
import { sharedWritebackPacer, type WritebackPacer, type WritebackTarget } from './writeback-pacer.js';

export interface SegmentPaths {
  log: string;
  index: string;
  timeIndex: string;
}

/** Kafka's file names: the base offset as 20 digits. */
export function segmentPaths(dir: string, baseOffset: number): SegmentPaths {
  const stem = join(dir, String(baseOffset).padStart(20, '0'));
  return { log: `${stem}.log`, index: `${stem}.index`, timeIndex: `${stem}.timeindex` };
}

const call = (fn: (cb: (err: NodeJS.ErrnoException | null) => void) => void): Promise<void> =>
  new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

function readAt(fd: number, position: number, length: number, into?: Buffer): Promise<Buffer> {
  const buf = into ?? Buffer.allocUnsafe(length);
  const step = (filled: number, resolve: (b: Buffer) => void, reject: (e: Error) => void): void => {
    read(fd, buf, filled, length - filled, position + filled, (err, n) => {
      if (err) reject(err);
      else if (n === 0 || filled + n === length) resolve(buf.subarray(0, filled + n));
      else step(filled + n, resolve, reject);
    });
  };
  return new Promise((resolve, reject) => step(0, resolve, reject));
}

export async function unlinkIfExists(path: string): Promise<void> {
  try {
    await call((cb) => unlink(path, cb));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function unlinkSyncIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * An active segment at least this large has its indexes saved when the log closes, so that the
 * next start need not read it; a smaller one is read whole then (one read), and rebuilt. Saving
 * is two files created and synced per partition: with thousands of partitions, most of them
 * with a small active segment, those made most of a clean stop's time.
 */
const INDEXED_AT_CLOSE_BYTES = 1024 * 1024;

/** Whether an active segment of `size` bytes has its index files saved at a clean close. */
export function indexedAtClose(size: number): boolean {
  return size >= INDEXED_AT_CLOSE_BYTES;
}

/** How much of its latest appends a segment keeps in memory: at most `bytes`, and within the broker's `budget`. */
export interface TailBounds {
  bytes: number;
  budget: TailBudget;
}

export class FileStore implements SegmentStore, WritebackTarget, BudgetedTail {
  recent = false;
  private bytes: number;
  /** Bytes known to be written to the file. */
  private written: number;
  private readonly tail: ChunkList;
  private dirty = false;
  /** Settles when the latest fdatasync is done. */
  private synced: Promise<void> = Promise.resolve();
  /** A writeback that failed: the next flush reports it, since the kernel reports a write error only once. */
  private writebackError: Error | undefined;
  private open = true;

  /** `indexSaved`: the segment's index files on disk describe its `size` bytes. */
  constructor(
    public paths: SegmentPaths,
    private readonly file: LazyFile,
    size: number,
    private readonly queue: WriteQueue,
    private readonly tailBounds: TailBounds,
    private readonly slabs: SlabPool,
    private indexSaved = false,
    private readonly pacer: WritebackPacer = sharedWritebackPacer,
  ) {
    this.bytes = size;
    this.written = size;
    this.tail = new ChunkList(size, (buffer) => slabs.release(buffer));
  }

  get size(): number {
    return this.bytes;
  }

  get name(): string {
    return this.paths.log;
  }

  append(appended: Buffer): Promise<void> {
    this.dropSavedIndex();
    const position = this.bytes;
    const data = this.slabs.keep(appended);
    const held = this.tail.bytes;
    this.tail.push(data);
    this.tailChanged(held);
    this.recent = true;
    this.bytes += data.length;
    this.dirty = true;
    return this.queue.write(this.file, position, data).then(() => {
      this.written = Math.max(this.written, position + data.length);
      const before = this.tail.bytes;
      this.tail.evict(this.tailBounds.bytes, this.written);
      this.tailChanged(before);
      this.tailBounds.budget.reclaim();
      this.pacer.wrote(this, data.length);
    });
  }

  /** The broker's tail budget drops what this tail holds of the file's bytes. */
  drop(): void {
    const before = this.tail.bytes;
    this.tail.evict(0, this.written);
    this.tailChanged(before);
  }

  private tailChanged(before: number): void {
    const after = this.tail.bytes;
    if (after !== before) this.tailBounds.budget.changed(this, before, after);
  }

  async read(position: number, length: number, into?: Buffer): Promise<Buffer[]> {
    const end = Math.min(position + length, this.bytes);
    if (position >= end) return [];
    const diskEnd = Math.max(position, Math.min(end, this.tail.start));
    // The tail's part is copied now: its slabs may be reused while the disk part is read.
    const cached = end > diskEnd ? this.copyTail(diskEnd, end, into?.subarray(diskEnd - position)) : undefined;
    if (position === diskEnd) return [cached!];
    const disk = await this.file.use((fd) => readAt(fd, position, diskEnd - position, into));
    return cached === undefined ? [disk] : [disk, cached];
  }

  /**
   * Like `read`, but tail bytes come as views of the tail, valid only until the caller next
   * awaits or yields (for walking batch headers); may return fewer bytes than asked (at least one).
   */
  async scan(position: number, length: number): Promise<Buffer[]> {
    const end = Math.min(position + length, this.bytes);
    if (position >= end) return [];
    if (position >= this.tail.start) return this.tail.slice(position, end - position);
    const diskEnd = Math.min(end, this.tail.start);
    return [await this.file.use((fd) => readAt(fd, position, diskEnd - position))];
  }

  /** Tail bytes [from, end) copied into `into` when it is large enough, else into a buffer of their own. */
  private copyTail(from: number, end: number, into: Buffer | undefined): Buffer {
    const out = into !== undefined && into.length >= end - from ? into.subarray(0, end - from) : Buffer.allocUnsafe(end - from);
    let at = 0;
    for (const chunk of this.tail.slice(from, end - from)) at += chunk.copy(out, at);
    return out;
  }

  async truncate(size: number): Promise<void> {
    this.dropSavedIndex();
    this.dirty = true;
    await this.file.use((fd) => call((cb) => ftruncate(fd, size, cb)));
    const before = this.tail.bytes;
    this.tail.truncate(size);
    this.tailChanged(before);
    this.bytes = size;
    this.written = Math.min(this.written, size);
  }

  async seal(index: SegmentIndex): Promise<void> {
    await this.queue.drained();
    await this.flush();
    this.forgetTail();
    if (!this.open || this.indexSaved || this.bytes === 0) return;
    await writeFileAtomic(this.paths.index, index.serializeOffsets());
    await writeFileAtomic(this.paths.timeIndex, index.serializeTimes());
    this.indexSaved = true;
  }

  async closeActive(index: SegmentIndex): Promise<void> {
    if (indexedAtClose(this.bytes)) await this.seal(index);
  }

  /** Settles once everything written before the call is on disk (a sync already under way counts only if nothing was written since). */
  flush(): Promise<void> {
    if (this.dirty && this.open) {
      this.dirty = false;
      this.synced = this.synced.catch(() => undefined).then(() => this.sync(fdatasync));
    }
    const failed = this.writebackError;
    if (failed !== undefined) {
      this.writebackError = undefined;
      this.synced = this.synced.then(() => Promise.reject(failed));
    }
    return this.synced;
  }

  /**
   * Writes the file's written bytes back to disk (for the writeback pacer), without saying they
   * are durable: flush() does that, and reports this sync's failure if it failed. An fsync, not an
   * fdatasync: that would leave the inode's times dirty, and the kernel's flusher would still take
   * the file up 30 s after it was first dirtied, with whatever pages are dirty by then.
   * Rejects when the sync failed (and the file was not closed meanwhile).
   */
  async writeBack(): Promise<void> {
    if (!this.open) return;
    try {
      await this.sync(fsync);
    } catch (err) {
      if (!this.open) return;
      this.writebackError ??= err as Error;
      throw err;
    }
  }

  private sync(how: typeof fdatasync): Promise<void> {
    return this.file.use((fd) => call((cb) => how(fd, cb)));
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.forgetTail();
    await this.file.close();
  }

  /** Lets go of every tail byte (a sealed or closed segment is read from its file). */
  private forgetTail(): void {
    const before = this.tail.bytes;
    this.tail.reset(this.bytes);
    this.tailChanged(before);
  }

  /** Renames the log file to `paths.log`; index files are the caller's business. */
  async relocate(paths: SegmentPaths): Promise<void> {
    await this.file.rename(paths.log, () => call((cb) => rename(this.paths.log, paths.log, cb)));
    this.paths = paths;
  }

  private dropSavedIndex(): void {
    if (!this.indexSaved) return;
    this.indexSaved = false;
    unlinkSyncIfExists(this.paths.index);
    unlinkSyncIfExists(this.paths.timeIndex);
  }

  async remove(): Promise<void> {
    await this.close();
    await Promise.all([this.paths.log, this.paths.index, this.paths.timeIndex].map(unlinkIfExists));
  }
}
