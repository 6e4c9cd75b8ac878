// The effective, typed configuration of one topic, for the engines (log retention and rolling,
// produce checks): each topic config resolved from the topic's overrides and the broker's layers.
// Kafka's Long.MAX_VALUE ("never") reads as Number.MAX_SAFE_INTEGER.
import { parseConfigValue } from './config-def.js';
import { describeTopicConfigs, type BrokerConfigLayers } from './describe-configs.js';
import { topicConfigDef } from './topic-config.js';

export type CompressionType = 'uncompressed' | 'zstd' | 'lz4' | 'snappy' | 'gzip' | 'producer';

export interface TopicLogConfig {
  compact: boolean;
  delete: boolean;
  compressionType: CompressionType;
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
  segmentMs: number;
  segmentJitterMs: number;
  segmentIndexBytes: number;
  indexIntervalBytes: number;
  maxMessageBytes: number;
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  messageTimestampBeforeMaxMs: number;
  messageTimestampAfterMaxMs: number;
  minInsyncReplicas: number;
  deleteRetentionMs: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
  minCleanableDirtyRatio: number;
  fileDeleteDelayMs: number;
  flushMessages: number;
  flushMs: number;
  preallocate: boolean;
}

export function topicLogConfig(overrides: ReadonlyMap<string, string>, layers: BrokerConfigLayers): TopicLogConfig {
  const values = new Map(describeTopicConfigs(overrides, layers).map((c) => [c.name, c.value]));
  const get = <T>(name: string): T => parseConfigValue(topicConfigDef(name)!.type, values.get(name) ?? null) as T;
  const policy = get<string[]>('cleanup.policy');
  return {
    compact: policy.includes('compact'),
    delete: policy.includes('delete'),
    compressionType: get('compression.type'),
    retentionMs: get('retention.ms'),
    retentionBytes: get('retention.bytes'),
    segmentBytes: get('segment.bytes'),
    segmentMs: get('segment.ms'),
    segmentJitterMs: get('segment.jitter.ms'),
    segmentIndexBytes: get('segment.index.bytes'),
    indexIntervalBytes: get('index.interval.bytes'),
    maxMessageBytes: get('max.message.bytes'),
    messageTimestampType: get('message.timestamp.type'),
    messageTimestampBeforeMaxMs: get('message.timestamp.before.max.ms'),
    messageTimestampAfterMaxMs: get('message.timestamp.after.max.ms'),
    minInsyncReplicas: get('min.insync.replicas'),
    deleteRetentionMs: get('delete.retention.ms'),
    minCompactionLagMs: get('min.compaction.lag.ms'),
    maxCompactionLagMs: get('max.compaction.lag.ms'),
    minCleanableDirtyRatio: get('min.cleanable.dirty.ratio'),
    fileDeleteDelayMs: get('file.delete.delay.ms'),
    flushMessages: get('flush.messages'),
    flushMs: get('flush.ms'),
    preallocate: get('preallocate'),
  };
}
