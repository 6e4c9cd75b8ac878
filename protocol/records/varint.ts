// Kafka varints: zigzag varint (int32), zigzag varlong (int64 held in a JS number, exact within
// ±2^53) and unsigned varint. Readers advance a Cursor and never read past its `end`.
import { ProtocolError } from '../protocol-error.js';

/** A read position over buf[pos, end). */
export interface Cursor {
  buf: Buffer;
  pos: number;
  end: number;
}

const TWO_POW_53 = 2 ** 53;

function nextByte(c: Cursor, what: string): number {
  if (c.pos >= c.end) throw new ProtocolError(`truncated ${what} at byte ${c.pos}`);
  return c.buf[c.pos++] as number;
}

/** Unsigned varint of at most 5 bytes, returned as uint32 (high bits of a 5th byte are dropped, as in Kafka). */
export function readUVarint(c: Cursor): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const b = nextByte(c, 'varint');
    value |= (b & 0x7f) << (7 * i);
    if (b < 0x80) return value >>> 0;
  }
  throw new ProtocolError(`varint longer than 5 bytes at byte ${c.pos - 5}`);
}

/** Zigzag-encoded int32. */
export function readVarint(c: Cursor): number {
  const u = readUVarint(c);
  return (u >>> 1) ^ -(u & 1);
}

/** Zigzag-encoded int64 of at most 10 bytes; throws if the value is outside [-2^53, 2^53 - 1]. */
export function readVarlong(c: Cursor): number {
  const start = c.pos;
  const first = nextByte(c, 'varlong');
  const negative = (first & 1) === 1;
  // Accumulate zigzag(v) >> 1, which is exact in a double for every v in range.
  let half = (first & 0x7f) >>> 1;
  if (first >= 0x80) {
    let scale = 64;
    for (let i = 1; ; i++) {
      if (i === 10) throw new ProtocolError(`varlong longer than 10 bytes at byte ${start}`);
      const b = nextByte(c, 'varlong');
      half += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 128;
    }
  }
  if (half >= TWO_POW_53) throw new ProtocolError(`varlong at byte ${start} is outside ±2^53`);
  return negative ? -half - 1 : half;
}

export function sizeOfUVarint(value: number): number {
  let v = value >>> 0;
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}

/** Writes `value` as an unsigned varint (taken as uint32); returns the offset after it. */
export function writeUVarint(buf: Buffer, value: number, at: number): number {
  let v = value >>> 0;
  while (v >= 0x80) {
    buf[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at++] = v;
  return at;
}

const zigzag32 = (v: number): number => ((v << 1) ^ (v >> 31)) >>> 0;

export const sizeOfVarint = (value: number): number => sizeOfUVarint(zigzag32(value));

export const writeVarint = (buf: Buffer, value: number, at: number): number => writeUVarint(buf, zigzag32(value), at);

const isInt32 = (v: number): boolean => (v | 0) === v;

function checkVarlong(value: number): void {
  if (!Number.isInteger(value) || value < -TWO_POW_53 || value >= TWO_POW_53) {
    throw new RangeError(`varlong value ${value} is not an integer within ±2^53`);
  }
}

export function sizeOfVarlong(value: number): number {
  if (isInt32(value)) return sizeOfVarint(value);
  checkVarlong(value);
  let rest = Math.floor((value < 0 ? -value - 1 : value) / 64);
  let n = 1;
  while (rest > 0) {
    rest = Math.floor(rest / 128);
    n++;
  }
  return n;
}

/** Writes `value` as a zigzag varlong; returns the offset after it. */
export function writeVarlong(buf: Buffer, value: number, at: number): number {
  if (isInt32(value)) return writeVarint(buf, value, at); // zigzag32 and zigzag64 agree on int32
  checkVarlong(value);
  const negative = value < 0;
  const half = negative ? -value - 1 : value; // zigzag(value) = 2 * half + sign
  let byte = (half % 64) * 2 + (negative ? 1 : 0);
  let rest = Math.floor(half / 64);
  while (rest > 0) {
    buf[at++] = byte | 0x80;
    byte = rest % 128;
    rest = Math.floor(rest / 128);
  }
  buf[at++] = byte;
  return at;
}
