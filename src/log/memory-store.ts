// A segment held entirely in memory: appended bytes are kept (small batches packed into slabs
// shared by all memory segments, see SlabPool.keep) and read back as views.
import { ChunkList } from './chunk-list.js';
import type { SegmentStore } from './segment-store.js';
import { SlabPool } from './slab-pool.js';

const done = Promise.resolve();
/** Never reused: a memory segment keeps its bytes until it is removed, and the garbage collector frees their slabs. */
const packed = new SlabPool(256 * 1024, 0);

export class MemoryStore implements SegmentStore {
  private readonly chunks = new ChunkList(0);

  get size(): number {
    return this.chunks.end;
  }

  append(data: Buffer): Promise<void> {
    this.chunks.push(packed.keep(data));
    return done;
  }

  read(position: number, length: number): Promise<Buffer[]> {
    return Promise.resolve(this.chunks.slice(position, length));
  }

  scan(position: number, length: number): Promise<Buffer[]> {
    return this.read(position, length);
  }

  truncate(size: number): Promise<void> {
    this.chunks.truncate(size);
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

  close(): Promise<void> {
    return done;
  }

  remove(): Promise<void> {
    this.chunks.reset(0);
    return done;
  }
}
