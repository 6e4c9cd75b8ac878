// Three `creek --etcd` processes and a real etcd: replication factor 3, min.insync.replicas=2, an
// idempotent acks=all kafkajs producer sending all along while a partition's leader is SIGKILLed,
// or SIGSTOPped past its lease (the controller too; an acks=all write reaching it as it resumes
// fails and is not kept) and resumed, or while etcd itself is stopped and started again.
// Clients move to the new leader; the old one returns, truncates, catches up and rejoins the ISR;
// every acknowledged record is then read exactly once, at offsets never reused, from each replica
// in turn as it leads. Without etcd, brokers keep serving as the leaders they are and change no
// leadership. A partition moved between brokers by a reassignment while the producer sends: the
// new leader holds every acknowledged record. Skips with a printed reason when etcd-server is not
// installed.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import type { ResponseOf } from '../../protocol/codec/messages.js';
import { encodeBatch } from '../../protocol/records/index.js';
import { partitionFor } from '../../src/txn/partition-for.js';
import { startAckedProducer, expectLeaderHoldsEveryAcknowledged, type AckedProducer } from '../helpers/acked-producer.js';
import { tempDir } from '../helpers/broker.js';
import { spawnCli } from '../helpers/cli.js';
import { requireEtcd } from '../helpers/etcd.js';
import { startProcessCluster, type ProcessCluster } from '../helpers/process-cluster.js';
import { RawClient } from '../helpers/raw-client.js';
import { produceRequest } from '../helpers/raw-requests.js';
import { until } from '../helpers/until.js';

const noEtcd = requireEtcd();
const LEASE_TTL_MS = 2000;

let cluster: ProcessCluster;
let kafka: Kafka;

beforeAll(async () => {
  if (noEtcd) return;
  cluster = await startProcessCluster({ brokers: 3, leaseTtlMs: LEASE_TTL_MS, overrides: { 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.num.partitions': 5 } });
  kafka = new Kafka({ clientId: 'etcd-failover', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
}, 120_000);
afterAll(async () => {
  await cluster?.close();
});

/** A topic of one partition on all three brokers, `preferred` first (its first leader). */
/** The group test also creates __consumer_offsets through etcd and runs a failover: on a loaded machine, more than vitest's 30 s. */
const GROUP_FAILOVER_TIMEOUT_MS = 90_000;

/** The broker coordinating a group: the leader of its __consumer_offsets partition, once a FindCoordinator has created the topic. */
async function groupCoordinatorOf(groupId: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await until(() => admin.describeGroups([groupId]).then(() => true, () => false), 'a group coordinator');
    const [metadata] = (await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] })).topics;
    return (await cluster.describe('__consumer_offsets', partitionFor(groupId, metadata!.partitions.length)))!.leaderId;
  } finally {
    await admin.disconnect();
  }
}

async function createTopic(topic: string, preferred: number): Promise<void> {
  const replicas = [preferred, ...cluster.nodeIds.filter((id) => id !== preferred)];
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
  } finally {
    await admin.disconnect();
  }
  await cluster.waitFor(topic, 0, (p) => p.leaderId === preferred && p.isr.length === 3, 'led by its preferred replica, all in sync');
}

/** Asks for the preferred replica to lead again (ElectLeaders); resolves once a broker reports it. */
async function electPreferred(topic: string, preferred: number): Promise<void> {
  const client = await RawClient.connect('127.0.0.1', cluster.port(preferred));
  try {
    const res = await client.send(43, 2, { electionType: 0, topicPartitions: [{ topic, partitions: [0] }], timeoutMs: 10_000 });
    expect([ErrorCode.NONE, ErrorCode.ELECTION_NOT_NEEDED]).toContain(res.replicaElectionResults[0].partitionResult[0].errorCode);
  } finally {
    client.close();
  }
  await cluster.waitFor(topic, 0, (p) => p.leaderId === preferred, `led by broker ${preferred} again`);
}

async function keepProducing(topic: string, during: (producer: AckedProducer) => Promise<void>): Promise<AckedProducer> {
  const producer = await startAckedProducer(kafka, topic);
  try {
    await until(() => producer.acknowledged.length >= 50, 'records acknowledged before the fault');
    await during(producer);
    const after = producer.acknowledged.length;
    await until(() => producer.acknowledged.length >= after + 50, 'records acknowledged after the fault');
  } finally {
    await producer.stop();
  }
  return producer;
}

/** Log lines (JSON, one per line) of a broker's current run whose msg is `msg`. */
function logged(nodeId: number, msg: string): number {
  return cluster.output(nodeId).split('\n').filter((line) => line.includes(`"msg":${JSON.stringify(msg)}`)).length;
}

describe.skipIf(noEtcd)('brokers in separate processes on etcd', () => {
  it('refuses a second broker with a live node id, and a data dir of another cluster, at start-up with a clear message and nothing written', async () => {
    const parent = tempDir('creek-refused-');
    const dir = join(parent.path, 'data');
    const second = spawnCli(['--etcd', cluster.etcd.url, '--override', `creek.etcd.prefix=${cluster.prefix}`, '--node-id', '2', '--port', '0', '--data-dir', dir]);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('creek: failed to start: node id 2 is already registered by a live broker');
    expect(existsSync(dir)).toBe(false);

    // A data dir of another cluster, with a free node id: refused, and left as it was.
    const foreign = join(parent.path, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'meta.properties'), 'version=1\ncluster.id=another-cluster\nnode.id=4\n');
    const stranger = spawnCli(['--etcd', cluster.etcd.url, '--override', `creek.etcd.prefix=${cluster.prefix}`, '--node-id', '4', '--port', '0', '--data-dir', foreign]);
    expect(await stranger.exited).toBe(1);
    expect(stranger.output()).toMatch(/creek: failed to start: The data dir's cluster id another-cluster \(.*meta\.properties\) is not the cluster's id \S+ in etcd \(\/creek\/test\/cluster-id\): this data dir belongs to another cluster/);
    expect(readdirSync(foreign)).toEqual(['meta.properties']);
    parent.remove();
  });

  it('moves clients to a new leader when the leader is SIGKILLed; the old leader returns, truncates, catches up and rejoins the ISR', async () => {
    const topic = 'sigkill';
    await createTopic(topic, 1);
    const before = (await cluster.describe(topic))!;
    const producer = await keepProducing(topic, async () => {
      await cluster.kill(1);
      const moved = await cluster.waitFor(topic, 0, (p) => p.leaderId !== 1 && p.leaderId >= 0, 'a new leader');
      expect(moved.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
      expect(moved.isr).not.toContain(1);
      expect(moved.offlineReplicas).toEqual([1]);
    });
    await expectLeaderHoldsEveryAcknowledged({ port: cluster.port((await cluster.describe(topic))!.leaderId) }, topic, producer.acknowledged);
    await cluster.start(1);
    await cluster.waitFor(topic, 0, (p) => p.isr.length === 3 && p.offlineReplicas.length === 0, 'the returned broker back in the ISR');
    // The returned broker's own log, read while it leads again: the same records, nothing of a lost tail.
    await electPreferred(topic, 1);
    await expectLeaderHoldsEveryAcknowledged({ port: cluster.port(1) }, topic, producer.acknowledged);
  });

  it("starts a SIGKILLed leader again at once, as a supervisor would: it waits for its previous run's registration to lapse, rejoins the ISR and leads again with every acknowledged record", async () => {
    const topic = 'restarted-at-once';
    await createTopic(topic, 2);
    const producer = await keepProducing(topic, async () => {
      await cluster.kill(2);
      // Its lease still holds the node id: without the wait this start would be refused.
      await cluster.start(2);
      expect(logged(2, "this data dir's previous run, which no longer runs, still holds the node id in the cluster: waiting for its registration to lapse")).toBe(1);
      expect(logged(2, "the previous run's registration lapsed")).toBe(1);
      await cluster.waitFor(topic, 0, (p) => p.isr.length === 3 && p.offlineReplicas.length === 0, 'the restarted broker back in the ISR');
    });
    await electPreferred(topic, 2);
    await expectLeaderHoldsEveryAcknowledged({ port: cluster.port(2) }, topic, producer.acknowledged);
  });

  it('fences the controller, leading a partition, SIGSTOPped past its lease: others take both roles, and the resumed broker follows and rejoins the ISR', async () => {
    const topic = 'sigstop';
    const stalled = (await cluster.controllerId())!;
    await createTopic(topic, stalled);
    const before = (await cluster.describe(topic))!;
    let lateWrite: Promise<ResponseOf<0>> | undefined;
    const producer = await keepProducing(topic, async () => {
      cluster.pause(stalled);
      const moved = await cluster.waitFor(topic, 0, (p) => p.leaderId !== stalled && p.leaderId >= 0, 'a new leader');
      expect(moved.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
      expect(moved.isr).not.toContain(stalled);
      const controller = await cluster.controllerId();
      expect(controller).not.toBe(stalled);
      // A write that reaches the stalled leader as it resumes (the kernel queues it meanwhile) cannot complete.
      const late = await RawClient.connect('127.0.0.1', cluster.port(stalled));
      lateWrite = late.send(0, 10, produceRequest({ topic, records: encodeBatch({ records: [{ value: Buffer.from('to-the-stalled-leader') }] }) }));
      lateWrite.finally(() => late.close()).catch(() => undefined);
      cluster.resume(stalled);
    });
    const answer = (await lateWrite!).responses[0].partitionResponses[0];
    expect([ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.REQUEST_TIMED_OUT]).toContain(answer.errorCode);
    await cluster.waitFor(topic, 0, (p) => p.isr.length === 3, 'the resumed broker back in the ISR');
    expect(logged(stalled, 'broker registered again in etcd')).toBeGreaterThan(0);
    expect(logged(stalled, 'stopped being controller')).toBe(1);
    expect(await cluster.controllerId()).not.toBe(stalled);
    await electPreferred(topic, stalled);
    const read = await expectLeaderHoldsEveryAcknowledged({ port: cluster.port(stalled) }, topic, producer.acknowledged);
    expect(read.map((r) => r.value)).not.toContain('to-the-stalled-leader');
  });

  // The group's commits wait for the dead broker to leave the __consumer_offsets ISR, so kafkajs
  // asks for metadata just as the lease lapses, before the controller has moved this partition's
  // leadership: the answer must not name a leader it does not list (LEADER_NOT_AVAILABLE instead).
  it('keeps a consumer group consuming across the failover of a partition leader (not its coordinator): it reads every acknowledged record and commits to the end', async () => {
    const topic = 'group-failover';
    const groupId = 'across-failover';
    // The group lives on the leader of its __consumer_offsets partition (the first FindCoordinator creates the topic): the victim is another broker.
    const coordinator = await groupCoordinatorOf(groupId);
    const victim = cluster.nodeIds.find((id) => id !== coordinator)!;
    await createTopic(topic, victim);
    const consumer = kafka.consumer({ groupId, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen = new Set<string>();
    await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
    try {
      const producer = await keepProducing(topic, async () => {
        await cluster.kill(victim);
        await cluster.waitFor(topic, 0, (p) => p.leaderId !== victim && p.leaderId >= 0, 'a new leader');
      });
      const acknowledged = producer.acknowledged;
      // Failover, the group's rediscovery and kafkajs' own retry back-off can take most of a minute on a loaded machine.
      await until(() => acknowledged.every((v) => seen.has(v)), 'the group to read every acknowledged record', 1200);
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [{ high }] = await admin.fetchTopicOffsets(topic);
        await until(async () => {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          return committed!.partitions[0]!.offset === high;
        }, 'the group to commit up to the end');
      } finally {
        await admin.disconnect();
      }
    } finally {
      await consumer.disconnect();
      if (!cluster.running(victim)) await cluster.start(victim);
    }
    await cluster.waitFor(topic, 0, (p) => p.isr.length === 3, 'the returned broker back in the ISR');
  }, GROUP_FAILOVER_TIMEOUT_MS);

  it('keeps serving as it is while etcd is down (acks=all included), changes no leadership, says so once, and resumes when etcd returns', async () => {
    const topic = 'etcd-down';
    await createTopic(topic, 3);
    const before = (await cluster.describe(topic))!;
    const unreachable = 'etcd unreachable: the broker keeps serving as it is and makes no leadership changes until etcd answers again';
    const lapsed = 'broker lease lapsed: this broker is not live in etcd and not controller until it registers again';
    const registered = 'broker registered again in etcd';
    const count = (msg: string): number[] => cluster.nodeIds.map((id) => logged(id, msg));
    const [warned, lapses, registrations] = [count(unreachable), count(lapsed), count(registered)];
    const grew = (now: number[], then: number[]): boolean => now.every((n, i) => n > then[i]!);
    const producer = await keepProducing(topic, async (producing) => {
      await cluster.etcd.stop();
      // Down for longer than a lease: every broker gives its lease up, and still serves.
      await until(() => grew(count(lapsed), lapses), 'every broker past its lease');
      const acked = producing.acknowledged.length;
      await until(() => producing.acknowledged.length >= acked + 50, 'records acknowledged while etcd is down');
      await cluster.etcd.start();
      await until(() => grew(count(registered), registrations), 'every broker registered again');
    });
    expect(count(unreachable)).toEqual(warned.map((n) => n + 1));
    const after = (await cluster.describe(topic))!;
    expect(after).toEqual(before);
    await expectLeaderHoldsEveryAcknowledged({ port: cluster.port(3) }, topic, producer.acknowledged);
  });

  it('moves a partition from brokers [1,2] to [3,2] by reassignment under acks=all writes; broker 3 then leads with every acknowledged record', async () => {
    const topic = 'etcd-moved';
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
      await cluster.waitFor(topic, 0, (p) => p.leaderId === 1 && p.isr.length === 2, 'led by broker 1, in sync');
      const producer = await keepProducing(topic, async () => {
        await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [3, 2] }] }] });
        await cluster.waitFor(topic, 0, (p) => p.replicas.join() === '3,2' && p.leaderId === 3, 'moved to [3,2], led by broker 3');
      });
      expect(await admin.listPartitionReassignments({})).toEqual({ topics: [] });
      await cluster.waitFor(topic, 0, (p) => p.isr.length === 2, 'both new replicas in sync');
      await expectLeaderHoldsEveryAcknowledged({ port: cluster.port(3) }, topic, producer.acknowledged);
    } finally {
      await admin.disconnect();
    }
  });
});
