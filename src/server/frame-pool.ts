// Reused buffers for request frames of 4-64 KiB (a produce request of 16 KiB batches, the Java
// producer's default, is one), so that such a request costs no fresh ArrayBuffer: a frame is handed
// back once its handler has answered, if the handler keeps no view of the request's bytes (see
// ApiHandler.keepsNoRequestBytes). Smaller frames share Node's 8 KiB pool; larger ones get a buffer
// of their own, as the frame reader's growth rule wants.

/** Frames below this come from Node's shared pool (Buffer.allocUnsafe pools under 4 KiB). */
const SMALLEST = 4 * 1024;
/** The largest frame a pooled buffer holds. */
export const LARGEST_POOLED_FRAME = 64 * 1024;
/** Size classes: 8, 16, 32 and 64 KiB. */
const CLASSES = [8 * 1024, 16 * 1024, 32 * 1024, 64 * 1024];

export class FramePool {
  private readonly free: ArrayBuffer[][] = CLASSES.map(() => []);
  /** The buffers this pool made, so that nothing else is ever taken back. */
  private readonly own = new WeakSet<ArrayBuffer>();
  /** Those now in a free list, so that a frame given back twice is not handed out twice. */
  private readonly idle = new WeakSet<ArrayBuffer>();

  /** `perClass`: buffers of each size kept for reuse. */
  constructor(private readonly perClass: number) {}

  /** Whether `size` is a size this pool serves. */
  serves(size: number): boolean {
    return size >= SMALLEST && size <= LARGEST_POOLED_FRAME;
  }

  /** A buffer of exactly `size` bytes (`serves(size)` must hold). */
  take(size: number): Buffer {
    const c = CLASSES.findIndex((bytes) => bytes >= size);
    let ab = this.free[c]!.pop();
    if (ab === undefined) {
      ab = new ArrayBuffer(CLASSES[c]!);
      this.own.add(ab);
    } else {
      this.idle.delete(ab);
    }
    return Buffer.from(ab, 0, size);
  }

  /** Takes `frame` back for reuse, if it came from `take`; nothing may use it afterwards. */
  give(frame: Buffer): void {
    const ab = frame.buffer;
    if (!(ab instanceof ArrayBuffer) || !this.own.has(ab) || this.idle.has(ab)) return;
    const list = this.free[CLASSES.indexOf(ab.byteLength)]!;
    if (list.length >= this.perClass) return;
    this.idle.add(ab);
    list.push(ab);
  }
}
