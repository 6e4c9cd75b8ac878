import { describe, expect, it } from 'vitest';
import { SlabPool, type SlabSource } from '../../../src/log/slab-pool.js';

describe('SlabPool', () => {
  it('copies small buffers into one slab, larger ones do not fit', () => {
    const pool = new SlabPool({ slabBytes: 1024, maxFree: 4 });
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
    const pool = new SlabPool({ slabBytes: 1024, maxFree: 4 });
    const first = [0, 1, 2, 3].map((i) => pool.copy(Buffer.alloc(256, i)));
    const next = pool.copy(Buffer.alloc(256, 9));
    expect(next.buffer).not.toBe(first[0]!.buffer);
    for (const copy of first.slice(0, 3)) pool.release(copy.buffer);
    // One copy of the first slab is still in use: the next slab is a new one.
    for (let i = 0; i < 3; i++) pool.copy(Buffer.alloc(256, 8));
    const third = pool.copy(Buffer.alloc(256, 7));
    expect(third.buffer).not.toBe(first[0]!.buffer);
    expect(first[3]!.equals(Buffer.alloc(256, 3))).toBe(true);
    pool.release(first[3]!.buffer);
    for (let i = 0; i < 3; i++) pool.copy(Buffer.alloc(256, 6));
    expect(pool.copy(Buffer.alloc(256, 5)).buffer).toBe(first[0]!.buffer);
  });

  it('ignores buffers it did not hand out', () => {
    const pool = new SlabPool({ slabBytes: 1024, maxFree: 4 });
    const copy = pool.copy(Buffer.alloc(256, 1));
    pool.release(Buffer.alloc(10).buffer);
    for (let i = 0; i < 3; i++) pool.copy(Buffer.alloc(256, 2));
    pool.copy(Buffer.alloc(256, 3));
    pool.release(copy.buffer);
    for (let i = 0; i < 3; i++) pool.release(Buffer.alloc(1).buffer);
    expect(pool.copy(Buffer.alloc(256, 4)).buffer).not.toBe(copy.buffer);
  });

  it('keeps copies, never views: larger data in the larger pool, the rest in buffers of their own', () => {
    const larger = new SlabPool({ slabBytes: 8192, maxFree: 2 });
    const pool = new SlabPool({ slabBytes: 1024, maxFree: 4, larger });
    const request = Buffer.alloc(4000, 7);
    const big = request.subarray(0, 2000);
    const kept = pool.keep(big);
    expect(kept.buffer).not.toBe(request.buffer);
    expect(kept.equals(big)).toBe(true);
    expect(pool.keep(Buffer.alloc(2000, 8)).buffer).toBe(kept.buffer);
    const huge = Buffer.alloc(3000, 9);
    const own = pool.keep(huge);
    expect(own.buffer).not.toBe(huge.buffer);
    expect(own.buffer).not.toBe(kept.buffer);
    expect(own.equals(huge)).toBe(true);
    expect(new SlabPool({ slabBytes: 1024, maxFree: 4 }).keep(big).buffer).not.toBe(request.buffer);
  });

  it('frees a larger slab for reuse once its copies are released through the pool that kept them', () => {
    const pool = new SlabPool({ slabBytes: 1024, maxFree: 4, larger: new SlabPool({ slabBytes: 8192, maxFree: 2 }) });
    const first = [0, 1, 2, 3].map((i) => pool.keep(Buffer.alloc(2000, i)));
    expect(new Set(first.map((c) => c.buffer)).size).toBe(1);
    const second = pool.keep(Buffer.alloc(2000, 4));
    expect(second.buffer).not.toBe(first[0]!.buffer);
    for (const copy of first) pool.release(copy.buffer);
    for (let i = 0; i < 3; i++) pool.keep(Buffer.alloc(2000, 5));
    expect(pool.keep(Buffer.alloc(2000, 6)).buffer).toBe(first[0]!.buffer);
  });

  it('keeps at most maxFree slabs for reuse and leaves the rest to the garbage collector', () => {
    const pool = new SlabPool({ slabBytes: 1024, maxFree: 1 });
    const copies = Array.from({ length: 3 * 4 }, (_, i) => pool.copy(Buffer.alloc(256, i)));
    pool.copy(Buffer.alloc(256, 99));
    for (const copy of copies) pool.release(copy.buffer);
    // Of the three slabs freed one is kept: the slab after the current one is it, the next is new.
    for (let i = 0; i < 3; i++) pool.copy(Buffer.alloc(256, 1));
    const kept = pool.copy(Buffer.alloc(1024, 2));
    const slabs = new Set(copies.map((c) => c.buffer));
    expect(slabs.has(kept.buffer)).toBe(true);
    expect(slabs.has(pool.copy(Buffer.alloc(1024, 3)).buffer)).toBe(false);
  });

  it('takes slabs from its source, and tells it of each slab given up beyond the bound, which follows the slabs in use', () => {
    const allocated: Buffer[] = [];
    const dropped: Buffer[] = [];
    const source: SlabSource = {
      allocate: (bytes) => {
        allocated.push(Buffer.alloc(bytes));
        return allocated[allocated.length - 1]!;
      },
      dropped: (slab) => dropped.push(slab),
    };
    // At most half of the slabs in use are kept free, and at least one.
    const pool = new SlabPool({ slabBytes: 1024, maxFree: (inUse) => Math.max(1, Math.floor(inUse / 2)), source });
    const copies = Array.from({ length: 8 * 4 }, (_, i) => pool.copy(Buffer.alloc(256, i)));
    pool.copy(Buffer.alloc(256, 99));
    expect(allocated).toHaveLength(9);
    expect(copies.every((c) => allocated.some((slab) => slab.buffer === c.buffer))).toBe(true);
    // Releasing every copy of the first eight slabs: the bound falls with the slabs in use to one.
    for (const copy of copies) pool.release(copy.buffer);
    expect(dropped).toHaveLength(7);
    expect(new Set(dropped.map((slab) => slab.buffer)).size).toBe(7);
    // The one kept free is reused before the source is asked again.
    for (let i = 0; i < 3; i++) pool.copy(Buffer.alloc(256, 1));
    const reused = pool.copy(Buffer.alloc(256, 2));
    expect(allocated).toHaveLength(9);
    expect(dropped.some((slab) => slab.buffer === reused.buffer)).toBe(false);
    pool.copy(Buffer.alloc(1024, 3));
    expect(allocated).toHaveLength(10);
  });
});
