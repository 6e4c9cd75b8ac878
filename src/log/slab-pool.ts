// Copies of small appended batches, packed into slabs that are reused once every copy in them has
// been released: for the in-memory tails of file segments, and for memory segments (their own
// pools and slab source: memory-slabs.ts). Why, for a tail: a tail that kept each produce
// request's own buffer held one fresh ArrayBuffer per batch for as long as the batch stayed in the
// tail (about a scavenge interval at tens of MiB/s), so V8 pretenured those buffers, they died in
// the old generation, and their external bytes piled up until a mark-compact freed them — one every
// ~170 ms at 4,000 16 KiB batches/s, each pausing the event loop (see test/bench/NOTES.md).
// Copies never leave their owner (the tail and the write queue): readers get copies of their own.
// Larger batches go to a pool of larger slabs when one is given, else into a buffer of their own:
// never is a view of the caller's buffer kept, so a connection may reuse a request's frame as soon
// as it is answered, whatever the size of its batches.

/** Where a pool's slabs come from, and what hears of a slab it gives up. */
export interface SlabSource {
  allocate(bytes: number): Buffer;
  /** A slab no longer used nor kept for reuse, left to the garbage collector. */
  dropped?(slab: Buffer): void;
}

const ORDINARY: SlabSource = { allocate: (bytes) => Buffer.allocUnsafeSlow(bytes) };

export interface SlabPoolOptions {
  slabBytes: number;
  /**
   * The slabs kept for reuse, or the bound computed from the slabs in use; the rest go to the
   * garbage collector.
   */
  maxFree: number | ((inUse: number) => number);
  /** Takes what does not fit in this pool's slabs. */
  larger?: SlabPool;
  source?: SlabSource;
}

/** A copy of at most this share of a slab goes into a slab. */
const LARGEST_SHARE = 4;

interface Slab {
  buf: Buffer;
  /** Bytes handed out so far. */
  used: number;
  /** Copies handed out and not yet released. */
  copies: number;
}

export class SlabPool {
  private current: Slab | undefined;
  private readonly free: Buffer[] = [];
  /** Slabs taken from the free list or the source and not yet retired. */
  private inUse = 0;
  /** The slab of every copy, by the copy's ArrayBuffer. */
  private readonly slabs = new WeakMap<object, Slab>();

  readonly slabBytes: number;
  private readonly maxFree: number | ((inUse: number) => number);
  private readonly larger: SlabPool | undefined;
  private readonly source: SlabSource;

  constructor(options: SlabPoolOptions) {
    this.slabBytes = options.slabBytes;
    this.maxFree = options.maxFree;
    this.larger = options.larger;
    this.source = options.source ?? ORDINARY;
  }

  /** Whether `copy` would copy `data` into a slab (false: a batch that large is kept as it is). */
  fits(length: number): boolean {
    return length > 0 && length <= this.slabBytes / LARGEST_SHARE;
  }

  /**
   * What a store keeps of appended `data`: a copy, never a view of the caller's buffer (a
   * connection reuses a request's buffer once it is answered) — in a slab of this pool or of the
   * larger one when it fits, else in a buffer of its own.
   */
  keep(data: Buffer): Buffer {
    if (this.fits(data.length)) return this.copy(data);
    return this.larger !== undefined ? this.larger.keep(data) : Buffer.from(data);
  }

  /** A copy of `data` in a slab; `data` must fit (see `fits`). */
  copy(data: Buffer): Buffer {
    let slab = this.current;
    if (slab === undefined || slab.used + data.length > slab.buf.length) {
      this.retire(slab);
      slab = { buf: this.free.pop() ?? this.source.allocate(this.slabBytes), used: 0, copies: 0 };
      this.inUse++;
      this.slabs.set(slab.buf.buffer, slab);
      this.current = slab;
    }
    const at = slab.used;
    data.copy(slab.buf, at);
    slab.used += data.length;
    slab.copies++;
    return slab.buf.subarray(at, at + data.length);
  }

  /** A copy in `buffer` (a copy's backing store) is no longer used by anyone; other buffers are ignored. */
  release(buffer: ArrayBufferLike): void {
    const slab = this.slabs.get(buffer);
    if (slab === undefined) {
      this.larger?.release(buffer);
      return;
    }
    slab.copies--;
    if (slab !== this.current) this.retire(slab);
  }

  /** A slab that takes no more copies goes back to the free list once none of its copies is in use. */
  private retire(slab: Slab | undefined): void {
    if (slab === undefined || slab.copies > 0) return;
    this.slabs.delete(slab.buf.buffer);
    this.inUse--;
    this.free.push(slab.buf);
    // The bound may have fallen since the free slabs were kept (fewer in use): trim to it.
    const maxFree = typeof this.maxFree === 'number' ? this.maxFree : this.maxFree(this.inUse);
    while (this.free.length > maxFree) {
      const dropped = this.free.pop()!;
      this.source.dropped?.(dropped);
    }
  }
}
