// Serializes one partition's file writes and coalesces everything queued while a write is in
// flight (or within one event-loop turn) into a single positional writev.
// A small write is made on the event loop, on any number of cores: handing a write to another
// thread costs that thread's wake-up and the completion's, about 35 µs of CPU on a VM (a throwaway
// probe: one 16 KiB write per turn took 36 µs of CPU through the libuv pool against 7 µs made on
// the loop), five times what copying 16 KiB into the page cache costs. Measured in the broker with
// two cores, the pool cost 1.6× the CPU per GiB and 35–40% of the throughput at 1 and 8
// partitions, and gained nothing at 64 (test/bench/NOTES.md). Large writes go to the pool, where
// the copy outweighs the hand-off and the loop must not stall on it.
import { writev, writevSync } from 'node:fs';
import type { LazyFile } from './open-files.js';

/** Linux IOV_MAX: the most buffers one writev takes. */
const MAX_BUFFERS = 1024;

/** The most bytes a write made on the event loop has (see above). */
export const SYNC_WRITE_MAX_BYTES = 64 * 1024;

interface Job {
  file: LazyFile;
  position: number;
  data: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

function writevAt(fd: number, buffers: Buffer[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    writev(fd, buffers, position, (err, written) => (err ? reject(err) : resolve(written)));
  });
}

/** Writes all of `buffers` at `position`, continuing after short writes; on the event loop when `sync`. */
async function writeAll(fd: number, buffers: Buffer[], position: number, sync: boolean): Promise<void> {
  let pending = buffers;
  let at = position;
  while (pending.length > 0) {
    let written = sync ? writevSync(fd, pending, at) : await writevAt(fd, pending, at);
    at += written;
    while (pending.length > 0 && written >= pending[0]!.length) {
      written -= pending[0]!.length;
      pending = pending.slice(1);
    }
    if (written > 0) pending = [pending[0]!.subarray(written), ...pending.slice(1)];
  }
}

export class WriteQueue {
  /** `syncMaxBytes`: runs of at most this many bytes are written on the event loop (see above). */
  constructor(private readonly syncMaxBytes = SYNC_WRITE_MAX_BYTES) {}

  private jobs: Job[] = [];
  private running = false;
  /** The last write queued: jobs settle in order, so once it has, every earlier one has too. */
  private last: Promise<void> = Promise.resolve();

  /** Queues `data` for `file` at `position`; settles when it is written. */
  write(file: LazyFile, position: number, data: Buffer): Promise<void> {
    const written = new Promise<void>((resolve, reject) => this.jobs.push({ file, position, data, resolve, reject }));
    if (!this.running) {
      this.running = true;
      setImmediate(() => void this.pump());
    }
    this.last = written;
    return written;
  }

  /** Settles once everything queued so far is written (or failed). */
  drained(): Promise<void> {
    return this.last.catch(() => undefined);
  }

  private async pump(): Promise<void> {
    while (this.jobs.length > 0) {
      const run = this.takeRun();
      try {
        const first = run[0]!;
        const buffers: Buffer[] = new Array(run.length);
        let bytes = 0;
        for (let i = 0; i < run.length; i++) {
          buffers[i] = run[i]!.data;
          bytes += buffers[i]!.length;
        }
        await first.file.use((fd) => writeAll(fd, buffers, first.position, bytes <= this.syncMaxBytes));
        for (const job of run) job.resolve();
      } catch (err) {
        for (const job of run) job.reject(err as Error);
      }
    }
    this.running = false;
  }

  /** The leading jobs that continue one another in the same file. */
  private takeRun(): Job[] {
    const first = this.jobs[0]!;
    let end = first.position + first.data.length;
    let n = 1;
    while (n < this.jobs.length && n < MAX_BUFFERS) {
      const job = this.jobs[n]!;
      if (job.file !== first.file || job.position !== end) break;
      end += job.data.length;
      n++;
    }
    return this.jobs.splice(0, n);
  }
}
