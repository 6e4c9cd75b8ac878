// One segment of a partition log: a SegmentStore plus sparse indexes and a summary (next offset,
// max timestamp). Finds batches by offset or timestamp and reads whole batches for Fetch.
import { BATCH_HEADER_SIZE, batchSize, readInt64 } from '../../protocol/records/batch-header.js';
import { batchInfoAt, type BatchInfo } from './batch-scan.js';
import { storageError } from './errors.js';
import { SegmentIndex } from './segment-index.js';
import type { SegmentStore } from './segment-store.js';

/**
 * Bytes fetched at a time when walking batch headers: a small first read, since a walk from an
 * index entry usually stops at its first or second header (a fetch from where the previous one
 * ended), growing to the largest block for long walks.
 */
const FIRST_WALK_BLOCK = 2 * 1024;
const WALK_BLOCK = 64 * 1024;

export interface SegmentRead {
  chunks: Buffer[];
  bytes: number;
  /** The read ended at the end of the segment, so a caller may go on with the next one. */
  atEnd: boolean;
}

export class Segment {
  nextOffset: number;
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  /** Wall clock of the first append (or of opening), the reference for segment.ms. */
  rollTime: number;
  private index: SegmentIndex;
  private bytesSinceIndex = 0;
  private readers = 0;
  private removed = false;

  constructor(
    readonly baseOffset: number,
    readonly store: SegmentStore,
    now: number,
    loaded?: { index: SegmentIndex; nextOffset: number },
  ) {
    this.rollTime = now;
    this.index = loaded?.index ?? new SegmentIndex(baseOffset);
    this.nextOffset = loaded?.nextOffset ?? baseOffset;
    const last = loaded?.index.lastTime();
    if (last !== undefined) {
      this.maxTimestamp = last.timestamp;
      this.offsetOfMaxTimestamp = last.offset;
    }
  }

  get size(): number {
    return this.store.size;
  }

  /** Newest timestamp in the segment, or its roll time when no batch carries one (retention.ms). */
  get largestTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : this.rollTime;
  }

  /** Appends whole batches (positions in `batches` are relative to `data`). */
  append(data: Buffer, batches: readonly BatchInfo[], indexIntervalBytes: number, now: number): Promise<void> {
    if (this.size === 0) this.rollTime = now;
    const base = this.size;
    const written = this.store.append(data);
    for (const batch of batches) this.track(batch, base + batch.position, indexIntervalBytes);
    return written;
  }

  /** Updates indexes and summary for a batch stored at `position` (appends and recovery). */
  track(batch: BatchInfo, position: number, indexIntervalBytes: number): void {
    if (batch.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batch.maxTimestamp;
      this.offsetOfMaxTimestamp = batch.lastOffset;
    }
    if (position > 0 && this.bytesSinceIndex >= indexIntervalBytes) {
      this.index.addOffset(batch.baseOffset, position);
      this.indexMaxTimestamp();
      this.bytesSinceIndex = 0;
    }
    this.bytesSinceIndex += batch.size;
    this.nextOffset = batch.lastOffset + 1;
  }

  /** The first batch whose last offset is >= `offset`. */
  findBatch(offset: number): Promise<BatchInfo | undefined> {
    if (offset >= this.nextOffset) return Promise.resolve(undefined);
    return this.guard(() => this.walk(this.index.positionFor(offset), (b) => b.lastOffset >= offset));
  }

  /** The first batch ending at or after `fromOffset` whose max timestamp is >= `timestamp`. */
  findTimestamp(timestamp: number, fromOffset: number): Promise<BatchInfo | undefined> {
    if (this.maxTimestamp < timestamp || fromOffset >= this.nextOffset) return Promise.resolve(undefined);
    const start = this.index.positionFor(Math.max(this.index.offsetBeforeTimestamp(timestamp), fromOffset));
    return this.guard(() => this.walk(start, (b) => b.maxTimestamp >= timestamp && b.lastOffset >= fromOffset));
  }

  /**
   * Whole batches from `first` on, below `maxOffset`, within `maxBytes` — except that with
   * `minOneBatch` the first batch is returned even when larger. `buffer` gives the memory a file
   * store reads into (ReadOptions.buffer).
   */
  read(first: BatchInfo, maxBytes: number, maxOffset: number, minOneBatch: boolean, buffer?: (bytes: number) => Buffer): Promise<SegmentRead> {
    const available = this.size - first.position;
    const length = Math.min(available, Math.max(maxBytes, minOneBatch ? first.size : 0));
    if (first.baseOffset >= maxOffset || length < first.size) {
      return Promise.resolve({ chunks: [], bytes: 0, atEnd: false });
    }
    return this.guard(() => this.readWhole(first.position, length, maxOffset, buffer));
  }

  /** The whole batches below `maxOffset` among `length` bytes from `position` (a batch start). */
  private async readWhole(position: number, length: number, maxOffset: number, buffer?: (bytes: number) => Buffer): Promise<SegmentRead> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (const buf of await this.store.read(position, length, buffer?.(length))) {
      const whole = wholeBatchesBelow(buf, maxOffset);
      if (whole > 0) chunks.push(whole === buf.length ? buf : buf.subarray(0, whole));
      bytes += whole;
      if (whole < buf.length) break;
    }
    return { chunks, bytes, atEnd: position + bytes === this.size };
  }

  /** `read` from the first batch ending at or after `offset`; undefined when the segment has none. */
  readFrom(offset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean, buffer?: (bytes: number) => Buffer): Promise<SegmentRead | undefined> {
    return this.guard(async () => {
      // A consumer's next fetch usually starts at a batch an index entry points to (every batch of
      // index.interval.bytes or more gets one): read from there at once, without first reading
      // the batch's header. Nothing whole came back (a batch larger than maxBytes, or one above
      // maxOffset): the header walk below decides.
      const position = offset < this.nextOffset ? this.index.exactPositionOf(offset) : undefined;
      if (position !== undefined && maxBytes > 0) {
        const direct = await this.readWhole(position, Math.min(maxBytes, this.size - position), maxOffset, buffer);
        if (direct.bytes > 0) return direct;
      }
      const first = await this.findBatch(offset);
      return first === undefined ? undefined : this.read(first, maxBytes, maxOffset, minOneBatch, buffer);
    });
  }

  /**
   * Whole batches from byte `position` on, about `maxBytes` of them (at least one), as separate
   * buffers; `next` is the position after them (the segment size at the end). For the cleaner,
   * which passes a `scratch` buffer of at least `maxBytes` to read into (the batches may be views
   * of it; one batch larger than it is read into a buffer of its own).
   */
  readBatches(position: number, maxBytes: number, scratch?: Buffer): Promise<{ batches: Buffer[]; next: number }> {
    return this.guard(async () => {
      const batches: Buffer[] = [];
      let pos = position;
      let want = Math.min(maxBytes, this.size - pos);
      while (pos < this.size && batches.length === 0) {
        const parts = await this.store.read(pos, want, scratch !== undefined && want <= scratch.length ? scratch : undefined);
        const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        let at = 0;
        while (at + BATCH_HEADER_SIZE <= buf.length) {
          const size = batchSize(buf, at);
          if (size < BATCH_HEADER_SIZE) throw storageError(`bad batch length at position ${pos + at}`);
          if (at + size > buf.length) break;
          batches.push(buf.subarray(at, at + size));
          at += size;
        }
        if (batches.length === 0) {
          if (buf.length < BATCH_HEADER_SIZE) throw storageError(`unreadable batch header at position ${pos}`);
          want = batchSize(buf, 0);
          if (want > this.size - pos) throw storageError(`batch at position ${pos} runs past the segment end`);
        }
        pos += at;
      }
      return { batches, next: pos };
    });
  }

  /** Removes the batch holding `offset` and everything after it; returns the new next offset. */
  async truncateTo(offset: number, indexIntervalBytes: number): Promise<number> {
    const batch = await this.findBatch(offset);
    if (batch === undefined) return this.nextOffset;
    await this.store.truncate(batch.position);
    this.index = new SegmentIndex(this.baseOffset);
    this.bytesSinceIndex = 0;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.nextOffset = this.baseOffset;
    await this.walk(0, (b) => {
      this.track(b, b.position, indexIntervalBytes);
      return false;
    });
    return this.nextOffset;
  }

  /** The segment stops taking appends: close the time index and let the store save indexes. */
  seal(): Promise<void> {
    this.indexMaxTimestamp();
    return this.store.seal(this.index);
  }

  /** The log closes with this segment active: close the time index and let the store decide what to save. */
  closeActive(): Promise<void> {
    this.indexMaxTimestamp();
    return this.store.closeActive(this.index);
  }

  /** A time-index entry for the largest timestamp so far (ignored while the segment is empty). */
  private indexMaxTimestamp(): void {
    this.index.addTime(this.maxTimestamp, this.offsetOfMaxTimestamp);
  }

  /** Deletes the segment once in-flight reads are done. */
  async remove(): Promise<void> {
    this.removed = true;
    if (this.readers === 0) await this.store.remove();
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    this.readers++;
    try {
      return await work();
    } finally {
      if (--this.readers === 0 && this.removed) await this.store.remove();
    }
  }

  /** Visits batch headers from `position` until `stop` says so; returns that batch. */
  private async walk(position: number, stop: (batch: BatchInfo) => boolean): Promise<BatchInfo | undefined> {
    let pos = position;
    let block = FIRST_WALK_BLOCK;
    while (pos < this.size) {
      const before = pos;
      let bufStart = pos;
      const scanned = await this.store.scan(pos, Math.min(block, this.size - pos));
      block = Math.min(block * 4, WALK_BLOCK);
      for (const buf of scanned) {
        if (bufStart !== pos) break;
        let at = 0;
        while (at + BATCH_HEADER_SIZE <= buf.length) {
          const batch = batchInfoAt(buf, at, pos);
          if (batch.size < BATCH_HEADER_SIZE) throw storageError(`bad batch length at position ${pos}`);
          if (stop(batch)) return batch;
          at += batch.size;
          pos += batch.size;
        }
        bufStart += buf.length;
      }
      if (pos === before) throw storageError(`unreadable batch header at position ${pos}`);
    }
    return undefined;
  }
}

/** Length of the whole batches at the start of `buf` whose base offset is below `maxOffset`. */
function wholeBatchesBelow(buf: Buffer, maxOffset: number): number {
  let at = 0;
  while (at + BATCH_HEADER_SIZE <= buf.length) {
    const size = batchSize(buf, at);
    if (at + size > buf.length || readInt64(buf, at) >= maxOffset) break;
    at += size;
  }
  return at;
}
