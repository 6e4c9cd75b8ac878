// AlterPartitionReassignments (key 45), versions 0-1 (flexible): per partition a target replica
// list to move to, or null to cancel an ongoing move (KIP-455). A target is checked as Kafka's
// controller checks a manual assignment (empty, an unknown broker, a broker twice →
// INVALID_REPLICA_ASSIGNMENT); v1: allow_replication_factor_change (KIP-860), echoed back; when
// false a target of another size than the partition's replica list is refused
// INVALID_REPLICATION_FACTOR, after the brokers are checked. An accepted target is handed to the
// controller through the cluster view, which executes it (src/cluster/reassignment.ts); the
// answer comes once it is recorded, not moved. Cancel with nothing under way →
// NO_REASSIGNMENT_IN_PROGRESS. Unknown topic or partition → UNKNOWN_TOPIC_OR_PARTITION. Needs
// ALTER on the cluster.
import { ErrorCode } from '../../protocol/errors.js';
import { checkReplicaAssignment } from '../admin/replica-assignment.js';
import type { ClusterView } from '../cluster/cluster-view.js';
import { errorCodeOf, errorMessageOf } from '../kafka-error.js';
import type { Topic } from '../topics/topic-registry.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

interface PartitionResult {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}

async function alter(cluster: ClusterView, name: string, topic: Topic | undefined, partitionIndex: number, replicas: number[] | null, requiredFactor: number | null): Promise<PartitionResult> {
  const refuse = (errorCode: number, errorMessage: string): PartitionResult => ({ partitionIndex, errorCode, errorMessage });
  if (topic === undefined) return refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${name}.`);
  if (partitionIndex < 0 || partitionIndex >= topic.partitions.length) {
    return refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find partition ${name}:${partitionIndex}.`);
  }
  try {
    if (replicas !== null) {
      checkReplicaAssignment(replicas, cluster.brokerIds());
      if (requiredFactor !== null && requiredFactor !== replicas.length) {
        return refuse(ErrorCode.INVALID_REPLICATION_FACTOR, `The replication factor is changed from ${requiredFactor} to ${replicas.length}`);
      }
    }
    await cluster.reassign(name, partitionIndex, replicas);
  } catch (err) {
    return { partitionIndex, errorCode: errorCodeOf(err), errorMessage: errorMessageOf(err) };
  }
  return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null };
}

export default defineApi({
  apiKey: 45,
  minVersion: 0,
  maxVersion: 1,
  uses: ['cluster', 'topics'],
  async handle(req, ctx) {
    const { topics, cluster } = ctx.broker;
    const { allowReplicationFactorChange } = req;
    if (!ctx.authz.allows(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return { throttleTimeMs: 0, allowReplicationFactorChange, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, responses: [] };
    }
    // Without allow_replication_factor_change the target keeps the partition's replication factor.
    const requiredFactor = (name: string, index: number): number | null => (allowReplicationFactorChange ? null : (cluster.partitionState(name, index)?.replicas.length ?? null));
    return {
      throttleTimeMs: 0,
      allowReplicationFactorChange,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses: await Promise.all(
        req.topics.map(async ({ name, partitions }) => {
          const topic = topics.get(name);
          return { name, partitions: await Promise.all(partitions.map((p) => alter(cluster, name, topic, p.partitionIndex, p.replicas, requiredFactor(name, p.partitionIndex)))) };
        }),
      ),
    };
  },
});
