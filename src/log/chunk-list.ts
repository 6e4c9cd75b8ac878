// An ordered run of byte chunks addressed by segment position: all of a memory segment, or the
// recent tail of a file segment. Slicing returns views of the stored bytes, never copies.
// A chunk is kept as its backing store and offset, not as a Buffer: at thousands of partitions a
// view per appended batch, alive until its partition's next appends evict it, was the largest part
// of what every scavenge copied (test/bench/NOTES.md, "Dec 7, evening"); a view is made per read.

export class ChunkList {
  private buffers: ArrayBufferLike[] = [];
  private offsets: number[] = [];
  /** Each chunk's segment position; a chunk ends where the next starts (the last at `end`). */
  private starts: number[] = [];
  /** Index of the first live chunk; evicted chunks before it are compacted away lazily. */
  private head = 0;
  private endPos: number;

  /** `evicted` hears of the backing store of every chunk `evict` drops (not of those truncate or reset forget). */
  constructor(
    start: number,
    private readonly evicted?: (buffer: ArrayBufferLike) => void,
  ) {
    this.endPos = start;
  }

  /** Position of the first byte held (== end when empty). */
  get start(): number {
    return this.head < this.starts.length ? this.starts[this.head]! : this.endPos;
  }

  get end(): number {
    return this.endPos;
  }

  get bytes(): number {
    return this.endPos - this.start;
  }

  /** Keeps `data`'s bytes where they are: nothing may change them while the list holds them. */
  push(data: Buffer): void {
    this.buffers.push(data.buffer);
    this.offsets.push(data.byteOffset);
    this.starts.push(this.endPos);
    this.endPos += data.length;
  }

  /** Views covering [position, min(position + length, end)); position must be >= start. */
  slice(position: number, length: number): Buffer[] {
    const stop = Math.min(position + length, this.endPos);
    const out: Buffer[] = [];
    for (let i = this.chunkAt(position); i < this.starts.length && this.starts[i]! < stop; i++) {
      const start = this.starts[i]!;
      const from = Math.max(position, start);
      const to = Math.min(stop, this.chunkEnd(i));
      if (to > from) out.push(Buffer.from(this.buffers[i]!, this.offsets[i]! + from - start, to - from));
    }
    return out;
  }

  /** Drops whole chunks from the front while more than `keepBytes` are held and the chunk ends by `limit`. */
  evict(keepBytes: number, limit: number): void {
    while (this.head < this.starts.length) {
      if (this.bytes <= keepBytes || this.chunkEnd(this.head) > limit) break;
      this.evicted?.(this.buffers[this.head]!);
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.starts.length) {
      this.buffers = this.buffers.slice(this.head);
      this.offsets = this.offsets.slice(this.head);
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Forgets every byte at or after `size`; drops everything if `size` is before start. `dropped`
   * hears of the backing store of every chunk no longer held at all (not of one cut short).
   */
  truncate(size: number, dropped?: (buffer: ArrayBufferLike) => void): void {
    if (size <= this.start) {
      this.reset(size, dropped);
      return;
    }
    let i = this.chunkAt(size);
    // A chunk that straddles `size` stays, cut short: it now ends at the new end.
    if (i < this.starts.length && this.starts[i]! < size) i++;
    if (dropped) for (let j = i; j < this.starts.length; j++) dropped(this.buffers[j]!);
    this.buffers.length = i;
    this.offsets.length = i;
    this.starts.length = i;
    this.endPos = size;
  }

  /** Empties the list; the next push lands at `start`. `dropped` hears of every chunk's backing store. */
  reset(start: number, dropped?: (buffer: ArrayBufferLike) => void): void {
    if (dropped) for (let j = this.head; j < this.starts.length; j++) dropped(this.buffers[j]!);
    this.buffers = [];
    this.offsets = [];
    this.starts = [];
    this.head = 0;
    this.endPos = start;
  }

  private chunkEnd(i: number): number {
    return i + 1 < this.starts.length ? this.starts[i + 1]! : this.endPos;
  }

  /** Index of the chunk holding `position` (the number of chunks when past the end). */
  private chunkAt(position: number): number {
    let lo = this.head;
    let hi = this.starts.length - 1;
    let found = this.starts.length;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= position) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
