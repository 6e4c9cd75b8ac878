// Splits a socket's byte stream into size-prefixed frames. Chunks are transient (the socket reads
// into one reused buffer), so every frame is copied out into a buffer of its own, which never holds
// the bytes of other frames. A size prefix is not trusted for allocation: a frame's buffer starts
// at most FIRST_ALLOCATION bytes and doubles as its bytes arrive, so a client that announces
// 100 MiB and sends ten bytes costs ten bytes, not 100 MiB.
//
// Before a frame begins, `admit.reserve(size)` may refuse it for now (the broker's request memory
// is used up): reading then stops at that frame, the rest of the chunk is kept, and `retry()`
// continues once memory is free — as Kafka's selector mutes a channel that gets no memory from
// its pool and unmutes it later.
import type { BufferPool } from './buffer-pool.js';

export interface FrameAdmission {
  /** A reason to refuse a frame of this size outright (the connection closes), or undefined. */
  refuse(size: number): string | undefined;
  /** Takes memory for a frame of this size; false when none is available now. */
  reserve(size: number): boolean;
}

/** The most a frame's buffer holds before its bytes arrive. */
export const FIRST_ALLOCATION = 64 * 1024;

/**
 * A frame in progress with at least this many bytes missing is read into directly (see
 * `directTarget`); below it, a read into the shared buffer, which may also take the frames that
 * follow, costs fewer system calls than the copy it saves.
 */
export const DIRECT_READ_MIN_BYTES = 64 * 1024;

export class FrameReader {
  private readonly sizePrefix = Buffer.alloc(4);
  private sizeFilled = 0;
  /** The frame being received: its announced size and its buffer so far. */
  private partial: Buffer | undefined;
  private partialSize = 0;
  private partialFilled = 0;
  /** A frame size read whose memory `reserve` refused, and the bytes received after it. */
  private waitingSize: number | undefined;
  private stash: Buffer[] = [];
  /** Counts begun frames, so a caller can tell one frame in progress from the next. */
  private begun = 0;

  /** `pool` serves the frames of the sizes it takes; the rest are allocated here. */
  constructor(
    private readonly admit: FrameAdmission,
    private readonly pool?: BufferPool,
  ) {}

  /** Whether reading waits for memory (see `retry`). */
  get blocked(): boolean {
    return this.waitingSize !== undefined;
  }

  /** The sequence number of the frame in progress (size admitted, bytes missing), or undefined. */
  get frameInProgress(): number | undefined {
    return this.partial === undefined ? undefined : this.begun;
  }

  /** The reserved size of the frame in progress (0 if none): the caller's to release when it gives up. */
  get reservedInProgress(): number {
    return this.partial === undefined ? 0 : this.partialSize;
  }

  /** Bytes allocated for the frame in progress. */
  get allocatedInProgress(): number {
    return this.partial?.length ?? 0;
  }

  /**
   * Where the socket may read next instead of into a transient chunk: the missing part of the frame
   * in progress, when its buffer is already whole (a pooled frame) and much is missing. Bytes read
   * there are reported with `receivedDirectly`, and no copy is made of them.
   */
  directTarget(): Buffer | undefined {
    const partial = this.partial;
    if (partial === undefined || partial.length !== this.partialSize || this.partialSize - this.partialFilled < DIRECT_READ_MIN_BYTES) return undefined;
    return partial.subarray(this.partialFilled);
  }

  /** `bytes` were read into the last `directTarget()`; the frame, once they complete it. */
  receivedDirectly(bytes: number): Buffer[] {
    this.partialFilled += bytes;
    if (this.partialFilled < this.partialSize) return [];
    const frame = this.partial!;
    this.partial = undefined;
    return [frame];
  }

  /**
   * The frames completed by `chunk` (without size prefixes), copied out of it: `chunk` may be
   * reused once this returns. Throws FrameSizeError on a refused size.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.blocked) {
      this.stash.push(Buffer.from(chunk));
      return [];
    }
    const frames: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.partial) {
        at += this.fill(chunk, at);
        if (this.partialFilled === this.partialSize) {
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
      const refused = this.admit.refuse(size);
      if (refused !== undefined) throw new FrameSizeError(refused);
      if (!this.admit.reserve(size)) {
        this.waitingSize = size;
        if (at < chunk.length) this.stash.push(Buffer.from(chunk.subarray(at)));
        break;
      }
      const empty = this.begin(size);
      if (empty) frames.push(empty);
    }
    return frames;
  }

  /** Asks again for the memory of the frame that waits; the frames then completed by the kept bytes. */
  retry(): Buffer[] {
    if (this.waitingSize === undefined || !this.admit.reserve(this.waitingSize)) return [];
    const empty = this.begin(this.waitingSize);
    this.waitingSize = undefined;
    const kept = Buffer.concat(this.stash);
    this.stash = [];
    return empty ? [empty, ...this.push(kept)] : this.push(kept);
  }

  /** Starts receiving a frame of `size` bytes; a zero-length frame is complete at once and returned. */
  private begin(size: number): Buffer | undefined {
    this.begun++;
    if (size === 0) return Buffer.alloc(0);
    this.partial = this.pool?.serves(size) ? this.pool.take(size) : Buffer.allocUnsafe(Math.min(size, FIRST_ALLOCATION));
    this.partialSize = size;
    this.partialFilled = 0;
    return undefined;
  }

  /** Copies what `chunk` has of the frame in progress from `at`, growing its buffer; returns the bytes taken. */
  private fill(chunk: Buffer, at: number): number {
    let partial = this.partial!;
    const n = Math.min(chunk.length - at, this.partialSize - this.partialFilled);
    const needed = this.partialFilled + n;
    if (needed > partial.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.partialSize, Math.max(needed, partial.length * 2)));
      partial.copy(grown, 0, 0, this.partialFilled);
      partial = grown;
      this.partial = grown;
    }
    chunk.copy(partial, this.partialFilled, at, at + n);
    this.partialFilled = needed;
    return n;
  }
}

export class FrameSizeError extends Error {}
