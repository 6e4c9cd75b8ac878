// CreateTopics (key 19), versions 2-7 (Kafka 4 removed v0-1).
// v1: validate_only, error_message. v2: throttle time. v3: no change. v4: num_partitions and
// replication_factor may be -1 (broker defaults). v5: flexible; the result carries the topic's
// configs, partition count and replication factor. v6: quota errors. v7: topic id.
// Replication factors and manual assignments are checked against the cluster view's brokers (a
// single broker: factor 1 or -1, assignments onto this node only); the replica lists are stored.
import { ErrorCode } from '../../protocol/errors.js';
import type {
  CreateTopicsRequestCreatableTopic as TopicIn,
  CreateTopicsResponseCreatableTopicResult as TopicOut,
} from '../../protocol/schema/index.js';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { describeTopicConfigs } from '../config/describe-configs.js';
import { KafkaError } from '../kafka-error.js';
import { failure, type Failure } from '../admin/failure.js';
import { checkReplicaAssignment, placeReplicas } from '../admin/replica-assignment.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { mayCreateTopic } from '../security/authorizer/request-authorization.js';
import { defineApi, type BrokerServices } from './api.js';

const DEFAULT = -1;
/** Kafka's controller refuses a request creating more partitions than this in all (MAX_PARTITIONS_PER_BATCH). */
const MAX_PARTITIONS_PER_REQUEST = 10_000;

/** Partitions the request asks for in all, as Kafka's controller counts them. */
function requestedPartitions(broker: Pick<BrokerServices, 'config'>, topics: readonly TopicIn[]): number {
  let total = 0;
  for (const t of topics) {
    if (t.assignments.length > 0) total += t.assignments.length;
    else if (t.numPartitions === DEFAULT) total += broker.config.numPartitions;
    else if (t.numPartitions > 0) total += t.numPartitions;
  }
  return total;
}

/** Each partition's replicas as a request asks for them, or Kafka's refusal of its layout. */
function layout(broker: Pick<BrokerServices, 'config' | 'cluster'>, t: TopicIn): number[][] {
  if (t.assignments.length > 0) {
    if (t.replicationFactor !== DEFAULT) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replication factor was not set to -1.');
    }
    if (t.numPartitions !== DEFAULT) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.');
    }
    const seen = new Set<number>();
    let replicationFactor: number | undefined;
    for (const a of t.assignments) {
      if (seen.has(a.partitionIndex)) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Found multiple manual partition assignments for partition ${a.partitionIndex}`);
      }
      seen.add(a.partitionIndex);
      checkReplicaAssignment(a.brokerIds, broker.cluster.brokerIds(), replicationFactor);
      replicationFactor = a.brokerIds.length;
    }
    for (let p = 0; p < seen.size; p++) {
      if (!seen.has(p)) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence');
    }
    return [...t.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex).map((a) => [...a.brokerIds]);
  }
  if (t.replicationFactor < DEFAULT || t.replicationFactor === 0) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
  }
  if (t.numPartitions < DEFAULT || t.numPartitions === 0) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
  }
  const replicationFactor = t.replicationFactor === DEFAULT ? broker.config.defaultReplicationFactor : t.replicationFactor;
  return placeReplicas(broker.cluster.brokerIds(), t.numPartitions === DEFAULT ? broker.config.numPartitions : t.numPartitions, replicationFactor);
}

function failed(name: string, { errorCode, errorMessage }: Failure): TopicOut {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode,
    errorMessage,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  };
}

export default defineApi({
  apiKey: 19,
  minVersion: 2,
  maxVersion: 7,
  uses: ['config', 'cluster', 'topics', 'quotaMeter'],
  async handle(req, ctx) {
    const { broker } = ctx;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);

    const topics: TopicOut[] = [];
    const duplicates: TopicOut[] = [];
    const unique = req.topics.filter((t) => counts.get(t.name) === 1);
    // Refused before anything is created: every topic of the request gets the error.
    const tooMany = requestedPartitions(broker, unique) > MAX_PARTITIONS_PER_REQUEST;
    // KIP-599: from v6 a topic over controller_mutation_rate fails with THROTTLING_QUOTA_EXCEEDED.
    const mutations = broker.quotaMeter.mutations(ctx.connection, ctx.version >= 6);
    for (const t of req.topics) {
      if (counts.get(t.name)! > 1) {
        if (!duplicates.some((d) => d.name === t.name)) {
          duplicates.push(failed(t.name, { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' }));
        }
        continue;
      }
      if (!mayCreateTopic(ctx.authz, t.name)) {
        topics.push(failed(t.name, { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' }));
        continue;
      }
      if (tooMany) {
        topics.push(failed(t.name, { errorCode: ErrorCode.POLICY_VIOLATION, errorMessage: 'Excessively large number of partitions per request.' }));
        continue;
      }
      // A null value stays in to be refused by the config check, with Kafka's message.
      const overrides = new Map(t.configs.map((c) => [c.name, c.value as string]));
      try {
        let layoutError: unknown = null;
        let replicas: number[][] = [[broker.config.nodeId]];
        try {
          replicas = layout(broker, t);
        } catch (err) {
          layoutError = err;
        }
        const numPartitions = replicas.length;
        // Kafka checks name, existence and configs before the partition layout.
        broker.topics.checkCreate(t.name, { numPartitions, overrides });
        if (layoutError) throw layoutError;
        if (!req.validateOnly) mutations.record(numPartitions);
        const created = await broker.topics.create(t.name, { numPartitions, replicas, overrides, validateOnly: req.validateOnly });
        // The configs are shown only to a client that may describe them.
        const describable = ctx.authz.allows(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, t.name);
        const configs = !describable ? [] : describeTopicConfigs(overrides, broker.topics.layers)
          .sort((a, b) => (a.name < b.name ? -1 : 1))
          .map((c) => ({ name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.source, isSensitive: c.isSensitive }));
        topics.push({
          name: t.name,
          topicId: created?.id ?? ZERO_UUID,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          topicConfigErrorCode: describable ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          numPartitions,
          replicationFactor: replicas[0]!.length,
          configs,
        });
      } catch (err) {
        topics.push(failed(t.name, failure(err, ctx.log, { topic: t.name })));
      }
    }
    return { throttleTimeMs: mutations.throttleTimeMs, topics: [...topics, ...duplicates] };
  },
});
