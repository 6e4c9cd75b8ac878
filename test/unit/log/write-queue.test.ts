import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { OpenFiles } from '../../../src/log/open-files.js';
import { WriteQueue } from '../../../src/log/write-queue.js';
import { WritePlacement } from '../../../src/log/write-placement.js';

it('writes queued buffers in order at their positions and settles each', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'creek-wq-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const files = new OpenFiles(10);
  const fa = files.file(a, openSync(a, 'w+'));
  const fb = files.file(b, openSync(b, 'w+'));
  const queue = new WriteQueue();
  const settled: string[] = [];
  const writes = [
    queue.write(fa, 0, Buffer.from('hello ')).then(() => settled.push('a1')),
    queue.write(fa, 6, Buffer.from('world')).then(() => settled.push('a2')),
    queue.write(fb, 0, Buffer.from('other')).then(() => settled.push('b1')),
    queue.write(fa, 11, Buffer.from('!')).then(() => settled.push('a3')),
  ];
  await queue.drained();
  await Promise.all(writes);
  expect(settled).toEqual(['a1', 'a2', 'b1', 'a3']);
  expect(readFileSync(a, 'utf8')).toBe('hello world!');
  expect(readFileSync(b, 'utf8')).toBe('other');
  await fa.close();
  await fb.close();
  await expect(queue.write(fa, 0, Buffer.from('x'))).rejects.toThrow();
  rmSync(dir, { recursive: true });
});

it('writes large runs and small ones in one order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'creek-wq-'));
  const path = join(dir, 'a');
  const files = new OpenFiles(10);
  const file = files.file(path, openSync(path, 'w+'));
  const queue = new WriteQueue();
  const large = Buffer.alloc(256 * 1024, 'L');
  const small = Buffer.from('small');
  const settled: string[] = [];
  const writes = [
    queue.write(file, 0, small).then(() => settled.push('small1')),
    queue.write(file, small.length, large).then(() => settled.push('large')),
  ];
  await Promise.all(writes);
  await queue.write(file, small.length + large.length, small).then(() => settled.push('small2'));
  expect(settled).toEqual(['small1', 'large', 'small2']);
  expect(readFileSync(path).equals(Buffer.concat([small, large, small]))).toBe(true);
  await file.close();
  rmSync(dir, { recursive: true });
});

it('writes through the pool after a write blocked, in the same order and with the same bytes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'creek-wq-'));
  const path = join(dir, 'a');
  const files = new OpenFiles(10);
  const file = files.file(path, openSync(path, 'w+'));
  const placement = new WritePlacement();
  placement.took(1000, 0, true);
  expect(placement.onLoop).toBe(false);
  const queue = new WriteQueue(placement);
  const parts = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000 + i * 97, 65 + (i % 26)));
  const settled: number[] = [];
  let position = 0;
  const writes = parts.map((part, i) => {
    const at = position;
    position += part.length;
    return queue.write(file, at, part).then(() => settled.push(i));
  });
  await Promise.all(writes);
  expect(settled).toEqual(parts.map((_, i) => i));
  expect(readFileSync(path).equals(Buffer.concat(parts))).toBe(true);
  await file.close();
  rmSync(dir, { recursive: true });
});
