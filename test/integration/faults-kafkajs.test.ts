// Fault injection with kafkajs: each fault the README documents, injected through the embedded
// broker's `faults`, and kafkajs retrying through it. A 0 ms delay with no count is a probe that
// counts every request of an API, so each test shows how many requests the client sent and how
// many of them met the fault.
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { kafkajsErrorResponses } from '../helpers/client-errors.js';
import { clusterKafka, createSyncedTopic, stateOf } from '../helpers/cluster.js';
import { until } from '../helpers/until.js';
import { startCluster } from '../../src/start-cluster.js';

const FAST = { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500 };
const GROUP_TIMING = { sessionTimeout: 3000, rebalanceTimeout: 4000, heartbeatInterval: 100, maxWaitTimeInMs: 100 };

let broker: RunningBroker;
let kafka: Kafka;
// Every error response kafkajs met, by API and code; each test starts with none.
const clientSaw = kafkajsErrorResponses();
beforeAll(async () => {
  broker = await withBroker({ properties: FAST });
  kafka = kafkaFor(broker, 'faults-test', { logLevel: clientSaw.logLevel, logCreator: clientSaw.logCreator });
});
beforeEach(() => {
  clientSaw.seen.length = 0;
});
afterAll(async () => {
  await broker.stop();
});

async function createTopic(topic: string, partitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
}

/** Reads `count` values of `topic` from the start with a new consumer group. */
async function consume(topic: string, count: number, groupId = `${topic}-group`): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, ...GROUP_TIMING, retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 500 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen.push(message.value!.toString());
            if (seen.length >= count) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** The first `count` values a read_committed consumer of `topic` sees. */
async function readCommitted(topic: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-committed`, readUncommitted: false, ...GROUP_TIMING });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(count), { timeout: 20_000, interval: 20 });
  await consumer.disconnect();
  return seen;
}

async function highWatermark(topic: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  const [p0] = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return p0!.high;
}

describe('fault injection with kafkajs', () => {
  it('fails the next two Produce requests with NOT_LEADER_OR_FOLLOWER; the producer retries and writes once', async () => {
    const topic = 'faults-produce-fail';
    await createTopic(topic);
    const produces = broker.faults.delayResponses({ apiKey: 'Produce', delayMs: 0, topic });
    const failed = broker.faults.failRequests({ apiKey: 'Produce', errorCode: 'NOT_LEADER_OR_FOLLOWER', count: 2, topic });
    const producer = kafka.producer();
    await producer.connect();
    const [result] = await producer.send({ topic, messages: [{ value: 'once' }] });
    await producer.disconnect();
    produces.clear();
    expect(failed.hits).toBe(2);
    expect(failed.active).toBe(false);
    expect(produces.hits).toBe(3);
    expect(result).toMatchObject({ errorCode: 0, baseOffset: '0' });
    expect(clientSaw.seen).toEqual([
      { api: 'Produce', code: ErrorCode.NOT_LEADER_OR_FOLLOWER },
      { api: 'Produce', code: ErrorCode.NOT_LEADER_OR_FOLLOWER },
    ]);
    expect(await consume(topic, 1)).toEqual(['once']);
  });

  it('fails FindCoordinator, JoinGroup, SyncGroup, Fetch and OffsetCommit once each; the consumer recovers and reads everything', async () => {
    const topic = 'faults-consumer-path';
    await createTopic(topic);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: ['a', 'b', 'c'].map((value) => ({ value })) });
    await producer.disconnect();
    const f = broker.faults;
    const injected = [
      f.failRequests({ apiKey: 'FindCoordinator', errorCode: 'COORDINATOR_NOT_AVAILABLE' }),
      f.failRequests({ apiKey: 'JoinGroup', errorCode: 'COORDINATOR_LOAD_IN_PROGRESS' }),
      f.failRequests({ apiKey: 'SyncGroup', errorCode: 'REBALANCE_IN_PROGRESS' }),
      f.failRequests({ apiKey: 'Fetch', errorCode: 'NOT_LEADER_OR_FOLLOWER', topic }),
      f.failRequests({ apiKey: 'OffsetCommit', errorCode: 'COORDINATOR_LOAD_IN_PROGRESS' }),
    ];
    expect(await consume(topic, 3)).toEqual(['a', 'b', 'c']);
    expect(injected.map((fault) => fault.hits)).toEqual([1, 1, 1, 1, 1]);
    // kafkajs does not log JoinGroup's error responses (it expects MEMBER_ID_REQUIRED there); its fault's hit shows it.
    expect(clientSaw.seen).toEqual([
      { api: 'FindCoordinator', code: ErrorCode.COORDINATOR_NOT_AVAILABLE },
      { api: 'SyncGroup', code: ErrorCode.REBALANCE_IN_PROGRESS },
      { api: 'Fetch', code: ErrorCode.NOT_LEADER_OR_FOLLOWER },
      { api: 'OffsetCommit', code: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS },
    ]);
    expect(injected.filter((fault) => fault.active)).toEqual([]);
  });

  it('fails Metadata, ListOffsets and OffsetFetch once each on the way to the first message', async () => {
    const topic = 'faults-lookups';
    await createTopic(topic);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'found' }] });
    await producer.disconnect();
    const f = broker.faults;
    const injected = [
      f.failRequests({ apiKey: 'Metadata', errorCode: 'LEADER_NOT_AVAILABLE', topic }),
      f.failRequests({ apiKey: 'ListOffsets', errorCode: 'NOT_LEADER_OR_FOLLOWER', topic }),
      f.failRequests({ apiKey: 'OffsetFetch', errorCode: 'COORDINATOR_LOAD_IN_PROGRESS' }),
    ];
    expect(await consume(topic, 1)).toEqual(['found']);
    expect(injected.map((fault) => [fault.hits, fault.active])).toEqual([
      [1, false],
      [1, false],
      [1, false],
    ]);
    expect(clientSaw.seen).toHaveLength(3);
    expect(clientSaw.seen).toEqual(
      expect.arrayContaining([
        { api: 'Metadata', code: ErrorCode.LEADER_NOT_AVAILABLE },
        { api: 'ListOffsets', code: ErrorCode.NOT_LEADER_OR_FOLLOWER },
        { api: 'OffsetFetch', code: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS },
      ]),
    );
  });

  it('fails a Heartbeat with REBALANCE_IN_PROGRESS; the member rejoins and goes on consuming', async () => {
    const topic = 'faults-heartbeat';
    await createTopic(topic);
    const joins = broker.faults.delayResponses({ apiKey: 'JoinGroup', delayMs: 0 });
    const consumer = kafka.consumer({ groupId: `${topic}-group`, ...GROUP_TIMING });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await vi.waitFor(() => expect(joins.hits).toBeGreaterThanOrEqual(1), { timeout: 20_000, interval: 10 });
    const joinsBefore = joins.hits;
    const heartbeat = broker.faults.failRequests({ apiKey: 'Heartbeat', errorCode: 'REBALANCE_IN_PROGRESS' });
    await vi.waitFor(() => expect(heartbeat.hits).toBe(1), { timeout: 20_000, interval: 10 });
    await vi.waitFor(() => expect(joins.hits).toBeGreaterThan(joinsBefore), { timeout: 20_000, interval: 10 });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'after-rejoin' }] });
    await producer.disconnect();
    await vi.waitFor(() => expect(seen).toEqual(['after-rejoin']), { timeout: 20_000, interval: 20 });
    await consumer.disconnect();
    joins.clear();
    expect(clientSaw.seen).toEqual([{ api: 'Heartbeat', code: ErrorCode.REBALANCE_IN_PROGRESS }]);
  });

  it('fails CreateTopics with REQUEST_TIMED_OUT: nothing is created, kafkajs reports the topic\'s error, and the retry creates it', async () => {
    const topic = 'faults-create-topics';
    const failed = broker.faults.failRequests({ apiKey: 'CreateTopics', errorCode: 'REQUEST_TIMED_OUT', topic });
    const admin = kafka.admin();
    await admin.connect();
    // kafkajs retries CreateTopics only on NOT_CONTROLLER; the per-topic error comes back to the caller.
    const err = (await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }).catch((e: unknown) => e)) as { errors?: { type: string; topic: string }[] };
    expect(err.errors?.map((e) => [e.topic, e.type])).toEqual([[topic, 'REQUEST_TIMED_OUT']]);
    expect(failed.hits).toBe(1);
    expect(await admin.listTopics()).not.toContain(topic);
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })).toBe(true);
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]!.partitions).toHaveLength(2);
    await admin.disconnect();
  });

  it('fails InitProducerId and AddPartitionsToTxn once each; the transactional producer retries and commits once', async () => {
    const topic = 'faults-txn';
    await createTopic(topic);
    const f = broker.faults;
    const injected = [
      f.failRequests({ apiKey: 'InitProducerId', errorCode: 'COORDINATOR_LOAD_IN_PROGRESS' }),
      f.failRequests({ apiKey: 'AddPartitionsToTxn', errorCode: 'CONCURRENT_TRANSACTIONS' }),
    ];
    const producer = kafka.producer({ transactionalId: 'faults-txn-producer', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic, messages: [{ value: 'committed-once' }] });
    await txn.commit();
    await producer.disconnect();
    expect(injected.map((fault) => fault.hits)).toEqual([1, 1]);
    expect(clientSaw.seen).toEqual([
      { api: 'InitProducerId', code: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS },
      { api: 'AddPartitionsToTxn', code: ErrorCode.CONCURRENT_TRANSACTIONS },
    ]);
    expect(await readCommitted(topic, 1)).toEqual(['committed-once']);
    // The record and the commit marker: one transaction, written once.
    expect(await highWatermark(topic)).toBe('2');
  });

  it('fails EndTxn: kafkajs does not retry it, the commit did not happen, and the next producer of the id aborts it', async () => {
    const topic = 'faults-end-txn';
    await createTopic(topic);
    const endTxn = broker.faults.failRequests({ apiKey: 'EndTxn', errorCode: 'COORDINATOR_LOAD_IN_PROGRESS' });
    const first = kafka.producer({ transactionalId: 'faults-end-txn-producer', idempotent: true, maxInFlightRequests: 1 });
    await first.connect();
    const txn = await first.transaction();
    await txn.send({ topic, messages: [{ value: 'never-committed' }] });
    await expect(txn.commit()).rejects.toMatchObject({ code: 14 }) // kafkajs names it GROUP_LOAD_IN_PROGRESS;
    expect(endTxn.hits).toBe(1);
    await first.disconnect();
    const second = kafka.producer({ transactionalId: 'faults-end-txn-producer', idempotent: true, maxInFlightRequests: 1 });
    await second.connect();
    const next = await second.transaction();
    await next.send({ topic, messages: [{ value: 'committed' }] });
    await next.commit();
    await second.disconnect();
    // The injected EndTxn error, then the new producer's InitProducerId waiting (CONCURRENT_TRANSACTIONS) while the coordinator aborts.
    expect(clientSaw.seen).toEqual([
      { api: 'EndTxn', code: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS },
      { api: 'InitProducerId', code: ErrorCode.CONCURRENT_TRANSACTIONS },
    ]);
    // In offset order a committed first record would come before this one.
    expect(await readCommitted(topic, 1)).toEqual(['committed']);
  });

  it('delays Produce responses; the producer just waits for them', async () => {
    const topic = 'faults-delay';
    await createTopic(topic);
    const delayed = broker.faults.delayResponses({ apiKey: 'Produce', delayMs: 200, count: 2, topic });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'x' }] });
    await producer.send({ topic, messages: [{ value: 'y' }] });
    await producer.disconnect();
    expect(delayed.hits).toBe(2);
    expect(await consume(topic, 2)).toEqual(['x', 'y']);
  });

  it('closes the connection after a Produce request took effect; the idempotent producer retries without a duplicate', async () => {
    const topic = 'faults-close-after';
    await createTopic(topic);
    const produces = broker.faults.delayResponses({ apiKey: 'Produce', delayMs: 0, topic });
    const dropped = broker.faults.closeAfterRequest({ apiKey: 'Produce', topic });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'exactly-once' }] });
    await producer.send({ topic, messages: [{ value: 'after' }] });
    await producer.disconnect();
    produces.clear();
    expect(dropped.hits).toBe(1);
    expect(produces.hits).toBe(3);
    expect(await consume(topic, 2)).toEqual(['exactly-once', 'after']);
  });

  it('closes the connections of one client id; its consumer reconnects and goes on', async () => {
    const topic = 'faults-close-client';
    await createTopic(topic);
    const victim = kafkaFor(broker, 'victim');
    const consumer = victim.consumer({ groupId: `${topic}-group`, ...GROUP_TIMING });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'before' }] });
    await vi.waitFor(() => expect(seen).toEqual(['before']), { timeout: 20_000, interval: 20 });
    expect(broker.faults.closeConnections({ clientId: 'victim' })).toBeGreaterThan(0);
    await producer.send({ topic, messages: [{ value: 'after' }] });
    await vi.waitFor(() => expect(seen).toEqual(['before', 'after']), { timeout: 20_000, interval: 20 });
    await producer.disconnect();
    await consumer.disconnect();
  });

  it('withholds leadership of a partition; the producer refreshes metadata and retries until it is back', async () => {
    const topic = 'faults-not-leader';
    await createTopic(topic, 2);
    const withheld = broker.faults.notLeader({ topic, partition: 1 });
    const producer = kafkaFor(broker, 'patient', { logLevel: clientSaw.logLevel, logCreator: clientSaw.logCreator }).producer({ retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 200 } });
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'p0', partition: 0 }] });
    const sending = producer.send({ topic, messages: [{ value: 'p1', partition: 1 }] });
    await vi.waitFor(() => expect(withheld.hits).toBeGreaterThanOrEqual(2), { timeout: 20_000, interval: 10 });
    withheld.clear();
    const [result] = await sending;
    await producer.disconnect();
    expect(result).toMatchObject({ partition: 1, errorCode: 0, baseOffset: '0' });
    // Every Produce to the withheld partition was answered NOT_LEADER_OR_FOLLOWER, and the client saw each.
    expect(clientSaw.seen).toEqual(Array.from({ length: withheld.hits }, () => ({ api: 'Produce', code: ErrorCode.NOT_LEADER_OR_FOLLOWER })));
    expect((await consume(topic, 2)).sort()).toEqual(['p0', 'p1']);
  });

  it('stalls the disk writes of a partition: the append waits, reads of committed data go on, and the release completes it', async () => {
    const topic = 'faults-stall';
    await createTopic(topic);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'committed' }] });
    const stalled = broker.faults.stallWrites({ topic, partition: 0 });
    let acked = false;
    const sending = producer.send({ topic, messages: [{ value: 'stalled' }] }).then((r) => {
      acked = true;
      return r;
    });
    await vi.waitFor(() => expect(stalled.hits).toBe(1), { timeout: 20_000, interval: 10 });
    // Reads are served while the write is held: the first record, and nothing past the high watermark.
    expect(await consume(topic, 1, `${topic}-reader`)).toEqual(['committed']);
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.fetchTopicOffsets(topic)).toMatchObject([{ partition: 0, high: '1' }]);
    expect(acked).toBe(false);
    stalled.clear();
    expect(await sending).toMatchObject([{ errorCode: 0, baseOffset: '1' }]);
    expect(await admin.fetchTopicOffsets(topic)).toMatchObject([{ partition: 0, high: '2' }]);
    await admin.disconnect();
    await producer.disconnect();
  });

  for (const mode of ['loading', 'wait'] as const) {
    it(`pauses a group's coordinator (${mode}); the consumer joins once the pause ends`, async () => {
      const topic = `faults-pause-${mode}`;
      const groupId = `${topic}-group`;
      await createTopic(topic);
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ value: 'hello' }] });
      await producer.disconnect();
      const paused = broker.faults.pauseGroup({ groupId, mode });
      const consuming = consume(topic, 1, groupId);
      await vi.waitFor(() => expect(paused.hits).toBeGreaterThanOrEqual(mode === 'wait' ? 1 : 2), { timeout: 20_000, interval: 10 });
      expect(broker.broker.groups.group(groupId)).toBeUndefined();
      paused.clear();
      expect(await consuming).toEqual(['hello']);
    });
  }
});

describe('fault injection on a startCluster() broker', () => {
  it("fails the partition leader's Produce requests; the acks=all producer retries and the record is written once, on every replica", async () => {
    const cluster = await startCluster({ brokers: 2 });
    try {
      const saw = kafkajsErrorResponses();
      const clusterClient = clusterKafka(cluster, 'faults-cluster', { logLevel: saw.logLevel, logCreator: saw.logCreator });
      const topic = 'faults-cluster';
      await createSyncedTopic(cluster, clusterClient, topic, 1, 2);
      const { leaderId: leader, replicas } = stateOf(cluster, topic);
      const follower = replicas.find((id) => id !== leader)!;
      // Each broker of the cluster has its own faults.
      const failed = cluster.broker(leader)!.faults.failRequests({ apiKey: 'Produce', errorCode: 'NOT_LEADER_OR_FOLLOWER', count: 2, topic });
      const atFollower = cluster.broker(follower)!.faults.delayResponses({ apiKey: 'Produce', delayMs: 0, topic });
      const producer = clusterClient.producer();
      await producer.connect();
      const [result] = await producer.send({ topic, acks: -1, messages: [{ value: 'once' }] });
      await producer.disconnect();
      atFollower.clear();
      expect(result).toMatchObject({ errorCode: 0, baseOffset: '0' });
      expect([failed.hits, atFollower.hits]).toEqual([2, 0]);
      // (Creating the topic may meet other errors while leaders are elected.)
      expect(saw.seen.filter((e) => e.api === 'Produce')).toEqual([
        { api: 'Produce', code: ErrorCode.NOT_LEADER_OR_FOLLOWER },
        { api: 'Produce', code: ErrorCode.NOT_LEADER_OR_FOLLOWER },
      ]);
      for (const id of [leader, follower]) {
        await until(() => cluster.broker(id)!.broker.topics.get(topic)!.partitions[0]!.highWatermark === 1, `broker ${id}'s high watermark at 1`);
      }
    } finally {
      await cluster.close();
    }
  });
});
