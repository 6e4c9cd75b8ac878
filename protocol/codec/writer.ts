// Growable big-endian writer. Small values are written into a buffer that doubles when full;
// large byte blobs (stored record batches) are kept by reference so a response goes to the
// socket as a list of buffers (one writev) without copying record data.
import { ProtocolError } from '../protocol-error.js';

/** Blobs at least this large are referenced, not copied. */
const ZERO_COPY_MIN = 4096;
/** Kafka's Long.MAX_VALUE as a JS number (2^63): int64 fields read it so, and write it from there on. */
export const INT64_MAX = 2 ** 63;

export class Writer {
  private buf: Buffer;
  private pos = 0;
  /** Start of the bytes in `buf` not yet moved to `chunks`. */
  private mark = 0;
  private readonly chunks: Buffer[] = [];
  private flushed = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.flushed + this.pos - this.mark;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.cut();
    this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    this.pos = 0;
    this.mark = 0;
  }

  /** Moves the pending bytes of `buf` into the chunk list. */
  private cut(): void {
    if (this.pos > this.mark) {
      this.chunks.push(this.buf.subarray(this.mark, this.pos));
      this.flushed += this.pos - this.mark;
      this.mark = this.pos;
    }
  }

  bool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }
  int8(v: number): void {
    this.ensure(1);
    this.pos = this.buf.writeInt8(v, this.pos);
  }
  int16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }
  uint16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }
  int32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
  }
  uint32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(v, this.pos);
  }
  /** Long.MAX_VALUE, read as a double, is 2^63: values from there on write as Long.MAX_VALUE. */
  int64(v: number): void {
    this.ensure(8);
    if (v >= INT64_MAX) {
      this.pos = this.buf.writeUInt32BE(0xffffffff, this.buf.writeInt32BE(0x7fffffff, this.pos));
      return;
    }
    const hi = Math.floor(v / 4294967296);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * 4294967296, this.pos + 4);
    this.pos += 8;
  }
  float64(v: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(v, this.pos);
  }
  uuid(v: string): void {
    const bytes = Buffer.from(v, 'base64url');
    if (bytes.length !== 16) throw new ProtocolError(`invalid uuid ${v}`);
    this.raw(bytes);
  }

  uvarint(v: number): void {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  private utf8(s: string, len: number): void {
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }
  string(s: string): void {
    const len = Buffer.byteLength(s);
    this.int16(len);
    this.utf8(s, len);
  }
  nullableString(s: string | null): void {
    if (s === null) this.int16(-1);
    else this.string(s);
  }
  compactString(s: string): void {
    const len = Buffer.byteLength(s);
    this.uvarint(len + 1);
    this.utf8(s, len);
  }
  compactNullableString(s: string | null): void {
    if (s === null) this.uvarint(0);
    else this.compactString(s);
  }

  /** Appends bytes: copied when small, referenced when large. */
  raw(b: Buffer): void {
    if (b.length >= ZERO_COPY_MIN) {
      this.cut();
      this.chunks.push(b);
      this.flushed += b.length;
      return;
    }
    this.ensure(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }
  bytes(b: Buffer): void {
    this.int32(b.length);
    this.raw(b);
  }
  nullableBytes(b: Buffer | null): void {
    if (b === null) this.int32(-1);
    else this.bytes(b);
  }
  compactBytes(b: Buffer): void {
    this.uvarint(b.length + 1);
    this.raw(b);
  }
  compactNullableBytes(b: Buffer | null): void {
    if (b === null) this.uvarint(0);
    else this.compactBytes(b);
  }

  /** A records field: one buffer or a list of stored batches, written as one bytes value. */
  records(r: Buffer | Buffer[] | null, compact: boolean): void {
    if (r === null) {
      if (compact) this.uvarint(0);
      else this.int32(-1);
      return;
    }
    const parts = Array.isArray(r) ? r : [r];
    let size = 0;
    for (const p of parts) size += p.length;
    if (compact) this.uvarint(size + 1);
    else this.int32(size);
    for (const p of parts) this.raw(p);
  }

  /** Placeholder for a length written later with patchInt32. */
  reserveInt32(): number {
    this.ensure(4);
    const at = this.length;
    this.pos += 4;
    return at;
  }

  /** Result as a list of buffers in order (for socket writev). */
  toChunks(): Buffer[] {
    this.cut();
    return this.chunks;
  }

  /** Result as one contiguous buffer. */
  toBuffer(): Buffer {
    const chunks = this.toChunks();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.flushed);
  }
}

/** Writes `value` as int32 at absolute position `at` across a chunk list. */
export function patchInt32(chunks: Buffer[], at: number, value: number): void {
  for (const c of chunks) {
    if (at < c.length) {
      if (at + 4 <= c.length) {
        c.writeInt32BE(value, at);
        return;
      }
      break;
    }
    at -= c.length;
  }
  throw new ProtocolError('patchInt32: position spans chunks');
}
