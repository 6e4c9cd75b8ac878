// ElectLeaders (key 43), versions 0-2.
// v0: partitions to elect preferred leaders for (null: every partition). v1: election type
// (0 preferred, 1 unclean) and a top-level error code. v2: flexible.
// As Kafka's controller, from the cluster view's partition state: a preferred election is not
// needed where the first replica leads, an unclean one where any replica leads
// (ELECTION_NOT_NEEDED); otherwise the controller is asked for the election (a cluster: the
// preferred replica if it is a live in-sync one; for unclean, any live replica), and where it
// cannot be made (a single node: no other broker runs) PREFERRED_LEADER_NOT_AVAILABLE /
// ELIGIBLE_LEADERS_NOT_AVAILABLE. Unknown topics and partitions:
// UNKNOWN_TOPIC_OR_PARTITION. For "every partition" each topic lists only the partitions that
// needed an election (a single node leading all its partitions: none).
import type { ElectLeadersResponse } from '../../protocol/schema/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ClusterView, PartitionAssignment } from '../cluster/cluster-view.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

const PREFERRED = 0;
const UNCLEAN = 1;
const ELECTION_NOT_NEEDED_MESSAGE = 'Leader election not needed for topic partition.';

/** Whether the partition's leadership is what the election type asks for already. */
function settled(state: PartitionAssignment, electionType: number): boolean {
  return electionType === PREFERRED ? state.leaderId >= 0 && state.leaderId === state.replicas[0] : state.leaderId >= 0;
}

async function electionResult(cluster: ClusterView, topic: string, partitionId: number, electionType: number, timeoutMs: number) {
  const state = cluster.partitionState(topic, partitionId);
  if (state === undefined) return { partitionId, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such partition as ${topic}-${partitionId}` };
  if (settled(state, electionType)) return { partitionId, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: ELECTION_NOT_NEEDED_MESSAGE };
  if (await cluster.electLeader(topic, partitionId, electionType === PREFERRED ? 'preferred' : 'unclean', timeoutMs)) return { partitionId, errorCode: ErrorCode.NONE, errorMessage: null };
  const strategy = electionType === PREFERRED ? 'PreferredReplicaPartitionLeaderElectionStrategy' : 'UncleanLeaderElectionStrategy';
  return {
    partitionId,
    errorCode: electionType === PREFERRED ? ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE : ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
    errorMessage: `Failed to elect leader for partition ${topic}-${partitionId} under strategy ${strategy}`,
  };
}

export default defineApi({
  apiKey: 43,
  minVersion: 0,
  maxVersion: 2,
  uses: ['cluster', 'topics'],
  async handle(req, ctx) {
    const { topics, cluster } = ctx.broker;
    if (!ctx.authz.allows(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({
          topic: t.topic,
          partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null })),
        })),
      };
    }
    if (req.electionType !== PREFERRED && req.electionType !== UNCLEAN) {
      // Kafka's InvalidRequestException: the error on the request and on every named partition.
      const errorMessage = `Unknown election type ${req.electionType}`;
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INVALID_REQUEST,
        replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({
          topic: t.topic,
          partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode: ErrorCode.INVALID_REQUEST, errorMessage })),
        })),
      } satisfies ElectLeadersResponse;
    }
    if (req.topicPartitions === null) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        replicaElectionResults: await Promise.all(
          topics.list().map(async (t) => ({
            topic: t.name,
            partitionResult: (await Promise.all(t.partitions.map((_, p) => electionResult(cluster, t.name, p, req.electionType, req.timeoutMs)))).filter(
              (r) => r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED,
            ),
          })),
        ),
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: await Promise.all(
        req.topicPartitions.map(async ({ topic, partitions }) => {
          const known = topics.get(topic);
          return {
            topic,
            partitionResult: await Promise.all(
              partitions.map((partitionId) => {
                if (known === undefined) {
                  return { partitionId, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such topic as ${topic}` };
                }
                return electionResult(cluster, topic, partitionId, req.electionType, req.timeoutMs);
              }),
            ),
          };
        }),
      ),
    };
  },
});
