// A broker's __transaction_state as a test writes to it directly (to stage a state the coordinator
// would have written, e.g. PrepareCommit before a crash).
import type { Broker } from '../../src/broker.js';
import { TxnStateLog } from '../../src/txn/txn-state-log.js';

export function stateLogOf(broker: Broker): TxnStateLog {
  return new TxnStateLog({
    topics: broker.topics,
    replicas: broker.replicas,
    partitions: 50,
    replicationFactor: 1,
    minIsr: 1,
    segmentBytes: 1 << 20,
    liveBrokers: () => broker.cluster.brokerIds(),
    writeTimeoutMs: 5_000,
    log: broker.log,
  });
}
