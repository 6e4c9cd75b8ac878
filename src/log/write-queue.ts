// Serializes one partition's file writes and coalesces everything queued while a write is in
// flight (or within one event-loop turn) into a single positional writev, made on the event loop.
// Why on the loop, whatever the size and the cores: handing a write to the libuv pool costs the
// wake-up of a pool thread and the one of the completion, about 35 µs of CPU on a VM (a throwaway
// probe: one 16 KiB write per turn took 36 µs of CPU through the pool against 7 µs made on the
// loop), and on one core the pool thread only preempts the loop. Measured in the broker
// (test/bench/NOTES.md): with two cores, pool writes of 16 KiB batches cost 1.6× the CPU per GiB
// and 35–40% of the throughput at 1 and 8 partitions; writes of 1 MiB batches made on the loop
// gave 15–30% more throughput on one core and 20–25% more on two. Kafka, too, appends in the
// request handler's thread. Waiting for the disk (fsync) stays off the loop, and so do writes
// for a while after one slept in the kernel (write-placement.ts).
import { writev, writevSync } from 'node:fs';
import type { LazyFile } from './open-files.js';
import { sharedWritePlacement, type WritePlacement } from './write-placement.js';

/** Linux IOV_MAX: the most buffers one writev takes. */
const MAX_BUFFERS = 1024;

interface Job {
  file: LazyFile;
  position: number;
  data: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** The buffers of `buffers` not yet written once `written` bytes of them were. */
function unwritten(buffers: Buffer[], written: number): Buffer[] {
  let i = 0;
  let left = written;
  while (i < buffers.length && left >= buffers[i]!.length) left -= buffers[i++]!.length;
  if (i === buffers.length) return [];
  const rest = buffers.slice(i);
  if (left > 0) rest[0] = rest[0]!.subarray(left);
  return rest;
}

/** Writes all of `buffers` at `position` on the event loop, continuing after short writes. */
function writeAllOnLoop(fd: number, buffers: Buffer[], position: number): void {
  let pending = buffers;
  let at = position;
  while (pending.length > 0) {
    const written = writevSync(fd, pending, at);
    at += written;
    pending = unwritten(pending, written);
  }
}

/** The same through the libuv pool. */
async function writeAllOnPool(fd: number, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  let at = position;
  while (pending.length > 0) {
    const written = await new Promise<number>((resolve, reject) => writev(fd, pending, at, (err, n) => (err ? reject(err) : resolve(n))));
    at += written;
    pending = unwritten(pending, written);
  }
}

export class WriteQueue {
  private jobs: Job[] = [];
  private running = false;
  /** The last write queued: jobs settle in order, so once it has, every earlier one has too. */
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly placement: WritePlacement = sharedWritePlacement) {}

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
        await first.file.use(async (fd) => {
          const onLoop = this.placement.onLoop;
          const started = performance.now();
          if (onLoop) writeAllOnLoop(fd, buffers, first.position);
          else await writeAllOnPool(fd, buffers, first.position);
          this.placement.took(performance.now() - started, bytes, onLoop);
        });
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
