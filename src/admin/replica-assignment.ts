// Kafka's checks of a manual replica assignment (CreateTopics assignments, CreatePartitions
// assignments, reassignment targets) and of a replication factor against the registered brokers
// (the cluster view's).
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';

/**
 * Throws INVALID_REPLICA_ASSIGNMENT with Kafka's message when the replica list is empty, names a
 * broker not registered, repeats a broker, or (when given) differs from `replicationFactor`.
 */
export function checkReplicaAssignment(brokerIds: readonly number[], registered: readonly number[], replicationFactor?: number): void {
  if (brokerIds.length === 0) {
    throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.');
  }
  const sorted = [...brokerIds].sort((a, b) => a - b);
  sorted.forEach((id, i) => {
    if (!registered.includes(id)) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${id}, but no such broker is registered.`);
    }
    if (i > 0 && sorted[i - 1] === id) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes the broker ${id} more than once.`);
    }
  });
  if (replicationFactor !== undefined && sorted.length !== replicationFactor) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `The manual partition assignment includes a partition with ${sorted.length} replica(s), but this is not consistent with previous partitions, which have ${replicationFactor} replica(s).`,
    );
  }
}

/** Kafka's refusal of a replication factor above the number of registered brokers. */
export function checkReplicationFactor(replicationFactor: number, registeredBrokers: number): void {
  if (replicationFactor <= registeredBrokers) return;
  throw new KafkaError(
    ErrorCode.INVALID_REPLICATION_FACTOR,
    `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${registeredBrokers} broker(s) are registered or some brokers have all their log directories cordoned.`,
  );
}

/**
 * The replicas of new partitions without a manual assignment (CreateTopics, auto-creation with
 * default.replication.factor): spread over the registered brokers, or INVALID_REPLICATION_FACTOR
 * when there are fewer brokers than `replicationFactor`.
 */
export function placeReplicas(brokerIds: readonly number[], partitions: number, replicationFactor: number): number[][] {
  checkReplicationFactor(replicationFactor, brokerIds.length);
  return assignReplicas(brokerIds, partitions, replicationFactor);
}

/**
 * Replica lists for `partitions` new partitions with `replicationFactor` replicas each, spread
 * round-robin over the brokers (Kafka's placement without racks; the first is the preferred leader),
 * starting at partition index `firstPartition`.
 */
export function assignReplicas(brokerIds: readonly number[], partitions: number, replicationFactor: number, firstPartition = 0): number[][] {
  const brokers = [...brokerIds].sort((a, b) => a - b);
  return Array.from({ length: partitions }, (_, i) =>
    Array.from({ length: replicationFactor }, (_, r) => brokers[(firstPartition + i + r) % brokers.length]!),
  );
}
