// A segment held entirely in memory: appended batches are copied into slabs shared by all memory
// segments (memory-slabs.ts), which get them back when the segment drops them. Reads are copies,
// so a slab can be reused as soon as its batches are dropped; only `scan`, whose caller is done
// before it yields, sees the slabs themselves.
import { ChunkList } from './chunk-list.js';
import { memorySlabs } from './memory-slabs.js';
import type { SegmentStore } from './segment-store.js';

const done = Promise.resolve();
const release = (buffer: ArrayBufferLike): void => memorySlabs.release(buffer);

export class MemoryStore implements SegmentStore {
  private readonly chunks = new ChunkList(0);

  get size(): number {
    return this.chunks.end;
  }

  append(data: Buffer): Promise<void> {
    this.chunks.push(memorySlabs.keep(data));
    return done;
  }

  read(position: number, length: number, into?: Buffer): Promise<Buffer[]> {
    const parts = this.chunks.slice(position, length);
    let bytes = 0;
    for (const part of parts) bytes += part.length;
    if (bytes === 0) return Promise.resolve([]);
    const out = into !== undefined && into.length >= bytes ? into.subarray(0, bytes) : Buffer.allocUnsafe(bytes);
    let at = 0;
    for (const part of parts) at += part.copy(out, at);
    return Promise.resolve([out]);
  }

  scan(position: number, length: number): Promise<Buffer[]> {
    return Promise.resolve(this.chunks.slice(position, length));
  }

  truncate(size: number): Promise<void> {
    this.dropFrom(size);
    return done;
  }

  seal(): Promise<void> {
    return done;
  }

  closeActive(): Promise<void> {
    return done;
  }

  flush(): Promise<void> {
    return done;
  }

  /** A memory segment's bytes end with it: a closed log is never read again. */
  close(): Promise<void> {
    this.dropFrom(0);
    return done;
  }

  remove(): Promise<void> {
    this.dropFrom(0);
    return done;
  }

  /** Gives the bytes from `size` on back to their slabs. */
  private dropFrom(size: number): void {
    const dropped: ArrayBufferLike[] = [];
    this.chunks.truncate(size, (buffer) => dropped.push(buffer));
    // A header walk may still read `scan` views of these bytes until it yields (truncation does not
    // wait for it, nor does a close), so their slabs are released, and may be reused, a turn later.
    if (dropped.length > 0) setImmediate(() => dropped.forEach(release));
  }
}
