// KIP-890's check of a transactional write at a partition leader: the batch's producer must be
// the current one of its transactional id, with the partition in its open transaction. The
// transaction coordinator answers: this broker's own when it coordinates the id, else the
// coordinator's broker, asked with AddPartitionsToTxn v4 `verify_only` (Kafka's
// AddPartitionsToTxnManager). What a producer should retry — the coordinator moving, loading,
// busy or out of reach — is answered NOT_ENOUGH_REPLICAS, a retriable produce error, as Kafka
// maps it for produce.
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
  cluster: ClusterView;
  connections: BrokerConnections;
  coordinator: () => TxnCoordinator;
}

export class TxnVerifier {
  constructor(private readonly o: TxnVerifierOptions) {}

  /**
   * Adds partitions to the producer's transaction at its coordinator, wherever it is. Throws the
   * coordinator's error as it answered (the callers translate it for their API); a coordinator
   * that is not known or not reachable is COORDINATOR_NOT_AVAILABLE.
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
    let code: number;
    try {
      code = await this.askWhileBusy(() => this.request(coordinatorId, VERIFY_VERSION, transactionalId, producerId, producerEpoch, true, [{ name: topic, partitions: [partition] }]));
    } catch {
      throw retry(`The coordinator of ${transactionalId} (broker ${coordinatorId}) could not be reached`);
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
   * one, else the first partition's that is not OPERATION_NOT_ATTEMPTED), or NONE. An unreachable
   * coordinator is COORDINATOR_NOT_AVAILABLE.
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
      throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `The coordinator of ${transactionalId} (broker ${coordinatorId}) could not be reached: ${String(err)}`);
    }
    if ((response.errorCode ?? ErrorCode.NONE) !== ErrorCode.NONE) return response.errorCode!;
    const codes = (response.resultsByTransaction?.[0]?.topicResults ?? []).flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode));
    if (codes.length === 0) return ErrorCode.UNKNOWN_SERVER_ERROR;
    return codes.find((c) => c !== ErrorCode.NONE && c !== ErrorCode.OPERATION_NOT_ATTEMPTED) ?? codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE;
  }
}

function retry(message: string): KafkaError {
  return new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS, message);
}
