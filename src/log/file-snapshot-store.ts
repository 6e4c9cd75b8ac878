// SnapshotStore of the file backend: <partition dir>/<offset as 20 digits>.snapshot, Kafka's names.
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import type { SnapshotStore } from './snapshot-store.js';

const SNAPSHOT_FILE = /^(\d{20})\.snapshot$/;

export class FileSnapshotStore implements SnapshotStore {
  private readonly offsets: Set<number>;

  /** `names`: the partition directory's file names when the log was opened. */
  constructor(
    private readonly dir: string,
    names: readonly string[],
  ) {
    this.offsets = new Set(names.flatMap((n) => SNAPSHOT_FILE.exec(n)?.[1] ?? []).map(Number));
  }

  list(): Promise<number[]> {
    return Promise.resolve([...this.offsets].sort((a, b) => a - b));
  }

  async read(offset: number): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(offset));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async write(offset: number, data: Buffer): Promise<void> {
    await writeFileAtomic(this.path(offset), data);
    this.offsets.add(offset);
  }

  async delete(offset: number): Promise<void> {
    this.offsets.delete(offset);
    try {
      await unlink(this.path(offset));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  private path(offset: number): string {
    return join(this.dir, `${String(offset).padStart(20, '0')}.snapshot`);
  }
}
