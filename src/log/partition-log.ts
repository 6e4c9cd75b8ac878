// The storage contract of one topic-partition, small enough for any backend (memory, files,
// later PostgreSQL) to implement. Record batches (magic v2) are stored and returned as bytes.
import type { EpochEndOffset } from './leader-epochs.js';
import type { LogConfig } from './log-config.js';
import type { Segment } from './segment.js';
import type { SnapshotStore } from './snapshot-store.js';

export interface AppendMeta {
  /** Partition leader epoch stamped into every appended batch (ignored with asFollower). */
  leaderEpoch: number;
  /** Batches replicated from the leader: stored with their offsets and leader epochs as they are. */
  asFollower?: boolean;
  /** Broker clock for LogAppendTime and segment.ms; defaults to Date.now(). */
  now?: number;
  /** The caller already checked every batch's CRC (Produce does): skip the second pass. */
  crcVerified?: boolean;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** The broker timestamp given to the batches under LogAppendTime, else -1. */
  logAppendTime: number;
  logStartOffset: number;
}

export interface ReadOptions {
  /** Exclusive upper bound on batch base offsets: the high watermark (default) or a last stable offset. */
  maxOffset?: number;
  /** Return the first batch even if it exceeds maxBytes (default true; Kafka's minOneMessage). */
  minOneBatch?: boolean;
  /**
   * Memory of at least `bytes` for bytes read from a file or copied from its in-memory tail (a
   * fetch response's, reused once it is written); by default each read gets a new buffer.
   */
  buffer?: (bytes: number) => Buffer;
}

export interface ReadResult {
  /** Stored batch bytes, in order, starting with the batch holding the fetch offset. */
  chunks: Buffer[];
  bytes: number;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
}

/** Where an offset is stored (Kafka's LogOffsetMetadata): a segment, by its base offset, and a byte position in it. */
export interface LogPosition {
  segmentBaseOffset: number;
  position: number;
}

export interface TimestampOffset {
  offset: number;
  timestamp: number;
}

/** Called with the new high watermark each time it advances (appended data becomes readable). */
export type AppendListener = (highWatermark: number) => void;

/** A change of the log's segments: a roll (a new active segment from `baseOffset`) or a higher log start (retention, DeleteRecords). */
export type SegmentChange = { kind: 'rolled'; baseOffset: number } | { kind: 'logStartAdvanced'; logStartOffset: number };
export type SegmentChangeListener = (change: SegmentChange) => void;

/** What the log cleaner keeps of a log across restarts. */
export interface CleanerCheckpoint {
  firstDirtyOffset: number;
  /** Earliest delete horizon (ms) of the tombstones and markers left after the last cleaning, -1 when none. */
  nextDeleteHorizon: number;
}

/** Fault injection (src/faults/): held appends wait for `wait()` after their write, as if the disk were slow to acknowledge it. */
export interface WriteHold {
  wait(): Promise<void>;
}

export interface PartitionLog {
  readonly logStartOffset: number;
  /** Next offset to assign. */
  readonly logEndOffset: number;
  /**
   * Offsets below it are committed and readable by consumers. The log never moves it on its own
   * (the partition layer does, src/replica/partition.ts): it starts at the log end offset when
   * the log opens and only truncation lowers it.
   */
  readonly highWatermark: number;
  /** Bytes stored. */
  readonly size: number;
  /** Offsets below it are durably written (moved by flushes and segment rolls); recovery after a crash checks only what follows. */
  readonly recoveryPoint: number;
  readonly config: Readonly<LogConfig>;

  /** Applies new settings; rolling and retention use them from the next append or retention pass. */
  setConfig(config: LogConfig): void;
  /**
   * Appends one or more concatenated v2 batches. The log assigns offsets, patches each batch's
   * baseOffset and partitionLeaderEpoch in place and takes ownership of `batches`.
   * Throws LogError: CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, KAFKA_STORAGE_ERROR.
   */
  append(batches: Buffer, meta: AppendMeta): Promise<AppendResult>;
  /** Raises the high watermark to `offset` (capped at the log end offset) and tells onAppend listeners; returns the high watermark. */
  advanceHighWatermark(offset: number): number;
  /** A new leader epoch starts at the log end offset (a new leader's, before its first append). */
  assignLeaderEpoch(epoch: number): void;
  /**
   * Whole batches from the one holding `fetchOffset`, up to `maxBytes` (the first batch is
   * always included unless minOneBatch is false). OFFSET_OUT_OF_RANGE outside [logStart, logEnd].
   */
  read(fetchOffset: number, maxBytes: number, opts?: ReadOptions): Promise<ReadResult>;
  /**
   * Where the batch holding `offset` starts (past a gap compaction left, where the next batch
   * starts; at the log end offset, where the next batch will go). A waiting fetch measures the
   * bytes it could read as the distance between two positions in one segment, as Kafka does.
   */
  positionOf(offset: number): Promise<LogPosition>;
  /** First batch with max timestamp >= `timestamp`: its base offset (not below log start) and max timestamp. */
  offsetForTimestamp(timestamp: number): Promise<TimestampOffset | undefined>;
  /** The largest timestamp in the log and the offset that carries it. */
  maxTimestampOffset(): Promise<TimestampOffset | undefined>;
  /** OffsetForLeaderEpoch: the end offset of `epoch` (-1/-1 when unknown). */
  endOffsetForEpoch(epoch: number): EpochEndOffset;
  readonly latestEpoch: number;
  /** DeleteRecords: moves the log start up to `offset` (<= high watermark); returns the new log start. */
  deleteRecordsBefore(offset: number): Promise<number>;
  /** Deletes segments past retention.ms / retention.bytes; returns how many were deleted. */
  applyRetention(now?: number): Promise<number>;
  /** Removes every batch from the one holding `offset` on, and the leader epochs starting at or past the new log end. */
  truncateTo(offset: number): Promise<void>;
  /** Subscribes to high watermark advances (new readable data); returns the unsubscribe function. */
  onAppend(listener: AppendListener): () => void;
  /** Subscribes to segment rolls and log start moves (called synchronously); returns the unsubscribe function. */
  onSegmentChange(listener: SegmentChangeListener): () => void;
  /** Snapshots of state derived from this log (producer state), kept by the backend beside the segments. */
  readonly snapshots: SnapshotStore;
  /** Makes appends wait on `hold` once written, until the returned function removes it; reads go on. */
  holdWrites(hold: WriteHold): () => void;
  /** Waits for pending writes and makes them durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly isClosed: boolean;

  // For the log cleaner (log-cleaner.ts), the same for every backend.
  /** Where the part of the log not yet compacted starts (the cleaner checkpoint). */
  readonly firstDirtyOffset: number;
  /** When the earliest tombstone or marker the cleaner left becomes removable, -1 when none. */
  readonly nextDeleteHorizon: number;
  /** Saves the cleaner checkpoint durably (a restart resumes both the dirty section and pending removals). */
  saveCleanerCheckpoint(checkpoint: CleanerCheckpoint): Promise<void>;
  /** Runs `work` with no retention, DeleteRecords, truncation or other such work on this log meanwhile. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Every segment but the active one, oldest first. */
  sealedSegments(): readonly Segment[];
  /** An empty segment for the cleaner to fill; nothing reads it until replaceSegments. */
  createCleanedSegment(baseOffset: number, now: number): Segment;
  /** Atomically (also across crashes) replaces consecutive sealed segments by a cleaned one covering their offsets. */
  replaceSegments(old: readonly Segment[], cleaned: Segment): Promise<void>;
}
