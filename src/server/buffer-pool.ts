// Reused buffers in power-of-two size classes, so that a request of the common sizes costs no
// fresh ArrayBuffer: request frames of 4 KiB-4 MiB (a produce request of 16 KiB batches, the Java
// producer's default, is one; so is one of a few 1 MiB batches), handed back once a handler that
// keeps no view of the request's bytes has answered (ApiHandler.keepsNoRequestBytes); and the
// record bytes of fetch responses,
// handed back once the response has been written to the socket. Sizes below the smallest class
// share Node's 8 KiB pool; sizes above the largest get a buffer of their own.

export class BufferPool {
  private readonly classes: number[] = [];
  private readonly free: ArrayBuffer[][] = [];
  /** The buffers this pool made, so that nothing else is ever taken back. */
  private readonly own = new WeakSet<ArrayBuffer>();
  /** Those now in a free list, so that a buffer given back twice is not handed out twice. */
  private readonly idle = new WeakSet<ArrayBuffer>();

  /**
   * Classes from twice `smallest` up to `largest` (powers of two), serving sizes from `smallest`
   * on; each keeps at most `bytesPerClass` of free buffers, or `buffersPerClass` buffers when that
   * is more.
   */
  constructor(
    readonly smallest: number,
    readonly largest: number,
    private readonly bytesPerClass: number,
    private readonly buffersPerClass = 1,
  ) {
    for (let bytes = smallest * 2; bytes <= largest; bytes *= 2) {
      this.classes.push(bytes);
      this.free.push([]);
    }
  }

  /** Whether `size` is a size this pool serves. */
  serves(size: number): boolean {
    return size >= this.smallest && size <= this.largest;
  }

  /** A buffer of exactly `size` bytes: pooled when `serves(size)`, else one of its own. */
  take(size: number): Buffer {
    if (!this.serves(size)) return Buffer.allocUnsafe(size);
    const c = this.classes.findIndex((bytes) => bytes >= size);
    let ab = this.free[c]!.pop();
    if (ab === undefined) {
      ab = new ArrayBuffer(this.classes[c]!);
      this.own.add(ab);
    } else {
      this.idle.delete(ab);
    }
    return Buffer.from(ab, 0, size);
  }

  /** Takes `buf` back for reuse, if it came from `take`; nothing may use it afterwards. */
  give(buf: Buffer): void {
    const ab = buf.buffer;
    if (!(ab instanceof ArrayBuffer) || !this.own.has(ab) || this.idle.has(ab)) return;
    const list = this.free[this.classes.indexOf(ab.byteLength)]!;
    if (list.length >= this.buffersPerClass && (list.length + 1) * ab.byteLength > this.bytesPerClass) return;
    this.idle.add(ab);
    list.push(ab);
  }
}
