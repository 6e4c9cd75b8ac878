// CreatePartitions (key 37), versions 0-3.
// v1: same as v0. v2: flexible. v3: quota errors. Grows topics; new partitions get the topic's
// replication factor, placed by the request's assignments (checked against the cluster view's
// brokers) or round-robin over the brokers.
import { ErrorCode } from '../../protocol/errors.js';
import type {
  CreatePartitionsRequestCreatePartitionsTopic as TopicIn,
  CreatePartitionsResponseCreatePartitionsTopicResult as Result,
} from '../../protocol/schema/index.js';
import { KafkaError } from '../kafka-error.js';
import { failure } from '../admin/failure.js';
import { assignReplicas, checkReplicaAssignment } from '../admin/replica-assignment.js';
import type { Topic } from '../topics/topic-registry.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import type { MutationQuota } from '../quotas/quota-meter.js';
import { defineApi, type BrokerServices } from './api.js';

async function grow(broker: Pick<BrokerServices, 'cluster' | 'topics'>, topic: Topic, t: TopicIn, validateOnly: boolean, mutations: MutationQuota): Promise<void> {
  const current = topic.partitions.length;
  if (t.count === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
  if (t.count < current) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `The topic ${t.name} currently has ${current} partition(s); ${t.count} would not be an increase.`);
  }
  const additional = t.count - current;
  const replicationFactor = topic.replicas[0]?.length ?? 1;
  const brokerIds = broker.cluster.brokerIds();
  if (t.assignments !== null) {
    if (t.assignments.length !== additional) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Attempted to add ${additional} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`,
      );
    }
    for (const a of t.assignments) checkReplicaAssignment(a.brokerIds, brokerIds, replicationFactor);
  }
  const replicas = t.assignments?.map((a) => [...a.brokerIds]) ?? assignReplicas(brokerIds, additional, replicationFactor, current);
  if (!validateOnly) mutations.record(additional);
  await broker.topics.addPartitions(topic, t.count, validateOnly, replicas);
}

export default defineApi({
  apiKey: 37,
  minVersion: 0,
  maxVersion: 3,
  uses: ['cluster', 'topics', 'quotaMeter'],
  async handle(req, ctx) {
    const { broker } = ctx;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results: Result[] = [];
    const answered = new Set<string>();
    // KIP-599: from v3 a topic over controller_mutation_rate fails with THROTTLING_QUOTA_EXCEEDED.
    const mutations = broker.quotaMeter.mutations(ctx.connection, ctx.version >= 3);
    for (const t of req.topics) {
      if (answered.has(t.name)) continue;
      answered.add(t.name);
      try {
        if (counts.get(t.name)! > 1) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.');
        // A topic the client may not describe is not told to exist; one it may describe needs ALTER.
        if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name)) {
          results.push({ name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' });
          continue;
        }
        const topic = broker.topics.get(t.name);
        if (topic && !ctx.authz.allows(AclOperation.ALTER, ResourceType.TOPIC, t.name)) {
          results.push({ name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' });
          continue;
        }
        if (!topic) {
          results.push({ name: t.name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null });
          continue;
        }
        await grow(broker, topic, t, req.validateOnly, mutations);
        if (!req.validateOnly) ctx.log.info({ topic: t.name, partitions: t.count }, 'added partitions');
        results.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        results.push({ name: t.name, ...failure(err, ctx.log, { topic: t.name }) });
      }
    }
    return { throttleTimeMs: mutations.throttleTimeMs, results };
  },
});
