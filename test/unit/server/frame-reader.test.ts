import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/server/buffer-pool.js';
import { DIRECT_READ_MIN_BYTES, FIRST_ALLOCATION, FrameReader, FrameSizeError, type FrameAdmission } from '../../../src/server/frame-reader.js';

function framed(...payloads: Buffer[]): Buffer {
  return Buffer.concat(payloads.flatMap((p) => [Buffer.from([p.length >>> 24, p.length >>> 16, p.length >>> 8, p.length]), p]));
}

const allow: FrameAdmission = { refuse: () => undefined, reserve: () => true };

describe('FrameReader', () => {
  const payloads = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(300, 7), Buffer.from('hello world')];
  const stream = framed(...payloads);

  it('yields every frame whatever the chunk boundaries', () => {
    for (let step = 1; step <= stream.length; step++) {
      const reader = new FrameReader(allow);
      const out: Buffer[] = [];
      for (let at = 0; at < stream.length; at += step) out.push(...reader.push(stream.subarray(at, at + step)));
      expect(out).toEqual(payloads);
    }
  });

  it('copies every frame out of the chunk, so the chunk can be reused once push returns', () => {
    const reader = new FrameReader(allow);
    const chunk = Buffer.from(stream.subarray(0, 4 + 1 + 4 + 4 + 300 + 4 + 3));
    const frames = reader.push(chunk);
    chunk.fill(0xee);
    expect(frames).toEqual(payloads.slice(0, 3));
    const [spanning] = reader.push(Buffer.from(stream.subarray(chunk.length)));
    expect(spanning).toEqual(payloads[3]);
  });

  it('refuses a size the check rejects, even when the prefix is split', () => {
    const reader = new FrameReader({ ...allow, refuse: (size) => (size > 100 ? `too big: ${size}` : undefined) });
    expect(reader.push(framed(Buffer.from('ok')))).toEqual([Buffer.from('ok')]);
    const bad = framed(Buffer.alloc(101));
    expect(reader.push(bad.subarray(0, 2))).toEqual([]);
    expect(() => reader.push(bad.subarray(2))).toThrow(FrameSizeError);
    expect(() => new FrameReader({ ...allow, refuse: (s) => (s < 0 ? 'negative' : undefined) }).push(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow('negative');
  });

  it('allocates a frame as its bytes arrive, not when its size is announced', () => {
    const reader = new FrameReader(allow);
    const big = Buffer.alloc(4);
    big.writeInt32BE(90 * 1024 * 1024);
    expect(reader.push(Buffer.concat([big, Buffer.from('0123456789')]))).toEqual([]);
    expect(reader.reservedInProgress).toBe(90 * 1024 * 1024);
    expect(reader.allocatedInProgress).toBe(FIRST_ALLOCATION);
    const payload = Buffer.alloc(1024 * 1024 + 17, 3);
    const whole = framed(payload);
    const growing = new FrameReader(allow);
    const out: Buffer[] = [];
    for (let at = 0; at < whole.length; at += 10_000) out.push(...growing.push(whole.subarray(at, at + 10_000)));
    expect(out).toEqual([payload]);
  });

  it('stops at a frame whose memory is refused, keeps the bytes after it, and continues on retry', () => {
    let available = false;
    const sizes: number[] = [];
    const reader = new FrameReader({ refuse: () => undefined, reserve: (size) => (sizes.push(size), available) });
    const frames = [Buffer.from('first'), Buffer.from('second'), Buffer.from('third')];
    const bytes = framed(...frames);
    const chunk = Buffer.from(bytes.subarray(0, 20));
    expect(reader.push(chunk)).toEqual([]);
    chunk.fill(0);
    expect(reader.blocked).toBe(true);
    expect(reader.push(Buffer.from(bytes.subarray(20)))).toEqual([]);
    expect(reader.retry()).toEqual([]);
    available = true;
    expect(reader.retry()).toEqual(frames);
    expect(reader.blocked).toBe(false);
    expect(sizes).toEqual([5, 5, 5, 6, 5]);
  });

  it('lets a socket read straight into a large pooled frame, and yields it whole with the bytes of both paths', () => {
    const pool = new BufferPool(4 * 1024, 4 * 1024 * 1024, 8 * 1024 * 1024, 4);
    const reader = new FrameReader(allow, pool);
    const payload = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const small = Buffer.from('next');
    const stream = framed(payload, small);
    expect(reader.directTarget()).toBeUndefined();
    // The size prefix and the first bytes arrive as a chunk; then the socket reads into the frame.
    expect(reader.push(stream.subarray(0, 4 + 1000))).toEqual([]);
    let at = 4 + 1000;
    const target = reader.directTarget()!;
    expect(target.length).toBe(payload.length - 1000);
    stream.copy(target, 0, at, at + 300_000);
    at += 300_000;
    expect(reader.receivedDirectly(300_000)).toEqual([]);
    // Less than DIRECT_READ_MIN_BYTES missing: back to chunks, which also carry the next frame.
    const direct = reader.directTarget()!;
    const rest = payload.length - 301_000 - (DIRECT_READ_MIN_BYTES - 1);
    stream.copy(direct, 0, at, at + rest);
    at += rest;
    expect(reader.receivedDirectly(rest)).toEqual([]);
    expect(reader.directTarget()).toBeUndefined();
    const frames = reader.push(stream.subarray(at));
    expect(frames.length).toBe(2);
    expect(frames[0]!.equals(payload)).toBe(true);
    expect(frames[1]).toEqual(small);
  });

  it('offers no direct read for small frames or frames still growing', () => {
    const unpooled = new FrameReader(allow);
    unpooled.push(framed(Buffer.alloc(8 * 1024 * 1024)).subarray(0, 4 + 10));
    expect(unpooled.directTarget()).toBeUndefined();
    const pooled = new FrameReader(allow, new BufferPool(4 * 1024, 4 * 1024 * 1024, 8 * 1024 * 1024, 4));
    pooled.push(framed(Buffer.alloc(32 * 1024)).subarray(0, 4 + 10));
    expect(pooled.directTarget()).toBeUndefined();
  });
});
