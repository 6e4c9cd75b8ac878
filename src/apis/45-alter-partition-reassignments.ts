// AlterPartitionReassignments (key 45), versions 0-1 (flexible): per partition a target replica
// list to move to, or null to cancel an ongoing move. v1: allow_replication_factor_change
// (KIP-860), echoed back; when false a target of another size than the partition's replica list
// is refused INVALID_REPLICATION_FACTOR, after the brokers are checked, as Kafka's controller does.
// Creek is one node, every partition's replicas are [this node] and no move is ever in progress.
// A target is checked as Kafka's controller checks a manual assignment (empty, a broker other than
// this node, a broker twice → INVALID_REPLICA_ASSIGNMENT); [this node] → NONE (nothing to move).
// Cancel → NO_REASSIGNMENT_IN_PROGRESS. Unknown topic or partition → UNKNOWN_TOPIC_OR_PARTITION.
import { ErrorCode } from '../../protocol/errors.js';
import { checkReplicaAssignment } from '../admin/replica-assignment.js';
import { errorCodeOf, errorMessageOf } from '../kafka-error.js';
import type { Topic } from '../topics/topic-registry.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

interface PartitionResult {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}

function alter(name: string, topic: Topic | undefined, partitionIndex: number, replicas: number[] | null, brokerIds: readonly number[], requiredFactor: number | null): PartitionResult {
  const refuse = (errorCode: number, errorMessage: string): PartitionResult => ({ partitionIndex, errorCode, errorMessage });
  if (topic === undefined) return refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${name}.`);
  if (partitionIndex < 0 || partitionIndex >= topic.partitions.length) {
    return refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find partition ${name}:${partitionIndex}.`);
  }
  if (replicas === null) return refuse(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, 'No partition reassignment is in progress.');
  try {
    checkReplicaAssignment(replicas, brokerIds);
  } catch (err) {
    return { partitionIndex, errorCode: errorCodeOf(err), errorMessage: errorMessageOf(err) };
  }
  if (requiredFactor !== null && requiredFactor !== replicas.length) {
    return refuse(ErrorCode.INVALID_REPLICATION_FACTOR, `The replication factor is changed from ${requiredFactor} to ${replicas.length}`);
  }
  return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null };
}

export default defineApi({
  apiKey: 45,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const { topics, cluster } = ctx.broker;
    const { allowReplicationFactorChange } = req;
    if (!ctx.authz.allows(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return { throttleTimeMs: 0, allowReplicationFactorChange, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, responses: [] };
    }
    const brokerIds = cluster.brokerIds();
    return {
      throttleTimeMs: 0,
      allowReplicationFactorChange,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses: req.topics.map(({ name, partitions }) => {
        const topic = topics.get(name);
                // Without allow_replication_factor_change the target keeps the partition's replication factor.
        const requiredFactor = (index: number): number | null => (allowReplicationFactorChange ? null : (cluster.partitionState(name, index)?.replicas.length ?? null));
        return { name, partitions: partitions.map((p) => alter(name, topic, p.partitionIndex, p.replicas, brokerIds, requiredFactor(p.partitionIndex))) };
      }),
    };
  },
});
