// Writes the log files' dirty pages back to disk a few MiB at a time, through the libuv pool,
// before the kernel does it in large pieces. The kernel starts writing back once ~10% of memory is
// dirty or 30 s after a file was first dirtied; while its writeback allocates an ext4 file's
// blocks, an append to that file waits (in ext4_da_get_block_prep) for 20–130 ms, and an append
// made on the event loop stalls every connection (test/bench/NOTES.md, "Dec 6, later: writing the
// log back in slices"). A sync of each file every 8 MiB, or after 10 s, keeps the kernel's
// writeback from finding much of ours to do. RocksDB does the same (bytes_per_sync) with
// sync_file_range, which Node does not offer. Durability is not this module's business: the log's
// flush() decides what is durable, and a failed writeback is reported by the file's next flush
// (FileStore.writeBack). The pacer only tells its listeners (the broker's log) when one fails,
// since with Kafka's defaults the next flush may be a whole segment later.
import { EventThrottle } from '../event-throttle.js';
import { ListenerList } from '../listener-list.js';

/** A file whose written bytes can be written back. */
export interface WritebackTarget {
  /** What to call the file in a log line. */
  readonly name: string;
  /** Rejects with the error when the writeback failed. */
  writeBack(): Promise<void>;
}

/** A writeback that failed, and how many others failed since the last report. */
export interface WritebackFailed {
  file: string;
  error: Error;
  others: number;
}

/**
 * After a failure is reported, the next ones are held back this long (a failing disk fails every
 * file); when it ends, the last of them is reported with the count of the others.
 */
const FAILURE_REPORT_INTERVAL_MS = 60_000;

export interface WritebackLimits {
  /** A file is written back once this many of its bytes are unsynced. */
  fileBytes: number;
  /** ...or once it has had at least `minBytes` unsynced for this long (the kernel's own writeback starts at 30 s). */
  maxAgeMs: number;
  /** ...or, largest first, while the process has more than this unsynced in all. */
  totalBytes: number;
  /**
   * Files with less than this unsynced are left to the kernel: a sync for every trickle of
   * thousands of partitions would cost more than the short waits their small writebacks cause.
   */
  minBytes: number;
  /** Syncs in flight at once: the pool's four threads also serve reads and pool writes. */
  inFlight: number;
  /** How often the age and total limits are checked. */
  tickMs: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_WRITEBACK_LIMITS: WritebackLimits = {
  fileBytes: 8 * MIB,
  maxAgeMs: 10_000,
  totalBytes: 256 * MIB,
  minBytes: MIB,
  inFlight: 2,
  tickMs: 1000,
};

interface Unsynced {
  bytes: number;
  /** When the oldest of those bytes was written. */
  since: number;
  queued: boolean;
  syncing: boolean;
}

export class WritebackPacer {
  private readonly files = new Map<WritebackTarget, Unsynced>();
  private readonly due: WritebackTarget[] = [];
  private total = 0;
  private syncing = 0;
  private ticker: NodeJS.Timeout | undefined;
  private readonly failed = new ListenerList<WritebackFailed>();
  private readonly failures: EventThrottle<{ file: string; error: Error }>;

  constructor(
    private readonly limits: WritebackLimits = DEFAULT_WRITEBACK_LIMITS,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.failures = new EventThrottle({
      perWindow: 1,
      windowMs: FAILURE_REPORT_INTERVAL_MS,
      clock,
      onHeld: (count, last) => this.failed.emit({ ...last, others: count - 1 }),
    });
  }

  /** Bytes written (and not yet written back by this pacer) across all files. */
  get unsyncedBytes(): number {
    return this.total;
  }

  /** Subscribes to failed writebacks; returns the function that unsubscribes. */
  onFailed(listener: (failed: WritebackFailed) => void): () => void {
    return this.failed.add(listener);
  }

  /** `bytes` were just written to `file`. */
  wrote(file: WritebackTarget, bytes: number): void {
    let entry = this.files.get(file);
    if (entry === undefined) {
      entry = { bytes: 0, since: this.clock(), queued: false, syncing: false };
      this.files.set(file, entry);
      this.ticker ??= setInterval(() => this.tick(), this.limits.tickMs).unref();
    }
    entry.bytes += bytes;
    this.total += bytes;
    if (entry.bytes >= this.limits.fileBytes) this.enqueue(file, entry);
  }

  /** The age and total limits; files left to the kernel are forgotten. */
  tick(): void {
    const now = this.clock();
    const young: [WritebackTarget, Unsynced][] = [];
    let handled = 0;
    for (const [file, entry] of this.files) {
      if (entry.queued || entry.syncing) {
        handled += entry.bytes;
        continue;
      }
      const old = now - entry.since >= this.limits.maxAgeMs;
      if (entry.bytes < this.limits.minBytes) {
        if (old) this.forget(file, entry);
      } else if (old) {
        handled += entry.bytes;
        this.enqueue(file, entry);
      } else young.push([file, entry]);
    }
    let over = this.total - handled - this.limits.totalBytes;
    if (over <= 0) return;
    young.sort((a, b) => b[1].bytes - a[1].bytes);
    for (const [file, entry] of young) {
      if (over <= 0) break;
      this.enqueue(file, entry);
      over -= entry.bytes;
    }
  }

  private enqueue(file: WritebackTarget, entry: Unsynced): void {
    if (entry.queued || entry.syncing) return;
    entry.queued = true;
    this.due.push(file);
    this.pump();
  }

  private pump(): void {
    while (this.syncing < this.limits.inFlight && this.due.length > 0) {
      const file = this.due.shift()!;
      const entry = this.files.get(file)!;
      entry.queued = false;
      entry.syncing = true;
      this.syncing++;
      const bytes = entry.bytes;
      const settled = (): void => {
        this.syncing--;
        entry.syncing = false;
        entry.bytes -= bytes;
        this.total -= bytes;
        if (entry.bytes === 0) this.forget(file, entry);
        else {
          entry.since = this.clock();
          if (entry.bytes >= this.limits.fileBytes) this.enqueue(file, entry);
        }
        this.pump();
      };
      // The file reports a failure to its writer on its next flush; the pacer stops counting the bytes and tells the operator.
      file.writeBack().then(settled, (err: Error) => {
        settled();
        this.reportFailure(file, err);
      });
    }
  }

  private reportFailure(file: WritebackTarget, error: Error): void {
    const failure = { file: file.name, error };
    if (this.failures.admit(failure)) this.failed.emit({ ...failure, others: 0 });
  }

  private forget(file: WritebackTarget, entry: Unsynced): void {
    this.total -= entry.bytes;
    entry.bytes = 0;
    this.files.delete(file);
    if (this.files.size === 0) this.stopTicking();
  }

  private stopTicking(): void {
    if (this.ticker === undefined) return;
    clearInterval(this.ticker);
    this.ticker = undefined;
  }
}

/** One pacer for the whole process: the kernel's dirty limits are the machine's, not a partition's. */
export const sharedWritebackPacer = new WritebackPacer();
