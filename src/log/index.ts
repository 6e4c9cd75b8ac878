// The log engine's public surface: what the broker and API handlers import.
export { LogError } from './errors.js';
export type { EpochEndOffset } from './leader-epochs.js';
export { DEFAULT_LOG_CONFIG, logConfigFrom, type LogConfig, type TimestampType } from './log-config.js';
export { FileStorage } from './file-storage.js';
export { MemoryStorage } from './memory-storage.js';
export type { LogStorage, TopicLogs } from './log-storage.js';
export { MemoryLog } from './memory-log.js';
export { openFileLog } from './file-log.js';
export type { SnapshotStore } from './snapshot-store.js';
export type {
  AppendListener,
  AppendMeta,
  AppendResult,
  LogPosition,
  PartitionLog,
  ReadOptions,
  ReadResult,
  SegmentChange,
  SegmentChangeListener,
  TimestampOffset,
} from './partition-log.js';
