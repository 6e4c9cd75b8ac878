// Varint/varlong/unsigned varint: round trips, Kafka's known encodings, agreement with kafkajs,
// and bounded decoding (truncation and over-long encodings raise ProtocolError).
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import {
  readUVarint,
  readVarint,
  readVarlong,
  sizeOfUVarint,
  sizeOfVarint,
  sizeOfVarlong,
  writeUVarint,
  writeVarint,
  writeVarlong,
  type Cursor,
} from '../../../protocol/records/varint.js';

const require = createRequire(import.meta.url);
const KafkajsEncoder = require('kafkajs/src/protocol/encoder.js') as new () => {
  writeVarInt(v: number): unknown;
  writeVarLong(v: unknown): unknown;
  buffer: Buffer;
};
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => {
  readVarInt(): number;
  readVarLong(): { toString(): string };
};
const Long = require('kafkajs/src/utils/long.js') as { fromString(s: string): unknown };

const cursor = (buf: Buffer): Cursor => ({ buf, pos: 0, end: buf.length });

function encode(write: (b: Buffer, v: number, at: number) => number, value: number): Buffer {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, write(buf, value, 0));
}

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const safeLong = fc.oneof(
  fc.integer({ min: -(2 ** 53), max: 2 ** 53 - 1 }),
  fc.constantFrom(-(2 ** 53), 2 ** 53 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 0, -1),
  int32,
);

describe('varint (zigzag int32)', () => {
  it('round-trips every int32 and reports its size', () => {
    fc.assert(
      fc.property(int32, (v) => {
        const buf = encode(writeVarint, v);
        expect(buf.length).toBe(sizeOfVarint(v));
        const c = cursor(buf);
        expect(readVarint(c)).toBe(v);
        expect(c.pos).toBe(buf.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('matches Kafka encodings', () => {
    const cases: [number, string][] = [
      [0, '00'], [-1, '01'], [1, '02'], [63, '7e'], [-64, '7f'], [64, '8001'],
      [300, 'd804'], [2 ** 31 - 1, 'feffffff0f'], [-(2 ** 31), 'ffffffff0f'],
    ];
    for (const [v, hex] of cases) expect(encode(writeVarint, v).toString('hex')).toBe(hex);
  });

  it('agrees with kafkajs in both directions', () => {
    fc.assert(
      fc.property(int32, (v) => {
        const theirs = new KafkajsEncoder();
        theirs.writeVarInt(v);
        expect(encode(writeVarint, v).equals(theirs.buffer)).toBe(true);
        expect(new KafkajsDecoder(encode(writeVarint, v)).readVarInt()).toBe(v);
      }),
    );
  });

  it('throws ProtocolError when truncated or longer than 5 bytes', () => {
    expect(() => readVarint(cursor(Buffer.from([])))).toThrow(ProtocolError);
    expect(() => readVarint(cursor(Buffer.from([0x80, 0x80])))).toThrow(ProtocolError);
    expect(() => readVarint(cursor(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])))).toThrow(/longer than 5/);
    // the cursor's end bounds the read even when the buffer goes on
    expect(() => readVarint({ buf: Buffer.from([0x80, 0x01]), pos: 0, end: 1 })).toThrow(ProtocolError);
  });
});

describe('varlong (zigzag int64 as a JS number)', () => {
  it('round-trips every integer within ±2^53 and reports its size', () => {
    fc.assert(
      fc.property(safeLong, (v) => {
        const buf = encode(writeVarlong, v);
        expect(buf.length).toBe(sizeOfVarlong(v));
        const c = cursor(buf);
        expect(readVarlong(c)).toBe(v);
        expect(c.pos).toBe(buf.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with kafkajs (Long) in both directions', () => {
    fc.assert(
      fc.property(safeLong, (v) => {
        const theirs = new KafkajsEncoder();
        theirs.writeVarLong(Long.fromString(String(v)));
        expect(encode(writeVarlong, v).toString('hex')).toBe(theirs.buffer.toString('hex'));
        expect(new KafkajsDecoder(encode(writeVarlong, v)).readVarLong().toString()).toBe(String(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects values beyond ±2^53 on both sides', () => {
    const theirs = new KafkajsEncoder();
    theirs.writeVarLong(Long.fromString('9223372036854775807'));
    expect(() => readVarlong(cursor(theirs.buffer))).toThrow(ProtocolError);
    expect(() => encode(writeVarlong, 2 ** 53)).toThrow(RangeError);
    expect(() => encode(writeVarlong, 1.5)).toThrow(RangeError);
  });

  it('throws ProtocolError when truncated or longer than 10 bytes', () => {
    const full = encode(writeVarlong, -(2 ** 53));
    for (let n = 0; n < full.length; n++) expect(() => readVarlong(cursor(full.subarray(0, n)))).toThrow(ProtocolError);
    expect(() => readVarlong(cursor(Buffer.alloc(11, 0x80)))).toThrow(/longer than 10/);
  });
});

describe('unsigned varint', () => {
  it('round-trips every uint32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => {
        const buf = encode(writeUVarint, v);
        expect(buf.length).toBe(sizeOfUVarint(v));
        expect(readUVarint(cursor(buf))).toBe(v);
      }),
    );
  });

  it('encodes 127, 128 and 2^32-1 as Kafka does', () => {
    expect(encode(writeUVarint, 127).toString('hex')).toBe('7f');
    expect(encode(writeUVarint, 128).toString('hex')).toBe('8001');
    expect(encode(writeUVarint, 2 ** 32 - 1).toString('hex')).toBe('ffffffff0f');
  });
});
