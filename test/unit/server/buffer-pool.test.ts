import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/server/buffer-pool.js';
import { FrameReader } from '../../../src/server/frame-reader.js';

describe('BufferPool', () => {
  it('serves sizes in its range with buffers of exactly their size, reused once given back', () => {
    const pool = new BufferPool(4096, 64 * 1024, 1 << 20);
    expect(pool.serves(4095)).toBe(false);
    expect(pool.serves(4096)).toBe(true);
    expect(pool.serves(64 * 1024)).toBe(true);
    expect(pool.serves(64 * 1024 + 1)).toBe(false);
    const a = pool.take(16_900);
    expect(a.length).toBe(16_900);
    expect(a.buffer.byteLength).toBe(32 * 1024);
    pool.give(a);
    const b = pool.take(20_000);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.take(20_000).buffer).not.toBe(a.buffer);
    expect(pool.take(100_000).length).toBe(100_000);
  });

  it('keeps a class its least number of buffers even when they pass its byte bound', () => {
    const pool = new BufferPool(4096, 1 << 20, 64 * 1024, 3);
    const big = [0, 1, 2, 3].map(() => pool.take(600_000));
    for (const b of big) pool.give(b);
    const again = [0, 1, 2, 3].map(() => pool.take(600_000).buffer);
    expect(again.slice(0, 3).every((ab) => big.some((b) => b.buffer === ab))).toBe(true);
    expect(big.some((b) => b.buffer === again[3])).toBe(false);
  });

  it('takes back only its own buffers, each once, and keeps at most its bound per class', () => {
    const pool = new BufferPool(4096, 64 * 1024, 8 * 1024);
    pool.give(Buffer.alloc(16 * 1024));
    expect(pool.take(16 * 1024).buffer.byteLength).toBe(16 * 1024);
    const a = pool.take(5000);
    const b = pool.take(5000);
    pool.give(a);
    pool.give(a);
    pool.give(b);
    const c = pool.take(5000);
    const d = pool.take(5000);
    expect(c.buffer).toBe(a.buffer);
    expect(d.buffer).not.toBe(a.buffer);
    expect(d.buffer).not.toBe(b.buffer);
  });

  it('fills frames read through a FrameReader', () => {
    const pool = new BufferPool(4096, 64 * 1024, 1 << 20);
    const reader = new FrameReader({ refuse: () => undefined, reserve: () => true }, pool);
    const payload = Buffer.alloc(10_000, 3);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(payload.length);
    const [frame] = [...reader.push(Buffer.concat([prefix, payload.subarray(0, 5000)])), ...reader.push(payload.subarray(5000))];
    expect(frame!.equals(payload)).toBe(true);
    pool.give(frame!);
    expect(pool.take(9000).buffer).toBe(frame!.buffer);
  });
});
