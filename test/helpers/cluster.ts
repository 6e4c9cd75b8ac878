// Helpers for tests on startCluster: the partition state a running broker reports, kafkajs
// clients with retries long enough to ride out a leader or coordinator move, raw connections to a
// broker, topic creation that waits for every replica to be in sync (or, where followers cannot
// fetch, for the ISR to shrink), and where a group's or a transactional id's coordinator is.
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { ErrorCode } from '../../protocol/errors.js';
import type { RunningCluster } from '../../src/index.js';
import type { PartitionAssignment } from '../../src/cluster/cluster-view.js';
import { partitionFor } from '../../src/txn/partition-for.js';
import { RawClient } from './raw-client.js';
import { until } from './until.js';

/** A partition's state as a running broker's cluster view reports it. */
export function stateOf(cluster: RunningCluster, topic: string, partition = 0): PartitionAssignment {
  const anyBroker = cluster.nodeIds.map((id) => cluster.broker(id)).find((b) => b !== undefined)!;
  return anyBroker.broker.cluster.partitionState(topic, partition)!;
}

/** A raw connection to one broker of the cluster. */
export function connectTo(cluster: RunningCluster, nodeId: number): Promise<RawClient> {
  const broker = cluster.broker(nodeId)!;
  return RawClient.connect(broker.host, broker.port);
}

/** `extra` adds to or replaces the options, e.g. a logCreator. */
export function clusterKafka(cluster: RunningCluster, clientId: string, extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ clientId, brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 }, ...extra });
}

/** Creates a topic (with topic `configs`) and waits until every partition's replicas are all in sync. */
export async function createSyncedTopic(cluster: RunningCluster, kafka: Kafka, topic: string, partitions: number, replicationFactor: number, configs: Record<string, string> = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value }));
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor, configEntries }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  await until(() => [...Array(partitions).keys()].every((p) => stateOf(cluster, topic, p)?.isr.length === replicationFactor), `${topic}'s replicas in sync`);
}

/**
 * On a cluster whose followers cannot fetch from their leaders: creates a one-partition topic on
 * every broker, writes a record to its leader alone (acks=1), and waits for the ISR to shrink to
 * the leader. Returns the leader and the followers.
 */
export async function createUnreplicatedTopic(cluster: RunningCluster, kafka: Kafka, topic: string): Promise<{ leaderId: number; followers: number[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: cluster.nodeIds.length }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: 1, messages: [{ value: 'only on the leader' }] });
  await producer.disconnect();
  const { leaderId } = stateOf(cluster, topic);
  await until(() => stateOf(cluster, topic).isr.length === 1, `${topic}'s ISR shrunk to the leader`);
  return { leaderId, followers: cluster.nodeIds.filter((id) => id !== leaderId) };
}

export const COORDINATOR_TOPICS = { group: '__consumer_offsets', transaction: '__transaction_state' } as const;

/** The internal-topic partition holding a group or a transactional id, and the broker leading it (its coordinator); -1s before the topic exists. */
export function coordinatorOf(cluster: RunningCluster, type: keyof typeof COORDINATOR_TOPICS, key: string): { topic: string; partition: number; leader: number } {
  const topic = COORDINATOR_TOPICS[type];
  const anyBroker = cluster.nodeIds.map((id) => cluster.broker(id)).find((b) => b !== undefined)!;
  const partitions = anyBroker.broker.topics.get(topic)?.partitions.length;
  if (partitions === undefined) return { topic, partition: -1, leader: -1 };
  const partition = partitionFor(key, partitions);
  return { topic, partition, leader: stateOf(cluster, topic, partition).leaderId };
}

/** Waits until the coordinator of a key is a live broker that has loaded its partition. */
export async function coordinatorReady(cluster: RunningCluster, type: keyof typeof COORDINATOR_TOPICS, key: string): Promise<number> {
  let leader = -1;
  await until(() => {
    leader = coordinatorOf(cluster, type, key).leader;
    const broker = cluster.broker(leader)?.broker;
    if (broker === undefined) return false;
    return (type === 'group' ? broker.groups.ownerError(key) : broker.txn.coordinator.ownerError(key)) === 0;
  }, `the ${type} coordinator of ${key}`);
  return leader;
}

/** The coordinator of a transactional id or group, once FindCoordinator has created its internal topic and it has loaded. */
export async function readyCoordinator(cluster: RunningCluster, type: keyof typeof COORDINATOR_TOPICS, key: string): Promise<number> {
  const any = await connectTo(cluster, cluster.nodeIds[0]!);
  try {
    const keyType = type === 'group' ? 0 : 1;
    await until(async () => (await any.send(10, 4, { key: '', keyType, coordinatorKeys: [key] })).coordinators![0]!.errorCode === ErrorCode.NONE, `a ${type} coordinator`);
  } finally {
    any.close();
  }
  return coordinatorReady(cluster, type, key);
}

/** Runs `work` with a connected kafkajs admin of `kafka`, disconnected afterwards. */
export async function withAdmin<T>(kafka: Kafka, work: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}
