// Replication throttling (KIP-73) on three brokers in one process (startCluster): a follower out
// of the ISR fetching, over a raw socket, a partition its leader throttles
// (leader.replication.throttled.replicas) gets records until the leader's
// leader.replication.throttled.rate is exceeded and none after, while an unthrottled partition of
// the same fetch, and consumers, still get theirs; lifting the rate or the topic's throttle lets
// records flow again. A reassignment whose new replica is throttled finishes once the throttle is
// lifted. A follower leaves a partition it throttles (follower.replication.throttled.replicas)
// out of its fetches while it is behind and its follower.replication.throttled.rate exceeded.
// Rates are measured over replication.quota.window.num × window.size.seconds: a long window here
// keeps a rate over 1 byte/s for minutes after a few KiB, whatever the machine's pace.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import type { ResponseOf } from '../../protocol/codec/messages.js';
import { startCluster, type RunningCluster } from '../../src/index.js';
import { brokerConfigValue } from '../../src/config/describe-configs.js';
import { RawClient } from '../helpers/raw-client.js';
import { fetchRequest } from '../helpers/raw-requests.js';
import { stateOf, withAdmin } from '../helpers/cluster.js';
import { until } from '../helpers/until.js';

const LONG_MAX = '9223372036854775807';
const WINDOW_SECONDS = 60;
const TOPIC = 2;
const BROKER = 4;
const SET = 0;
const DELETE = 1;
const DYNAMIC_BROKER_CONFIG = 2;
const DEFAULT_CONFIG = 5;

let cluster: RunningCluster;
let kafka: Kafka;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    brokerOptions: { logLevel: 'silent', properties: { 'replica.lag.time.max.ms': 1000, 'replication.quota.window.size.seconds': WINDOW_SECONDS } },
  });
  kafka = new Kafka({ clientId: 'throttle-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
});
afterAll(async () => {
  await cluster?.close();
});

function connectTo(nodeId: number): Promise<RawClient> {
  const broker = cluster.broker(nodeId)!;
  return RawClient.connect(broker.host, broker.port);
}


/** Sets (value) or deletes (null) one config through IncrementalAlterConfigs on broker `nodeId`; waits until `nodeId` applies it. */
async function alterConfig(nodeId: number, resourceType: number, resourceName: string, name: string, value: string | null): Promise<void> {
  const client = await connectTo(nodeId);
  try {
    const res = await client.send(44, 1, { resources: [{ resourceType, resourceName, configs: [{ name, configOperation: value === null ? DELETE : SET, value }] }], validateOnly: false });
    expect(res.responses.map((r) => r.errorCode)).toEqual([ErrorCode.NONE]);
  } finally {
    client.close();
  }
  const broker = cluster.broker(nodeId)!.broker;
  const applied = (): boolean =>
    resourceType === BROKER
      ? brokerConfigValue(broker.topics.layers, name) === (value ?? LONG_MAX)
      : broker.topics.get(resourceName)?.overrides.get(name) === (value ?? undefined);
  await until(applied, `${name}=${value} applied on broker ${nodeId}`);
}

function recordBytes(p: ResponseOf<1>['responses'][number]['partitions'][number]): number {
  const records = p.records;
  if (records === null) return 0;
  return Array.isArray(records) ? records.reduce((sum, b) => sum + b.length, 0) : records.length;
}

/** A follower's Fetch (Fetch v12, replica_id set, no wait) of partitions 0 and 1 from offset 0: the record bytes of each. */
async function followerFetch(client: RawClient, topic: string, replicaId: number): Promise<number[]> {
  const res = await client.send(1, 12, fetchRequest([{ topic, partition: 0 }, { topic, partition: 1 }], { replicaId }));
  expect(res.errorCode).toBe(ErrorCode.NONE);
  const partitions = res.responses.flatMap((t) => t.partitions).sort((a, b) => a.partitionIndex - b.partitionIndex);
  expect(partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
  return partitions.map(recordBytes);
}

/** Writes a 4 KiB record to each partition (acks=all: the ISR, here the leader alone). */
async function writeRecords(topic: string, partitions: number[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: partitions.map((partition) => ({ partition, value: Buffer.alloc(4096, partition + 1) })) });
  } finally {
    await producer.disconnect();
  }
}

describe('replication throttling', () => {
  it('leaves a throttled partition out of an out-of-ISR follower\'s fetch once the leader\'s rate is exceeded, and only that one', async () => {
    const topic = 'throttled';
    await withAdmin(kafka, (admin) =>
      admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 3] }, { partition: 1, replicas: [1, 3] }] }], waitForLeaders: true }),
    );
    await until(() => [0, 1].every((p) => stateOf(cluster, topic, p).isr.length === 2), 'both replicas in sync');
    // Broker 3 goes away: the raw fetches below stand for it, a follower out of the ISR.
    await cluster.stop(3);
    await until(() => [0, 1].every((p) => stateOf(cluster, topic, p).isr.join() === '1'), 'the ISR shrunk to the leader');
    await writeRecords(topic, [0, 1]);
    await alterConfig(1, TOPIC, topic, 'leader.replication.throttled.replicas', '0:1');
    await alterConfig(1, BROKER, '1', 'leader.replication.throttled.rate', '1');

    const client = await connectTo(1);
    try {
      // A dynamic broker config, described as broker 1's own.
      const described = await client.send(32, 4, { resources: [{ resourceType: BROKER, resourceName: '1', configurationKeys: ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'] }], includeSynonyms: false, includeDocumentation: false });
      expect(described.results[0]!.configs.map((c) => [c.name, c.value, c.configSource, c.readOnly])).toEqual([
        ['leader.replication.throttled.rate', '1', DYNAMIC_BROKER_CONFIG, false],
        ['follower.replication.throttled.rate', LONG_MAX, DEFAULT_CONFIG, false],
      ]);
      // Nothing counted yet: the first fetch gets both partitions' records, and counts partition 0's.
      const [first0, first1] = await followerFetch(client, topic, 3);
      expect(first0).toBeGreaterThan(WINDOW_SECONDS * 11);
      expect(first1).toBeGreaterThan(0);
      expect(cluster.broker(1)!.broker.replicationQuotas.leader.isExceeded()).toBe(true);
      // Over 1 byte/s now: partition 0 comes without records, partition 1 as before.
      expect(await followerFetch(client, topic, 3)).toEqual([0, first1]);
      expect(await followerFetch(client, topic, 3)).toEqual([0, first1]);
      // Still out of the ISR: throttling kept it from catching up.
      expect(stateOf(cluster, topic, 0).isr).toEqual([1]);
      // Consumers are not replication: a consumer's fetch of partition 0 gets its records.
      const consumed = await client.send(1, 12, fetchRequest({ topic, partition: 0 }));
      expect(recordBytes(consumed.responses[0]!.partitions[0]!)).toBe(first0);

      // The rate lifted (back to Long.MAX_VALUE): records flow again.
      await alterConfig(1, BROKER, '1', 'leader.replication.throttled.rate', null);
      expect(await followerFetch(client, topic, 3)).toEqual([first0, first1]);
      // Set again, still exceeded (the bytes just sent were counted); then the topic's throttle removed.
      await alterConfig(1, BROKER, '1', 'leader.replication.throttled.rate', '1');
      expect(await followerFetch(client, topic, 3)).toEqual([0, first1]);
      await alterConfig(1, TOPIC, topic, 'leader.replication.throttled.replicas', null);
      expect(await followerFetch(client, topic, 3)).toEqual([first0, first1]);
    } finally {
      client.close();
      await cluster.start(3);
    }
  });

  it('leaves a throttled partition that is not caught up out of the follower\'s fetches once the follower\'s rate is exceeded', async () => {
    const topic = 'follower-throttled';
    await withAdmin(kafka, (admin) =>
      admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2] }, { partition: 1, replicas: [1, 2] }] }], waitForLeaders: true }),
    );
    await until(() => [0, 1].every((p) => stateOf(cluster, topic, p).isr.length === 2), 'both replicas in sync');
    await alterConfig(1, TOPIC, topic, 'follower.replication.throttled.replicas', '0:2');
    await alterConfig(2, BROKER, '2', 'follower.replication.throttled.rate', '1');
    // Broker 2 falls behind: two batches of 700 KiB on partition 0, more than one fetch
    // (replica.fetch.max.bytes, 1 MiB) brings; one record on partition 1.
    await cluster.stop(2);
    await until(() => [0, 1].every((p) => stateOf(cluster, topic, p).isr.join() === '1'), 'the ISR shrunk to the leader');
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (const fill of [1, 2]) await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: Buffer.alloc(700 * 1024, fill) }] });
      await producer.send({ topic, acks: -1, messages: [{ partition: 1, value: 'small' }] });
    } finally {
      await producer.disconnect();
    }
    // Back with its throttle (the dynamic config is kept) and nothing counted yet.
    await cluster.start(2);
    const endOn = (nodeId: number, partition: number): number => {
      const b = cluster.broker(nodeId)!.broker;
      return b.replicas.getPartition(b.topics.get(topic), partition)?.logEndOffset ?? -1;
    };
    // Its first fetch brings the first batch of partition 0, which puts it over 1 byte/s; from
    // then on partition 0, behind, is left out while partition 1 is fetched and in sync again.
    await until(() => endOn(2, 1) === 1 && stateOf(cluster, topic, 1).isr.length === 2, 'partition 1 in sync on broker 2');
    await until(() => endOn(2, 0) === 1, "partition 0's first batch on broker 2");
    expect(cluster.broker(2)!.broker.replicationQuotas.follower.isExceeded()).toBe(true);
    expect(stateOf(cluster, topic, 0).isr).toEqual([1]);

    // The rate lifted: partition 0 catches up and is in sync.
    await alterConfig(2, BROKER, '2', 'follower.replication.throttled.rate', null);
    await until(() => endOn(2, 0) === 2 && stateOf(cluster, topic, 0).isr.length === 2, 'partition 0 in sync on broker 2');
  });

  it('finishes a reassignment whose new replica is throttled once the throttle is lifted', async () => {
    const topic = 'moved-throttled';
    await withAdmin(kafka, (admin) => admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }], waitForLeaders: true }));
    await until(() => stateOf(cluster, topic).isr.length === 2, 'both replicas in sync');
    await alterConfig(1, TOPIC, topic, 'leader.replication.throttled.replicas', '*');
    await alterConfig(1, BROKER, '1', 'leader.replication.throttled.rate', '1');
    // Broker 2, in the ISR, is not throttled; what it fetches of the throttled partition counts.
    await writeRecords(topic, [0, 0, 0]);
    await until(() => cluster.broker(1)!.broker.replicationQuotas.leader.isExceeded(), "the leader's replication rate exceeded");

    await withAdmin(kafka, (admin) => admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [2, 3] }] }] }));
    const broker3 = (): number => {
      const b = cluster.broker(3)!.broker;
      return b.replicas.getPartition(b.topics.get(topic), 0)?.logEndOffset ?? -1;
    };
    await until(() => broker3() === 0, "broker 3's new replica");
    expect(await withAdmin(kafka, (admin) => admin.listPartitionReassignments({}))).toMatchObject({ topics: [{ name: topic, partitions: [{ partition: 0, addingReplicas: [3] }] }] });

    await alterConfig(1, BROKER, '1', 'leader.replication.throttled.rate', null);
    await until(() => stateOf(cluster, topic).replicas.join() === '2,3', 'the move finished');
    await until(() => broker3() === 3, "broker 3's replica at the log end");
    expect(await withAdmin(kafka, (admin) => admin.listPartitionReassignments({}))).toEqual({ topics: [] });
  });
});
