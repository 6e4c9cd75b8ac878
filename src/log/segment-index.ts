// Sparse indexes of one segment, held in memory and saved in Kafka's file formats:
//   .index      8-byte entries: offset - baseOffset (int32), position (int32) of a batch start
//   .timeindex 12-byte entries: max timestamp so far (int64), offset - baseOffset (int32)
// Offset entries point at batch starts; a time entry (T, O) says no batch before O holds T or more.
import { readInt64, writeInt64 } from '../../protocol/records/batch-header.js';

/** Index of the last element <= target in an ascending array, or -1. */
function floorIndex(values: readonly number[], target: number): number {
  let lo = 0;
  let hi = values.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= target) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export class SegmentIndex {
  private offsets: number[] = [];
  private positions: number[] = [];
  private times: number[] = [];
  private timeOffsets: number[] = [];

  constructor(readonly baseOffset: number) {}

  get entryCount(): number {
    return this.offsets.length;
  }

  addOffset(offset: number, position: number): void {
    this.offsets.push(offset);
    this.positions.push(position);
  }

  /** Adds a time entry if `timestamp` is above the last one. */
  addTime(timestamp: number, offset: number): void {
    const last = this.times.length === 0 ? -1 : this.times[this.times.length - 1]!;
    if (timestamp <= last) return;
    this.times.push(timestamp);
    this.timeOffsets.push(offset);
  }

  /** Position of the latest indexed batch starting at or before `offset` (0 when none is). */
  positionFor(offset: number): number {
    const i = floorIndex(this.offsets, offset);
    return i < 0 ? 0 : this.positions[i]!;
  }

  /** Position of the batch an offset entry says starts exactly at `offset`, if there is such an entry. */
  exactPositionOf(offset: number): number | undefined {
    const i = floorIndex(this.offsets, offset);
    return i >= 0 && this.offsets[i] === offset ? this.positions[i] : undefined;
  }

  /** An offset at or before the first batch whose max timestamp is >= `timestamp`. */
  offsetBeforeTimestamp(timestamp: number): number {
    const i = floorIndex(this.times, timestamp - 1);
    return i < 0 ? this.baseOffset : this.timeOffsets[i]!;
  }

  /** The last offset entry: the latest indexed batch start. */
  lastOffsetEntry(): { offset: number; position: number } | undefined {
    const n = this.offsets.length;
    return n === 0 ? undefined : { offset: this.offsets[n - 1]!, position: this.positions[n - 1]! };
  }

  /** The last time entry: the segment's max timestamp once the segment is sealed. */
  lastTime(): { timestamp: number; offset: number } | undefined {
    const n = this.times.length;
    return n === 0 ? undefined : { timestamp: this.times[n - 1]!, offset: this.timeOffsets[n - 1]! };
  }

  serializeOffsets(): Buffer {
    const buf = Buffer.allocUnsafe(this.offsets.length * 8);
    for (let i = 0; i < this.offsets.length; i++) {
      buf.writeInt32BE(this.offsets[i]! - this.baseOffset, i * 8);
      buf.writeInt32BE(this.positions[i]!, i * 8 + 4);
    }
    return buf;
  }

  serializeTimes(): Buffer {
    const buf = Buffer.allocUnsafe(this.times.length * 12);
    for (let i = 0; i < this.times.length; i++) {
      writeInt64(buf, this.times[i]!, i * 12);
      buf.writeInt32BE(this.timeOffsets[i]! - this.baseOffset, i * 12 + 8);
    }
    return buf;
  }

  /** Parses saved index files; undefined when they are inconsistent with a log of `logSize` bytes. */
  static parse(baseOffset: number, offsetBuf: Buffer, timeBuf: Buffer, logSize: number): SegmentIndex | undefined {
    if (offsetBuf.length % 8 !== 0 || timeBuf.length % 12 !== 0) return undefined;
    const index = new SegmentIndex(baseOffset);
    for (let at = 0; at < offsetBuf.length; at += 8) {
      const offset = baseOffset + offsetBuf.readInt32BE(at);
      const position = offsetBuf.readInt32BE(at + 4);
      const prev = index.offsets.length - 1;
      if (position < 0 || position >= logSize) return undefined;
      if (prev >= 0 && (offset <= index.offsets[prev]! || position <= index.positions[prev]!)) return undefined;
      index.addOffset(offset, position);
    }
    for (let at = 0; at < timeBuf.length; at += 12) {
      const timestamp = readInt64(timeBuf, at);
      const offset = baseOffset + timeBuf.readInt32BE(at + 8);
      const prev = index.times.length - 1;
      if (offset < baseOffset || (prev >= 0 && (timestamp <= index.times[prev]! || offset < index.timeOffsets[prev]!))) {
        return undefined;
      }
      index.addTime(timestamp, offset);
    }
    return index;
  }
}
