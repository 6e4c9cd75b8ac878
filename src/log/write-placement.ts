// Where a partition's file writes are made: on the event loop while they return at once, through
// the libuv pool for a while after one blocked. A write on the loop is the cheaper one (see
// write-queue.ts), but once the kernel writes the files back (about 30 s after their pages were
// dirtied) a write can sleep in the kernel for 100–300 ms, and on the loop that sleep stalls every
// connection (test/bench/NOTES.md, "Dec 6: writes that sleep in the kernel").
// Through the pool the sleep delays that one write; the loop goes on serving. The writeback pacer
// (writeback-pacer.ts) keeps the kernel's writeback from finding much to do, so such sleeps are
// rare; this is what limits the harm of one that still happens (another process filling the page
// cache, a slow disk). Reopening a segment file the open-file bound closed follows the same
// placement (open-files.ts): only writes are timed, but a disk slow enough to block them is one
// whose opens should not run on the loop either.
import { ListenerList } from '../listener-list.js';

/** A write that took longer than this plus its bytes at 100 MiB/s slept in the kernel (the sleeps seen were 100–300 ms; start-up writes of a fresh broker reached 10–50 ms). */
const LOOP_BLOCKED_MS = 50;
/** A pool write is timed from its hand-off, so the pool's own queue counts too: a wider margin. */
const POOL_BLOCKED_MS = 100;
const SLOW_BYTES_PER_MS = (100 * 1024 * 1024) / 1000;
/**
 * How long writes stay on the pool after the last one that blocked. Writeback goes on as long as
 * the partitions are written to, and back on the loop the next blocked write stalled everything
 * again (a hold of 30 s: p99 77 ms in the window after it ended), so the hold is long.
 */
const HOLD_MS = 10 * 60_000;

/** Writes moved to the pool: how long the write that moved them took, and its bytes. */
export interface WritesMoved {
  ms: number;
  bytes: number;
  holdMs: number;
}

export class WritePlacement {
  private poolUntil = -Infinity;
  private readonly moved = new ListenerList<WritesMoved>();

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Whether the next write is made on the event loop. */
  get onLoop(): boolean {
    return this.clock() >= this.poolUntil;
  }

  /** A write of `bytes` took `ms`, made on the loop (`onLoop`) or through the pool, hand-off to completion. */
  took(ms: number, bytes: number, onLoop: boolean): boolean {
    const blocked = ms > (onLoop ? LOOP_BLOCKED_MS : POOL_BLOCKED_MS) + bytes / SLOW_BYTES_PER_MS;
    if (!blocked) return false;
    const wasOnLoop = this.onLoop;
    this.poolUntil = this.clock() + HOLD_MS;
    if (wasOnLoop) this.moved.emit({ ms, bytes, holdMs: HOLD_MS });
    return true;
  }

  /** Calls `listener` each time writes move from the loop to the pool; returns the unsubscribe. */
  onMoved(listener: (moved: WritesMoved) => void): () => void {
    return this.moved.add(listener);
  }
}

/** One placement for the whole process: writeback reaches every partition's files alike. */
export const sharedWritePlacement = new WritePlacement();
