// Partition reassignments and unclean leader election on three brokers in one process
// (startCluster), through kafkajs admin and raw requests: a partition moved from brokers [1,2] to
// [2,3] while an idempotent acks=all producer writes, every acknowledged record then on the new
// replicas and none left on broker 1, not even its directory, and a move back to broker 1 starting
// its replica empty (log and producer state rebuilt from the leader's); a move that cannot finish, listed with its adding and
// removing replicas, shown as the union in metadata, and cancelled; Kafka's errors; Kafka's own
// kafka-reassign-partitions tool (compat Java tools family; skipped without java); and a
// partition whose ISR died staying offline until unclean.leader.election.enable is turned on.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { kafkaToolsSuite } from '../../compat/clients/java.js';
import { startCluster, type RunningCluster } from '../../src/index.js';
import { expectLeaderHoldsEveryAcknowledged, startAckedProducer } from '../helpers/acked-producer.js';
import { withAdmin } from '../helpers/cluster.js';
import { javaSuiteUnavailable, runJavaScenario } from '../helpers/java-scenarios.js';
import { RawClient } from '../helpers/raw-client.js';
import { readPartition } from '../helpers/read-partition.js';
import { until } from '../helpers/until.js';

let cluster: RunningCluster;
let kafka: Kafka;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3, brokerOptions: { logLevel: 'silent' } });
  kafka = new Kafka({ clientId: 'reassign-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
});
afterAll(async () => {
  await kafkaToolsSuite.close?.();
  await cluster?.close();
});

function anyBroker() {
  return cluster.nodeIds.map((id) => cluster.broker(id)).find((b) => b !== undefined)!;
}

function stateOf(topic: string, partition = 0) {
  return anyBroker().broker.cluster.partitionState(topic, partition)!;
}

/** Waits until the controller has acted on everything it has been told so far. */
async function controllerSettled(): Promise<void> {
  await until(() => cluster.broker(cluster.controllerId()) !== undefined, 'a controller');
  await cluster.broker(cluster.controllerId())!.broker.member!.controller.settled();
}


/** One partition on `replicas`, all of them in sync. */
async function createTopic(topic: string, replicas: number[], configs: Record<string, string> = {}): Promise<void> {
  await withAdmin(kafka, (admin) =>
    admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas }], configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }], waitForLeaders: true }),
  );
  await until(() => stateOf(topic).isr.length === replicas.length, `${topic}'s replicas in sync`);
}

function replicaHere(nodeId: number, topic: string) {
  return cluster.broker(nodeId)!.broker.replicas.getPartition(cluster.broker(nodeId)!.broker.topics.get(topic), 0)!;
}

function partitionDir(nodeId: number, topic: string): string {
  return join(cluster.broker(nodeId)!.broker.config.logDir, `${topic}-0`);
}

/** Each producer's id, epoch and last batch in the replica of `topic`-0 on broker `nodeId`. */
function producersHere(nodeId: number, topic: string) {
  return cluster.broker(nodeId)!.broker.txn.producers(replicaHere(nodeId, topic)).map((p) => ({ producerId: p.producerId, epoch: p.epoch, lastBatch: p.batches.at(-1) }));
}

function alterRaw(client: RawClient, topic: string, partitionIndex: number, replicas: number[] | null) {
  return client.send(45, 0, { timeoutMs: 5000, allowReplicationFactorChange: true, topics: [{ name: topic, partitions: [{ partitionIndex, replicas }] }] });
}

describe('partition reassignments on three brokers', () => {
  it('moves a partition from [1,2] to [2,3] under acks=all writes; every acknowledged record is on the new replicas, none on broker 1', async () => {
    const topic = 'moved';
    await createTopic(topic, [1, 2], { 'min.insync.replicas': '2' });
    const producer = await startAckedProducer(kafka, topic);
    try {
      await until(() => producer.acknowledged.length >= 50, 'records before the move');
      await withAdmin(kafka, (admin) => admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [2, 3] }] }] }));
      await until(() => stateOf(topic).replicas.length === 2 && stateOf(topic).replicas.includes(3), 'the move finished');
      const atMove = producer.acknowledged.length;
      await until(() => producer.acknowledged.length >= atMove + 50, 'records after the move');
    } finally {
      await producer.stop();
    }
    expect(stateOf(topic)).toMatchObject({ replicas: [2, 3], leaderId: 2 });
    expect(await withAdmin(kafka, (admin) => admin.listPartitionReassignments({}))).toEqual({ topics: [] });
    await until(() => stateOf(topic).isr.length === 2, 'both new replicas in sync');
    await expectLeaderHoldsEveryAcknowledged(cluster.broker(2)!, topic, producer.acknowledged);
    // Broker 3, which started empty, holds the leader's whole log; broker 1 holds nothing of it.
    await until(() => replicaHere(3, topic).logEndOffset === replicaHere(2, topic).logEndOffset, 'broker 3 at the log end');
    await until(() => replicaHere(1, topic).logEndOffset === 0, 'broker 1 emptied');
    await until(() => !existsSync(partitionDir(1, topic)), "broker 1's partition directory removed");
    const metadata = await withAdmin(kafka, (admin) => admin.fetchTopicMetadata({ topics: [topic] }));
    expect(metadata.topics[0]!.partitions[0]).toMatchObject({ leader: 2, replicas: [2, 3] });

    // Moved back, broker 1 starts its replica empty and fetches the leader's whole log.
    await withAdmin(kafka, (admin) => admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [2, 1] }] }] }));
    await until(() => stateOf(topic).replicas.length === 2 && stateOf(topic).replicas.includes(1), 'the move back finished');
    await until(() => stateOf(topic).isr.length === 2 && stateOf(topic).isr.includes(1), 'broker 1 in sync again');
    await until(() => replicaHere(1, topic).logEndOffset === replicaHere(2, topic).logEndOffset, 'broker 1 at the log end');
    expect(existsSync(partitionDir(1, topic))).toBe(true);
    expect(replicaHere(1, topic).logStartOffset).toBe(replicaHere(2, topic).logStartOffset);
    // Its producer state is the leader's, rebuilt from the fetched batches.
    expect(producersHere(1, topic)).toEqual(producersHere(2, topic));
    expect(producersHere(1, topic)).toHaveLength(1);
  });

  it('moves the leadership on twice by reordering the replicas and electing the preferred one, with nothing produced in between: the broker that led an empty epoch follows on, and acks=all writes to the last leader complete', async () => {
    const topic = 'reordered';
    await createTopic(topic, [1, 2, 3], { 'min.insync.replicas': '3' });
    const producer = await kafka.producer({ idempotent: true });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: [{ value: 'before' }] });
      for (const order of [[2, 1, 3], [3, 1, 2]]) {
        await withAdmin(kafka, (admin) => admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: order }] }] }));
        await until(() => stateOf(topic).replicas.join() === order.join(), `replicas ordered ${order.join()}`);
        const client = await RawClient.connect('127.0.0.1', cluster.broker(order[0]!)!.port);
        try {
          const res = await client.send(43, 2, { electionType: 0, topicPartitions: [{ topic, partitions: [0] }], timeoutMs: 10_000 });
          expect(res.replicaElectionResults[0].partitionResult[0].errorCode).toBe(ErrorCode.NONE);
        } finally {
          client.close();
        }
        await until(() => stateOf(topic).leaderId === order[0], `led by broker ${order[0]}`);
      }
      // Broker 2 led epoch 1 without appending; following broker 3, it must fetch on from its log end
      // (an epoch its leader has not would make every fetch diverge), or this write never commits.
      await producer.send({ topic, acks: -1, timeout: 10_000, messages: [{ value: 'after' }] });
    } finally {
      await producer.disconnect();
    }
    expect(stateOf(topic).isr).toHaveLength(3);
    await until(() => replicaHere(2, topic).logEndOffset === 2, 'broker 2 holds both records');
    expect((await readPartition(cluster.broker(3)!, topic)).map((r) => r.value)).toEqual(['before', 'after']);
  });

  it('lists a move that cannot finish with its adding and removing replicas, reports the union, and cancels it', async () => {
    const topic = 'stuck';
    await createTopic(topic, [1, 2]);
    // No leader: the new replica cannot catch up, so the move stays under way.
    await cluster.kill(2);
    await cluster.kill(1);
    await until(() => stateOf(topic).leaderId === -1, 'no leader');
    // kafkajs admin refuses to work on a cluster with a leaderless partition (it retries its
    // metadata refresh), so raw requests from here on.
    const raw = await RawClient.connect(cluster.broker(3)!.host, cluster.broker(3)!.port);
    try {
      expect((await alterRaw(raw, topic, 0, [3])).responses[0].partitions[0]).toEqual({ partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null });
      await until(() => stateOf(topic).replicas.length === 3, 'the union of replicas');
      expect(stateOf(topic)).toMatchObject({ replicas: [3, 1, 2], leaderId: -1, offlineReplicas: [1, 2] });
      expect((await raw.send(46, 0, { timeoutMs: 5000, topics: [{ name: topic, partitionIndexes: [0] }, { name: 'missing', partitionIndexes: [0] }] })).topics).toEqual([
        { name: topic, partitions: [{ partitionIndex: 0, replicas: [3, 1, 2], addingReplicas: [3], removingReplicas: [1, 2] }] },
      ]);
      const described = await raw.send(75, 0, { topics: [{ name: topic }], responsePartitionLimit: 100, cursor: null });
      expect(described.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, replicaNodes: [3, 1, 2], offlineReplicas: [1, 2] });
      expect((await alterRaw(raw, topic, 0, null)).responses[0].partitions[0]).toEqual({ partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null });
      await until(() => stateOf(topic).replicas.length === 2, 'the cancel applied');
      expect(stateOf(topic).replicas).toEqual([1, 2]);
      expect((await raw.send(46, 0, { timeoutMs: 5000, topics: null })).topics).toEqual([]);
      expect((await alterRaw(raw, topic, 0, null)).responses[0].partitions[0]).toEqual({
        partitionIndex: 0, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: 'No partition reassignment is in progress.',
      });
    } finally {
      raw.close();
      await cluster.start(1);
      await cluster.start(2);
    }
    await until(() => stateOf(topic).leaderId === 1, 'broker 1 leading again');
  });

  it('refuses bad targets as Kafka does', async () => {
    await createTopic('checked', [1, 2]);
    const raw = await RawClient.connect(cluster.broker(1)!.host, cluster.broker(1)!.port);
    try {
      for (const replicas of [[], [2, 2], [1, 9]]) {
        expect((await alterRaw(raw, 'checked', 0, replicas)).responses[0].partitions[0].errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      }
      expect((await alterRaw(raw, 'checked', 1, [1, 2])).responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      expect((await alterRaw(raw, 'missing', 0, [1, 2])).responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      // The current replicas, with nothing under way: nothing to do.
      expect((await alterRaw(raw, 'checked', 0, [1, 2])).responses[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
      expect((await raw.send(46, 0, { timeoutMs: 5000, topics: null })).topics).toEqual([]);
    } finally {
      raw.close();
    }
    expect(stateOf('checked').replicas).toEqual([1, 2]);
  });
});

describe('kafka-reassign-partitions on three brokers', () => {
  it('moves a partition with --execute and sees it completed with --verify (compat kafka-tools admin-partitions)', async (ctx) => {
    const unavailable = await javaSuiteUnavailable(kafkaToolsSuite);
    if (unavailable !== undefined) return ctx.skip();
    await runJavaScenario(kafkaToolsSuite, 'admin-partitions', cluster.bootstrap, 180_000);
  }, 200_000);
});

describe('unclean.leader.election.enable on three brokers', () => {
  it('keeps a partition whose ISR died offline, and elects the out-of-sync replica once the topic allows it', async () => {
    const topic = 'unclean';
    await createTopic(topic, [1, 2]);
    await cluster.kill(2);
    await until(() => stateOf(topic).isr.length === 1, 'broker 2 out of the ISR');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'only-on-1' }] });
    await producer.disconnect();
    await cluster.kill(1);
    await cluster.start(2);
    try {
      await until(() => !stateOf(topic).offlineReplicas.includes(2), 'broker 2 live');
      await controllerSettled();
      expect(stateOf(topic)).toMatchObject({ leaderId: -1, isr: [1] });
      const raw = await RawClient.connect(cluster.broker(3)!.host, cluster.broker(3)!.port);
      try {
        const metadata = await raw.send(3, 12, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
        expect(metadata.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, isrNodes: [1] });
        // IncrementalAlterConfigs (kafkajs admin retries its metadata while a partition has no leader).
        const altered = await raw.send(44, 1, { resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'unclean.leader.election.enable', configOperation: 0, value: 'true' }] }], validateOnly: false });
        expect(altered.responses[0].errorCode).toBe(ErrorCode.NONE);
      } finally {
        raw.close();
      }
      await until(() => stateOf(topic).leaderId === 2, 'broker 2 elected uncleanly');
      expect(stateOf(topic)).toMatchObject({ leaderId: 2, isr: [2] });
      // It leads with its own log: the record only broker 1 had is not there.
      expect(await readPartition(cluster.broker(2)!, topic)).toEqual([]);
    } finally {
      await cluster.start(1);
    }
  });
});
