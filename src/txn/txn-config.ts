// Broker settings of the transaction engine that BrokerConfig does not type: read from the
// explicitly set keys, else the config table's default.
import { brokerConfigDef } from '../config/broker-config-defs.js';
import type { BrokerConfig } from '../config/broker-config.js';

function setting(config: BrokerConfig, name: string): string {
  return config.staticProps.get(name) ?? brokerConfigDef(name)?.default ?? '';
}

export interface TxnSettings {
  stateLogPartitions: number;
  stateLogSegmentBytes: number;
  stateLogReplicationFactor: number;
  stateLogMinIsr: number;
  transactionalIdExpirationMs: number;
  transactionMaxTimeoutMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms: how often timed-out transactions are aborted (and unfinished completions retried). */
  abortTimedOutIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms: how often transactional ids idle past transactionalIdExpirationMs are removed. */
  removeExpiredIdsIntervalMs: number;
  /** producer.id.expiration.check.interval.ms: how often producers idle past producer.id.expiration.ms (TxnEngineOptions) are removed. */
  producerIdExpirationCheckIntervalMs: number;
}

export function txnSettings(config: BrokerConfig): TxnSettings {
  return {
    stateLogPartitions: Number(setting(config, 'transaction.state.log.num.partitions')),
    stateLogSegmentBytes: Number(setting(config, 'transaction.state.log.segment.bytes')),
    stateLogReplicationFactor: Number(setting(config, 'transaction.state.log.replication.factor')),
    stateLogMinIsr: Number(setting(config, 'transaction.state.log.min.isr')),
    transactionalIdExpirationMs: config.transactionalIdExpirationMs,
    transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
    abortTimedOutIntervalMs: config.transactionAbortTimedOutTransactionCleanupIntervalMs,
    removeExpiredIdsIntervalMs: Number(setting(config, 'transaction.remove.expired.transaction.cleanup.interval.ms')),
    producerIdExpirationCheckIntervalMs: Number(setting(config, 'producer.id.expiration.check.interval.ms')),
  };
}
