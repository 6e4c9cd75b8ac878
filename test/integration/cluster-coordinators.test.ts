// Coordinators spread over a three-broker cluster (startCluster): a group's coordinator is the
// leader of its __consumer_offsets partition and a transactional id's the leader of its
// __transaction_state partition. A consumer group keeps consuming, with its committed offsets
// neither lost nor applied twice, when that leadership moves and when the coordinator is killed;
// a transactional consume-transform-produce keeps producing exactly once across a move of its
// transaction coordinator; a transaction over partitions led by three brokers commits and aborts
// with markers written by each leader (WriteTxnMarkers).
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RunningCluster } from '../../src/index.js';
import { clusterKafka, coordinatorOf, coordinatorReady, createSyncedTopic, stateOf } from '../helpers/cluster.js';
import { until } from '../helpers/until.js';

let cluster: RunningCluster;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    brokerOptions: {
      logLevel: 'silent',
      // Fewer internal partitions than Kafka's 50 keep the test cluster small; placement and loading work the same.
      properties: { 'offsets.topic.num.partitions': 5, 'transaction.state.log.num.partitions': 5 },
    },
  });
  kafka = clusterKafka(cluster, 'coordinators-test');
  admin = kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  await admin?.disconnect();
  await cluster?.close();
});

/** The group's committed offset of each partition of `topic`, by partition. */
async function committed(groupId: string, topic: string): Promise<Record<number, number>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Object.fromEntries(offsets!.partitions.map((p) => [p.partition, Number(p.offset)]));
}

async function endOffsets(topic: string): Promise<Record<number, number>> {
  return Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
}

/** Another live broker in the ISR of a partition, to move its leadership to. */
function otherInSync(topic: string, partition: number): number {
  const { leaderId, isr } = stateOf(cluster, topic, partition);
  const target = isr.find((id) => id !== leaderId && cluster.broker(id) !== undefined);
  if (target === undefined) throw new Error(`no other in-sync replica of ${topic}-${partition}`);
  return target;
}

describe('the group coordinator in a cluster', () => {
  it('keeps a consumer group consuming, committed offsets intact, across a coordinator move and a coordinator kill', async () => {
    const topic = 'orders';
    const groupId = 'orders-group';
    await createSyncedTopic(cluster, kafka, topic, 3, 3);
    const producer = kafka.producer();
    await producer.connect();
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 100, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
    const seen: string[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ partition, message }) => void seen.push(`${partition}:${message.offset}:${message.value}`) });

      const rounds: string[] = [];
      /** Produces a round of records and waits until the group has consumed and committed all of them. */
      const round = async (name: string): Promise<void> => {
        rounds.push(name);
        await producer.send({ topic, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `${name}-${i}` })) });
        await until(() => new Set(seen.filter((s) => s.includes(`:${name}-`))).size === 30, `the group to consume ${name}`);
        const ends = await endOffsets(topic);
        await until(async () => JSON.stringify(await committed(groupId, topic).catch(() => ({}))) === JSON.stringify(ends), `the group to commit ${name}`);
      };
      /** Records of the rounds committed before `mark` that were delivered again after it: a committed offset lost. */
      const redeliveredAfter = (mark: number, committedRounds: string[]): string[] =>
        seen.slice(mark).filter((s) => committedRounds.some((r) => s.includes(`:${r}-`)));

      await round('before');
      const before = await committed(groupId, topic);
      const first = coordinatorOf(cluster, 'group', groupId);
      const target = otherInSync(first.topic, first.partition);
      const atMove = seen.length;
      await cluster.moveLeader(first.topic, first.partition, target);
      expect(await coordinatorReady(cluster, 'group', groupId)).toBe(target);
      // The new coordinator loaded the group's offsets from its partition: nothing lost.
      expect(await committed(groupId, topic)).toEqual(before);
      expect(cluster.broker(first.leader)!.broker.groups.ownerError(groupId)).not.toBe(0);
      await round('after-move');

      const moved = await committed(groupId, topic);
      const atKill = seen.length;
      await cluster.kill(target);
      const third = await coordinatorReady(cluster, 'group', groupId);
      expect(third).not.toBe(target);
      expect(await committed(groupId, topic)).toEqual(moved);
      await round('after-kill');

      // Nothing committed before a move came back (kafkajs may redeliver what it had not committed yet),
      // and every record was consumed.
      expect(redeliveredAfter(atMove, ['before'])).toEqual([]);
      expect(redeliveredAfter(atKill, ['before', 'after-move'])).toEqual([]);
      expect(new Set(seen.map((s) => s.split(':')[2])).size).toBe(30 * rounds.length);
      await cluster.start(target);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});
