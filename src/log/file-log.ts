// The file backend of one partition: opens <dataDir>/<topic>-<partition>/ laid out like Kafka
// (<base>.log, .index, .timeindex, <offset>.snapshot, leader-epoch-checkpoint, plus log-start-offset) and recovers it.
// Recovery: the active segment (and earlier ones while the later are empty, since writes are
// serialized) is scanned with CRC checks and cut back to its last whole valid batch; sealed
// segments load their index files, rebuilt by a scan when missing or inconsistent.
// Open-time I/O is synchronous (startup or topic creation); appends and reads are asynchronous.
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { readIfExists } from './atomic-file.js';
import type { BatchInfo } from './batch-scan.js';
import { readEpochCheckpoint, readLogStartCheckpoint, writeEpochCheckpoint, writeLogStartCheckpoint } from './checkpoints.js';
import { FileStore, segmentPaths, type SegmentPaths } from './file-store.js';
import type { EpochEntry } from './leader-epochs.js';
import type { LogConfig } from './log-config.js';
import { SegmentIndex } from './segment-index.js';
import { scanSegmentFile } from './segment-recovery.js';
import { Segment } from './segment.js';
import { SegmentedLog } from './segmented-log.js';
import { FileSnapshotStore } from './file-snapshot-store.js';
import { WriteQueue } from './write-queue.js';

export interface FileLogOptions {
  /** Bytes of recent appends each partition keeps in memory for tail fetches (default 1 MiB). */
  tailCacheBytes?: number;
}

const SEGMENT_FILE = /^(\d{20})\.log$/;

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

class FileLogOpener {
  private readonly queue = new WriteQueue();
  private readonly now = Date.now();
  private readonly tailCacheBytes: number;

  constructor(
    private readonly dir: string,
    private readonly config: LogConfig,
    private readonly logger: Logger,
    options: FileLogOptions,
  ) {
    this.tailCacheBytes = options.tailCacheBytes ?? 1024 * 1024;
  }

  open(): SegmentedLog {
    mkdirSync(this.dir, { recursive: true });
    const names = readdirSync(this.dir);
    for (const name of names) if (name.endsWith('.tmp')) unlinkQuietly(join(this.dir, name));
    const bases = names.flatMap((n) => SEGMENT_FILE.exec(n)?.[1] ?? []).map(Number).sort((a, b) => a - b);
    const logStartCheckpoint = readLogStartCheckpoint(this.dir);
    const segments = bases.length === 0 ? [this.createSegment(logStartCheckpoint, this.now)] : this.loadSegments(bases);
    const epochs = readEpochCheckpoint(this.dir) ?? this.rebuildEpochs(segments);
    return new SegmentedLog({
      segments,
      logStartOffset: logStartCheckpoint,
      epochs,
      config: this.config,
      logger: this.logger,
      snapshots: new FileSnapshotStore(this.dir, names),
      backend: {
        createSegment: (baseOffset, now) => this.createSegment(baseOffset, now),
        saveLogStartOffset: (offset) => writeLogStartCheckpoint(this.dir, offset),
        saveEpochs: (entries, durable) => writeEpochCheckpoint(this.dir, entries, durable),
      },
    });
  }

  createSegment(baseOffset: number, now: number): Segment {
    const paths = segmentPaths(this.dir, baseOffset);
    unlinkQuietly(paths.index);
    unlinkQuietly(paths.timeIndex);
    const fd = openSync(paths.log, 'w+');
    return new Segment(baseOffset, new FileStore(paths, fd, 0, this.queue, this.tailCacheBytes), now);
  }

  private loadSegments(bases: number[]): Segment[] {
    const fds = bases.map((base) => openSync(segmentPaths(this.dir, base).log, 'r+'));
    // Writes are serialized, so a torn write can only sit in the last non-empty segment.
    let active = bases.length - 1;
    while (active > 0 && fstatSync(fds[active]!).size === 0) active--;
    for (let i = active + 1; i < bases.length; i++) {
      closeSync(fds[i]!);
      const paths = segmentPaths(this.dir, bases[i]!);
      [paths.log, paths.index, paths.timeIndex].forEach(unlinkQuietly);
      this.logger.warn({ dir: this.dir, baseOffset: bases[i] }, 'removed empty segment after the last written one');
    }
    const segments: Segment[] = [];
    for (let i = 0; i < active; i++) segments.push(this.loadSealed(bases[i]!, fds[i]!, bases[i + 1]!));
    segments.push(this.recoverActive(bases[active]!, fds[active]!));
    return segments;
  }

  /** A segment that no longer takes appends: trust its index files if they are consistent. */
  private loadSealed(baseOffset: number, fd: number, nextOffset: number): Segment {
    const paths = segmentPaths(this.dir, baseOffset);
    const size = fstatSync(fd).size;
    const offsets = readIfExists(paths.index);
    const times = readIfExists(paths.timeIndex);
    const index = offsets && times ? SegmentIndex.parse(baseOffset, offsets, times, size) : undefined;
    if (index !== undefined) {
      return new Segment(baseOffset, this.store(paths, fd, size), this.now, { index, nextOffset });
    }
    this.logger.info({ dir: this.dir, baseOffset }, 'rebuilding missing or corrupt segment index');
    const segment = this.scanInto(baseOffset, paths, fd, size, false);
    segment.seal().catch((err: unknown) => this.logger.warn({ err, dir: this.dir, baseOffset }, 'saving rebuilt index failed'));
    return segment;
  }

  /** The active segment: check every batch and cut a torn or corrupt tail. */
  private recoverActive(baseOffset: number, fd: number): Segment {
    const paths = segmentPaths(this.dir, baseOffset);
    unlinkQuietly(paths.index);
    unlinkQuietly(paths.timeIndex);
    return this.scanInto(baseOffset, paths, fd, fstatSync(fd).size, true);
  }

  private scanInto(baseOffset: number, paths: SegmentPaths, fd: number, size: number, checkCrc: boolean): Segment {
    const batches: BatchInfo[] = [];
    const scan = scanSegmentFile(fd, size, baseOffset, checkCrc, (b) => batches.push(b));
    if (scan.problem !== undefined) {
      ftruncateSync(fd, scan.validBytes);
      this.logger.warn(
        { dir: this.dir, baseOffset, problem: scan.problem, keptBytes: scan.validBytes, droppedBytes: size - scan.validBytes },
        'truncated segment to its last valid batch',
      );
    }
    const segment = new Segment(baseOffset, this.store(paths, fd, scan.validBytes), this.now);
    for (const b of batches) segment.track(b, b.position, this.config.indexIntervalBytes);
    return segment;
  }

  private store(paths: SegmentPaths, fd: number, size: number): FileStore {
    return new FileStore(paths, fd, size, this.queue, this.tailCacheBytes);
  }

  /** Leader-epoch history from the batches themselves, when the checkpoint is missing. */
  private rebuildEpochs(segments: readonly Segment[]): EpochEntry[] {
    const entries: EpochEntry[] = [];
    for (const segment of segments) {
      const fd = openSync(segmentPaths(this.dir, segment.baseOffset).log, 'r');
      try {
        scanSegmentFile(fd, segment.size, segment.baseOffset, false, (b) => {
          if (b.leaderEpoch >= 0 && (entries.length === 0 || b.leaderEpoch > entries[entries.length - 1]!.epoch)) {
            entries.push({ epoch: b.leaderEpoch, startOffset: b.baseOffset });
          }
        });
      } finally {
        closeSync(fd);
      }
    }
    if (entries.length > 0) {
      writeEpochCheckpoint(this.dir, entries).catch((err: unknown) => this.logger.warn({ err, dir: this.dir }, 'saving rebuilt epochs failed'));
    }
    return entries;
  }
}

/** Opens (creating if needed) the partition log stored in `dir`, recovering it first. */
export function openFileLog(dir: string, config: LogConfig, logger: Logger, options: FileLogOptions = {}): SegmentedLog {
  return new FileLogOpener(dir, config, logger, options).open();
}
