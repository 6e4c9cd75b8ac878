// The open-file bound of segment files: least recently used unused files close beyond it, a file
// in use never closes under its user, closed files reopen (from a renamed path too) on next use.
import { mkdtempSync, openSync, read, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenFiles, type LazyFile } from '../../../src/log/open-files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'creek-open-files-'));
  dirs.push(dir);
  return dir;
}

/** Descriptors this process has open (Linux). */
const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

function readText(file: LazyFile, length = 64): Promise<string> {
  return file.use(
    (fd) =>
      new Promise<string>((resolve, reject) => {
        const buf = Buffer.alloc(length);
        read(fd, buf, 0, length, 0, (err, n) => (err ? reject(err) : resolve(buf.subarray(0, n).toString())));
      }),
  );
}

/** Files named f0..f(n-1) holding their own names, opened (as a new segment is) into `files`. */
function makeFiles(files: OpenFiles, dir: string, n: number): LazyFile[] {
  return Array.from({ length: n }, (_, i) => {
    const path = join(dir, `f${i}`);
    writeFileSync(path, `f${i}`);
    return files.file(path, openSync(path, 'r+'));
  });
}

describe('OpenFiles', () => {
  it.skipIf(process.platform !== 'linux')('keeps at most maxOpen files open, and every file stays readable', async () => {
    const baseline = openDescriptors();
    const files = new OpenFiles(5);
    const all = makeFiles(files, freshDir(), 40);
    expect(files.openCount).toBe(5);
    expect(openDescriptors() - baseline).toBe(5);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < all.length; i++) expect(await readText(all[i]!)).toBe(`f${i}`);
    }
    expect(files.openCount).toBe(5);
    expect(openDescriptors() - baseline).toBe(5);
    await Promise.all(all.map((f) => f.close()));
    expect(files.openCount).toBe(0);
    expect(openDescriptors()).toBe(baseline);
  });

  it('closes the least recently used file first', async () => {
    const files = new OpenFiles(3);
    const [a, b, c] = makeFiles(files, freshDir(), 3);
    await readText(a!); // a is now the most recently used: b goes first
    const [d] = makeFiles(files, dirs[0]!, 1);
    expect([a!.isOpen, b!.isOpen, c!.isOpen, d!.isOpen]).toEqual([true, false, true, true]);
  });

  it('never closes a file while a read on it is in flight', async () => {
    const files = new OpenFiles(2);
    const dir = freshDir();
    const [busy] = makeFiles(files, dir, 1);
    let proceed!: () => void;
    const gate = new Promise<void>((resolve) => (proceed = resolve));
    // The read takes its descriptor, then waits while many other files push the bound.
    const inFlight = busy!.use(async (fd) => {
      await gate;
      return new Promise<string>((resolve, reject) => {
        const buf = Buffer.alloc(8);
        read(fd, buf, 0, 8, 0, (err, n) => (err ? reject(err) : resolve(buf.subarray(0, n).toString())));
      });
    });
    const others = makeFiles(files, dir, 10).slice(1);
    for (const other of others) await readText(other);
    expect(busy!.isOpen).toBe(true);
    proceed();
    expect(await inFlight).toBe('f0');
    // Released: it may go now, and the bound holds again.
    await readText(others[0]!);
    expect(files.openCount).toBeLessThanOrEqual(2);
  });

  it('makes an open wait while every open file is in use, and never exceeds the bound', async () => {
    const files = new OpenFiles(2);
    const all = makeFiles(files, freshDir(), 6);
    const gates: (() => void)[] = [];
    let most = 0;
    const uses = all.map((file, i) =>
      file.use(async (fd) => {
        most = Math.max(most, files.openCount);
        await new Promise<void>((resolve) => gates.push(resolve));
        return [i, fd] as const;
      }),
    );
    const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
    // Two uses hold the two descriptors; each one released lets one waiting use open its file.
    for (let released = 0; released < all.length; released++) {
      while (gates.length === 0) await settle();
      expect(files.openCount).toBeLessThanOrEqual(2);
      gates.shift()!();
    }
    expect((await Promise.all(uses)).map(([i]) => i)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBeLessThanOrEqual(2);
    expect(files.openCount).toBeLessThanOrEqual(2);
  });

  it('closes for good only once the uses in flight end; later uses fail', async () => {
    const files = new OpenFiles(10);
    const [file] = makeFiles(files, freshDir(), 1);
    let proceed!: () => void;
    const gate = new Promise<void>((resolve) => (proceed = resolve));
    const inFlight = file!.use(async (fd) => {
      await gate;
      return fd;
    });
    await file!.close();
    expect(file!.isOpen).toBe(true);
    proceed();
    await inFlight;
    expect(file!.isOpen).toBe(false);
    expect(files.openCount).toBe(0);
    await expect(readText(file!)).rejects.toThrow(/closed/);
  });

  it('reopens a closed file from its new path after a rename', async () => {
    const files = new OpenFiles(1);
    const dir = freshDir();
    const [moving] = makeFiles(files, dir, 1);
    const target = join(dir, 'moved');
    await moving!.rename(target, async () => renameSync(moving!.path, target));
    makeFiles(files, freshDir(), 2); // pushes `moving` out
    expect(moving!.isOpen).toBe(false);
    expect(moving!.path).toBe(target);
    expect(await readText(moving!)).toBe('f0');
  });
});
