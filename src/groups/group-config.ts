// The coordinator's settings, read once from the broker config. Keys the shared BrokerConfig does
// not carry as fields are parsed here from the explicitly set properties (or the table default).
import { brokerConfigDef } from '../config/broker-config-defs.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { parseConfigValue } from '../config/config-def.js';

export interface GroupConfig {
  initialRebalanceDelayMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  maxSize: number;
  /** group.coordinator.rebalance.protocols includes "consumer" (KIP-848). */
  consumerProtocolEnabled: boolean;
  consumerSessionTimeoutMs: number;
  consumerHeartbeatIntervalMs: number;
  consumerMaxSize: number;
  /** group.coordinator.rebalance.protocols includes "streams" (KIP-1071). */
  streamsProtocolEnabled: boolean;
  streamsSessionTimeoutMs: number;
  streamsHeartbeatIntervalMs: number;
  streamsMaxSize: number;
  streamsNumStandbyReplicas: number;
  streamsInitialRebalanceDelayMs: number;
  streamsAcceptableRecoveryLag: number;
  streamsTaskOffsetIntervalMs: number;
  offsetsRetentionMs: number;
  offsetsRetentionCheckIntervalMs: number;
  offsetMetadataMaxBytes: number;
  offsetsTopicSegmentBytes: number;
  offsetsTopicReplicationFactor: number;
  /** How long a write to __consumer_offsets waits for the ISR. */
  offsetsCommitTimeoutMs: number;
}

export function groupConfigOf(config: BrokerConfig): GroupConfig {
  const value = (key: string): unknown => parseConfigValue(brokerConfigDef(key)!.type, config.staticProps.get(key) ?? brokerConfigDef(key)!.default);
  const num = (key: string): number => value(key) as number;
  return {
    initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
    minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
    maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
    maxSize: num('group.max.size'),
    consumerProtocolEnabled: (value('group.coordinator.rebalance.protocols') as string[]).includes('consumer'),
    consumerSessionTimeoutMs: num('group.consumer.session.timeout.ms'),
    consumerHeartbeatIntervalMs: num('group.consumer.heartbeat.interval.ms'),
    consumerMaxSize: num('group.consumer.max.size'),
    streamsProtocolEnabled: (value('group.coordinator.rebalance.protocols') as string[]).includes('streams'),
    streamsSessionTimeoutMs: num('group.streams.session.timeout.ms'),
    streamsHeartbeatIntervalMs: num('group.streams.heartbeat.interval.ms'),
    streamsMaxSize: num('group.streams.max.size'),
    streamsNumStandbyReplicas: num('group.streams.num.standby.replicas'),
    streamsInitialRebalanceDelayMs: num('group.streams.initial.rebalance.delay.ms'),
    streamsAcceptableRecoveryLag: num('group.streams.acceptable.recovery.lag'),
    streamsTaskOffsetIntervalMs: num('group.streams.task.offset.interval.ms'),
    offsetsRetentionMs: config.offsetsRetentionMs,
    offsetsRetentionCheckIntervalMs: num('offsets.retention.check.interval.ms'),
    offsetMetadataMaxBytes: num('offset.metadata.max.bytes'),
    offsetsTopicSegmentBytes: num('offsets.topic.segment.bytes'),
    offsetsTopicReplicationFactor: num('offsets.topic.replication.factor'),
    offsetsCommitTimeoutMs: num('offsets.commit.timeout.ms'),
  };
}
