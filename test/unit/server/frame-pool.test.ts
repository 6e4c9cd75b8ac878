import { describe, expect, it } from 'vitest';
import { FramePool, LARGEST_POOLED_FRAME } from '../../../src/server/frame-pool.js';
import { FrameReader } from '../../../src/server/frame-reader.js';

describe('FramePool', () => {
  it('serves 4-64 KiB frames with buffers of exactly their size, reused once given back', () => {
    const pool = new FramePool(2);
    expect(pool.serves(4095)).toBe(false);
    expect(pool.serves(4096)).toBe(true);
    expect(pool.serves(LARGEST_POOLED_FRAME)).toBe(true);
    expect(pool.serves(LARGEST_POOLED_FRAME + 1)).toBe(false);
    const a = pool.take(16_900);
    expect(a.length).toBe(16_900);
    expect(a.buffer.byteLength).toBe(32 * 1024);
    pool.give(a);
    const b = pool.take(20_000);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.take(20_000).buffer).not.toBe(a.buffer);
  });

  it('takes back only its own buffers, each once, and keeps at most its bound', () => {
    const pool = new FramePool(1);
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
    const pool = new FramePool(4);
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
