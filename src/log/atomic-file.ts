// Small files replaced atomically (write a temp file, fsync, rename): checkpoints, indexes and
// topic metadata. Writes to one path are applied in call order, off the event loop. A caller that
// makes the file durable later (or can rebuild it) may skip the fsync with `durable: false`.
// Also fsyncDir, which makes renames, creations and deletions in a directory durable.
// The temp file's name is short and independent of the target's: a target may already be near
// the 255-byte limit of a file name (the metadata file of a topic named with 249 characters).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const queued = new Map<string, Promise<void>>();

/**
 * Temp files open at once, across all paths: thousands of partitions saving checkpoints together
 * must not each hold a descriptor (the process's open files stay bounded).
 */
const MAX_CONCURRENT_WRITES = 64;
let writing = 0;
const waiting: (() => void)[] = [];

async function replace(path: string, data: string | Buffer, durable: boolean): Promise<void> {
  if (writing >= MAX_CONCURRENT_WRITES) await new Promise<void>((resolve) => waiting.push(resolve));
  else writing++;
  try {
    await replaceNow(path, data, durable);
  } finally {
    // A waiter takes over this slot; otherwise it is freed.
    const next = waiting.shift();
    if (next) next();
    else writing--;
  }
}

async function replaceNow(path: string, data: string | Buffer, durable: boolean): Promise<void> {
  const tmp = join(dirname(path), `${randomBytes(8).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export function writeFileAtomic(path: string, data: string | Buffer, { durable = true }: { durable?: boolean } = {}): Promise<void> {
  const previous = queued.get(path) ?? Promise.resolve();
  const write = previous.catch(() => undefined).then(() => replace(path, data, durable));
  const settled = write.catch(() => undefined);
  queued.set(path, settled);
  void settled.then(() => {
    if (queued.get(path) === settled) queued.delete(path);
  });
  return write;
}

/** Makes renames, creations and deletions in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The file's bytes, or undefined when it does not exist. */
export function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
