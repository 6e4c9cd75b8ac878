// KIP-890's check of a transactional write at a partition leader, or of a TxnOffsetCommit at the
// group coordinator: the producer must be the current one of its transactional id, with the
// partition in its open transaction. The transaction coordinator answers: this broker's own when
// it coordinates the id, else the coordinator's broker, asked with AddPartitionsToTxn v4
// `verify_only` (Kafka's AddPartitionsToTxnManager). `verify` throws the error that manager hands
// its callers, which translate it for their API as Kafka's do: Produce answers what a producer
// should retry (the coordinator moving, loading, busy or out of reach) NOT_ENOUGH_REPLICAS
// (produceVerificationError); the group coordinator answers most of them as they are.
// Under transaction.version 2 the leader (Produce v12) or group coordinator (TxnOffsetCommit v5)
// adds the partitions to the transaction itself: `add` asks the same coordinator with
// AddPartitionsToTxn v5 without `verify_only`.
import { ErrorCode } from '../../protocol/errors.js';
import type { ClusterView } from '../cluster/cluster-view.js';
import { KafkaError } from '../kafka-error.js';
import type { BrokerConnections } from '../replica/broker-connections.js';
import type { TxnCoordinator } from './txn-coordinator.js';

/** AddPartitionsToTxn v4: the first version with the brokers' batched, verify-only form. */
const VERIFY_VERSION = 4;
/** AddPartitionsToTxn v5: what a transaction.version 2 broker sends to add partitions (KIP-890 part 2). */
const ADD_VERSION = 5;
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
  cluster: Pick<ClusterView, 'coordinatorFor' | 'brokerIds'>;
  connections: Pick<BrokerConnections, 'send'>;
  /** This broker's transaction coordinator. */
  coordinator: () => Pick<TxnCoordinator, 'ownerError' | 'addPartitions' | 'checkInTransaction'>;
}

export class TxnVerifier {
  constructor(private readonly o: TxnVerifierOptions) {}

  /**
   * Adds partitions to the producer's transaction at its coordinator, wherever it is. Throws the
   * coordinator's error as it answered (the callers translate it for their API); a coordinator
   * that is not known is COORDINATOR_NOT_AVAILABLE, one not reachable or not answering in time
   * NETWORK_EXCEPTION (Kafka's AddPartitionsToTxnManager on a disconnect or timeout).
   */
  async add(transactionalId: string, producerId: number, producerEpoch: number, partitions: ReadonlyMap<string, readonly number[]>): Promise<void> {
    const coordinator = this.o.coordinator();
    const owner = coordinator.ownerError(transactionalId);
    if (owner === ErrorCode.NONE) return coordinator.addPartitions(transactionalId, producerId, producerEpoch, partitions);
    const coordinatorId = this.o.cluster.coordinatorFor('transaction', transactionalId);
    if (owner !== ErrorCode.NOT_COORDINATOR) throw new KafkaError(owner, `The coordinator of ${transactionalId} is loading`);
    if (coordinatorId < 0 || coordinatorId === this.o.localId) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `The coordinator of ${transactionalId} is not available yet`);
    const topics = [...partitions].map(([name, ps]) => ({ name, partitions: [...ps] }));
    const code = await this.askWhileBusy(() => this.request(coordinatorId, ADD_VERSION, transactionalId, producerId, producerEpoch, false, topics));
    if (code !== ErrorCode.NONE) throw new KafkaError(code, `The coordinator of ${transactionalId} (broker ${coordinatorId}) did not add the partitions`);
  }

  /**
   * Resolves when the write belongs to the producer's open transaction. Throws otherwise, with the
   * error Kafka's AddPartitionsToTxnManager gives: INVALID_TXN_STATE for a partition outside the
   * transaction (the coordinator's TRANSACTION_ABORTABLE, which callers answer by request version),
   * INVALID_PRODUCER_EPOCH for a fenced producer, INVALID_PRODUCER_ID_MAPPING, the coordinator's
   * CONCURRENT_TRANSACTIONS, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS as it answered,
   * COORDINATOR_NOT_AVAILABLE when no live broker coordinates the id, and NETWORK_EXCEPTION when the
   * coordinator's broker could not be reached.
   */
  async verify(transactionalId: string, producerId: number, producerEpoch: number, topic: string, partition: number): Promise<void> {
    const coordinator = this.o.coordinator();
    const owner = coordinator.ownerError(transactionalId);
    if (owner === ErrorCode.NONE) {
      coordinator.checkInTransaction(transactionalId, producerId, producerEpoch, topic, partition);
      return;
    }
    if (owner !== ErrorCode.NOT_COORDINATOR) throw new KafkaError(owner, `The coordinator of ${transactionalId} is loading`);
    const coordinatorId = this.o.cluster.coordinatorFor('transaction', transactionalId);
    if (coordinatorId < 0 || coordinatorId === this.o.localId || !this.o.cluster.brokerIds().includes(coordinatorId)) {
      throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `The coordinator of ${transactionalId} is not available yet`);
    }
    const code = await this.askWhileBusy(() => this.request(coordinatorId, VERIFY_VERSION, transactionalId, producerId, producerEpoch, true, [{ name: topic, partitions: [partition] }]));
    switch (code) {
      case ErrorCode.NONE:
        return;
      case ErrorCode.PRODUCER_FENCED:
        throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, `Epoch ${producerEpoch} of producer ${producerId} is not the current epoch of ${transactionalId}`);
      case ErrorCode.TRANSACTION_ABORTABLE:
      // Kafka's manager answers a refused inter-broker request as a partition outside the transaction.
      case ErrorCode.CLUSTER_AUTHORIZATION_FAILED:
        throw new KafkaError(ErrorCode.INVALID_TXN_STATE, `Partition ${topic}-${partition} is not in the transaction of ${transactionalId} (broker ${coordinatorId})`);
      default:
        throw new KafkaError(code, `The coordinator of ${transactionalId} (broker ${coordinatorId}) refused the write to ${topic}-${partition}`);
    }
  }

  /** Asks again while the coordinator is busy with another change of the transaction, for up to BUSY_RETRY_MAX_MS. */
  private async askWhileBusy(ask: () => Promise<number>): Promise<number> {
    let code = await ask();
    const giveUpAt = Date.now() + BUSY_RETRY_MAX_MS;
    while (code === ErrorCode.CONCURRENT_TRANSACTIONS && Date.now() < giveUpAt) {
      await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_BACKOFF_MS));
      code = await ask();
    }
    return code;
  }

  /**
   * One transaction's AddPartitionsToTxn at the coordinator's broker: its first error (a top-level
   * one, else the first partition's that is not OPERATION_NOT_ATTEMPTED), or NONE. A coordinator
   * not reachable, or not answering within request.timeout.ms, is NETWORK_EXCEPTION.
   */
  private async request(coordinatorId: number, version: number, transactionalId: string, producerId: number, producerEpoch: number, verifyOnly: boolean, topics: { name: string; partitions: number[] }[]): Promise<number> {
    let response;
    try {
      response = await this.o.connections.send(coordinatorId, 24, version, {
        transactions: [{ transactionalId, producerId, producerEpoch, verifyOnly, topics }],
        v3AndBelowTransactionalId: '',
        v3AndBelowProducerId: -1,
        v3AndBelowProducerEpoch: -1,
        v3AndBelowTopics: [],
      });
    } catch (err) {
      throw new KafkaError(ErrorCode.NETWORK_EXCEPTION, `The coordinator of ${transactionalId} (broker ${coordinatorId}) could not be reached: ${String(err)}`);
    }
    if ((response.errorCode ?? ErrorCode.NONE) !== ErrorCode.NONE) return response.errorCode!;
    const codes = (response.resultsByTransaction?.[0]?.topicResults ?? []).flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode));
    if (codes.length === 0) return ErrorCode.UNKNOWN_SERVER_ERROR;
    return codes.find((c) => c !== ErrorCode.NONE && c !== ErrorCode.OPERATION_NOT_ATTEMPTED) ?? codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE;
  }
}

/**
 * Verification errors Kafka's produce path answers NOT_ENOUGH_REPLICAS: retriable for every
 * producer, old ones included, and without a metadata refresh.
 */
const PRODUCE_RETRIES = new Set<number>([
  ErrorCode.CONCURRENT_TRANSACTIONS,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
]);

/** A failure to verify or add a produced partition at the transaction coordinator, as a Produce answers it. */
export function produceVerificationError(err: unknown): unknown {
  if (!(err instanceof KafkaError) || !PRODUCE_RETRIES.has(err.errorCode)) return err;
  return new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS, `Unable to verify the partition has been added to the transaction: ${err.message}`);
}
