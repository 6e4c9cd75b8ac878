import { describe, expect, it } from 'vitest';
import { SlabPool } from '../../../src/log/slab-pool.js';

describe('SlabPool', () => {
  it('copies small buffers into one slab, larger ones do not fit', () => {
    const pool = new SlabPool(1024, 4);
    const a = pool.copy(Buffer.alloc(100, 1));
    const b = pool.copy(Buffer.alloc(200, 2));
    expect(a.buffer).toBe(b.buffer);
    expect(b.byteOffset - a.byteOffset).toBe(100);
    expect(a.equals(Buffer.alloc(100, 1))).toBe(true);
    expect(b.equals(Buffer.alloc(200, 2))).toBe(true);
    expect(pool.fits(256)).toBe(true);
    expect(pool.fits(257)).toBe(false);
    expect(pool.fits(0)).toBe(false);
  });

  it('reuses a full slab once every copy in it is released, and not before', () => {
    const pool = new SlabPool(1024, 4);
    const first = [0, 1, 2, 3].map((i) => pool.copy(Buffer.alloc(256, i)));
    const next = pool.copy(Buffer.alloc(256, 9));
    expect(next.buffer).not.toBe(first[0]!.buffer);
    for (const copy of first.slice(0, 3)) pool.release(copy);
    // One copy of the first slab is still in use: the next slab is a new one.
    for (let i = 0; i < 3; i++) pool.copy(Buffer.alloc(256, 8));
    const third = pool.copy(Buffer.alloc(256, 7));
    expect(third.buffer).not.toBe(first[0]!.buffer);
    expect(first[3]!.equals(Buffer.alloc(256, 3))).toBe(true);
    pool.release(first[3]!);
    for (let i = 0; i < 3; i++) pool.copy(Buffer.alloc(256, 6));
    expect(pool.copy(Buffer.alloc(256, 5)).buffer).toBe(first[0]!.buffer);
  });

  it('ignores buffers it did not hand out, and parts of copies count as the copy', () => {
    const pool = new SlabPool(1024, 4);
    const copy = pool.copy(Buffer.alloc(256, 1));
    pool.release(Buffer.alloc(10));
    for (let i = 0; i < 3; i++) pool.copy(Buffer.alloc(256, 2));
    pool.copy(Buffer.alloc(256, 3));
    pool.release(copy.subarray(0, 10));
    for (let i = 0; i < 3; i++) pool.release(Buffer.alloc(1));
    expect(pool.copy(Buffer.alloc(256, 4)).buffer).not.toBe(copy.buffer);
  });
});
