// The bytes of one segment, as a backend keeps them (memory, a file). Segment adds the indexes
// and batch logic on top; a store only appends, reads ranges, and manages its own resources.
import type { SegmentIndex } from './segment-index.js';

export interface SegmentStore {
  /** Bytes appended so far, including those still being written. */
  readonly size: number;
  /** Takes `data` (whole batches; the store owns it now); settles once the bytes are written. */
  append(data: Buffer): Promise<void>;
  /**
   * Bytes [position, min(position + length, size)) as one or more buffers, in order. With `into`
   * (at least `length` bytes), bytes read from the medium land there, so the result may be views
   * of it that last until the caller reuses it.
   */
  read(position: number, length: number, into?: Buffer): Promise<Buffer[]>;
  /**
   * Bytes from `position` (at least one, at most `length`) for a caller that is done with them
   * before it next awaits or yields, such as a walk over batch headers: they may be views of
   * memory the store reuses afterwards.
   */
  scan(position: number, length: number): Promise<Buffer[]>;
  /** Drops bytes from `size` on; only called with no append in flight. */
  truncate(size: number): Promise<void>;
  /** The segment stopped being the active one: save `index`, release write-side resources. */
  seal(index: SegmentIndex): Promise<void>;
  /**
   * The log is closing with this segment still the active one (its bytes already flushed): the
   * store saves `index` if that beats rebuilding it at the next start.
   */
  closeActive(index: SegmentIndex): Promise<void>;
  /** Makes written bytes durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Closes and deletes the segment's data. */
  remove(): Promise<void>;
}
