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
  producerIdExpirationMs: number;
  /** How often timed-out transactions are aborted (and expired ids and producers removed). */
  checkIntervalMs: number;
  /** KIP-890: transactional writes must target partitions added to the transaction. */
  verifyPartitions: boolean;
}

export function txnSettings(config: BrokerConfig): TxnSettings {
  return {
    stateLogPartitions: Number(setting(config, 'transaction.state.log.num.partitions')),
    stateLogSegmentBytes: Number(setting(config, 'transaction.state.log.segment.bytes')),
    stateLogReplicationFactor: Number(setting(config, 'transaction.state.log.replication.factor')),
    stateLogMinIsr: Number(setting(config, 'transaction.state.log.min.isr')),
    transactionalIdExpirationMs: config.transactionalIdExpirationMs,
    transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
    producerIdExpirationMs: config.producerIdExpirationMs,
    checkIntervalMs: config.transactionAbortTimedOutTransactionCleanupIntervalMs,
    verifyPartitions: setting(config, 'transaction.partition.verification.enable') !== 'false',
  };
}
