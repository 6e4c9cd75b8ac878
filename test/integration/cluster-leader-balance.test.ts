// Automatic preferred-leader balancing (auto.leader.rebalance.enable, Kafka's default) on three
// brokers in one process with leader.imbalance.check.interval.seconds=1: a broker that is killed,
// or the controller stopped cleanly, loses its leaderships; once back and in the ISR it leads its
// preferred partitions again by itself (a new leader epoch each, as a preferred ElectLeaders
// makes), while an idempotent acks=all kafkajs producer keeps being acknowledged and every
// acknowledged record is read back exactly once. With the key false, leadership stays where
// failover put it until ElectLeaders asks.
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { startCluster, type RunningCluster } from '../../src/index.js';
import { expectLeaderHoldsEveryAcknowledged, startAckedProducer } from '../helpers/acked-producer.js';
import { clusterKafka, createSyncedTopic, stateOf } from '../helpers/cluster.js';
import { RawClient } from '../helpers/raw-client.js';
import { until } from '../helpers/until.js';

const CHECK_INTERVAL_S = 1;
const PARTITIONS = [0, 1, 2];

function brokerOptions(autoLeaderRebalance: boolean) {
  return {
    logLevel: 'silent' as const,
    properties: { 'auto.leader.rebalance.enable': autoLeaderRebalance, 'leader.imbalance.check.interval.seconds': CHECK_INTERVAL_S },
  };
}

/** Whether every partition of the topic is led by its preferred (first) replica. */
function preferredLeadAll(cluster: RunningCluster, topic: string): boolean {
  return PARTITIONS.every((p) => {
    const state = stateOf(cluster, topic, p);
    return state.leaderId === state.replicas[0];
  });
}

/** Whether no partition of the topic is led by `nodeId`, and each has a leader. */
function ledWithout(cluster: RunningCluster, topic: string, nodeId: number): boolean {
  return PARTITIONS.every((p) => stateOf(cluster, topic, p).leaderId !== nodeId && stateOf(cluster, topic, p).leaderId >= 0);
}

/** The partition of a three-partition topic whose preferred replica is `nodeId`. */
function preferredPartitionOf(cluster: RunningCluster, topic: string, nodeId: number): number {
  return PARTITIONS.find((p) => stateOf(cluster, topic, p).replicas[0] === nodeId)!;
}

describe('auto.leader.rebalance.enable=true in a cluster', () => {
  let cluster: RunningCluster;
  let kafka: Kafka;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, brokerOptions: brokerOptions(true) });
    kafka = clusterKafka(cluster, 'leader-balance');
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('gives a killed broker its preferred leaderships back once it has caught up, while acks=all writes go on', async () => {
    const topic = 'balance-kill';
    await createSyncedTopic(cluster, kafka, topic, PARTITIONS.length, 3, { 'min.insync.replicas': '2' });
    expect(preferredLeadAll(cluster, topic)).toBe(true);
    const victim = cluster.nodeIds.find((id) => id !== cluster.controllerId())!;
    const partition = preferredPartitionOf(cluster, topic, victim);
    const epochBefore = stateOf(cluster, topic, partition).leaderEpoch;
    const producer = await startAckedProducer(kafka, topic, partition);
    try {
      await until(() => producer.acknowledged.length >= 50, 'records acknowledged before the kill');
      await cluster.kill(victim);
      await until(() => ledWithout(cluster, topic, victim), `leaders moved off broker ${victim}`);
      expect(stateOf(cluster, topic, partition).leaderEpoch).toBe(epochBefore + 1);
      const atFailover = producer.acknowledged.length;
      await until(() => producer.acknowledged.length >= atFailover + 50, 'records acknowledged by the new leader');

      await cluster.start(victim);
      await until(() => preferredLeadAll(cluster, topic), 'every partition led by its preferred replica again');
      // The returned broker leads only once it is in sync, under a newer epoch that fences the failover leader.
      expect(stateOf(cluster, topic, partition)).toMatchObject({ leaderId: victim, leaderEpoch: epochBefore + 2 });
      expect(stateOf(cluster, topic, partition).isr).toContain(victim);
      const atReturn = producer.acknowledged.length;
      await until(() => producer.acknowledged.length >= atReturn + 50, 'records acknowledged by the preferred leader');
    } finally {
      await producer.stop();
    }
    await expectLeaderHoldsEveryAcknowledged(cluster.broker(victim)!, topic, producer.acknowledged, partition);
  });

  it('does the same when the controller itself stops cleanly: the next controller gives its leaderships back', async () => {
    const topic = 'balance-controller';
    await createSyncedTopic(cluster, kafka, topic, PARTITIONS.length, 3, { 'min.insync.replicas': '2' });
    await until(() => preferredLeadAll(cluster, topic), 'every partition led by its preferred replica');
    const controller = cluster.controllerId();
    const partition = preferredPartitionOf(cluster, topic, controller);
    const producer = await startAckedProducer(kafka, topic, partition);
    try {
      await until(() => producer.acknowledged.length >= 50, 'records acknowledged before the stop');
      await cluster.stop(controller);
      await until(() => ledWithout(cluster, topic, controller) && cluster.controllerId() !== controller && cluster.controllerId() >= 0, 'a new controller and new leaders');
      const atFailover = producer.acknowledged.length;
      await until(() => producer.acknowledged.length >= atFailover + 50, 'records acknowledged by the new leader');
      await cluster.start(controller);
      await until(() => preferredLeadAll(cluster, topic), 'every partition led by its preferred replica again');
      const atReturn = producer.acknowledged.length;
      await until(() => producer.acknowledged.length >= atReturn + 50, 'records acknowledged by the preferred leader');
    } finally {
      await producer.stop();
    }
    expect(cluster.controllerId()).not.toBe(controller);
    await expectLeaderHoldsEveryAcknowledged(cluster.broker(controller)!, topic, producer.acknowledged, partition);
  });
});

describe('auto.leader.rebalance.enable=false in a cluster', () => {
  let cluster: RunningCluster;
  let kafka: Kafka;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, brokerOptions: brokerOptions(false) });
    kafka = clusterKafka(cluster, 'no-leader-balance');
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('leaves leadership where failover put it; ElectLeaders still moves it back', async () => {
    const topic = 'no-balance';
    await createSyncedTopic(cluster, kafka, topic, PARTITIONS.length, 3);
    const victim = cluster.nodeIds.find((id) => id !== cluster.controllerId())!;
    const partition = preferredPartitionOf(cluster, topic, victim);
    await cluster.kill(victim);
    await until(() => ledWithout(cluster, topic, victim), `leaders moved off broker ${victim}`);
    await cluster.start(victim);
    await until(() => stateOf(cluster, topic, partition).isr.includes(victim), `broker ${victim} back in the ISR`);
    const failoverState = stateOf(cluster, topic, partition);
    // An absence shows only over time: three check intervals, in which balancing would have moved it.
    await new Promise((resolve) => setTimeout(resolve, 3 * CHECK_INTERVAL_S * 1000));
    expect(stateOf(cluster, topic, partition)).toMatchObject({ leaderId: failoverState.leaderId, leaderEpoch: failoverState.leaderEpoch });
    expect(failoverState.leaderId).not.toBe(victim);

    const client = await RawClient.connect(cluster.broker(victim)!.host, cluster.broker(victim)!.port);
    try {
      const elected = await client.send(43, 2, { electionType: 0, topicPartitions: [{ topic, partitions: [partition] }], timeoutMs: 5000 });
      expect(elected.replicaElectionResults[0]!.partitionResult[0]!.errorCode).toBe(ErrorCode.NONE);
    } finally {
      client.close();
    }
    expect(stateOf(cluster, topic, partition)).toMatchObject({ leaderId: victim, leaderEpoch: failoverState.leaderEpoch + 1 });
  });
});
