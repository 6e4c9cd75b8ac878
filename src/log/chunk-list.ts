// An ordered run of byte chunks addressed by segment position: all of a memory segment, or the
// recent tail of a file segment. Slicing returns views of the stored buffers, never copies.

export class ChunkList {
  private chunks: Buffer[] = [];
  private starts: number[] = [];
  /** Index of the first live chunk; evicted chunks before it are compacted away lazily. */
  private head = 0;
  private endPos: number;

  /** `evicted` hears of every chunk `evict` drops (not of those truncate or reset forget). */
  constructor(
    start: number,
    private readonly evicted?: (chunk: Buffer) => void,
  ) {
    this.endPos = start;
  }

  /** Position of the first byte held (== end when empty). */
  get start(): number {
    return this.head < this.chunks.length ? this.starts[this.head]! : this.endPos;
  }

  get end(): number {
    return this.endPos;
  }

  get bytes(): number {
    return this.endPos - this.start;
  }

  push(data: Buffer): void {
    this.chunks.push(data);
    this.starts.push(this.endPos);
    this.endPos += data.length;
  }

  /** Views covering [position, min(position + length, end)); position must be >= start. */
  slice(position: number, length: number): Buffer[] {
    const stop = Math.min(position + length, this.endPos);
    const out: Buffer[] = [];
    for (let i = this.chunkAt(position); i < this.chunks.length && this.starts[i]! < stop; i++) {
      const chunk = this.chunks[i]!;
      const from = Math.max(position - this.starts[i]!, 0);
      const to = Math.min(stop - this.starts[i]!, chunk.length);
      if (to > from) out.push(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to));
    }
    return out;
  }

  /** Drops whole chunks from the front while more than `keepBytes` are held and the chunk ends by `limit`. */
  evict(keepBytes: number, limit: number): void {
    while (this.head < this.chunks.length) {
      const chunkEnd = this.starts[this.head]! + this.chunks[this.head]!.length;
      if (this.bytes <= keepBytes || chunkEnd > limit) break;
      this.evicted?.(this.chunks[this.head]!);
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Forgets every byte at or after `size`; drops everything if `size` is before start. `dropped`
   * hears of every chunk no longer held at all (not of one cut short).
   */
  truncate(size: number, dropped?: (chunk: Buffer) => void): void {
    if (size <= this.start) {
      this.reset(size, dropped);
      return;
    }
    let i = this.chunkAt(size);
    if (i < this.chunks.length && this.starts[i]! < size) {
      this.chunks[i] = this.chunks[i]!.subarray(0, size - this.starts[i]!);
      i++;
    }
    if (dropped) for (let j = i; j < this.chunks.length; j++) dropped(this.chunks[j]!);
    this.chunks.length = i;
    this.starts.length = i;
    this.endPos = size;
  }

  /** Empties the list; the next push lands at `start`. `dropped` hears of every chunk held. */
  reset(start: number, dropped?: (chunk: Buffer) => void): void {
    if (dropped) for (let j = this.head; j < this.chunks.length; j++) dropped(this.chunks[j]!);
    this.chunks = [];
    this.starts = [];
    this.head = 0;
    this.endPos = start;
  }

  /** Index of the chunk holding `position` (chunks.length when past the end). */
  private chunkAt(position: number): number {
    let lo = this.head;
    let hi = this.chunks.length - 1;
    let found = this.chunks.length;
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
