// Kafka's checks of a manual replica assignment (CreateTopics assignments, CreatePartitions
// assignments) on a cluster whose only registered broker is this node.
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';

/**
 * Throws INVALID_REPLICA_ASSIGNMENT with Kafka's message when the replica list is empty, names a
 * broker other than `nodeId`, repeats a broker, or (when given) differs from `replicationFactor`.
 */
export function checkReplicaAssignment(brokerIds: readonly number[], nodeId: number, replicationFactor?: number): void {
  if (brokerIds.length === 0) {
    throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.');
  }
  const sorted = [...brokerIds].sort((a, b) => a - b);
  sorted.forEach((id, i) => {
    if (id !== nodeId) {
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

/** Kafka's refusal of a replication factor this one-broker cluster cannot reach. */
export function unreachableReplicationFactor(replicationFactor: number): KafkaError {
  return new KafkaError(
    ErrorCode.INVALID_REPLICATION_FACTOR,
    `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only 1 broker(s) are registered.`,
  );
}
