// The memory that memory segments (`--memory`) keep their batches in. V8 counts the bytes of
// every ordinary ArrayBuffer as external memory, and starts a mark-compact each time they grow
// about 64 MiB past what the last one left. A memory log grows by what is produced, so at hundreds
// of MiB/s that was about twenty mark-compacts a second, each finding nothing to free (the bytes
// live until their segment goes) and each marked by V8's helper threads, which on a one-CPU broker
// take their time from the event loop (test/bench/NOTES.md, "Dec 7, later"). So the slabs are
// SharedArrayBuffers, whose bytes V8 does not count, and a slab is reused once every batch in it is
// gone (MemoryStore releases them; reads are copies, so nothing else holds a slab's bytes).
// A slab given up beyond the free list (say, after a topic is deleted) still needs a collection to
// be freed, which V8 would not start for bytes it does not count. So the bytes given up are
// announced, a second after the first of a run of them, by allocating an ordinary buffer of that
// size and dropping it at once: V8 then sees what it would have seen of ordinary slabs, and its
// next mark-compact frees both. The wait matters: a slab dropped while a collection is already
// marking can outlive it. The buffer is never written, so it costs no physical memory.
import { SlabPool, type SlabSource } from './slab-pool.js';

/** Free slabs kept for reuse, at most: half of those in use (retention deletes segments while the log refills), or this many. */
const FREE_SHARE = 1 / 2;
const MIN_FREE = 16;
/** Slabs given up are announced this long after the first of them. */
const ANNOUNCE_AFTER_MS = 1000;
/** Beyond V8's limits any announcement starts the collection that frees every dropped slab: larger ones add nothing. */
const ANNOUNCE_MAX_BYTES = 256 * 1024 * 1024;

let givenUp = 0;
let announcing: NodeJS.Timeout | undefined;

function announce(): void {
  announcing = undefined;
  const bytes = givenUp;
  givenUp = 0;
  try {
    void Buffer.allocUnsafeSlow(Math.min(bytes, ANNOUNCE_MAX_BYTES));
  } catch {
    // Address space refused (a strict overcommit policy): the slabs are freed at a later collection.
  }
}

const uncounted: SlabSource = {
  allocate: (bytes) => Buffer.from(new SharedArrayBuffer(bytes)),
  dropped: (slab) => {
    givenUp += slab.length;
    announcing ??= setTimeout(announce, ANNOUNCE_AFTER_MS).unref();
  },
};

const maxFree = (inUse: number): number => Math.max(MIN_FREE, Math.floor(inUse * FREE_SHARE));

/** Batches up to 64 KiB in 256 KiB slabs, up to 1 MiB in 4 MiB slabs, larger ones in buffers of their own. */
export const memorySlabs = new SlabPool({
  slabBytes: 256 * 1024,
  maxFree,
  larger: new SlabPool({ slabBytes: 4 * 1024 * 1024, maxFree, source: uncounted }),
  source: uncounted,
});
