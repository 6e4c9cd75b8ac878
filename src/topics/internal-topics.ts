// The one way the coordinators' internal topics (__consumer_offsets, __transaction_state) are
// created: like any topic, with the replicas placed round-robin over the live brokers, but with a
// replication factor capped at the live brokers. Kafka refuses to create them with fewer live
// brokers than offsets.topic.replication.factor / transaction.state.log.replication.factor and
// answers COORDINATOR_NOT_AVAILABLE until there are enough; Kafka's own test clusters lower those
// settings to the brokers they run instead. Creek caps, so that a dev cluster of one or two
// brokers (and a single node) works with the defaults; min.insync.replicas is capped the same way.
import { ErrorCode } from '../../protocol/errors.js';
import { assignReplicas } from '../admin/replica-assignment.js';
import { errorCodeOf } from '../kafka-error.js';
import type { Topic, TopicRegistry } from './topic-registry.js';

export interface InternalTopicSpec {
  name: string;
  partitions: number;
  /** The configured replication factor (capped at the live brokers). */
  replicationFactor: number;
  /** The configured min.insync.replicas, when the topic sets one (capped at the replication factor). */
  minInsyncReplicas?: number;
  overrides: ReadonlyMap<string, string>;
}

/**
 * The internal topic, created now when it does not exist. Resolves undefined when another broker
 * (or another call here) is creating it: it appears once that creation completes.
 */
export async function ensureInternalTopic(topics: TopicRegistry, liveBrokers: readonly number[], spec: InternalTopicSpec): Promise<Topic | undefined> {
  const existing = topics.get(spec.name);
  if (existing !== undefined) return existing;
  const replicationFactor = Math.max(1, Math.min(spec.replicationFactor, liveBrokers.length));
  const overrides = new Map(spec.overrides);
  if (spec.minInsyncReplicas !== undefined) overrides.set('min.insync.replicas', String(Math.min(spec.minInsyncReplicas, replicationFactor)));
  try {
    return await topics.create(spec.name, { numPartitions: spec.partitions, replicas: assignReplicas(liveBrokers, spec.partitions, replicationFactor), overrides });
  } catch (err) {
    if (errorCodeOf(err) === ErrorCode.TOPIC_ALREADY_EXISTS) return topics.get(spec.name);
    throw err;
  }
}
