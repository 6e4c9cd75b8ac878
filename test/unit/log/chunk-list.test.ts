import { describe, expect, it } from 'vitest';
import { ChunkList } from '../../../src/log/chunk-list.js';

const text = (bufs: Buffer[]): string => Buffer.concat(bufs).toString();

describe('ChunkList', () => {
  const make = (): ChunkList => {
    const list = new ChunkList(10);
    for (const s of ['abc', 'defg', 'hi']) list.push(Buffer.from(s));
    return list;
  };

  it('slices across chunks as views', () => {
    const list = make();
    expect([list.start, list.end, list.bytes]).toEqual([10, 19, 9]);
    expect(text(list.slice(11, 5))).toBe('bcdef');
    expect(text(list.slice(10, 100))).toBe('abcdefghi');
    expect(list.slice(19, 5)).toEqual([]);
  });

  it('evicts whole written chunks down to a byte budget', () => {
    const list = make();
    list.evict(2, 14);
    expect(list.start).toBe(13);
    list.evict(0, 19);
    expect(list.bytes).toBe(0);
    list.push(Buffer.from('j'));
    expect(text(list.slice(19, 1))).toBe('j');
  });

  it('truncates inside a chunk and before the start', () => {
    const list = make();
    list.truncate(15);
    expect(text(list.slice(10, 100))).toBe('abcde');
    list.truncate(5);
    expect([list.start, list.end]).toEqual([5, 5]);
  });

  it('keeps no Buffer of its own: views made per slice, of the bytes pushed, in place', () => {
    const store = Buffer.from('xxabcdefgh');
    const list = new ChunkList(0);
    list.push(store.subarray(2, 5));
    list.push(store.subarray(5, 10));
    const [first, second] = list.slice(1, 6);
    expect([first!.toString(), second!.toString()]).toEqual(['bc', 'defg']);
    expect(first!.buffer).toBe(store.buffer);
    expect(first!.byteOffset).toBe(store.byteOffset + 3);
    expect(list.slice(0, 3)[0]).not.toBe(list.slice(0, 3)[0]);
    // A chunk cut short by a truncation ends where the next push begins.
    list.truncate(4);
    list.push(Buffer.from('Z'));
    expect(text(list.slice(0, 100))).toBe('abcdZ');
  });

  it('hands the backing store of each chunk it evicts or drops', () => {
    const [a, b, c] = [Buffer.alloc(3, 1), Buffer.alloc(3, 2), Buffer.alloc(3, 3)];
    const evicted: ArrayBufferLike[] = [];
    const list = new ChunkList(0, (buffer) => evicted.push(buffer));
    for (const chunk of [a, b, c]) list.push(chunk);
    list.evict(3, 9);
    expect(evicted).toEqual([a.buffer, b.buffer]);
    const dropped: ArrayBufferLike[] = [];
    list.truncate(7, (buffer) => dropped.push(buffer));
    expect(dropped).toEqual([]);
    list.reset(0, (buffer) => dropped.push(buffer));
    expect(dropped).toEqual([c.buffer]);
  });
});
