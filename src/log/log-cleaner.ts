// The log cleaner: compacts the logs whose cleanup.policy includes "compact", as Kafka's
// LogCleaner does. One round picks the filthiest log that needs cleaning (dirty ratio, max
// compaction lag, or a passed delete horizon), builds the key → latest offset map of its dirty
// section, rewrites every sealed segment up to the cleanable end group by group (batches keep
// their offsets; see batch-cleaning.ts), swaps each cleaned group in atomically and saves the
// checkpoint. It reads in chunks and works in time slices of about SLICE_MS, yielding to the
// event loop between them (between batches), so produce and fetch wait at most about a slice
// behind it; a single batch is never split (a huge or compressed batch is one unit). It holds the log's
// maintenance lock (no retention, DeleteRecords or truncation meanwhile) and stops when the log
// closes. Appends and fetches go on: only sealed segments are touched.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import { decodeBatch, isControl, readBatchHeader } from '../../protocol/records/index.js';
import { batchInfoAt, type BatchInfo } from './batch-scan.js';
import { cleanBatch, type BatchCleaningContext } from './batch-cleaning.js';
import { cleanableRange, cleaningReason, dirtyRatio, groupSegments, type CleanableRange } from './cleaner-selection.js';
import { TxnCleaningState, type CleanerTxnView } from './cleaner-txn.js';
import { TimeSlicer } from './time-slicer.js';
import { NEVER } from './log-config.js';
import { OffsetMap } from './offset-map.js';
import type { PartitionLog } from './partition-log.js';
import type { Segment } from './segment.js';

/** Bytes read (and, cleaned, appended) at a time. */
const CHUNK_BYTES = 1 << 20;
/** Milliseconds of work between the cleaner's turns of yielding to the event loop. */
const SLICE_MS = 1;

export interface CleanerSettings {
  /** log.cleaner.backoff.ms: pause when no log needs cleaning. */
  backoffMs: number;
  /** log.cleaner.dedupe.buffer.size: memory for the offset map. */
  dedupeBufferBytes: number;
}

export interface CleanablePartition {
  topic: string;
  partition: number;
  log: PartitionLog;
}

export interface LogCleanerOptions {
  partitions: () => Iterable<CleanablePartition>;
  txn: CleanerTxnView;
  /** Read at every round, so dynamic changes apply. */
  settings: () => CleanerSettings;
  logger: Logger;
  now?: () => number;
  /** Monotonic milliseconds that measure the cleaner's time slices (default performance.now). */
  sliceClock?: () => number;
}

export interface CleanerStats {
  topic: string;
  partition: number;
  reason: string;
  bytesRead: number;
  bytesWritten: number;
  batchesRead: number;
  batchesWritten: number;
  /** Distinct keys in the dirty section. */
  keys: number;
  segmentsBefore: number;
  segmentsAfter: number;
  ms: number;
}

class CleaningAborted extends Error {}

/** What one cleaning pass works with: its time slices, and the buffer it reads chunks into (reused, so no fresh 1 MiB per chunk for the garbage collector). */
interface Pass {
  slicer: TimeSlicer;
  scratch: Buffer;
}

export class LogCleaner {
  /** Logs whose cleaning failed (corrupt data): skipped until restart, as Kafka marks them uncleanable. */
  private readonly failed = new WeakSet<PartitionLog>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly o: LogCleanerOptions) {
    this.now = o.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current step (a cleaning in progress is abandoned safely when logs close). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
  }

  /** One round: cleans the filthiest log that needs it; undefined when none does. */
  async cleanOnce(): Promise<CleanerStats | undefined> {
    let best: { p: CleanablePartition; reason: string; ratio: number } | undefined;
    for (const p of this.o.partitions()) {
      if (!p.log.config.compact || p.log.isClosed || this.failed.has(p.log)) continue;
      const range = this.rangeOf(p.log);
      const reason = cleaningReason({
        range,
        minCleanableDirtyRatio: p.log.config.minCleanableDirtyRatio,
        firstDirtyTimestamp: await this.firstDirtyTimestamp(p.log, range),
        maxCompactionLagMs: p.log.config.maxCompactionLagMs,
        nextDeleteHorizon: p.log.nextDeleteHorizon,
        now: this.now(),
      });
      const ratio = dirtyRatio(range);
      if (reason !== undefined && (best === undefined || ratio > best.ratio)) best = { p, reason, ratio };
    }
    if (best === undefined) return undefined;
    try {
      return await this.clean(best.p, best.reason);
    } catch (err) {
      if (err instanceof CleaningAborted) return undefined;
      this.failed.add(best.p.log);
      this.o.logger.error({ err, topic: best.p.topic, partition: best.p.partition }, 'cleaning failed; the partition is not cleaned again until restart');
      return undefined;
    }
  }

  /** Compacts one log now, whatever its dirty ratio. */
  clean(p: CleanablePartition, reason = 'requested'): Promise<CleanerStats> {
    return p.log.exclusive(() => this.cleanLocked(p, reason));
  }

  private async run(): Promise<void> {
    while (this.running) {
      const stats = await this.cleanOnce();
      if (stats !== undefined) this.o.logger.info(stats, 'cleaned log');
      if (!this.running) break;
      if (stats !== undefined) await nextTurn();
      else await this.sleep(this.o.settings().backoffMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
      this.timer.unref();
    });
  }

  private rangeOf(log: PartitionLog): CleanableRange {
    return cleanableRange({
      sealed: log.sealedSegments(),
      checkpoint: log.firstDirtyOffset,
      logStartOffset: log.logStartOffset,
      lastStableOffset: this.o.txn.lastStableOffset(log),
      minCompactionLagMs: log.config.minCompactionLagMs,
      now: this.now(),
    });
  }

  /** Timestamp of the first dirty batch, read only when max.compaction.lag.ms is set. */
  private async firstDirtyTimestamp(log: PartitionLog, range: CleanableRange): Promise<number> {
    if (log.config.maxCompactionLagMs >= NEVER || range.dirtyBytes === 0) return -1;
    const segment = log.sealedSegments().find((s) => s.nextOffset > range.firstDirty);
    return (await segment?.findBatch(range.firstDirty))?.maxTimestamp ?? -1;
  }

  private async cleanLocked(p: CleanablePartition, reason: string): Promise<CleanerStats> {
    const started = this.now();
    const { log } = p;
    const sealed = log.sealedSegments();
    const range = this.rangeOf(log);
    const stats: CleanerStats = {
      topic: p.topic, partition: p.partition, reason, bytesRead: 0, bytesWritten: 0, batchesRead: 0, batchesWritten: 0,
      keys: 0, segmentsBefore: sealed.length + 1, segmentsAfter: 0, ms: 0,
    };
    const pass: Pass = { slicer: new TimeSlicer(SLICE_MS, this.o.sliceClock), scratch: Buffer.allocUnsafe(CHUNK_BYTES) };
    const map = new OffsetMap(this.o.settings().dedupeBufferBytes);
    const end = await this.buildOffsetMap(log, sealed, range, map, pass);
    stats.keys = map.size;
    const ctx: BatchCleaningContext = {
      map,
      txn: new TxnCleaningState(this.o.txn.abortedTransactions(log, 0, end)),
      producers: this.o.txn.producerTails(log),
      now: started,
      deleteRetentionMs: log.config.deleteRetentionMs,
    };
    let horizon = -1;
    const toClean = sealed.filter((s) => s.nextOffset <= end);
    for (const group of groupSegments(toClean, log.config.segmentBytes)) {
      horizon = minHorizon(horizon, await this.cleanGroup(log, group, ctx, stats, pass));
    }
    await log.saveCleanerCheckpoint({ firstDirtyOffset: end, nextDeleteHorizon: horizon });
    stats.segmentsAfter = log.sealedSegments().length + 1;
    stats.ms = this.now() - started;
    return stats;
  }

  /** Fills `map` from the dirty section; returns where cleaning ends (earlier when the map filled up). */
  private async buildOffsetMap(log: PartitionLog, sealed: readonly Segment[], range: CleanableRange, map: OffsetMap, pass: Pass): Promise<number> {
    const txn = new TxnCleaningState(this.o.txn.abortedTransactions(log, range.firstDirty, range.end));
    let end = range.firstDirty;
    for (const segment of sealed) {
      if (segment.nextOffset <= range.firstDirty) continue;
      if (segment.nextOffset > range.end) break;
      if (map.full && end > range.firstDirty) break;
      await this.forEachBatch(log, segment, pass, (batch) => {
        const h = readBatchHeader(batch);
        if (isControl(h.attributes)) {
          txn.onControlBatch(h, h.recordCount > 0 ? decodeBatch(batch, { verifyCrc: false }).records[0]?.key : undefined);
          return;
        }
        if (txn.onDataBatch(h) || h.recordCount === 0) return;
        for (const r of decodeBatch(batch, { verifyCrc: false }).records) {
          if (r.key !== null) map.put(r.key, h.baseOffset + r.offsetDelta);
        }
      });
      end = segment.nextOffset;
    }
    return end;
  }

  /** Writes the cleaned contents of `group` into one new segment and swaps it in; returns its earliest pending horizon. */
  private async cleanGroup(log: PartitionLog, group: readonly Segment[], ctx: BatchCleaningContext, stats: CleanerStats, pass: Pass): Promise<number> {
    const cleaned = log.createCleanedSegment(group[0]!.baseOffset, ctx.now);
    let horizon = -1;
    let out: Buffer[] = [];
    let infos: BatchInfo[] = [];
    let position = 0;
    const appendOut = async (): Promise<void> => {
      if (out.length === 0) return;
      stats.batchesWritten += out.length;
      stats.bytesWritten += position;
      // A copy: kept batches may be views of the scratch buffer, and the segment owns what it is given.
      const data = Buffer.concat(out, position);
      const written = infos;
      out = [];
      infos = [];
      position = 0;
      await cleaned.append(data, written, log.config.indexIntervalBytes, ctx.now);
    };
    try {
      for (const [i, segment] of group.entries()) {
        const lastSegment = i === group.length - 1;
        await this.forEachBatch(log, segment, pass, (batch, lastBatch) => {
          // The group's last batch stays (maybe empty) so the cleaned segment keeps its offset range.
          const result = cleanBatch(batch, ctx, lastSegment && lastBatch);
          stats.batchesRead++;
          stats.bytesRead += batch.length;
          horizon = minHorizon(horizon, result.pendingHorizon);
          if (result.out === undefined) return;
          infos.push(batchInfoAt(result.out, 0, position));
          out.push(result.out);
          position += result.out.length;
        }, appendOut);
      }
      cleaned.rollTime = Math.max(...group.map((s) => s.rollTime));
      await log.replaceSegments(group, cleaned);
    } catch (err) {
      await cleaned.remove().catch(() => undefined);
      throw err;
    }
    return horizon;
  }

  /**
   * Shows `visit` the segment's batches in order (`last`: the segment's last one), read a chunk at
   * a time; between batches it yields to the event loop whenever the time slice is used up, and
   * after each chunk's batches it awaits `chunkDone`.
   */
  private async forEachBatch(
    log: PartitionLog,
    segment: Segment,
    { slicer, scratch }: Pass,
    visit: (batch: Buffer, last: boolean) => void,
    chunkDone?: () => Promise<void>,
  ): Promise<void> {
    let position = 0;
    while (position < segment.size) {
      const { batches, next } = await segment.readBatches(position, CHUNK_BYTES, scratch);
      const atEnd = next >= segment.size;
      for (const [i, batch] of batches.entries()) {
        if (slicer.due) {
          await slicer.yield();
          this.checkNotAborted(log);
        }
        visit(batch, atEnd && i === batches.length - 1);
      }
      await chunkDone?.();
      position = next;
      this.checkNotAborted(log);
    }
  }

  private checkNotAborted(log: PartitionLog): void {
    if (log.isClosed || !this.running && this.loop !== undefined) throw new CleaningAborted('log closed or cleaner stopped');
  }
}

function minHorizon(a: number, b: number): number {
  if (a < 0) return b;
  if (b < 0) return a;
  return Math.min(a, b);
}
