import { describe, expect, it } from 'vitest';
import { FrameReader, FrameSizeError } from '../../../src/server/frame-reader.js';

function framed(...payloads: Buffer[]): Buffer {
  return Buffer.concat(payloads.flatMap((p) => [Buffer.from([p.length >>> 24, p.length >>> 16, p.length >>> 8, p.length]), p]));
}

const allow = (): undefined => undefined;

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

  it('returns frames inside one chunk as views of it and copies spanning frames once', () => {
    const reader = new FrameReader(allow);
    const [a, empty, big] = reader.push(stream.subarray(0, 4 + 1 + 4 + 4 + 300));
    expect(a!.buffer).toBe(stream.buffer);
    expect(empty).toEqual(Buffer.alloc(0));
    expect(big!.buffer).toBe(stream.buffer);
    const split = new FrameReader(allow);
    expect(split.push(stream.subarray(9, 100))).toEqual([]);
    const [spanning] = split.push(stream.subarray(100, 4 + 1 + 4 + 4 + 300));
    expect(spanning).toEqual(payloads[2]);
    expect(spanning!.buffer).not.toBe(stream.buffer);
  });

  it('refuses a size the check rejects, even when the prefix is split', () => {
    const reader = new FrameReader((size) => (size > 100 ? `too big: ${size}` : undefined));
    expect(reader.push(framed(Buffer.from('ok')))).toEqual([Buffer.from('ok')]);
    const bad = framed(Buffer.alloc(101));
    expect(reader.push(bad.subarray(0, 2))).toEqual([]);
    expect(() => reader.push(bad.subarray(2))).toThrow(FrameSizeError);
    expect(() => new FrameReader((s) => (s < 0 ? 'negative' : undefined)).push(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow('negative');
  });
});
