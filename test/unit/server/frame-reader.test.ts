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
    const reader = new FrameReader((size) => (size > 100 ? `too big: ${size}` : undefined));
    expect(reader.push(framed(Buffer.from('ok')))).toEqual([Buffer.from('ok')]);
    const bad = framed(Buffer.alloc(101));
    expect(reader.push(bad.subarray(0, 2))).toEqual([]);
    expect(() => reader.push(bad.subarray(2))).toThrow(FrameSizeError);
    expect(() => new FrameReader((s) => (s < 0 ? 'negative' : undefined)).push(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow('negative');
  });
});
