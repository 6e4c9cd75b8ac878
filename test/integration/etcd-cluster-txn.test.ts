// A kafkajs transactional consume-transform-produce (read_committed, sendOffsets, commit) on three
// `creek --etcd` processes, internal topics and data topics at replication factor 3 and
// min.insync.replicas=2, while a broker is SIGKILLed with a transaction open: the transaction
// coordinator of its transactional id, or the leader of an output partition. The loop finishes;
// read_committed, the output holds every input record transformed exactly once, and the group's
// committed offsets are the input's end. Skips with a printed reason when etcd-server is not installed.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { requireEtcd } from '../helpers/etcd.js';
import { startProcessCluster, type ProcessCluster } from '../helpers/process-cluster.js';
import { RawClient } from '../helpers/raw-client.js';
import { committedOffsets, endOffsets, readAllValues, startTransformLoop } from '../helpers/txn-transform.js';
import { until } from '../helpers/until.js';

const noEtcd = requireEtcd();
const LEASE_TTL_MS = 2000;
const PARTITIONS = 3;
const RECORDS = 60;
/** Each case kills a broker, waits out its lease and restarts it: more than vitest's 30 s on a loaded machine. */
const FAILOVER_TIMEOUT_MS = 120_000;

let cluster: ProcessCluster;
let kafka: Kafka;

beforeAll(async () => {
  if (noEtcd) return;
  cluster = await startProcessCluster({
    brokers: 3,
    leaseTtlMs: LEASE_TTL_MS,
    overrides: {
      'group.initial.rebalance.delay.ms': 0,
      'offsets.topic.num.partitions': 5,
      'offsets.topic.replication.factor': 3,
      'transaction.state.log.num.partitions': 5,
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.min.isr': 2,
      'min.insync.replicas': 2,
    },
  });
  kafka = new Kafka({ clientId: 'etcd-txn', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
}, 120_000);
afterAll(async () => {
  await cluster?.close();
});

/**
 * A topic on all three brokers, every partition led and fully in sync: PARTITIONS partitions placed
 * by the cluster, or one partition led by `leader`.
 */
async function createTopic(topic: string, leader?: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const configEntries = [{ name: 'min.insync.replicas', value: '2' }];
  try {
    if (leader === undefined) await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 3, configEntries }] });
    else await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [leader, ...cluster.nodeIds.filter((id) => id !== leader)] }], configEntries }] });
  } finally {
    await admin.disconnect();
  }
  const partitions = leader === undefined ? PARTITIONS : 1;
  for (let p = 0; p < partitions; p++) await cluster.waitFor(topic, p, (v) => v.leaderId === (leader ?? v.leaderId) && v.leaderId >= 0 && v.isr.length === 3, 'led, all in sync');
  return partitions;
}

/** The transaction coordinator of `transactionalId` as a running broker answers FindCoordinator. */
async function transactionCoordinatorOf(transactionalId: string): Promise<number> {
  let nodeId = -1;
  await until(async () => {
    const running = cluster.nodeIds.find((id) => cluster.running(id))!;
    const client = await RawClient.connect('127.0.0.1', cluster.port(running));
    try {
      const found = (await client.send(10, 4, { key: '', keyType: 1, coordinatorKeys: [transactionalId] })).coordinators![0]!;
      nodeId = found.errorCode === ErrorCode.NONE ? (found.nodeId ?? -1) : -1;
      return nodeId >= 0;
    } finally {
      client.close();
    }
  }, `a transaction coordinator for ${transactionalId}`);
  return nodeId;
}

/**
 * Fills `<name>-in`, runs the loop into `<name>-out`, and once a third of the input is transformed,
 * with the next transaction open (its output record sent), SIGKILLs `victim`: the coordinator of
 * the transactional id, or the leader of the output, then a single partition led by a broker that
 * is not that coordinator. The transaction goes on once others took over the victim's part.
 * Checks the output and the committed offsets, and restarts the victim.
 */
async function transformAcrossKill(name: string, victim: 'transaction coordinator' | 'output leader'): Promise<void> {
  const [input, output, groupId, transactionalId] = [`${name}-in`, `${name}-out`, `${name}-group`, `${name}-tx`];
  // The first FindCoordinator creates __transaction_state: the coordinator is known before the loop starts.
  const coordinator = await transactionCoordinatorOf(transactionalId);
  const killed = victim === 'transaction coordinator' ? coordinator : cluster.nodeIds.find((id) => id !== coordinator)!;
  await createTopic(input);
  const outputPartitions = await createTopic(output, victim === 'output leader' ? killed : undefined);
  const seed = kafka.producer({ idempotent: true });
  await seed.connect();
  await seed.send({ topic: input, acks: -1, messages: Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i}`, value: `in-${i}` })) });
  await seed.disconnect();

  let release!: () => void;
  const loop = await startTransformLoop(kafka, { input, output, groupId, transactionalId, holdOpen: { at: RECORDS / 3, release: new Promise<void>((r) => (release = r)) } });
  try {
    try {
      await until(() => loop.holding, 'a third of the input transformed, the next transaction open');
      expect(await transactionCoordinatorOf(transactionalId)).toBe(coordinator);
      await cluster.kill(killed);
      if (victim === 'transaction coordinator') await until(async () => (await transactionCoordinatorOf(transactionalId)) !== killed, 'another transaction coordinator');
      else await cluster.waitFor(output, 0, (v) => v.leaderId >= 0 && v.leaderId !== killed, 'a leader other than the killed broker');
      release();
      await until(() => loop.processed >= RECORDS, 'all the input transformed', 2400);
    } finally {
      release();
      await loop.stop();
    }
    const expected = Array.from({ length: RECORDS }, (_, i) => `out-in-${i}`).sort();
    expect(await readAllValues(kafka, output, `${name}-check`, false)).toEqual(expected);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await committedOffsets(admin, groupId, input)).toEqual(await endOffsets(admin, input));
    } finally {
      await admin.disconnect();
    }
  } finally {
    if (!cluster.running(killed)) await cluster.start(killed);
  }
  for (let p = 0; p < outputPartitions; p++) await cluster.waitFor(output, p, (v) => v.isr.length === 3, 'the restarted broker back in the ISR');
}

describe.skipIf(noEtcd)('a transactional consume-transform-produce on brokers in separate processes on etcd', () => {
  it('transforms every input record exactly once across a SIGKILL of its transaction coordinator', () => transformAcrossKill('coordinator-killed', 'transaction coordinator'), FAILOVER_TIMEOUT_MS);

  it('transforms every input record exactly once across a SIGKILL of the leader of its output partition', () => transformAcrossKill('leader-killed', 'output leader'), FAILOVER_TIMEOUT_MS);
});
