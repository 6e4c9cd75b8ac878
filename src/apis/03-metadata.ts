// Metadata (key 3), versions 0-13.
// v1: racks, controller id, is_internal; a null topic list means all topics (v0: empty list).
// v2: cluster id. v3: throttle time. v4: allow_auto_topic_creation. v5: offline replicas.
// v7: leader epoch. v8: authorized operations. v9: flexible. v10: topic ids.
// v11: cluster authorized operations removed. v12: topics may be named by id alone.
// v13: a top-level error code (KIP-1102), NONE in an answer (an error answer sets it, see faults).
import { ErrorCode } from '../../protocol/errors.js';
import type { MetadataResponseMetadataResponseTopic as TopicOut } from '../../protocol/schema/index.js';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { errorCodeOf } from '../kafka-error.js';
import type { Topic } from '../topics/topic-registry.js';
import { invalidTopicNameReason } from '../topics/topic-names.js';
import { OPS_OMITTED } from '../groups/authorized-operations.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { mayCreateTopic } from '../security/authorizer/request-authorization.js';
import type { TopicDescriptions } from '../cluster/topic-descriptions.js';
import { defineApi } from './api.js';
import { placeReplicas } from '../admin/replica-assignment.js';

/** A topic's metadata for a client on `listenerName`; `ops` is its authorized-operations bit set, or OPS_OMITTED. */
function describeTopic(descriptions: TopicDescriptions, listenerName: string, t: Topic, ops: number): TopicOut {
  const described = descriptions.of(t, listenerName);
  return ops === OPS_OMITTED ? described : { ...described, topicAuthorizedOperations: ops };
}

function topicError(errorCode: number, name: string | null, topicId = ZERO_UUID): TopicOut {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: OPS_OMITTED };
}

export default defineApi({
  apiKey: 3,
  minVersion: 0,
  maxVersion: 13,
  uses: ['config', 'cluster', 'topics', 'topicDescriptions'],
  async handle(req, ctx) {
    const { broker, version, authz } = ctx;
    const { cluster, topicDescriptions } = broker;
    const opsOf = (name: string): number => (req.includeTopicAuthorizedOperations ? authz.operations(ResourceType.TOPIC, name) : OPS_OMITTED);
    // Topics the client may not describe are hidden from "all topics" and refused when named.
    const describable = (name: string): boolean => authz.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, name);
    const allowAutoCreate = (version < 4 || req.allowAutoTopicCreation) && broker.config.autoCreateTopicsEnable;
    const wantsAll = req.topics === null || (version === 0 && req.topics.length === 0);

    let topics: TopicOut[];
    if (wantsAll) {
      topics = broker.topics.list().filter((t) => describable(t.name)).map((t) => describeTopic(topicDescriptions, ctx.connection.listenerName, t, opsOf(t.name)));
    } else {
      topics = [];
      for (const wanted of req.topics ?? []) {
        // A topic id wins over the name, as in Kafka: the Java client sends ids with name "".
        if ((wanted.topicId !== undefined && wanted.topicId !== ZERO_UUID) || wanted.name === null || wanted.name === undefined) {
          const t = broker.topics.getById(wanted.topicId);
          if (t && !describable(t.name)) topics.push(topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, null, wanted.topicId));
          else topics.push(t ? describeTopic(topicDescriptions, ctx.connection.listenerName, t, opsOf(t.name)) : topicError(ErrorCode.UNKNOWN_TOPIC_ID, null, wanted.topicId));
          continue;
        }
        if (!describable(wanted.name)) {
          topics.push(topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, wanted.name));
          continue;
        }
        let t = broker.topics.get(wanted.name);
        if (!t && allowAutoCreate && !mayCreateTopic(authz, wanted.name)) {
          topics.push(topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, wanted.name));
          continue;
        }
        if (!t && allowAutoCreate) {
          try {
            t = await broker.topics.autoCreate(wanted.name, (partitions) => placeReplicas(cluster.brokerIds(), partitions, broker.config.defaultReplicationFactor));
          } catch (err) {
            topics.push(topicError(errorCodeOf(err), wanted.name));
            continue;
          }
        }
        // A name no topic can have is INVALID_TOPIC_EXCEPTION whether or not it may be created, as in Kafka.
        const missing = invalidTopicNameReason(wanted.name) === null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION;
        topics.push(t ? describeTopic(topicDescriptions, ctx.connection.listenerName, t, opsOf(t.name)) : topicError(missing, wanted.name));
      }
      // Kafka's order: unknown topic ids first, topics the client may not see last.
      const rank = (t: TopicOut): number => (t.errorCode === ErrorCode.UNKNOWN_TOPIC_ID ? 0 : t.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED ? 2 : 1);
      topics.sort((a, b) => rank(a) - rank(b));
    }
    return {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      brokers: cluster.brokers(ctx.connection.listenerName),
      clusterId: cluster.clusterId,
      controllerId: cluster.controllerId,
      topics,
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? authz.operations(ResourceType.CLUSTER, CLUSTER_NAME) : OPS_OMITTED,
    };
  },
});
