// AlterPartitionReassignments (key 45), version 0 (flexible): per partition a target replica list
// to move to, or null to cancel an ongoing move.
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

function alter(name: string, topic: Topic | undefined, partitionIndex: number, replicas: number[] | null, brokerIds: readonly number[]): PartitionResult {
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
  return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null };
}

export default defineApi({
  apiKey: 45,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const { topics, cluster } = ctx.broker;
    if (!ctx.authz.allows(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, responses: [] };
    const brokerIds = cluster.brokerIds();
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses: req.topics.map(({ name, partitions }) => {
        const topic = topics.get(name);
        return { name, partitions: partitions.map((p) => alter(name, topic, p.partitionIndex, p.replicas, brokerIds)) };
      }),
    };
  },
});
