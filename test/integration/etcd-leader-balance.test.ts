// Automatic preferred-leader balancing across `creek --etcd` processes and a real etcd, with
// leader.imbalance.check.interval.seconds=1: the preferred leader of a partition is SIGKILLed
// while an idempotent acks=all kafkajs producer sends to it; after failover and its return it
// catches up, rejoins the ISR and leads again by itself (no ElectLeaders), and every acknowledged
// record is read back exactly once from it. Skips with a printed reason when etcd-server is not
// installed.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLeaderHoldsEveryAcknowledged, startAckedProducer } from '../helpers/acked-producer.js';
import { requireEtcd } from '../helpers/etcd.js';
import { startProcessCluster, type ProcessCluster } from '../helpers/process-cluster.js';
import { until } from '../helpers/until.js';

const noEtcd = requireEtcd();
const PARTITIONS = [0, 1, 2];
/** A broker process restarted through tsx on a loaded machine takes longer than vitest's 30 s with the rest. */
const RESTART_TIMEOUT_MS = 90_000;

let cluster: ProcessCluster;
let kafka: Kafka;

beforeAll(async () => {
  if (noEtcd) return;
  cluster = await startProcessCluster({ brokers: 3, leaseTtlMs: 2000, overrides: { 'leader.imbalance.check.interval.seconds': 1 } });
  kafka = new Kafka({ clientId: 'etcd-leader-balance', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
}, 120_000);
afterAll(async () => {
  await cluster?.close();
});

describe.skipIf(noEtcd)('auto.leader.rebalance.enable on etcd', () => {
  it('gives a SIGKILLed broker back the leadership it is preferred for once it is in the ISR again, under acks=all writes', async () => {
    const topic = 'etcd-balance';
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS.length, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    } finally {
      await admin.disconnect();
    }
    const views = await Promise.all(PARTITIONS.map((p) => cluster.waitFor(topic, p, (v) => v.isr.length === 3 && v.leaderId === v.replicas[0], 'led by its preferred replica, all in sync')));
    const controller = await cluster.controllerId();
    const partition = views.findIndex((v) => v.replicas[0] !== controller);
    const victim = views[partition]!.replicas[0]!;
    const producer = await startAckedProducer(kafka, topic, partition);
    try {
      await until(() => producer.acknowledged.length >= 50, 'records acknowledged before the kill');
      await cluster.kill(victim);
      const moved = await cluster.waitFor(topic, partition, (v) => v.leaderId !== victim && v.leaderId >= 0, 'a new leader');
      expect(moved.leaderEpoch).toBe(views[partition]!.leaderEpoch + 1);
      const atFailover = producer.acknowledged.length;
      await until(() => producer.acknowledged.length >= atFailover + 50, 'records acknowledged by the new leader');
      await cluster.start(victim);
      const back = await cluster.waitFor(topic, partition, (v) => v.leaderId === victim, `led by broker ${victim} again`);
      expect(back.leaderEpoch).toBe(moved.leaderEpoch + 1);
      expect(back.isr).toContain(victim);
      const atReturn = producer.acknowledged.length;
      await until(() => producer.acknowledged.length >= atReturn + 50, 'records acknowledged by the preferred leader');
    } finally {
      await producer.stop();
    }
    for (const p of PARTITIONS) await cluster.waitFor(topic, p, (v) => v.leaderId === v.replicas[0], 'led by its preferred replica');
    await expectLeaderHoldsEveryAcknowledged({ port: cluster.port(victim) }, topic, producer.acknowledged, partition);
  }, RESTART_TIMEOUT_MS);
});
