// A bound on the segment files a broker keeps open (creek.log.max.open.files). Each segment's log
// file is a LazyFile: its descriptor is opened on first use and may be closed again while nobody
// uses it, least recently used first, whenever more than `maxOpen` are open. A use holds a
// reference for its whole duration (a read, a write, a sync), so a file in use is never closed
// under it; when every open file is in use, a use that must open its file waits for one to be
// released. Files opened synchronously (a segment created or loaded) are counted at once and may
// exceed the bound while every other file is in use. A use never waits for a second file while
// holding one, so waiting cannot deadlock.
// Closing and reopening loses nothing: the bytes written through one descriptor are the file's,
// and fdatasync on a later descriptor makes them durable (Linux syncs the inode's dirty pages).
import { closeSync, open, openSync } from 'node:fs';
import { sharedWritePlacement } from './write-placement.js';

export class OpenFiles {
  /** Open descriptors (and opens under way), in use or not. */
  private count = 0;
  /**
   * Open files nobody uses, least recently used first: a list linked through the files themselves,
   * since a file goes in and out of it on every use and a Set would allocate a table each time.
   */
  private idleHead: LazyFile | undefined;
  private idleTail: LazyFile | undefined;
  /** Opens waiting for a descriptor to be closed: every open file is in use. */
  private readonly waiting: (() => void)[] = [];

  constructor(public maxOpen: number) {}

  get openCount(): number {
    return this.count;
  }

  /** A file at `path`; `fd`, when given, is already open on it (a file just created or loaded). */
  file(path: string, fd?: number): LazyFile {
    return new LazyFile(this, path, fd);
  }

  /** @internal Counts a descriptor opened synchronously (creation, loading); idle ones close to make room. */
  adopt(): void {
    this.count++;
    this.trim();
  }

  /** @internal Resolves once a descriptor may be opened within the bound (counted from then on). */
  reserve(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.wake();
    });
  }

  /** @internal A descriptor was closed for good (or its open failed). */
  released(): void {
    this.count--;
    this.wake();
  }

  /** @internal `file` is open and unused now (most recently used), or in use / closed again. */
  setIdle(file: LazyFile, idle: boolean): void {
    this.unlinkIdle(file);
    if (!idle) return;
    file.idlePrev = this.idleTail;
    if (this.idleTail === undefined) this.idleHead = file;
    else this.idleTail.idleNext = file;
    this.idleTail = file;
    file.isIdle = true;
    this.trim();
    this.wake();
  }

  private unlinkIdle(file: LazyFile): void {
    if (!file.isIdle) return;
    if (file.idlePrev === undefined) this.idleHead = file.idleNext;
    else file.idlePrev.idleNext = file.idleNext;
    if (file.idleNext === undefined) this.idleTail = file.idlePrev;
    else file.idleNext.idlePrev = file.idlePrev;
    file.idlePrev = file.idleNext = undefined;
    file.isIdle = false;
  }

  /** Closes unused files, least recently used first, until the bound holds (or none is unused). */
  private trim(): void {
    while (this.count > this.maxOpen && this.evictOne());
  }

  /** Grants waiting opens a descriptor each, closing unused files for them. */
  private wake(): void {
    while (this.waiting.length > 0 && (this.count < this.maxOpen || this.evictOne())) {
      this.count++;
      this.waiting.shift()!();
    }
  }

  private evictOne(): boolean {
    const file = this.idleHead;
    if (file === undefined) return false;
    this.unlinkIdle(file);
    file.evict();
    this.count--;
    return true;
  }
}

export class LazyFile {
  /** @internal OpenFiles' list of unused open files. */
  isIdle = false;
  /** @internal */
  idlePrev: LazyFile | undefined;
  /** @internal */
  idleNext: LazyFile | undefined;
  private fd: number | undefined;
  private opening: Promise<number> | undefined;
  private refs = 0;
  private closed = false;

  /** @internal Made by OpenFiles.file. */
  constructor(
    private readonly files: OpenFiles,
    /** Where the file is reopened from; `rename` moves it. */
    public path: string,
    fd?: number,
  ) {
    if (fd !== undefined) {
      this.fd = fd;
      files.adopt();
      files.setIdle(this, true);
    }
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** Runs `work` with the file's descriptor, opening it if needed and keeping it open until `work` settles. */
  async use<T>(work: (fd: number) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`file closed: ${this.path}`);
    this.refs++;
    this.files.setIdle(this, false);
    try {
      return await work(this.fd ?? (await this.reopen()));
    } finally {
      if (--this.refs === 0) this.release();
    }
  }

  /**
   * The file is moving to `path` (a rename): `move` runs while the descriptor is held open, so no
   * reopen can race with it, and later reopens use the new path.
   */
  rename(path: string, move: () => Promise<void>): Promise<void> {
    return this.use(async () => {
      await move();
      this.path = path;
    });
  }

  /** Closes the file for good (at once, or when the uses in flight end). */
  close(): Promise<void> {
    this.closed = true;
    if (this.refs === 0) this.release();
    return Promise.resolve();
  }

  /** @internal Closes the descriptor of an unused file (the bound's choice); reopened on next use. */
  evict(): void {
    const fd = this.fd!;
    this.fd = undefined;
    closeSync(fd);
  }

  private release(): void {
    if (!this.closed) {
      if (this.fd !== undefined) this.files.setIdle(this, true);
      return;
    }
    this.files.setIdle(this, false);
    if (this.fd === undefined) return;
    this.evict();
    this.files.released();
  }

  private reopen(): Promise<number> {
    this.opening ??= this.files.reserve().then(() => {
      // On the loop while file writes are (write-placement.ts): opening a file the kernel has
      // cached costs a few µs, while through the libuv pool it waits behind the pool's queue (at
      // 10,000 partitions over the default bound, 13 ms at the median and 62 ms at p99 under load).
      if (!sharedWritePlacement.onLoop) return this.openOnPool();
      try {
        return this.opened(openSync(this.path, 'r+'));
      } catch (err) {
        this.failedOpen();
        throw err;
      }
    });
    return this.opening;
  }

  private openOnPool(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      open(this.path, 'r+', (err, fd) => {
        if (err) {
          this.failedOpen();
          reject(err);
        } else resolve(this.opened(fd));
      });
    });
  }

  private opened(fd: number): number {
    this.opening = undefined;
    this.fd = fd;
    return fd;
  }

  private failedOpen(): void {
    this.opening = undefined;
    this.files.released();
  }
}
