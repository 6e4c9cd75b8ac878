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
});
