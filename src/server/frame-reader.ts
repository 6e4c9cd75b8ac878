// Splits a socket's byte stream into size-prefixed frames. Chunks are transient (the socket reads
// into one reused buffer), so every frame is copied once into a buffer of exactly its size — a
// frame spanning chunks chunk by chunk as data arrives, into a buffer allocated when its size
// prefix is read — and never holds the bytes of other frames (small ones share Node's pool).
export type FrameSizeCheck = (size: number) => string | undefined;

export class FrameReader {
  private readonly sizePrefix = Buffer.alloc(4);
  private sizeFilled = 0;
  private partial: Buffer | undefined;
  private partialFilled = 0;

  /** `check` returns a reason to refuse a frame of that size, or undefined. */
  constructor(private readonly check: FrameSizeCheck) {}

  /**
   * The frames completed by `chunk` (without size prefixes), copied out of it: `chunk` may be
   * reused once this returns. Throws FrameSizeError on a refused size.
   */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.partial) {
        const n = Math.min(chunk.length - at, this.partial.length - this.partialFilled);
        chunk.copy(this.partial, this.partialFilled, at, at + n);
        this.partialFilled += n;
        at += n;
        if (this.partialFilled === this.partial.length) {
          frames.push(this.partial);
          this.partial = undefined;
        }
        continue;
      }
      let size: number;
      if (this.sizeFilled === 0 && chunk.length - at >= 4) {
        size = chunk.readInt32BE(at);
        at += 4;
      } else {
        const n = Math.min(chunk.length - at, 4 - this.sizeFilled);
        chunk.copy(this.sizePrefix, this.sizeFilled, at, at + n);
        this.sizeFilled += n;
        at += n;
        if (this.sizeFilled < 4) break;
        this.sizeFilled = 0;
        size = this.sizePrefix.readInt32BE(0);
      }
      const refused = this.check(size);
      if (refused !== undefined) throw new FrameSizeError(refused);
      this.partial = Buffer.allocUnsafe(size);
      this.partialFilled = 0;
      if (size === 0) {
        frames.push(this.partial);
        this.partial = undefined;
      }
    }
    return frames;
  }
}

export class FrameSizeError extends Error {}
