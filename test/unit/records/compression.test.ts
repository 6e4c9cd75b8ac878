// Compression codecs: round trips, interop with codec implementations none of us wrote
// (snappyjs via kafkajs-snappy, lz4js, fzstd, node zlib), Java-style framings, bounded
// decompression, and truncated or garbled input reported as CorruptRecordError.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compressFrameSync } from 'lz4-napi';
import { compressSync as snappyRaw } from 'snappy';
import { compress as zstdCompress } from 'zstd-napi';
import { describe, expect, it } from 'vitest';
import { catchError } from './catch-error.js';
import { Compression } from '../../../protocol/records/batch-header.js';
import { compress, decompress, DEFAULT_MAX_DECOMPRESSED_SIZE } from '../../../protocol/records/compression.js';
import { CorruptRecordError, DecompressionLimitError } from '../../../protocol/records/errors.js';
import { fzstdDecompress, lz4js, snappyCodec, snappyjs, xxh32 } from './kafkajs-codecs.js';

const CODECS = [Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd] as const;
const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
/** Compressible data: repeated runs of a few symbols. */
const repetitive = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 5000 })), { maxLength: 40 })
  .map((runs) => Buffer.concat(runs.map(([b, n]) => Buffer.alloc(n, b))));
const sample = Buffer.from(Array.from({ length: 3000 }, (_, i) => `record-${i % 97}:${i * 7919 % 1000};`).join(''));

describe('round trips', () => {
  for (const codec of CODECS) {
    it(`codec ${codec} round-trips random and compressible data`, () => {
      fc.assert(
        fc.property(fc.oneof(bytes(4096), repetitive), (data) => {
          expect(decompress(codec, compress(codec, data)).equals(data)).toBe(true);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('snappy round-trips in both framings and larger than one xerial block', () => {
    const big = Buffer.concat([sample, sample, sample, sample, sample, sample]);
    for (const framing of ['raw', 'xerial'] as const) {
      const packed = compress(Compression.Snappy, big, { snappyFraming: framing });
      expect(packed.subarray(0, 8).toString('latin1') === '\x82SNAPPY\x00').toBe(framing === 'xerial');
      expect(decompress(Compression.Snappy, packed).equals(big)).toBe(true);
    }
  });

  it('none passes data through', () => {
    expect(decompress(Compression.None, sample)).toBe(sample);
  });
});

describe('interop with independent codec implementations', () => {
  it('gzip: node zlib streams decode, ours decode with zlib', () => {
    expect(decompress(Compression.Gzip, gzipSync(sample, { level: 9 })).equals(sample)).toBe(true);
  });

  it('snappy: snappyjs raw blocks decode, and ours decode with snappyjs', () => {
    expect(decompress(Compression.Snappy, snappyjs.compress(sample)).equals(sample)).toBe(true);
    const raw = compress(Compression.Snappy, sample, { snappyFraming: 'raw' });
    expect(Buffer.from(snappyjs.uncompress(raw)).equals(sample)).toBe(true);
  });

  it('snappy: our xerial framing decodes with kafkajs-snappy (which parses xerial like librdkafka)', async () => {
    const big = Buffer.concat(Array.from({ length: 20 }, () => sample));
    const xerial = compress(Compression.Snappy, big, { snappyFraming: 'xerial' });
    expect((await snappyCodec.decompress(xerial)).equals(big)).toBe(true);
  });

  it('snappy: a hand-built Java-style xerial stream (snappyjs blocks) decodes', () => {
    const blocks = [sample.subarray(0, 1000), sample.subarray(1000)].map((b) => Buffer.from(snappyjs.compress(b)));
    const header = Buffer.from('82534e41505059000000000100000001', 'hex');
    const framed = Buffer.concat([header, ...blocks.flatMap((b) => [int32(b.length), b])]);
    expect(decompress(Compression.Snappy, framed).equals(sample)).toBe(true);
  });

  it('lz4: lz4js frames (linked blocks, 4 MiB block size) decode, and ours decode with lz4js', () => {
    const frame = Buffer.from(lz4js.compress(sample));
    expect(frame[4]).toBe(0x40); // FLG: version 1, blocks not independent
    expect(decompress(Compression.Lz4, frame).equals(sample)).toBe(true);
    const ours = compress(Compression.Lz4, sample);
    expect(ours[4]! & 0x20).toBe(0x20); // block independence, which Java requires
    expect(Buffer.from(lz4js.decompress(ours)).equals(sample)).toBe(true);
  });

  it('lz4: frames with block and content checksums decode', () => {
    const frame = compressFrameSync(sample, { blockChecksums: true, contentChecksum: true });
    expect(frame[4]! & 0x14).toBe(0x14);
    expect(decompress(Compression.Lz4, frame).equals(sample)).toBe(true);
  });

  it('lz4: a frame with content size and stored blocks, as some clients write, decodes', () => {
    const frame = storedLz4Frame(sample, 64 * 1024);
    expect(decompress(Compression.Lz4, frame).equals(sample)).toBe(true);
  });

  it('lz4: a bad header checksum is corrupt', () => {
    const frame = storedLz4Frame(sample, 64 * 1024);
    frame[14] ^= 0xff;
    expect(() => decompress(Compression.Lz4, frame)).toThrow(CorruptRecordError);
  });

  it('zstd: ours decode with fzstd, libzstd frames decode with ours', () => {
    expect(Buffer.from(fzstdDecompress(compress(Compression.Zstd, sample))).equals(sample)).toBe(true);
    expect(decompress(Compression.Zstd, zstdCompress(sample, { compressionLevel: 19 })).equals(sample)).toBe(true);
  });
});

describe('bounded decompression', () => {
  const zeros = Buffer.alloc(DEFAULT_MAX_DECOMPRESSED_SIZE + 1);

  for (const codec of CODECS) {
    it(`codec ${codec} refuses output one byte over the limit and accepts output exactly at it`, () => {
      const packed = compress(codec, sample);
      expect(() => decompress(codec, packed, sample.length - 1)).toThrow(DecompressionLimitError);
      expect(decompress(codec, packed, sample.length).equals(sample)).toBe(true);
    });
  }

  it('the default limit stops a 64 MiB + 1 bomb for gzip, zstd and snappy', () => {
    const bombs: [Compression, Buffer][] = [
      [Compression.Gzip, gzipSync(zeros)],
      [Compression.Zstd, zstdCompress(zeros)],
      [Compression.Snappy, snappyRaw(zeros)],
    ];
    for (const [codec, bomb] of bombs) {
      expect(bomb.length).toBeLessThan(4 * 1024 * 1024);
      expect(() => decompress(codec, bomb)).toThrow(DecompressionLimitError);
    }
  });

  it('the default limit stops lz4 bombs, just over it and far over it', () => {
    expect(() => decompress(Compression.Lz4, compressFrameSync(zeros))).toThrow(DecompressionLimitError);
    const huge = compressFrameSync(Buffer.alloc(4 * DEFAULT_MAX_DECOMPRESSED_SIZE));
    expect(() => decompress(Compression.Lz4, huge)).toThrow(DecompressionLimitError);
  });

  it('the limit error is a CorruptRecordError with CORRUPT_MESSAGE', () => {
    const err = catchError(() => decompress(Compression.Zstd, compress(Compression.Zstd, sample), 10));
    expect(err).toBeInstanceOf(CorruptRecordError);
    expect((err as CorruptRecordError).errorCode).toBe(2);
  });
});

describe('truncated and garbled input', () => {
  for (const codec of CODECS) {
    it(`codec ${codec}: every truncation is corrupt or, at a framing boundary, a shorter prefix`, () => {
      const original = Buffer.concat([sample, sample]);
      const packed = compress(codec, original);
      for (let n = 0; n < packed.length; n++) {
        try {
          const out = decompress(codec, packed.subarray(0, n));
          // xerial snappy has no end mark and an empty gzip input inflates to nothing
          expect(out.length, `cut at ${n} of ${packed.length}`).toBeLessThan(original.length);
          expect(original.subarray(0, out.length).equals(out)).toBe(true);
        } catch (err) {
          expect(err, `cut at ${n} of ${packed.length}`).toBeInstanceOf(CorruptRecordError);
        }
      }
    });

    it(`codec ${codec}: random garbage is either decoded or corrupt, never another error`, () => {
      fc.assert(
        fc.property(bytes(300), (data) => {
          const err = catchError(() => decompress(codec, data, 1 << 20));
          if (err !== undefined) expect(err).toBeInstanceOf(CorruptRecordError);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('snappy: a xerial block length past the end is corrupt', () => {
    const framed = compress(Compression.Snappy, sample);
    framed.writeInt32BE(framed.length, 16);
    expect(() => decompress(Compression.Snappy, framed)).toThrow(/overruns/);
  });
});

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** An LZ4 frame with the content-size flag and uncompressed ("stored") blocks. */
function storedLz4Frame(data: Buffer, blockSize: number): Buffer {
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x40 | 0x20 | 0x08; // version 1, independent blocks, content size
  descriptor[1] = 4 << 4; // 64 KiB blocks
  descriptor.writeUInt32LE(data.length, 2);
  const hc = (xxh32.hash(0, descriptor, 0, descriptor.length) >>> 8) & 0xff;
  const parts: Buffer[] = [Buffer.from('04224d18', 'hex'), descriptor, Buffer.from([hc])];
  for (let at = 0; at < data.length; at += blockSize) {
    const block = data.subarray(at, at + blockSize);
    const size = Buffer.alloc(4);
    size.writeUInt32LE((0x80000000 | block.length) >>> 0);
    parts.push(size, block);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}
