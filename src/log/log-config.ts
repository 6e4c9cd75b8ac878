// Per-partition log settings (Kafka topic configs) as typed values, and their derivation from
// string overrides. Validation with Kafka's messages lives in src/config; this only converts.
import { ErrorCode } from '../../protocol/errors.js';
import { LogError } from './errors.js';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface LogConfig {
  /** segment.bytes: roll the active segment before it would exceed this size. */
  segmentBytes: number;
  /** segment.ms: roll the active segment once it is this old. */
  segmentMs: number;
  /** retention.ms: delete segments whose newest timestamp is older; -1 keeps forever. */
  retentionMs: number;
  /** retention.bytes: delete oldest segments while the log stays above this size; -1 = no limit. */
  retentionBytes: number;
  /** index.interval.bytes: bytes between two sparse index entries. */
  indexIntervalBytes: number;
  /** flush.messages: fsync after this many unflushed records. */
  flushMessages: number;
  /** flush.ms: fsync when a record has been unflushed this long. */
  flushMs: number;
  /** max.message.bytes: largest batch accepted. */
  maxMessageBytes: number;
  /** message.timestamp.type */
  timestampType: TimestampType;
  /** cleanup.policy includes "compact": the log cleaner keeps the latest record per key. */
  compact: boolean;
  /** delete.retention.ms: how long tombstones and transaction markers survive once cleaned. */
  deleteRetentionMs: number;
  /** min.compaction.lag.ms: records younger than this are not compacted. */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms: a log with older dirty records is compacted whatever its dirty ratio. */
  maxCompactionLagMs: number;
  /** min.cleanable.dirty.ratio: share of dirty bytes from which the log is compacted. */
  minCleanableDirtyRatio: number;
}

/** Kafka's "never" for flush.messages / flush.ms (Long.MAX_VALUE) as a JS number. */
export const NEVER = Number.MAX_SAFE_INTEGER;

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  flushMessages: NEVER,
  flushMs: NEVER,
  maxMessageBytes: 1048588,
  timestampType: 'CreateTime',
  compact: false,
  deleteRetentionMs: 24 * 3600 * 1000,
  minCompactionLagMs: 0,
  maxCompactionLagMs: NEVER,
  minCleanableDirtyRatio: 0.5,
});

type NumericKey = Exclude<keyof LogConfig, 'timestampType' | 'compact'>;

/** Topic config name → LogConfig field, for the numeric settings. */
const NUMERIC_KEYS: Readonly<Record<string, NumericKey>> = {
  'segment.bytes': 'segmentBytes',
  'segment.ms': 'segmentMs',
  'retention.ms': 'retentionMs',
  'retention.bytes': 'retentionBytes',
  'index.interval.bytes': 'indexIntervalBytes',
  'flush.messages': 'flushMessages',
  'flush.ms': 'flushMs',
  'max.message.bytes': 'maxMessageBytes',
  'delete.retention.ms': 'deleteRetentionMs',
  'min.compaction.lag.ms': 'minCompactionLagMs',
  'max.compaction.lag.ms': 'maxCompactionLagMs',
  'min.cleanable.dirty.ratio': 'minCleanableDirtyRatio',
};

function invalid(name: string, value: string): LogError {
  return new LogError(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${name}`);
}

/** `base` with the log-related topic configs in `overrides` applied; other keys are ignored. */
export function logConfigFrom(overrides: Readonly<Record<string, string>>, base: Readonly<LogConfig>): LogConfig {
  const config: LogConfig = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    const key = NUMERIC_KEYS[name];
    if (key !== undefined) {
      const n = Number(value.trim());
      const integral = key !== 'minCleanableDirtyRatio';
      if (value.trim() === '' || !Number.isFinite(n) || (integral && !Number.isInteger(n))) throw invalid(name, value);
      config[key] = Math.min(n, NEVER);
    } else if (name === 'message.timestamp.type') {
      if (value !== 'CreateTime' && value !== 'LogAppendTime') throw invalid(name, value);
      config.timestampType = value;
    } else if (name === 'cleanup.policy') {
      const policies = value.split(',').map((v) => v.trim());
      if (policies.some((v) => v !== 'compact' && v !== 'delete')) throw invalid(name, value);
      config.compact = policies.includes('compact');
    }
  }
  return config;
}
