// A fetch whose first read came short of min_bytes waits (Kafka's DelayedFetch). It is checked
// at once and again whenever one of its partitions gets news, and answered when a partition can
// no longer wait — it failed (e.g. leadership moved), its fetch offset is past where its reads
// stop (the log was truncated), or that end is in a later segment than the fetch offset — or when
// the bytes available reach min_bytes. A partition's bytes available are those from its fetch
// offset's batch to where its reads stop, at most its max_bytes, counted from the two positions
// in one segment without reading (Kafka's DelayedFetch.tryComplete). They are not what a read
// returns: a read takes whole batches only, so with 600 KiB batches a 1 MiB read takes one,
// while 1 MiB is available. A follower's partition throttled here would be sent nothing, so it
// counts nothing (Kafka's ReplicaManager.shouldLeaderThrottle).
import type { LogPosition, PartitionLog } from '../log/partition-log.js';
import { onAbort } from '../listener-list.js';

/** A partition as a waiting fetch finds it at a check. */
export interface FetchEnd {
  /** Where reads stop now: the high watermark, the last stable offset (read_committed), a follower's log end offset. */
  readonly offset: number;
  readonly log: Pick<PartitionLog, 'positionOf'>;
  /** A follower's partition throttled here: it is sent nothing, so what it has counts for nothing. */
  readonly throttled: boolean;
}

/** One partition a waiting fetch reads. */
export interface WaitingPartition {
  readonly fetchOffset: number;
  readonly maxBytes: number;
  /**
   * The partition now; undefined when it wants an answer at once whatever min_bytes says. Throws
   * the partition's error (leadership moved, ...), which the read that answers the fetch reports.
   */
  now(): FetchEnd | undefined;
}

export class DelayedFetch {
  /** Where each fetch offset is stored, taken at the first check, right after the first read (Kafka's startOffsetMetadata). */
  private readonly starts: (LogPosition | undefined)[] = [];

  constructor(
    private readonly partitions: readonly WaitingPartition[],
    private readonly minBytes: number,
  ) {}

  /**
   * Resolves once the fetch is to be answered, at `deadline` (epoch ms) at the latest, or when
   * `closed` aborts. `watch` subscribes a listener to whatever may give the fetch more to read,
   * and returns its unsubscribe function: it listens for the whole wait, so news arriving during
   * a check is not missed.
   */
  async wait(deadline: number, closed: AbortSignal, watch: (news: () => void) => () => void): Promise<void> {
    let news = false;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      news = true;
      wake?.();
    };
    const unwatch = watch(notify);
    const unabort = onAbort(closed, notify);
    try {
      while (!closed.aborted && Date.now() < deadline && !(await this.canAnswer())) {
        if (!news) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, deadline - Date.now());
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        wake = undefined;
        news = false;
      }
    } finally {
      unwatch();
      unabort();
    }
  }

  /** Kafka's DelayedFetch.tryComplete: whether a partition cannot wait or enough bytes are available. */
  async canAnswer(): Promise<boolean> {
    let available = 0;
    for (const [i, p] of this.partitions.entries()) {
      let end: FetchEnd | undefined;
      let start: LogPosition;
      let to: LogPosition;
      try {
        end = p.now();
        if (end === undefined) return true;
        start = this.starts[i] ??= await end.log.positionOf(p.fetchOffset);
        if (p.fetchOffset > end.offset) return true;
        if (p.fetchOffset === end.offset) continue;
        to = await end.log.positionOf(end.offset);
      } catch {
        return true;
      }
      if (end.throttled) continue;
      // Kafka measures within one segment only; a roll past the fetch position answers the fetch.
      if (start.segmentBaseOffset < to.segmentBaseOffset) return true;
      if (start.segmentBaseOffset === to.segmentBaseOffset) available += Math.min(to.position - start.position, p.maxBytes);
    }
    return available >= this.minBytes;
  }
}
