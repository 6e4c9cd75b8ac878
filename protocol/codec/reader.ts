// Bounded big-endian reader over one frame. Every length read from the wire is checked
// against the bytes that remain before anything is allocated or sliced.
import { ProtocolError } from '../protocol-error.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export class Reader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const at = this.pos;
    if (n > this.end - at) {
      throw new ProtocolError(`truncated: need ${n} bytes at offset ${at}, have ${this.end - at}`);
    }
    this.pos = at + n;
    return at;
  }

  skip(n: number): void {
    this.need(n);
  }

  bool(): boolean {
    return this.buf[this.need(1)] !== 0;
  }
  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  /** int64 as a JS number: exact within ±2^53, which covers offsets, timestamps and ids. */
  int64(): number {
    const at = this.need(8);
    return this.buf.readInt32BE(at) * 4294967296 + this.buf.readUInt32BE(at + 4);
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  /** Kafka's Uuid text form: 22 characters of URL-safe base64. */
  uuid(): string {
    const at = this.need(16);
    return this.buf.toString('base64url', at, at + 16);
  }

  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new ProtocolError('truncated varint');
      const b = this.buf[this.pos++]!;
      if (shift === 28 && b > 0x0f) throw new ProtocolError('varint longer than 32 bits');
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  private utf8(len: number): string {
    const at = this.need(len);
    return this.buf.toString('utf8', at, at + len);
  }
  private length(len: number, what: string, nullable: boolean): number {
    if (len < 0) {
      if (len === -1 && nullable) return -1;
      throw new ProtocolError(`invalid ${what} length ${len}`);
    }
    if (len > this.end - this.pos) throw new ProtocolError(`${what} length ${len} exceeds remaining ${this.end - this.pos}`);
    return len;
  }

  string(): string {
    return this.utf8(this.length(this.int16(), 'string', false));
  }
  nullableString(): string | null {
    const n = this.length(this.int16(), 'string', true);
    return n < 0 ? null : this.utf8(n);
  }
  compactString(): string {
    return this.utf8(this.length(this.uvarint() - 1, 'string', false));
  }
  compactNullableString(): string | null {
    const n = this.length(this.uvarint() - 1, 'string', true);
    return n < 0 ? null : this.utf8(n);
  }

  /** Bytes are sliced from the frame, not copied. */
  private slice(len: number): Buffer {
    const at = this.need(len);
    return this.buf.subarray(at, at + len);
  }
  bytes(): Buffer {
    return this.slice(this.length(this.int32(), 'bytes', false));
  }
  nullableBytes(): Buffer | null {
    const n = this.length(this.int32(), 'bytes', true);
    return n < 0 ? null : this.slice(n);
  }
  compactBytes(): Buffer {
    return this.slice(this.length(this.uvarint() - 1, 'bytes', false));
  }
  compactNullableBytes(): Buffer | null {
    const n = this.length(this.uvarint() - 1, 'bytes', true);
    return n < 0 ? null : this.slice(n);
  }

  /** Array element count; -1 means null. Bounded by remaining bytes (every element takes one or more). */
  arrayLength(): number {
    return this.checkCount(this.int32());
  }
  compactArrayLength(): number {
    return this.checkCount(this.uvarint() - 1);
  }
  private checkCount(n: number): number {
    if (n < -1) throw new ProtocolError(`invalid array length ${n}`);
    if (n > this.end - this.pos) throw new ProtocolError(`array length ${n} exceeds remaining ${this.end - this.pos}`);
    return n;
  }
}

export { ZERO_UUID };
