// Fault injection: the response an API gives when the whole request fails with one error code,
// built from the request alone (what Kafka's AbstractRequest.getErrorResponse does for each API):
// the code goes where the API carries errors — per partition, per topic, per group or key, and
// top-level — and every other field holds Kafka's "unknown" value. Fields a version lacks are
// dropped by the encoder, so one builder serves every version of its API.
import type { AnyApiKey, RequestOf, ResponseOf } from '../../protocol/codec/messages.js';
import { errorInfo } from '../../protocol/errors.js';
import type { BrokerNode } from '../cluster/cluster-view.js';

/** What a Metadata error response still tells: the brokers, so that the client can retry somewhere. */
export interface ClusterFacts {
  clusterId: string;
  controllerId: number;
  brokers: BrokerNode[];
}

type Builder<K extends AnyApiKey> = (request: RequestOf<K>, errorCode: number, version: number, cluster: ClusterFacts) => ResponseOf<K>;

const builders: { [K in AnyApiKey]?: Builder<K> } = {
  0: (req, errorCode) => ({
    throttleTimeMs: 0,
    responses: req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 })),
    })),
  }),
  // As Kafka: v13+ carries the error only at the top; older versions on every partition too, each
  // with an empty record set (librdkafka refuses a null one).
  1: (req, errorCode, version) => ({
    throttleTimeMs: 0,
    errorCode,
    sessionId: 0,
    responses:
      version >= 13
        ? []
        : req.topics.map((t) => ({
            topic: t.topic,
            topicId: t.topicId,
            partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, records: [] })),
          })),
  }),
  2: (req, errorCode) => ({
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, timestamp: -1, offset: -1, leaderEpoch: -1 })),
    })),
  }),
  // Kafka's error response lists no brokers; we keep them so the client's retry has somewhere to go.
  3: (req, errorCode, _version, cluster) => ({
    errorCode,
    brokers: cluster.brokers,
    clusterId: cluster.clusterId,
    controllerId: cluster.controllerId,
    topics: (req.topics ?? []).map((t) => ({ errorCode, name: t.name, topicId: t.topicId, isInternal: false, partitions: [] })),
  }),
  8: (req, errorCode) => ({
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  }),
  9: (req, errorCode) => ({
    errorCode,
    topics: (req.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })),
    })),
    groups: req.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode })),
  }),
  10: (req, errorCode) => {
    const errorMessage = errorInfo(errorCode).message;
    return {
      errorCode,
      errorMessage,
      nodeId: -1,
      host: '',
      port: -1,
      coordinators: req.coordinatorKeys.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage })),
    };
  },
  11: (_req, errorCode, version) => ({ errorCode, generationId: -1, protocolName: version >= 7 ? null : '', leader: '', memberId: '', members: [] }),
  12: (_req, errorCode) => ({ errorCode }),
  13: (_req, errorCode) => ({ errorCode, members: [] }),
  14: (_req, errorCode) => ({ errorCode, assignment: Buffer.alloc(0) }),
  15: (req, errorCode) => ({
    groups: req.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [] })),
  }),
  19: (req, errorCode) => {
    const errorMessage = errorInfo(errorCode).message;
    return { throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1 })) };
  },
  22: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 }),
  32: (req, errorCode) => {
    const errorMessage = errorInfo(errorCode).message;
    return { throttleTimeMs: 0, results: req.resources.map((r) => ({ errorCode, errorMessage, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })) };
  },
  // v4+ (batched, broker-to-broker verification) carries only the top-level code, as in Kafka.
  24: (req, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    resultsByTransaction: [],
    resultsByTopicV3AndBelow: req.v3AndBelowTopics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: errorCode })),
    })),
  }),
  25: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
  26: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 }),
  28: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  }),
};

/** The API keys a request can be failed for. */
export const FAILABLE_API_KEYS: readonly number[] = Object.keys(builders).map(Number);

export function canBuildErrorResponse(apiKey: number): boolean {
  return (builders as Record<number, unknown>)[apiKey] !== undefined;
}

/** The response of `apiKey` that fails `request` as a whole with `errorCode`. */
export function errorResponse(apiKey: number, request: unknown, errorCode: number, version: number, cluster: ClusterFacts): unknown {
  const build = (builders as Record<number, Builder<AnyApiKey> | undefined>)[apiKey];
  if (build === undefined) throw new Error(`no error response for api ${apiKey}`);
  return build(request as never, errorCode, version, cluster);
}
