// ElectLeaders (key 43), versions 0-2.
// v0: partitions to elect preferred leaders for (null: every partition). v1: election type
// (0 preferred, 1 unclean) and a top-level error code. v2: flexible.
// Creek is one node and leads every partition, which is also each partition's preferred (only)
// replica, so as Kafka's controller: ELECTION_NOT_NEEDED per named partition,
// UNKNOWN_TOPIC_OR_PARTITION for unknown ones; for "every partition" each topic is listed with
// only the partitions that needed an election: none.
import type { ElectLeadersResponse } from '../../protocol/schema/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

const PREFERRED = 0;
const UNCLEAN = 1;
const ELECTION_NOT_NEEDED_MESSAGE = 'Leader election not needed for topic partition.';

export default defineApi({
  apiKey: 43,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const { topics } = ctx.broker;
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
        replicaElectionResults: topics.list().map((t) => ({ topic: t.name, partitionResult: [] })),
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: req.topicPartitions.map(({ topic, partitions }) => {
        const known = topics.get(topic);
        return {
          topic,
          partitionResult: partitions.map((partitionId) => {
            if (known === undefined) {
              return { partitionId, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such topic as ${topic}` };
            }
            if (partitionId < 0 || partitionId >= known.partitions.length) {
              return { partitionId, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such partition as ${topic}-${partitionId}` };
            }
            return { partitionId, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: ELECTION_NOT_NEEDED_MESSAGE };
          }),
        };
      }),
    };
  },
});
