// The file backend of one partition: opens <dataDir>/<topic>-<partition>/ laid out like Kafka
// (<base>.log, .index, .timeindex, <offset>.snapshot, leader-epoch-checkpoint, plus log-start-offset;
// its recovery point is in the data directory's file, recovery-point-file.ts) and recovers it.
// After a clean shutdown every segment loads from its index files and nothing is read but the
// few batches after the active segment's last index entry; an active segment closed small, without
// index files, is read whole (one read) instead. Otherwise the
// segments past the recovery point (always including the last written one, whose index files are
// never trusted then) are scanned: framing and offset continuity everywhere, CRCs of the batches
// from the recovery point on, cut back to the last whole valid batch, and synced; segments after a
// cut one are dropped. Segments below the recovery point load their index files, rebuilt by a scan
// when missing or inconsistent.
// Cleaner swaps (Kafka's scheme): a cleaned segment is written as <base>.log.cleaned, made durable
// and renamed <base>.log.swap (the commit point); the replaced segments are renamed *.deleted, then
// the swap file becomes <base>.log. At open, *.cleaned and *.deleted files are removed and a
// *.swap file finishes its swap: the segments it covers are deleted and it is renamed.
// Open-time I/O is synchronous (startup or topic creation); appends and reads are asynchronous.
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { fsyncDir, readIfExists } from './atomic-file.js';
import type { BatchInfo } from './batch-scan.js';
import {
  readCleanerCheckpoint,
  readEpochCheckpoint,
  readLogStartCheckpoint,
  writeCleanerCheckpoint,
  writeEpochCheckpoint,
  writeLogStartCheckpoint,
} from './checkpoints.js';
import { FileStore, indexedAtClose, segmentPaths, unlinkIfExists, type SegmentPaths, type TailBounds } from './file-store.js';
import type { EpochEntry } from './leader-epochs.js';
import type { LogConfig } from './log-config.js';
import { SegmentIndex } from './segment-index.js';
import { scanSegmentFile } from './segment-recovery.js';
import { Segment } from './segment.js';
import { SegmentedLog } from './segmented-log.js';
import { FileSnapshotStore } from './file-snapshot-store.js';
import { OpenFiles } from './open-files.js';
import { RecoveryPointFile, type RecoveryPoints } from './recovery-point-file.js';
import { SlabPool } from './slab-pool.js';
import { TailBudget } from './tail-budget.js';
import { WriteQueue } from './write-queue.js';

export interface FileLogOptions {
  /** Bytes of recent appends each partition keeps in memory for tail fetches (default 1 MiB). */
  tailCacheBytes?: number;
  /** The bound on all tails' bytes this log shares with others (a broker's creek.log.tail.cache.max.bytes). */
  tailBudget?: TailBudget;
  /** The previous run closed this log and shut down cleanly (FileStorage's marker): trust every saved index. */
  cleanShutdown?: boolean;
  /** The bound on open segment files this log shares with others (a broker's creek.log.max.open.files). */
  openFiles?: OpenFiles;
  /** The slabs its tails copy small batches into (default: one pool for the whole process). */
  slabs?: SlabPool;
  /**
   * The recovery points of the log's data directory (FileStorage's). By default a log opened alone
   * reads its parent directory's file and is that file's only writer: logs opened alone in one
   * directory at the same time would overwrite each other's points.
   */
  recoveryPoints?: RecoveryPoints;
}

/** Kafka keeps every segment open; Creek keeps at most this many open by default (creek.log.max.open.files). */
export const DEFAULT_MAX_OPEN_FILES = 2048;
/** The bound shared by logs opened without one of their own (tools and tests). */
const sharedOpenFiles = new OpenFiles(DEFAULT_MAX_OPEN_FILES);
/** Tails' bytes, by default (creek.log.tail.cache.max.bytes). */
export const DEFAULT_TAIL_CACHE_MAX_BYTES = 128 * 1024 * 1024;
/** The budget shared by logs opened without one of their own (tools and tests). */
const sharedTailBudget = new TailBudget(DEFAULT_TAIL_CACHE_MAX_BYTES);
/** 256 KiB slabs, up to 16 MiB of them kept for reuse; batches over 64 KiB (up to 1 MiB) in 4 MiB slabs, up to 16 MiB kept. */
const sharedSlabs = new SlabPool({ slabBytes: 256 * 1024, maxFree: 64, larger: new SlabPool({ slabBytes: 4 * 1024 * 1024, maxFree: 4 }) });

const SEGMENT_FILE = /^(\d{20})\.log$/;
const SWAP_FILE = /^(\d{20})\.log\.swap$/;
/** Leftovers of interrupted work: atomic writes, cleaned segments never committed, replaced segments. */
const LEFTOVER_FILE = /\.(tmp|cleaned|deleted)$/;

/** The segment's file names with `suffix` appended. */
function suffixed(paths: SegmentPaths, suffix: string): SegmentPaths {
  return { log: paths.log + suffix, index: paths.index + suffix, timeIndex: paths.timeIndex + suffix };
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

interface Loaded {
  segment: Segment;
  /** Bytes were cut from the end of the file. */
  truncated: boolean;
}

/** Appends the epoch `batch` starts when it is newer than the last of `entries`. */
function addNewerEpoch(entries: EpochEntry[], batch: BatchInfo): void {
  if (batch.leaderEpoch >= 0 && (entries.length === 0 || batch.leaderEpoch > entries[entries.length - 1]!.epoch)) {
    entries.push({ epoch: batch.leaderEpoch, startOffset: batch.baseOffset });
  }
}

class FileLogOpener {
  private readonly queue = new WriteQueue();
  private readonly now = Date.now();
  private readonly tail: TailBounds;
  private readonly clean: boolean;
  /** Offsets below it were synced (and so checked) by an earlier run; Infinity after a clean shutdown. */
  private recoveryPoint = 0;
  /** What recovery did: segments scanned, bytes read and CRC-checked, bytes cut. */
  private readonly recovery = { segments: 0, readBytes: 0, checkedBytes: 0, truncatedBytes: 0 };
  /**
   * The epochs the batches of recovered segments start, in log order. A new epoch is saved when
   * the recovery point passes its first batch (segmented-log.ts), so after a crash the checkpoint
   * may lack the epochs of unflushed batches: recovery takes them from the batches, as Kafka's
   * segment recovery does.
   */
  private readonly recoveredEpochs: EpochEntry[] = [];
  private readonly files: OpenFiles;
  private readonly slabs: SlabPool;
  private readonly recoveryPoints: RecoveryPoints;
  /** The log's directory name: its key among the data directory's recovery points. */
  private readonly name: string;

  constructor(
    private readonly dir: string,
    private readonly config: LogConfig,
    private readonly logger: Logger,
    options: FileLogOptions,
  ) {
    this.tail = { bytes: options.tailCacheBytes ?? 1024 * 1024, budget: options.tailBudget ?? sharedTailBudget };
    this.clean = options.cleanShutdown ?? false;
    this.files = options.openFiles ?? sharedOpenFiles;
    this.slabs = options.slabs ?? sharedSlabs;
    this.recoveryPoints = options.recoveryPoints ?? new RecoveryPointFile(dirname(dir));
    this.name = basename(dir);
  }

  open(): SegmentedLog {
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir)) if (LEFTOVER_FILE.test(name)) unlinkQuietly(join(this.dir, name));
    this.completeSwaps();
    const names = readdirSync(this.dir);
    const bases = names.flatMap((n) => SEGMENT_FILE.exec(n)?.[1] ?? []).map(Number).sort((a, b) => a - b);
    const logStartCheckpoint = readLogStartCheckpoint(this.dir);
    const savedRecoveryPoint = this.recoveryPoints.saved(this.name);
    // Nothing below the first segment exists, so nothing there needs checking.
    this.recoveryPoint = this.clean ? Infinity : Math.max(savedRecoveryPoint, bases[0] ?? 0);
    const segments = bases.length === 0 ? [this.createSegment(logStartCheckpoint, this.now)] : this.loadSegments(bases);
    const logEndOffset = segments[segments.length - 1]!.nextOffset;
    this.finishRecovery(savedRecoveryPoint, logEndOffset);
    // Everything is durable now: a clean shutdown synced it, recovery just did.
    if (savedRecoveryPoint !== logEndOffset) {
      this.recoveryPoints.save(this.name, logEndOffset).catch((err: unknown) => this.logger.warn({ err, dir: this.dir }, 'saving recovery point failed'));
    }
    const saved = readEpochCheckpoint(this.dir);
    const epochs = saved === undefined ? this.rebuildEpochs(segments) : this.withRecoveredEpochs(saved);
    return new SegmentedLog({
      segments,
      logStartOffset: logStartCheckpoint,
      recoveryPoint: logEndOffset,
      cleanerCheckpoint: readCleanerCheckpoint(this.dir),
      epochs,
      config: this.config,
      logger: this.logger,
      snapshots: new FileSnapshotStore(this.dir, names),
      backend: {
        createSegment: (baseOffset, now) => this.createSegment(baseOffset, now),
        saveLogStartOffset: (offset) => writeLogStartCheckpoint(this.dir, offset),
        saveRecoveryPoint: (offset) => this.recoveryPoints.save(this.name, offset),
        syncSegmentList: () => fsyncDir(this.dir),
        saveEpochs: (entries, durable) => writeEpochCheckpoint(this.dir, entries, durable),
        createCleanedSegment: (baseOffset, now) => this.createCleanedSegment(baseOffset, now),
        swapSegments: (old, cleaned) => this.swapSegments(old, cleaned),
        saveCleanerCheckpoint: (checkpoint) => writeCleanerCheckpoint(this.dir, checkpoint),
      },
    });
  }

  /** Finishes swaps that were committed (a *.log.swap file exists) but not completed before a crash. */
  private completeSwaps(): void {
    const names = readdirSync(this.dir);
    const bases = names.flatMap((n) => SEGMENT_FILE.exec(n)?.[1] ?? []).map(Number);
    for (const name of names) {
      const base = SWAP_FILE.exec(name)?.[1];
      if (base === undefined) continue;
      const baseOffset = Number(base);
      const swapPath = join(this.dir, name);
      const fd = openSync(swapPath, 'r');
      let end = baseOffset;
      try {
        scanSegmentFile(fd, fstatSync(fd).size, { position: 0, offset: baseOffset }, Infinity, (b) => (end = b.lastOffset + 1));
      } finally {
        closeSync(fd);
      }
      if (end === baseOffset) {
        this.logger.warn({ dir: this.dir, baseOffset }, 'removing an empty cleaner swap file');
        unlinkQuietly(swapPath);
        continue;
      }
      for (const old of bases.filter((b) => b >= baseOffset && b < end)) {
        const paths = segmentPaths(this.dir, old);
        [paths.log, paths.index, paths.timeIndex].forEach(unlinkQuietly);
      }
      renameSync(swapPath, segmentPaths(this.dir, baseOffset).log);
      this.logger.info({ dir: this.dir, baseOffset, nextOffset: end }, 'completed an interrupted cleaner swap');
    }
  }

  private createCleanedSegment(baseOffset: number, now: number): Segment {
    const paths = suffixed(segmentPaths(this.dir, baseOffset), '.cleaned');
    const fd = openSync(paths.log, 'w+');
    return new Segment(baseOffset, new FileStore(paths, this.files.file(paths.log, fd), 0, new WriteQueue(), { bytes: 0, budget: this.tail.budget }, this.slabs), now);
  }

  private async swapSegments(old: readonly Segment[], cleaned: Segment): Promise<void> {
    const store = cleaned.store as FileStore;
    const final = segmentPaths(this.dir, cleaned.baseOffset);
    await store.flush();
    await store.relocate(suffixed(final, '.swap'));
    await fsyncDir(this.dir);
    for (const segment of old) {
      const oldStore = segment.store as FileStore;
      await Promise.all([unlinkIfExists(oldStore.paths.index), unlinkIfExists(oldStore.paths.timeIndex)]);
      await oldStore.relocate(suffixed(oldStore.paths, '.deleted'));
    }
    await store.relocate(final);
    await fsyncDir(this.dir);
    await cleaned.seal();
  }

  createSegment(baseOffset: number, now: number): Segment {
    const paths = segmentPaths(this.dir, baseOffset);
    unlinkQuietly(paths.index);
    unlinkQuietly(paths.timeIndex);
    const fd = openSync(paths.log, 'w+');
    return new Segment(baseOffset, this.store(paths, fd, 0), now);
  }

  private loadSegments(bases: number[]): Segment[] {
    // A roll whose first write was lost leaves an empty segment behind the last written one.
    let last = bases.length - 1;
    while (last > 0 && statSync(segmentPaths(this.dir, bases[last]!).log).size === 0) last--;
    this.removeSegments(bases, last + 1, 'removed empty segment after the last written one');
    const segments: Segment[] = [];
    for (let i = 0; i <= last; i++) {
      // Opened one at a time: the segment's store takes the descriptor into the open-file bound.
      const fd = openSync(segmentPaths(this.dir, bases[i]!).log, 'r+');
      const { segment, truncated } = this.loadSegment(bases[i]!, fd, i < last ? bases[i + 1] : undefined);
      segments.push(segment);
      if (truncated && i < last && bases[i + 1]! > this.recoveryPoint) {
        // A cut in an unsynced segment: what follows it was written after the lost bytes.
        this.removeSegments(bases.slice(0, last + 1), i + 1, 'removed segment after a truncated one');
        break;
      }
    }
    return segments;
  }

  /** Loads one segment; `nextBase` is the next segment's base offset, undefined for the last one. */
  private loadSegment(baseOffset: number, fd: number, nextBase: number | undefined): Loaded {
    const paths = segmentPaths(this.dir, baseOffset);
    const size = fstatSync(fd).size;
    const trusted = nextBase === undefined ? this.clean : nextBase <= this.recoveryPoint;
    if (!trusted) return this.recover(baseOffset, paths, fd, size, nextBase === undefined);
    const offsets = readIfExists(paths.index);
    const times = readIfExists(paths.timeIndex);
    const index = offsets && times ? SegmentIndex.parse(baseOffset, offsets, times, size) : undefined;
    if (index !== undefined && nextBase !== undefined) {
      return { segment: new Segment(baseOffset, this.store(paths, fd, size, true), this.now, { index, nextOffset: nextBase }), truncated: false };
    }
    const active = index === undefined ? undefined : this.loadIndexedTail(baseOffset, paths, fd, size, index);
    if (active !== undefined) return { segment: active, truncated: false };
    // A small active segment is closed without index files (FileStore.closeActive): nothing is amiss.
    const expected = nextBase === undefined && offsets === undefined && times === undefined && !indexedAtClose(size);
    if (size > 0 && !expected) this.logger.info({ dir: this.dir, baseOffset }, 'rebuilding missing or corrupt segment index');
    const loaded = this.scanInto(baseOffset, paths, fd, size, Infinity);
    if (nextBase !== undefined) this.saveIndex(loaded.segment);
    return loaded;
  }

  /**
   * The last segment after a clean shutdown: its index files, plus the batches after the last
   * index entry (framing only) for the end offset. Undefined when those do not end the file cleanly.
   */
  private loadIndexedTail(baseOffset: number, paths: SegmentPaths, fd: number, size: number, index: SegmentIndex): Segment | undefined {
    const from = index.lastOffsetEntry() ?? { offset: baseOffset, position: 0 };
    const batches: BatchInfo[] = [];
    const scan = scanSegmentFile(fd, size, from, Infinity, (b) => batches.push(b));
    if (scan.problem !== undefined) return undefined;
    const segment = new Segment(baseOffset, this.store(paths, fd, size, true), this.now, { index, nextOffset: from.offset });
    for (const b of batches) segment.track(b, b.position, this.config.indexIntervalBytes);
    return segment;
  }

  /** A segment written past the recovery point: check it from there on and rebuild its indexes. */
  private recover(baseOffset: number, paths: SegmentPaths, fd: number, size: number, last: boolean): Loaded {
    unlinkQuietly(paths.index);
    unlinkQuietly(paths.timeIndex);
    const loaded = this.scanInto(baseOffset, paths, fd, size, this.recoveryPoint, true);
    for (const b of loaded.batches) addNewerEpoch(this.recoveredEpochs, b);
    this.recovery.segments++;
    this.recovery.readBytes += size;
    if (!last) this.saveIndex(loaded.segment);
    return loaded;
  }

  /**
   * Walks the whole file, checking CRCs of batches ending at or after `crcFromOffset`; cuts a bad
   * tail. With `sync`, makes what it read and cut durable (recovery: so that the recovery point can
   * move to the log end) before the descriptor goes to the open-file bound.
   */
  private scanInto(baseOffset: number, paths: SegmentPaths, fd: number, size: number, crcFromOffset: number, sync = false): Loaded & { batches: readonly BatchInfo[] } {
    const batches: BatchInfo[] = [];
    const scan = scanSegmentFile(fd, size, { position: 0, offset: baseOffset }, crcFromOffset, (b) => batches.push(b));
    this.recovery.checkedBytes += scan.checkedBytes;
    if (scan.problem !== undefined) {
      ftruncateSync(fd, scan.validBytes);
      this.recovery.truncatedBytes += size - scan.validBytes;
      this.logger.warn(
        { dir: this.dir, baseOffset, problem: scan.problem, keptBytes: scan.validBytes, droppedBytes: size - scan.validBytes },
        'truncated segment to its last valid batch',
      );
    }
    if (sync) fdatasyncSync(fd);
    const segment = new Segment(baseOffset, this.store(paths, fd, scan.validBytes), this.now);
    for (const b of batches) segment.track(b, b.position, this.config.indexIntervalBytes);
    return { segment, truncated: scan.problem !== undefined, batches };
  }

  /** Saves the rebuilt indexes of a segment that takes no more appends. */
  private saveIndex(segment: Segment): void {
    segment.seal().catch((err: unknown) => this.logger.warn({ err, dir: this.dir, baseOffset: segment.baseOffset }, 'saving rebuilt index failed'));
  }

  private finishRecovery(savedRecoveryPoint: number, logEndOffset: number): void {
    if (this.recovery.readBytes === 0) return;
    this.logger.info({ dir: this.dir, recoveryPoint: savedRecoveryPoint, logEndOffset, ...this.recovery }, 'recovered log');
  }

  private removeSegments(bases: readonly number[], from: number, reason: string): void {
    for (let i = from; i < bases.length; i++) {
      const paths = segmentPaths(this.dir, bases[i]!);
      [paths.log, paths.index, paths.timeIndex].forEach(unlinkQuietly);
      this.logger.warn({ dir: this.dir, baseOffset: bases[i] }, reason);
    }
  }

  private store(paths: SegmentPaths, fd: number, size: number, indexSaved = false): FileStore {
    return new FileStore(paths, this.files.file(paths.log, fd), size, this.queue, this.tail, this.slabs, indexSaved);
  }

  /** Leader-epoch history from the batches themselves, when the checkpoint is missing. */
  private rebuildEpochs(segments: readonly Segment[]): EpochEntry[] {
    const entries: EpochEntry[] = [];
    for (const segment of segments) {
      const fd = openSync(segmentPaths(this.dir, segment.baseOffset).log, 'r');
      try {
        scanSegmentFile(fd, segment.size, { position: 0, offset: segment.baseOffset }, Infinity, (b) => addNewerEpoch(entries, b));
      } finally {
        closeSync(fd);
      }
    }
    if (entries.length > 0) this.saveEpochs(entries, 'saving rebuilt epochs failed');
    return entries;
  }

  /** The saved history, with the newer epochs recovered batches start (saved again if there are any). */
  private withRecoveredEpochs(saved: EpochEntry[]): EpochEntry[] {
    const latest = saved.length === 0 ? -1 : saved[saved.length - 1]!.epoch;
    const newer = this.recoveredEpochs.filter((e) => e.epoch > latest);
    if (newer.length === 0) return saved;
    const entries = [...saved, ...newer];
    this.logger.info({ dir: this.dir, epochs: newer }, 'recovered leader epochs missing from the checkpoint');
    this.saveEpochs(entries, 'saving recovered epochs failed');
    return entries;
  }

  private saveEpochs(entries: readonly EpochEntry[], failure: string): void {
    writeEpochCheckpoint(this.dir, entries).catch((err: unknown) => this.logger.warn({ err, dir: this.dir }, failure));
  }
}

/** Opens (creating if needed) the partition log stored in `dir`, recovering it first. */
export function openFileLog(dir: string, config: LogConfig, logger: Logger, options: FileLogOptions = {}): SegmentedLog {
  return new FileLogOpener(dir, config, logger, options).open();
}
