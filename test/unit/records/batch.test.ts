// Record batches: property round trips with every codec, cross-checks with kafkajs's encoder and
// decoder in both directions, and validation (CRC, truncation at every byte, legacy magic,
// splitting concatenated batches, produce rules).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catchError } from './catch-error.js';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import {
  BATCH_HEADER_SIZE,
  Compression,
  CorruptRecordError,
  InvalidRecordError,
  OFFSET,
  UnsupportedMessageFormatError,
  decodeBatch,
  encodeBatch,
  patchBaseOffset,
  rewriteCrc,
  splitBatches,
  validateBatch,
  type EncodeBatchOptions,
  type Record,
} from '../../../protocol/records/index.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { kafkajsDecodeBatch, kafkajsEncodeBatch, type KafkajsRecordInput } from './kafkajs-codecs.js';

const CODECS = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd] as const;
const nullableBytes = (maxLength: number) =>
  fc.option(fc.uint8Array({ maxLength }).map((a) => Buffer.from(a)), { nil: null });

const recordArb = fc.record({
  key: nullableBytes(40),
  value: nullableBytes(300),
  headers: fc.array(fc.record({ key: fc.string({ unit: 'binary', maxLength: 12 }), value: nullableBytes(20) }), {
    maxLength: 3,
  }),
  timestampDelta: fc.oneof(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: 0, max: 1000 })),
  attributes: fc.integer({ min: -128, max: 127 }),
});

const batchArb = fc.record({
  records: fc.array(recordArb, { maxLength: 25 }),
  compression: fc.constantFrom(...CODECS),
  snappyFraming: fc.constantFrom('raw' as const, 'xerial' as const),
  baseOffset: fc.integer({ min: 0, max: 2 ** 52 }),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  baseTimestamp: fc.integer({ min: 2 ** 41, max: 2 ** 45 }),
  transactional: fc.boolean(),
  producerId: fc.integer({ min: -1, max: 2 ** 53 - 1 }),
  producerEpoch: fc.integer({ min: -1, max: 32767 }),
  baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
});

function sampleOptions(compression: Compression): EncodeBatchOptions {
  return {
    compression,
    baseOffset: 1000,
    baseTimestamp: 1_700_000_000_000,
    producerId: 42,
    producerEpoch: 3,
    baseSequence: 7,
    records: Array.from({ length: 12 }, (_, i) => ({
      key: i % 4 === 0 ? null : Buffer.from(`key-${i}`),
      value: Buffer.from(`value-${i}-`.repeat(i + 1)),
      headers: i % 3 === 0 ? [{ key: 'trace', value: Buffer.from([i]) }, { key: 'empty', value: null }] : [],
      timestampDelta: i * 10,
    })),
  };
}

describe('encodeBatch / decodeBatch', () => {
  it('round-trip any records, flags and codec', () => {
    fc.assert(
      fc.property(batchArb, (opts) => {
        const buf = encodeBatch(opts);
        const { header, records } = decodeBatch(buf);
        expect(header).toMatchObject({
          baseOffset: opts.baseOffset,
          batchLength: buf.length - 12,
          partitionLeaderEpoch: opts.partitionLeaderEpoch,
          magic: 2,
          lastOffsetDelta: Math.max(0, opts.records.length - 1),
          baseTimestamp: opts.baseTimestamp,
          producerId: opts.producerId,
          producerEpoch: opts.producerEpoch,
          baseSequence: opts.baseSequence,
          recordCount: opts.records.length,
        });
        expect(header.attributes & 0x07).toBe(opts.compression);
        expect((header.attributes & 0x10) !== 0).toBe(opts.transactional);
        const maxDelta = Math.max(...opts.records.map((r) => r.timestampDelta));
        expect(header.maxTimestamp).toBe(opts.records.length ? opts.baseTimestamp + maxDelta : -1);
        expect(records).toEqual(opts.records.map((r, i): Record => ({ ...r, offsetDelta: i })));
        // re-encoding the decoded records reproduces the batch byte for byte
        if (opts.compression === Compression.None) expect(encodeBatch({ ...opts, records }).equals(buf)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps explicit offset deltas, lastOffsetDelta, control and LogAppendTime flags', () => {
    const buf = encodeBatch({
      baseTimestamp: 5,
      control: true,
      logAppendTime: 99,
      lastOffsetDelta: 10,
      records: [{ offsetDelta: 3, value: Buffer.from('a') }, { offsetDelta: 9 }],
    });
    const { header, records } = decodeBatch(buf);
    expect(header.attributes & 0x28).toBe(0x28);
    expect(header.maxTimestamp).toBe(99);
    expect(header.lastOffsetDelta).toBe(10);
    expect(records.map((r) => r.offsetDelta)).toEqual([3, 9]);
  });

  it('decodes batches read from a shared buffer at an offset (subarrays)', () => {
    const batch = encodeBatch(sampleOptions(Compression.None));
    const shared = Buffer.concat([Buffer.alloc(33, 7), batch]);
    expect(decodeBatch(shared.subarray(33)).records).toHaveLength(12);
  });

  it('stays valid after the broker patches the base offset (outside the CRC)', () => {
    const buf = encodeBatch(sampleOptions(Compression.Lz4));
    patchBaseOffset(buf, 2 ** 40);
    expect(validateBatch(buf).header.baseOffset).toBe(2 ** 40);
  });
});

describe('cross-implementation with kafkajs', () => {
  for (const codec of CODECS) {
    it(`codec ${codec}: kafkajs-encoded batches decode with ours`, async () => {
      const records = Array.from({ length: 30 }, (_, i): KafkajsRecordInput => ({
        key: i % 5 === 0 ? null : Buffer.from(`k${i}`),
        value: Buffer.from(`some value ${i} `.repeat(i % 7)),
        headers: i % 2 ? { h: Buffer.from(`v${i}`), 'ünï': Buffer.from('x') } : {},
        offsetDelta: i,
        timestampDelta: i * 3,
      }));
      const buf = await kafkajsEncodeBatch({
        compression: codec,
        firstOffset: 77,
        firstTimestamp: 1_600_000_000_000,
        maxTimestamp: 1_600_000_000_087,
        lastOffsetDelta: 29,
        transactional: true,
        producerId: 12345,
        producerEpoch: 2,
        firstSequence: 100,
        records,
      });
      const { header, records: ours } = decodeBatch(buf);
      expect(header).toMatchObject({
        baseOffset: 77,
        baseTimestamp: 1_600_000_000_000,
        maxTimestamp: 1_600_000_000_087,
        lastOffsetDelta: 29,
        producerId: 12345,
        producerEpoch: 2,
        baseSequence: 100,
        recordCount: 30,
      });
      expect(header.attributes & 0x17).toBe(0x10 | codec);
      ours.forEach((r, i) => {
        const theirs = records[i]!;
        expect(r.offsetDelta).toBe(i);
        expect(r.timestampDelta).toBe(i * 3);
        expect(r.key).toEqual(theirs.key);
        expect(r.value).toEqual(theirs.value);
        expect(r.headers).toEqual(Object.entries(theirs.headers ?? {}).map(([key, value]) => ({ key, value })));
      });
    });

    it(`codec ${codec}: our batches decode with kafkajs`, async () => {
      const opts = sampleOptions(codec);
      const decoded = await kafkajsDecodeBatch(encodeBatch({ ...opts, transactional: true }));
      expect(decoded).toMatchObject({
        firstOffset: '1000',
        firstTimestamp: '1700000000000',
        maxTimestamp: '1700000000110',
        producerId: '42',
        producerEpoch: 3,
        firstSequence: 7,
        inTransaction: true,
        isControlBatch: false,
        lastOffsetDelta: 11,
      });
      expect(decoded.records).toHaveLength(12);
      decoded.records.forEach((r, i) => {
        const ours = opts.records[i]!;
        expect(r.offset).toBe(String(1000 + i));
        expect(r.timestamp).toBe(String(1_700_000_000_000 + i * 10));
        expect(r.key).toEqual(ours.key);
        expect(r.value).toEqual(ours.value);
        expect(Object.keys(r.headers)).toEqual((ours.headers ?? []).map((h) => h.key));
      });
    });
  }

  it('our CRC equals the CRC kafkajs computes for the same bytes', async () => {
    const records: KafkajsRecordInput[] = [{ key: null, value: Buffer.from('x'), offsetDelta: 0, timestampDelta: 0 }];
    const theirs = await kafkajsEncodeBatch({
      compression: 0, firstOffset: 0, firstTimestamp: 10, maxTimestamp: 10, lastOffsetDelta: 0, records,
      producerEpoch: -1, firstSequence: -1,
    });
    const ours = encodeBatch({
      baseTimestamp: 10, partitionLeaderEpoch: 0, producerId: -1, producerEpoch: -1, baseSequence: -1,
      records: [{ key: null, value: Buffer.from('x') }],
    });
    expect(ours.toString('hex')).toBe(theirs.toString('hex'));
  });
});

describe('validateBatch', () => {
  const samples = CODECS.map((codec) => encodeBatch(sampleOptions(codec)));

  it('accepts good batches and reports header and size', () => {
    for (const buf of samples) expect(validateBatch(Buffer.concat([buf, Buffer.alloc(5)])).size).toBe(buf.length);
  });

  it('detects a flipped bit anywhere under the CRC', () => {
    for (const original of samples) {
      for (let at = OFFSET.attributes; at < original.length; at += 3) {
        const buf = Buffer.from(original);
        buf[at] ^= 0x10;
        expect(() => validateBatch(buf), `byte ${at}`).toThrow(/CRC mismatch/);
      }
      const badCrc = Buffer.from(original);
      badCrc.writeUInt32BE((badCrc.readUInt32BE(OFFSET.crc) + 1) >>> 0, OFFSET.crc);
      const err = catchError(() => decodeBatch(badCrc));
      expect(err).toBeInstanceOf(CorruptRecordError);
      expect((err as CorruptRecordError).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    }
  });

  it('rejects a buffer truncated at every byte offset with a ProtocolError', () => {
    for (const buf of samples) {
      for (let n = 0; n < buf.length; n++) {
        expect(() => decodeBatch(buf.subarray(0, n)), `cut at ${n}`).toThrow(CorruptRecordError);
      }
    }
  });

  it('rejects records truncated at every byte, even with a consistent length and CRC', () => {
    for (const buf of samples) {
      for (let n = BATCH_HEADER_SIZE; n < buf.length; n++) {
        const cut = Buffer.from(buf.subarray(0, n));
        cut.writeInt32BE(n - 12, OFFSET.batchLength);
        rewriteCrc(cut);
        const err = catchError(() => decodeBatch(cut));
        expect(err, `cut at ${n} of ${buf.length} (codec ${buf[22]! & 7})`).toBeInstanceOf(CorruptRecordError);
      }
    }
  });

  it('never fails with anything but a ProtocolError on garbled records with a valid CRC', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (original, flips) => {
          const buf = Buffer.from(original);
          for (const [pos, mask] of flips) buf[BATCH_HEADER_SIZE + (pos % (buf.length - BATCH_HEADER_SIZE))] ^= mask;
          rewriteCrc(buf);
          const err = catchError(() => decodeBatch(buf));
          if (err !== undefined) expect(err).toBeInstanceOf(ProtocolError);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('rejects legacy message sets (magic 0 and 1) as an unsupported format', () => {
    for (const magic of [0, 1]) {
      // offset, size, crc, magic, attributes, [timestamp], key, value
      const message = Buffer.alloc(12 + 4 + 2 + (magic ? 8 : 0) + 8);
      message.writeInt32BE(message.length - 12, 8);
      message.writeInt8(magic, 16);
      const err = catchError(() => validateBatch(message));
      expect(err).toBeInstanceOf(UnsupportedMessageFormatError);
      expect((err as UnsupportedMessageFormatError).message).toMatch(/legacy message format/);
      expect((err as UnsupportedMessageFormatError).name).toBe('UnsupportedMessageFormatError');
      expect((err as UnsupportedMessageFormatError).errorCode).toBe(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    }
  });

  it('rejects unknown magic, short lengths, bad codecs and impossible record counts', () => {
    const base = samples[0]!;
    const withByte = (at: number, value: number) => {
      const b = Buffer.from(base);
      b[at] = value;
      return b;
    };
    expect(() => validateBatch(withByte(OFFSET.magic, 3))).toThrow(/unknown magic/);
    const short = Buffer.from(base);
    short.writeInt32BE(20, OFFSET.batchLength);
    expect(() => validateBatch(short)).toThrow(/below the minimum/);
    const badCodec = withByte(OFFSET.attributes + 1, 0x05);
    rewriteCrc(badCodec);
    expect(() => validateBatch(badCodec)).toThrow(/compression codec/);
    const tooMany = Buffer.from(base);
    tooMany.writeInt32BE(1_000_000, OFFSET.recordCount);
    rewriteCrc(tooMany);
    expect(() => validateBatch(tooMany)).toThrow(/cannot fit/);
    tooMany.writeInt32BE(-1, OFFSET.recordCount);
    rewriteCrc(tooMany);
    expect(() => validateBatch(tooMany)).toThrow(/negative record count/);
  });

  it('applies produce rules on request', () => {
    const empty = encodeBatch({ records: [] });
    expect(validateBatch(empty).header.recordCount).toBe(0);
    expect(() => validateBatch(empty, { forProduce: true })).toThrow(InvalidRecordError);
    const gap = encodeBatch({ records: [{}, {}], lastOffsetDelta: 5 });
    const err = catchError(() => validateBatch(gap, { forProduce: true }));
    expect(err).toBeInstanceOf(InvalidRecordError);
    expect((err as InvalidRecordError).errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(validateBatch(samples[1]!, { forProduce: true }).header.recordCount).toBe(12);
  });

  it('can skip the CRC check', () => {
    const buf = Buffer.from(samples[0]!);
    buf.writeUInt32BE(0, OFFSET.crc);
    expect(decodeBatch(buf, { verifyCrc: false }).records).toHaveLength(12);
  });
});

describe('splitBatches', () => {
  const a = encodeBatch(sampleOptions(Compression.None));
  const b = encodeBatch(sampleOptions(Compression.Zstd));
  const both = Buffer.concat([a, b]);

  it('splits concatenated batches into views of the same memory', () => {
    const parts = splitBatches(both);
    expect(parts.map((p) => p.length)).toEqual([a.length, b.length]);
    expect(parts[1]!.buffer).toBe(both.buffer);
    expect(parts[1]!.byteOffset).toBe(both.byteOffset + a.length);
  });

  it('stops cleanly before a partial trailing batch, at every cut', () => {
    for (let n = 0; n <= both.length; n++) {
      const expected = n === both.length ? 2 : n >= a.length ? 1 : 0;
      expect(splitBatches(both.subarray(0, n)), `cut at ${n}`).toHaveLength(expected);
    }
  });

  it('throws on a partial trailing batch when strict', () => {
    expect(() => splitBatches(both.subarray(0, both.length - 1), { strict: true })).toThrow(CorruptRecordError);
    expect(splitBatches(both, { strict: true })).toHaveLength(2);
  });

  it('throws on a negative batch length', () => {
    const bad = Buffer.from(a);
    bad.writeInt32BE(-5, OFFSET.batchLength);
    expect(() => splitBatches(bad)).toThrow(CorruptRecordError);
  });
});
