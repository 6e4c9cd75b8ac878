// PartitionLog over a list of segments, shared by the memory and file backends: offset
// assignment, rolling, reads across segments, retention, DeleteRecords, truncation, the flush
// policy, the recovery point, append notifications and the segment swap of the log cleaner.
// Backends supply segment creation and persistence of the log start offset, recovery point,
// leader-epoch history, cleaner checkpoint and swaps through LogBackend.
import type { Logger } from 'pino';
import { offsetOutOfRange, storageError, type LogError } from './errors.js';
import { LeaderEpochCache, type EpochEndOffset, type EpochEntry } from './leader-epochs.js';
import type { LogConfig } from './log-config.js';
import type {
  AppendListener,
  AppendMeta,
  AppendResult,
  CleanerCheckpoint,
  LogPosition,
  PartitionLog,
  ReadOptions,
  ReadResult,
  SegmentChange,
  SegmentChangeListener,
  TimestampOffset,
  WriteHold,
} from './partition-log.js';
import { ListenerList } from '../listener-list.js';
import { prepareAppend } from './prepare-append.js';
import type { Segment } from './segment.js';
import { NO_SNAPSHOTS, type SnapshotStore } from './snapshot-store.js';

/** Offsets in a segment are stored relative to its base as int32. */
const MAX_RELATIVE_OFFSET = 0x7fffffff;

export interface LogBackend {
  /** A new, empty segment starting at `baseOffset`. */
  createSegment(baseOffset: number, now: number): Segment;
  saveLogStartOffset(offset: number): Promise<void>;
  saveRecoveryPoint(offset: number): Promise<void>;
  /** Makes the creation of new segments durable (their directory entries), before the recovery point passes data in them. */
  syncSegmentList(): Promise<void>;
  /** `durable: false` may skip the fsync: epochs change on the append path, and flush() saves them durably. */
  saveEpochs(entries: readonly EpochEntry[], durable: boolean): Promise<void>;
  /** A segment the cleaner fills, invisible to readers until swapped in. */
  createCleanedSegment(baseOffset: number, now: number): Segment;
  /**
   * Makes `cleaned` (all written) replace `old` durably and atomically: after a crash at any
   * point the log holds either all of `old` or `cleaned`. Seals `cleaned`; `old` are removed after.
   */
  swapSegments(old: readonly Segment[], cleaned: Segment): Promise<void>;
  saveCleanerCheckpoint(checkpoint: CleanerCheckpoint): Promise<void>;
}

export interface SegmentedLogInit {
  /** At least one segment, in offset order; the last is the active one. */
  segments: Segment[];
  logStartOffset: number;
  /** Offsets below it are durably written. */
  recoveryPoint: number;
  epochs: readonly EpochEntry[];
  config: LogConfig;
  backend: LogBackend;
  logger: Logger;
  /** Default: none kept. */
  snapshots?: SnapshotStore;
  /** The cleaner checkpoint saved by an earlier run (default: dirty from the log start, no horizon). */
  cleanerCheckpoint?: CleanerCheckpoint;
}

export class SegmentedLog implements PartitionLog {
  private segments: Segment[];
  private startOffset: number;
  private endOffset: number;
  private hw: number;
  private recoveredTo: number;
  /** A segment was created since the last syncSegmentList, which settles into `segmentListSynced`. */
  private segmentListDirty = false;
  private segmentListSynced: Promise<void> = Promise.resolve();
  private cfg: LogConfig;
  private readonly epochs: LeaderEpochCache;
  private readonly backend: LogBackend;
  private readonly logger: Logger;
  private readonly listeners = new ListenerList<number>();
  private readonly segmentListeners = new ListenerList<SegmentChange>();
  readonly snapshots: SnapshotStore;
  /** Settles when every append issued so far is written. */
  private writes: Promise<void> = Promise.resolve();
  /** Settles when every rolled segment is sealed. */
  private sealing: Promise<void> = Promise.resolve();
  /** Settles when the latest log start offset and epochs are saved. */
  private persisting: Promise<void> = Promise.resolve();
  /** The last epochs saved were saved without fsync. */
  private epochsUnsynced = false;
  private failure: LogError | undefined;
  /** Injected disk stalls (src/faults/): an append is acknowledged only once each lets it go. */
  private readonly writeHolds = new Set<WriteHold>();
  private closed = false;
  private unflushedRecords = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  /** Tail of the queue of work that changes sealed segments (retention, DeleteRecords, truncation, cleaning). */
  private maintenance: Promise<unknown> = Promise.resolve();
  private cleaner: CleanerCheckpoint;

  constructor(init: SegmentedLogInit) {
    this.segments = init.segments;
    this.cfg = init.config;
    this.backend = init.backend;
    this.logger = init.logger;
    this.snapshots = init.snapshots ?? NO_SNAPSHOTS;
    this.endOffset = this.active.nextOffset;
    this.hw = this.endOffset;
    this.startOffset = Math.min(Math.max(init.logStartOffset, this.segments[0]!.baseOffset), this.endOffset);
    this.recoveredTo = Math.min(init.recoveryPoint, this.endOffset);
    // A new epoch is saved (with fsync) before the recovery point passes a batch of it: at the next
    // flush, roll or close. Until then recovery takes it from the batches (file-log.ts), so a first
    // append to each of thousands of partitions, or an election moving them, writes no file at
    // once. Epochs cut by a truncation are saved at once, without fsync.
    this.epochs = new LeaderEpochCache(init.epochs, (entries, change) => {
      this.epochsUnsynced = true;
      if (change === 'cut') this.persist(this.backend.saveEpochs(entries, false));
    });
    this.epochs.truncateFromEnd(this.endOffset);
    this.cleaner = init.cleanerCheckpoint ?? { firstDirtyOffset: this.startOffset, nextDeleteHorizon: -1 };
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.endOffset;
  }

  get highWatermark(): number {
    return this.hw;
  }

  get size(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0);
  }

  get config(): Readonly<LogConfig> {
    return this.cfg;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get firstDirtyOffset(): number {
    return this.cleaner.firstDirtyOffset;
  }

  get nextDeleteHorizon(): number {
    return this.cleaner.nextDeleteHorizon;
  }

  get latestEpoch(): number {
    return this.epochs.latestEpoch;
  }

  /** Offsets below it are durably written: after a crash, recovery checks only the data from here on. */
  get recoveryPoint(): number {
    return this.recoveredTo;
  }

  /** Segment count, for inspection and tests. */
  get segmentCount(): number {
    return this.segments.length;
  }

  setConfig(config: LogConfig): void {
    if (config.flushMs !== this.cfg.flushMs) this.clearFlushTimer();
    this.cfg = config;
  }

  async append(data: Buffer, meta: AppendMeta): Promise<AppendResult> {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw storageError('log is closed');
    const now = meta.now ?? Date.now();
    const baseOffset = this.endOffset;
    const { batches, lastOffset } = prepareAppend(data, baseOffset, meta, this.cfg, now);
    if (meta.asFollower === true) for (const b of batches) this.epochs.assign(b.leaderEpoch, b.baseOffset);
    else this.epochs.assign(meta.leaderEpoch, baseOffset);
    this.maybeRoll(data.length, lastOffset, now);
    const written = this.active.append(data, batches, this.cfg.indexIntervalBytes, now);
    this.endOffset = lastOffset + 1;
    this.writes = written.catch(() => undefined);
    try {
      await written;
    } catch (err) {
      this.failure ??= storageError(`write failed: ${(err as Error).message}`);
      this.logger.error({ err }, 'log write failed; the log refuses further appends');
      throw this.failure;
    }
    if (this.writeHolds.size > 0) for (const hold of [...this.writeHolds]) await hold.wait();
    this.countUnflushed(batches.reduce((n, b) => n + b.recordCount, 0));
    return {
      baseOffset: batches[0]!.baseOffset,
      lastOffset,
      logAppendTime: this.cfg.timestampType === 'LogAppendTime' ? now : -1,
      logStartOffset: this.startOffset,
    };
  }

  holdWrites(hold: WriteHold): () => void {
    this.writeHolds.add(hold);
    return () => this.writeHolds.delete(hold);
  }

  async read(fetchOffset: number, maxBytes: number, opts: ReadOptions = {}): Promise<ReadResult> {
    if (fetchOffset < this.startOffset || fetchOffset > this.endOffset) {
      throw offsetOutOfRange(fetchOffset, this.startOffset, this.endOffset);
    }
    const maxOffset = opts.maxOffset ?? this.hw;
    let minOneBatch = opts.minOneBatch ?? true;
    // Most reads are answered by one segment: its list of chunks becomes the result's.
    let chunks: Buffer[] | undefined;
    let bytes = 0;
    let offset = fetchOffset;
    while (offset < maxOffset) {
      const segment = this.segments[this.segmentIndexFor(offset)]!;
      const part = await segment.readFrom(offset, maxBytes - bytes, maxOffset, minOneBatch, opts.buffer);
      if (part !== undefined) {
        if (chunks === undefined) chunks = part.chunks;
        else chunks.push(...part.chunks);
        bytes += part.bytes;
        if (part.bytes > 0) minOneBatch = false;
        if (!part.atEnd) break;
      }
      // Found again by offset: the cleaner may have swapped segments meanwhile (offset gaps are normal).
      const next = this.segments[this.segmentIndexFor(segment.baseOffset) + 1];
      if (next === undefined) break;
      offset = next.baseOffset;
    }
    return { chunks: chunks ?? [], bytes, highWatermark: this.hw, logStartOffset: this.startOffset, logEndOffset: this.endOffset };
  }

  async positionOf(offset: number): Promise<LogPosition> {
    let i = this.segmentIndexFor(offset);
    // Past a segment's last batch (its end, or a gap the cleaner left): the next segment holds it.
    while (offset >= this.segments[i]!.nextOffset && i < this.segments.length - 1) i++;
    const segment = this.segments[i]!;
    const batch = await segment.findBatch(offset);
    return { segmentBaseOffset: segment.baseOffset, position: batch?.position ?? segment.size };
  }

  async offsetForTimestamp(timestamp: number): Promise<TimestampOffset | undefined> {
    let segment = this.segments[this.segmentIndexFor(this.startOffset)];
    while (segment !== undefined) {
      const batch = await segment.findTimestamp(timestamp, this.startOffset);
      if (batch !== undefined) {
        return { offset: Math.max(batch.baseOffset, this.startOffset), timestamp: batch.maxTimestamp };
      }
      segment = this.segments[this.segmentIndexFor(segment.baseOffset) + 1];
    }
    return undefined;
  }

  maxTimestampOffset(): Promise<TimestampOffset | undefined> {
    let best: TimestampOffset | undefined;
    for (const s of this.segments) {
      if (s.maxTimestamp >= 0 && (best === undefined || s.maxTimestamp > best.timestamp)) {
        best = { offset: s.offsetOfMaxTimestamp, timestamp: s.maxTimestamp };
      }
    }
    return Promise.resolve(best);
  }

  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return this.epochs.endOffsetFor(epoch, this.endOffset);
  }

  deleteRecordsBefore(offset: number): Promise<number> {
    return this.exclusive(() => this.deleteBefore(offset));
  }

  private async deleteBefore(offset: number): Promise<number> {
    if (offset > this.hw || offset < 0) throw offsetOutOfRange(offset, this.startOffset, this.hw);
    if (offset <= this.startOffset) return this.startOffset;
    this.setLogStartOffset(offset);
    let n = 0;
    while (n < this.segments.length - 1 && this.segments[n + 1]!.baseOffset <= offset) n++;
    await this.deleteOldest(n, 'log start offset');
    await this.persisting;
    return this.startOffset;
  }

  applyRetention(now = Date.now()): Promise<number> {
    return this.exclusive(() => this.deleteExpired(now));
  }

  private async deleteExpired(now: number): Promise<number> {
    const { retentionMs, retentionBytes } = this.cfg;
    const deletable = (s: Segment): boolean => s.size > 0 && s.nextOffset <= this.hw;
    let n = 0;
    if (retentionMs >= 0) {
      while (n < this.segments.length && deletable(this.segments[n]!) && now - this.segments[n]!.largestTimestamp > retentionMs) n++;
    }
    if (retentionBytes >= 0) {
      let excess = this.size - retentionBytes;
      for (let i = 0; i < n; i++) excess -= this.segments[i]!.size;
      while (n < this.segments.length && deletable(this.segments[n]!) && excess >= this.segments[n]!.size) {
        excess -= this.segments[n]!.size;
        n++;
      }
    }
    if (n === 0) return 0;
    if (n === this.segments.length) this.roll(now);
    await this.deleteOldest(n, 'retention');
    await this.persisting;
    return n;
  }

  truncateTo(offset: number): Promise<void> {
    return this.exclusive(() => this.truncate(offset));
  }

  private async truncate(offset: number): Promise<void> {
    await this.writes;
    if (offset >= this.endOffset) {
      // Nothing to cut; but an epoch this replica led without appending starts at its log end, and
      // goes, as in Kafka: its leader has no such epoch, and a follower naming it would diverge at
      // every fetch.
      this.epochs.truncateFromEnd(this.endOffset);
      await this.persisting;
      return;
    }
    const target = Math.max(offset, this.startOffset);
    const i = this.segmentIndexFor(target);
    const dropped = this.segments.splice(i + 1);
    await Promise.all(dropped.map((s) => s.remove()));
    this.endOffset = await this.active.truncateTo(target, this.cfg.indexIntervalBytes);
    this.hw = Math.min(this.hw, this.endOffset);
    if (this.recoveredTo > this.endOffset) {
      // Waited for: a follower appends past the cut once its truncation returns, and a point left
      // above the cut would let recovery trust the data written there without checking it.
      this.recoveredTo = this.endOffset;
      this.persist(this.backend.saveRecoveryPoint(this.endOffset));
      await this.persisting;
    }
    this.epochs.truncateFromEnd(this.endOffset);
    this.logger.info({ offset, logEndOffset: this.endOffset }, 'log truncated');
  }

  onAppend(listener: AppendListener): () => void {
    return this.listeners.add(listener);
  }

  onSegmentChange(listener: SegmentChangeListener): () => void {
    return this.segmentListeners.add(listener);
  }

  async flush(): Promise<void> {
    const target = this.endOffset;
    await this.writes;
    await this.sealing;
    await this.persisting;
    this.clearFlushTimer();
    this.unflushedRecords = 0;
    await this.syncTo(target, this.segments);
    await this.persisting;
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.maintenance.then(work, work);
    this.maintenance = run.catch(() => undefined);
    return run;
  }

  sealedSegments(): readonly Segment[] {
    return this.segments.slice(0, -1);
  }

  createCleanedSegment(baseOffset: number, now: number): Segment {
    return this.backend.createCleanedSegment(baseOffset, now);
  }

  async replaceSegments(old: readonly Segment[], cleaned: Segment): Promise<void> {
    const at = this.segments.indexOf(old[0]!);
    if (at < 0 || at + old.length >= this.segments.length || old.some((s, i) => this.segments[at + i] !== s)) {
      throw storageError('segments to replace are not consecutive sealed segments of the log');
    }
    await this.backend.swapSegments(old, cleaned);
    this.segments.splice(at, old.length, cleaned);
    await Promise.all(old.map((s) => s.remove()));
  }

  async saveCleanerCheckpoint(checkpoint: CleanerCheckpoint): Promise<void> {
    this.cleaner = { ...checkpoint };
    await this.backend.saveCleanerCheckpoint(this.cleaner);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A cleaning pass in progress sees `closed` and stops; let it clean up first.
    await this.maintenance;
    await this.flush();
    if (this.failure === undefined) await this.active.closeActive();
    await this.persisting;
    this.listeners.clear();
    this.segmentListeners.clear();
    await Promise.all(this.segments.map((s) => s.store.close()));
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /** Index of the segment that holds `offset` (the last one with base <= offset). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private maybeRoll(bytes: number, lastOffset: number, now: number): void {
    const active = this.active;
    if (active.size === 0) return;
    if (
      active.size + bytes > this.cfg.segmentBytes ||
      now - active.rollTime >= this.cfg.segmentMs ||
      lastOffset - active.baseOffset > MAX_RELATIVE_OFFSET
    ) {
      this.roll(now);
    }
  }

  private roll(now: number): void {
    const previous = this.active;
    this.segments.push(this.backend.createSegment(this.endOffset, now));
    this.segmentListDirty = true;
    const older = this.segments.slice(0, -1);
    this.sealing = this.sealing
      .then(() => previous.seal())
      .then(() => this.syncTo(previous.nextOffset, older))
      .catch((err: unknown) => this.logger.error({ err, baseOffset: previous.baseOffset }, 'sealing segment failed'));
    this.logger.debug({ baseOffset: this.endOffset }, 'rolled segment');
    this.notifySegmentChange({ kind: 'rolled', baseOffset: this.endOffset });
  }

  /** Deletes the `n` oldest segments (never the active one) and moves the log start past them. */
  private async deleteOldest(n: number, reason: string): Promise<void> {
    const count = Math.min(n, this.segments.length - 1);
    if (count <= 0) return;
    const removed = this.segments.splice(0, count);
    if (this.segments[0]!.baseOffset > this.startOffset) this.setLogStartOffset(this.segments[0]!.baseOffset);
    this.logger.info({ segments: removed.map((s) => s.baseOffset), reason, logStartOffset: this.startOffset }, 'deleting segments');
    await Promise.all(removed.map((s) => s.remove()));
  }

  private setLogStartOffset(offset: number): void {
    this.startOffset = offset;
    this.cleaner.firstDirtyOffset = Math.max(this.cleaner.firstDirtyOffset, offset);
    this.epochs.truncateFromStart(offset);
    this.persist(this.backend.saveLogStartOffset(offset));
    this.notifySegmentChange({ kind: 'logStartAdvanced', logStartOffset: offset });
  }

  private notifySegmentChange(change: SegmentChange): void {
    this.segmentListeners.emit(change);
  }

  /**
   * Moves the recovery point up to `offset` once `segments` (every one holding data below it) are
   * synced; a failed sync keeps failing, so the point never passes data that did not reach the disk.
   */
  private async syncTo(offset: number, segments: readonly Segment[]): Promise<void> {
    if (this.segmentListDirty) {
      this.segmentListDirty = false;
      this.segmentListSynced = this.segmentListSynced.catch(() => undefined).then(() => this.backend.syncSegmentList());
    }
    await Promise.all([...segments.map((s) => s.store.flush()), this.segmentListSynced, this.epochsSynced()]);
    const to = Math.min(offset, this.endOffset);
    if (this.failure !== undefined || to <= this.recoveredTo) return;
    this.recoveredTo = to;
    this.persist(this.backend.saveRecoveryPoint(to));
  }

  /** Saves the epochs durably if they changed since the last such save; a failed save is tried again next time. */
  private epochsSynced(): Promise<void> | undefined {
    if (!this.epochsUnsynced) return undefined;
    this.epochsUnsynced = false;
    const saved = this.backend.saveEpochs(this.epochs.entries, true);
    this.persist(saved);
    return saved.catch((err: unknown) => {
      this.epochsUnsynced = true;
      throw err;
    });
  }

  /** Tracks a checkpoint write (they apply in call order) so flush and close can wait for it. */
  private persist(saved: Promise<void>): void {
    this.persisting = saved.catch((err: unknown) => this.logger.error({ err }, 'saving log checkpoint failed'));
  }

  advanceHighWatermark(offset: number): number {
    const to = Math.min(offset, this.endOffset);
    if (to <= this.hw) return this.hw;
    this.hw = to;
    this.listeners.emit(to);
    return to;
  }

  assignLeaderEpoch(epoch: number): void {
    this.epochs.assign(epoch, this.endOffset);
  }

  private countUnflushed(records: number): void {
    this.unflushedRecords += records;
    if (this.unflushedRecords >= this.cfg.flushMessages) {
      this.flushInBackground();
    } else if (this.flushTimer === undefined && this.cfg.flushMs < Number.MAX_SAFE_INTEGER) {
      this.flushTimer = setTimeout(() => this.flushInBackground(), this.cfg.flushMs);
      this.flushTimer.unref();
    }
  }

  private flushInBackground(): void {
    this.flush().catch((err: unknown) => this.logger.error({ err }, 'flush failed'));
  }

  private clearFlushTimer(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }
}
