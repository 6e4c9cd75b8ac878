// A bound on the segment files a broker keeps open (creek.log.max.open.files). Each segment's log
// file is a LazyFile: its descriptor is opened on first use and may be closed again while nobody
// uses it, least recently used first, whenever more than `maxOpen` are open. A use holds a
// reference for its whole duration (a read, a write, a sync), so a file in use is never closed
// under it; when every open file is in use the bound is exceeded until the uses end.
// Closing and reopening loses nothing: the bytes written through one descriptor are the file's,
// and fdatasync on a later descriptor makes them durable (Linux syncs the inode's dirty pages).
import { closeSync, open } from 'node:fs';

export class OpenFiles {
  /** Open descriptors, in use or not. */
  private count = 0;
  /** Open files nobody uses, least recently used first. */
  private readonly idle = new Set<LazyFile>();

  constructor(public maxOpen: number) {}

  get openCount(): number {
    return this.count;
  }

  /** A file at `path`; `fd`, when given, is already open on it (a file just created or loaded). */
  file(path: string, fd?: number): LazyFile {
    return new LazyFile(this, path, fd);
  }

  /** @internal A LazyFile opened a descriptor. */
  opened(): void {
    this.count++;
  }

  /** @internal A LazyFile closed its descriptor. */
  closed(): void {
    this.count--;
  }

  /** @internal `file` is open and unused now (most recently used), or in use / closed again. */
  setIdle(file: LazyFile, idle: boolean): void {
    this.idle.delete(file);
    if (idle) {
      this.idle.add(file);
      this.trim();
    }
  }

  /** Closes unused files, least recently used first, until the bound holds (or none is unused). */
  private trim(): void {
    for (const file of this.idle) {
      if (this.count <= this.maxOpen) return;
      this.idle.delete(file);
      file.evict();
    }
  }
}

export class LazyFile {
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
      files.opened();
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

  /** @internal Closes the descriptor of an unused file (the LRU's choice); reopened on next use. */
  evict(): void {
    if (this.fd === undefined || this.refs > 0) return;
    const fd = this.fd;
    this.fd = undefined;
    this.files.closed();
    closeSync(fd);
  }

  private release(): void {
    if (this.closed) {
      this.files.setIdle(this, false);
      this.evict();
    } else if (this.fd !== undefined) {
      this.files.setIdle(this, true);
    }
  }

  private reopen(): Promise<number> {
    this.opening ??= new Promise<number>((resolve, reject) => {
      open(this.path, 'r+', (err, fd) => {
        this.opening = undefined;
        if (err) return reject(err);
        this.fd = fd;
        this.files.opened();
        resolve(fd);
      });
    });
    return this.opening;
  }
}
