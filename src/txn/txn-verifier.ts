// KIP-890's check of a transactional write at a partition leader: the batch's producer must be
// the current one of its transactional id, with the partition in its open transaction. The
// transaction coordinator answers: this broker's own when it coordinates the id, else the
// coordinator's broker, asked with AddPartitionsToTxn v4 `verify_only` (Kafka's
// AddPartitionsToTxnManager). What a producer should retry — the coordinator moving, loading,
// busy or out of reach — is answered NOT_ENOUGH_REPLICAS, a retriable produce error, as Kafka
// maps it for produce.
import { ErrorCode } from '../../protocol/errors.js';
import type { ClusterView } from '../cluster/cluster-view.js';
import { KafkaError } from '../kafka-error.js';
import type { BrokerConnections } from '../replica/broker-connections.js';
import type { TxnCoordinator } from './txn-coordinator.js';

/** AddPartitionsToTxn v4: the first version with the brokers' batched, verify-only form. */
const VERIFY_VERSION = 4;
/**
 * A coordinator busy with another change of the transaction (CONCURRENT_TRANSACTIONS: clients add
 * partitions to one transaction concurrently, one request per leader) is asked again after
 * BUSY_RETRY_BACKOFF_MS (Kafka's add.partitions.to.txn.retry.backoff.ms) for up to
 * BUSY_RETRY_MAX_MS before the producer is told to retry.
 */
const BUSY_RETRY_BACKOFF_MS = 20;
const BUSY_RETRY_MAX_MS = 1_000;

export interface TxnVerifierOptions {
  localId: number;
  cluster: ClusterView;
  connections: BrokerConnections;
  coordinator: () => TxnCoordinator;
}

export class TxnVerifier {
  constructor(private readonly o: TxnVerifierOptions) {}

  /** Resolves when the write belongs to the producer's open transaction; throws the produce error otherwise. */
  async verify(transactionalId: string, producerId: number, producerEpoch: number, topic: string, partition: number): Promise<void> {
    const coordinator = this.o.coordinator();
    const owner = coordinator.ownerError(transactionalId);
    if (owner === ErrorCode.NONE) {
      coordinator.checkInTransaction(transactionalId, producerId, producerEpoch, topic, partition);
      return;
    }
    const coordinatorId = this.o.cluster.coordinatorFor('transaction', transactionalId);
    if (owner !== ErrorCode.NOT_COORDINATOR || coordinatorId < 0 || coordinatorId === this.o.localId) throw retry(`The coordinator of ${transactionalId} is not available yet`);
    let code = await this.ask(coordinatorId, transactionalId, producerId, producerEpoch, topic, partition);
    const giveUpAt = Date.now() + BUSY_RETRY_MAX_MS;
    while (code === ErrorCode.CONCURRENT_TRANSACTIONS && Date.now() < giveUpAt) {
      await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_BACKOFF_MS));
      code = await this.ask(coordinatorId, transactionalId, producerId, producerEpoch, topic, partition);
    }
    switch (code) {
      case ErrorCode.NONE:
        return;
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
      case ErrorCode.CONCURRENT_TRANSACTIONS:
        throw retry(`The coordinator of ${transactionalId} could not verify the write now`);
      case ErrorCode.PRODUCER_FENCED:
        throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, `Epoch ${producerEpoch} of producer ${producerId} is not the current epoch of ${transactionalId}`);
      default:
        throw new KafkaError(code, `The coordinator of ${transactionalId} refused the write to ${topic}-${partition}`);
    }
  }

  /** The coordinator's answer for one partition. */
  private async ask(coordinatorId: number, transactionalId: string, producerId: number, producerEpoch: number, topic: string, partition: number): Promise<number> {
    try {
      const response = await this.o.connections.send(coordinatorId, 24, VERIFY_VERSION, {
        transactions: [{ transactionalId, producerId, producerEpoch, verifyOnly: true, topics: [{ name: topic, partitions: [partition] }] }],
        v3AndBelowTransactionalId: '',
        v3AndBelowProducerId: -1,
        v3AndBelowProducerEpoch: -1,
        v3AndBelowTopics: [],
      });
      const code = response.errorCode ?? ErrorCode.NONE;
      if (code !== ErrorCode.NONE) return code;
      return response.resultsByTransaction?.[0]?.topicResults?.[0]?.resultsByPartition[0]?.partitionErrorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    } catch {
      throw retry(`The coordinator of ${transactionalId} (broker ${coordinatorId}) could not be reached`);
    }
  }
}

function retry(message: string): KafkaError {
  return new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS, message);
}
