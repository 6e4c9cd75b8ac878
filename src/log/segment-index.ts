// Sparse indexes of one segment, held in memory and saved in Kafka's file formats:
//   .index      8-byte entries: offset - baseOffset (int32), position (int32) of a batch start
//   .timeindex 12-byte entries: max timestamp so far (int64), offset - baseOffset (int32)
// Offset entries point at batch starts; a time entry (T, O) says no batch before O holds T or more.
import { readInt64, writeInt64 } from '../../protocol/records/batch-header.js';

/**
 * Index of the last entry whose key (its first number) is <= target, in `count` ascending
 * entries of two numbers each; -1 when none is.
 */
function floorEntry(entries: Int32Array | Float64Array, count: number, target: number): number {
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[2 * mid]! <= target) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Entries the first one of a segment makes room for; the room doubles when full. */
const FIRST_CAPACITY = 16;

/** `entries` with room for at least one more pair of numbers beyond `count` pairs. */
function withRoom<T extends Int32Array | Float64Array>(entries: T, count: number, Make: new (length: number) => T): T {
  if (2 * count < entries.length) return entries;
  const grown = new Make(2 * Math.max(FIRST_CAPACITY, 2 * count));
  grown.set(entries);
  return grown;
}

const NO_OFFSETS = new Int32Array(0);
const NO_TIMES = new Float64Array(0);

/**
 * The entries are pairs in typed arrays, as Kafka's files hold them, not arrays of numbers: each
 * segment's index lives as long as the segment, and with thousands of partitions crossing their
 * first index interval together, four growing arrays apiece were megabytes of young objects that
 * every scavenge of the next seconds copied (test/bench/NOTES.md, "Dec 7, night"). A typed array
 * past a few dozen bytes keeps its entries outside the collected heap.
 */
export class SegmentIndex {
  /** (offset - baseOffset, position) pairs; segmented-log rolls before a relative offset leaves int32. */
  private offsets: Int32Array = NO_OFFSETS;
  private offsetCount = 0;
  /** (timestamp, offset - baseOffset) pairs, timestamps rising. */
  private times: Float64Array = NO_TIMES;
  private timeCount = 0;

  constructor(readonly baseOffset: number) {}

  get entryCount(): number {
    return this.offsetCount;
  }

  addOffset(offset: number, position: number): void {
    this.offsets = withRoom(this.offsets, this.offsetCount, Int32Array);
    this.offsets[2 * this.offsetCount] = offset - this.baseOffset;
    this.offsets[2 * this.offsetCount + 1] = position;
    this.offsetCount++;
  }

  /** Adds a time entry if `timestamp` is above the last one. */
  addTime(timestamp: number, offset: number): void {
    const last = this.timeCount === 0 ? -1 : this.times[2 * this.timeCount - 2]!;
    if (timestamp <= last) return;
    this.times = withRoom(this.times, this.timeCount, Float64Array);
    this.times[2 * this.timeCount] = timestamp;
    this.times[2 * this.timeCount + 1] = offset - this.baseOffset;
    this.timeCount++;
  }

  /** Position of the latest indexed batch starting at or before `offset` (0 when none is). */
  positionFor(offset: number): number {
    const i = floorEntry(this.offsets, this.offsetCount, offset - this.baseOffset);
    return i < 0 ? 0 : this.offsets[2 * i + 1]!;
  }

  /** Position of the batch an offset entry says starts exactly at `offset`, if there is such an entry. */
  exactPositionOf(offset: number): number | undefined {
    const relative = offset - this.baseOffset;
    const i = floorEntry(this.offsets, this.offsetCount, relative);
    return i >= 0 && this.offsets[2 * i] === relative ? this.offsets[2 * i + 1] : undefined;
  }

  /** An offset at or before the first batch whose max timestamp is >= `timestamp`. */
  offsetBeforeTimestamp(timestamp: number): number {
    const i = floorEntry(this.times, this.timeCount, timestamp - 1);
    return this.baseOffset + (i < 0 ? 0 : this.times[2 * i + 1]!);
  }

  /** The last offset entry: the latest indexed batch start. */
  lastOffsetEntry(): { offset: number; position: number } | undefined {
    const n = this.offsetCount;
    return n === 0 ? undefined : { offset: this.baseOffset + this.offsets[2 * n - 2]!, position: this.offsets[2 * n - 1]! };
  }

  /** The last time entry: the segment's max timestamp once the segment is sealed. */
  lastTime(): { timestamp: number; offset: number } | undefined {
    const n = this.timeCount;
    return n === 0 ? undefined : { timestamp: this.times[2 * n - 2]!, offset: this.baseOffset + this.times[2 * n - 1]! };
  }

  serializeOffsets(): Buffer {
    const buf = Buffer.allocUnsafe(this.offsetCount * 8);
    for (let i = 0; i < 2 * this.offsetCount; i++) buf.writeInt32BE(this.offsets[i]!, i * 4);
    return buf;
  }

  serializeTimes(): Buffer {
    const buf = Buffer.allocUnsafe(this.timeCount * 12);
    for (let i = 0; i < this.timeCount; i++) {
      writeInt64(buf, this.times[2 * i]!, i * 12);
      buf.writeInt32BE(this.times[2 * i + 1]!, i * 12 + 8);
    }
    return buf;
  }

  /** Parses saved index files; undefined when they are inconsistent with a log of `logSize` bytes. */
  static parse(baseOffset: number, offsetBuf: Buffer, timeBuf: Buffer, logSize: number): SegmentIndex | undefined {
    if (offsetBuf.length % 8 !== 0 || timeBuf.length % 12 !== 0) return undefined;
    const index = new SegmentIndex(baseOffset);
    let prevOffset = -Infinity;
    let prevPosition = -1;
    for (let at = 0; at < offsetBuf.length; at += 8) {
      const offset = baseOffset + offsetBuf.readInt32BE(at);
      const position = offsetBuf.readInt32BE(at + 4);
      if (position < 0 || position >= logSize || offset <= prevOffset || position <= prevPosition) return undefined;
      index.addOffset(offset, position);
      prevOffset = offset;
      prevPosition = position;
    }
    let prevTimestamp = -Infinity;
    let prevTimeOffset = baseOffset;
    for (let at = 0; at < timeBuf.length; at += 12) {
      const timestamp = readInt64(timeBuf, at);
      const offset = baseOffset + timeBuf.readInt32BE(at + 8);
      if (offset < prevTimeOffset || timestamp <= prevTimestamp) return undefined;
      index.addTime(timestamp, offset);
      prevTimestamp = timestamp;
      prevTimeOffset = offset;
    }
    return index;
  }
}
