import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../src/log/memory-store.js';

const KIB = 1024;
/** Four of these fill one of the memory slabs that hold batches up to 64 KiB. */
const batch = (fill: number): Buffer => Buffer.alloc(64 * KIB, fill);

async function slabOf(store: MemoryStore, position: number): Promise<ArrayBufferLike> {
  return (await store.scan(position, 1))[0]!.buffer;
}

describe('MemoryStore', () => {
  it('keeps batches in SharedArrayBuffer slabs, which V8 does not count as external memory', async () => {
    const store = new MemoryStore();
    await store.append(batch(1));
    expect(await slabOf(store, 0)).toBeInstanceOf(SharedArrayBuffer);
    await store.remove();
  });

  it('reads copies, which stay intact when the segment goes and its slab holds other batches', async () => {
    const first = new MemoryStore();
    for (let i = 0; i < 5; i++) await first.append(batch(i + 1));
    const slab = await slabOf(first, 0);
    const [read] = await first.read(0, 128 * KIB);
    const into = Buffer.alloc(256 * KIB);
    const [readInto] = await first.read(64 * KIB, 64 * KIB, into);
    expect(read!.buffer).not.toBe(slab);
    expect(readInto!.buffer).toBe(into.buffer);
    await first.remove();
    await nextTurn();

    // The second segment fills the slab still taking batches, then gets the first one back.
    const second = new MemoryStore();
    for (let i = 0; i < 4; i++) await second.append(batch(9));
    expect(await slabOf(second, 3 * 64 * KIB)).toBe(slab);
    expect(read!.equals(Buffer.concat([batch(1), batch(2)]))).toBe(true);
    expect(readInto!.equals(batch(2))).toBe(true);
    await second.remove();
  });

  it('gives a truncated tail back a turn later, keeping what remains', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 4; i++) await store.append(batch(i + 1));
    const slab = await slabOf(store, 0);
    const other = new MemoryStore();
    await other.append(batch(7)); // the next slab, now taking batches
    await store.truncate(96 * KIB);
    expect(store.size).toBe(96 * KIB);
    const [kept] = await store.read(0, 96 * KIB);
    expect(kept!.equals(Buffer.concat([batch(1), batch(2).subarray(0, 32 * KIB)]))).toBe(true);
    // The first two batches still hold the slab.
    await nextTurn();
    for (let i = 0; i < 4; i++) await other.append(batch(8));
    expect(await slabOf(other, 4 * 64 * KIB)).not.toBe(slab);
    await store.remove();
    await nextTurn();
    for (let i = 0; i < 3; i++) await other.append(batch(8));
    expect(await slabOf(other, 7 * 64 * KIB)).toBe(slab);
    await other.remove();
  });

  it('gives its bytes back when closed: a closed memory log is never read again', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 4; i++) await store.append(batch(i + 1));
    const slab = await slabOf(store, 0);
    const other = new MemoryStore();
    await other.append(batch(7));
    await store.close();
    await nextTurn();
    for (let i = 0; i < 4; i++) await other.append(batch(8));
    expect(await slabOf(other, 4 * 64 * KIB)).toBe(slab);
    await other.remove();
  });
});
