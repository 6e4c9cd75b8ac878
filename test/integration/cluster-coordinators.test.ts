// Coordinators spread over a three-broker cluster (startCluster): a group's coordinator is the
// leader of its __consumer_offsets partition and a transactional id's the leader of its
// __transaction_state partition. A consumer group (kafkajs, and librdkafka through kcat where
// installed) keeps consuming, its committed offsets neither lost nor rewound, when that leadership
// moves and when the coordinator is killed;
// a transactional consume-transform-produce keeps producing exactly once across a move of its
// transaction coordinator; a transaction over partitions led by three brokers (kafkajs, and
// confluent-kafka where installed) commits and aborts with markers written by each leader
// (WriteTxnMarkers).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { startCluster, type RunningCluster } from '../../src/index.js';
import { clusterKafka, coordinatorOf, coordinatorReady, createSyncedTopic, stateOf } from '../helpers/cluster.js';
import { until } from '../helpers/until.js';
import { requireProgram, requirePythonModule } from '../helpers/programs.js';
import { confluentTxnRoundTrip, roundTripValues } from '../helpers/confluent-txn.js';
import { RawClient } from '../helpers/raw-client.js';
import { produceRequest } from '../helpers/raw-requests.js';
import { addPartitions, endTxn, initTxn, produceTxn } from '../helpers/txn-raw.js';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch } from '../../protocol/records/index.js';
import { TxnState } from '../../src/txn/txn-metadata.js';
import { stateLogOf } from '../helpers/txn-state.js';
import { committedOffsets, endOffsets as endOffsetsOf, readAllValues, startTransformLoop } from '../helpers/txn-transform.js';

const noKcat = requireProgram('kcat');
const confluent = requirePythonModule('confluent_kafka');
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

const committed = (groupId: string, topic: string): Promise<Record<number, number>> => committedOffsets(admin, groupId, topic);
const endOffsets = (topic: string): Promise<Record<number, number>> => endOffsetsOf(admin, topic);

/** Another live broker in the ISR of a partition, to move its leadership to. */
function otherInSync(topic: string, partition: number): number {
  const { leaderId, isr } = stateOf(cluster, topic, partition);
  const target = isr.find((id) => id !== leaderId && cluster.broker(id) !== undefined);
  if (target === undefined) throw new Error(`no other in-sync replica of ${topic}-${partition}`);
  return target;
}

/** A group member under test, reporting each record it consumes as `partition:offset:value`. */
type StartConsumer = (topic: string, groupId: string, onRecord: (record: string) => void) => Promise<{ stop(): Promise<void> }>;

const kafkajsConsumer: StartConsumer = async (topic, groupId, onRecord) => {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 100, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => onRecord(`${partition}:${message.offset}:${message.value}`) });
  return { stop: () => consumer.disconnect() };
};

/** librdkafka's consumer group client: kcat's balanced consumer (-G), committing every 100 ms. */
const kcatConsumer: StartConsumer = async (topic, groupId, onRecord) => {
  const child = spawn('kcat', ['-b', cluster.bootstrap, '-G', groupId, '-q', '-u', '-f', '%p:%o:%s\\n', '-X', 'auto.offset.reset=earliest', '-X', 'auto.commit.interval.ms=100', topic], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = once(child, 'exit');
  createInterface({ input: child.stdout }).on('line', (line) => line !== '' && onRecord(line));
  return {
    async stop() {
      child.kill('SIGINT');
      await exited;
    },
  };
};

/**
 * A consumer group consumes rounds of records while its coordinator moves (moveLeader of its
 * __consumer_offsets partition) and is then killed. Each round is consumed and committed before
 * the next move; the new coordinator must answer the same committed offsets, and no record of a
 * committed round may come back (a client may redeliver what it had not committed yet).
 */
async function consumeAcrossCoordinatorMoves(name: string, start: StartConsumer): Promise<void> {
  const topic = `${name}-orders`;
  const groupId = `${name}-group`;
  await createSyncedTopic(cluster, kafka, topic, 3, 3);
  const producer = kafka.producer();
  await producer.connect();
  const seen: string[] = [];
  const consumer = await start(topic, groupId, (record) => seen.push(record));
  try {
    const rounds: string[] = [];
    /** Produces a round of records and waits until the group has consumed and committed all of them. */
    const round = async (label: string): Promise<void> => {
      rounds.push(label);
      await producer.send({ topic, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `${label}-${i}` })) });
      await until(() => new Set(seen.filter((s) => s.includes(`:${label}-`))).size === 30, `the group to consume ${label}`);
      const ends = await endOffsets(topic);
      await until(async () => JSON.stringify(await committed(groupId, topic).catch(() => ({}))) === JSON.stringify(ends), `the group to commit ${label}`);
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
    try {
      const third = await coordinatorReady(cluster, 'group', groupId);
      expect(third).not.toBe(target);
      expect(await committed(groupId, topic)).toEqual(moved);
      await round('after-kill');
    } finally {
      await cluster.start(target);
    }

    expect(redeliveredAfter(atMove, ['before'])).toEqual([]);
    expect(redeliveredAfter(atKill, ['before', 'after-move'])).toEqual([]);
    expect(new Set(seen.map((s) => s.split(':')[2])).size).toBe(30 * rounds.length);
  } finally {
    await consumer.stop();
    await producer.disconnect();
  }
}

describe('the group coordinator in a cluster', () => {
  // A broker is killed and restarted in each: more room than vitest's default on a busy machine.
  const RESTARTS_TIMEOUT_MS = 90_000;

  it('keeps a kafkajs consumer group consuming, committed offsets intact, across a coordinator move and a coordinator kill', () => consumeAcrossCoordinatorMoves('kafkajs', kafkajsConsumer), RESTARTS_TIMEOUT_MS);

  it.skipIf(noKcat)('keeps a librdkafka (kcat -G) consumer group consuming, committed offsets intact, across a coordinator move and a coordinator kill', () =>
    consumeAcrossCoordinatorMoves('kcat', kcatConsumer), RESTARTS_TIMEOUT_MS);
});

const readAll = (topic: string, groupId: string, readUncommitted: boolean): Promise<string[]> => readAllValues(kafka, topic, groupId, readUncommitted);

/** A raw connection to one broker of the cluster. */
function connectTo(nodeId: number): Promise<RawClient> {
  const broker = cluster.broker(nodeId)!;
  return RawClient.connect(broker.host, broker.port);
}

describe('coordinators and their internal topics', () => {
  it('places the internal topics over every broker with the configured replication, and answers NOT_COORDINATOR elsewhere', async () => {
    const groupId = 'placed-group';
    const transactionalId = 'placed-tx';
    const any = await connectTo(cluster.nodeIds[0]!);
    try {
      // FindCoordinator creates each internal topic on first need; the answer is COORDINATOR_NOT_AVAILABLE until it has leaders.
      const find = (key: string, keyType: number) => any.send(10, 4, { key: '', keyType, coordinatorKeys: [key] }).then((r) => r.coordinators![0]!);
      await until(async () => (await find(groupId, 0)).errorCode === ErrorCode.NONE, 'a group coordinator');
      await until(async () => (await find(transactionalId, 1)).errorCode === ErrorCode.NONE, 'a transaction coordinator');
      const groupCoordinator = await coordinatorReady(cluster, 'group', groupId);
      expect((await find(groupId, 0)).nodeId).toBe(groupCoordinator);
      const txnCoordinator = await coordinatorReady(cluster, 'transaction', transactionalId);
      expect((await find(transactionalId, 1)).nodeId).toBe(txnCoordinator);
    } finally {
      any.close();
    }
    const offsets = cluster.broker(cluster.nodeIds[0]!)!.broker.topics.get('__consumer_offsets')!;
    const txnState = cluster.broker(cluster.nodeIds[0]!)!.broker.topics.get('__transaction_state')!;
    for (const topic of [offsets, txnState]) {
      expect(topic.partitions).toHaveLength(5);
      for (const replicas of topic.replicas) expect([...replicas].sort()).toEqual([1, 2, 3]);
      // Placed round-robin like any topic: every broker is the preferred leader of some partition.
      expect(new Set(topic.replicas.map((r) => r[0])).size).toBe(3);
    }
    expect(txnState.overrides.get('min.insync.replicas')).toBe('2');

    const elsewhere = cluster.nodeIds.find((id) => id !== coordinatorOf(cluster, 'group', groupId).leader && cluster.broker(id) !== undefined)!;
    const other = await connectTo(elsewhere);
    try {
      const fetched = await other.send(9, 8, { groupId: '', topics: [], groups: [{ groupId, topics: null, memberId: null, memberEpoch: -1 }], requireStable: false });
      expect(fetched.groups![0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      const described = await other.send(15, 5, { groups: [groupId], includeAuthorizedOperations: false });
      expect(described.groups[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    } finally {
      other.close();
    }
    const notTxn = cluster.nodeIds.find((id) => id !== coordinatorOf(cluster, 'transaction', transactionalId).leader && cluster.broker(id) !== undefined)!;
    const client = await connectTo(notTxn);
    try {
      const init = await client.send(22, 4, { transactionalId, transactionTimeoutMs: 10_000, producerId: -1, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false });
      expect(init.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      const described = await client.send(65, 0, { transactionalIds: [transactionalId] });
      expect(described.transactionStates[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    } finally {
      client.close();
    }
  });

  it('WriteTxnMarkers is written by the partition leader only, and fences a coordinator older than the last one', async () => {
    const topic = 'markers';
    await createSyncedTopic(cluster, kafka, topic, 1, 3);
    const { leaderId, replicas } = stateOf(cluster, topic);
    const request = (coordinatorEpoch: number) => ({
      markers: [{ producerId: 777_000, producerEpoch: 0, transactionResult: true, coordinatorEpoch, transactionVersion: 0, topics: [{ name: topic, partitionIndexes: [0] }] }],
    });
    const codeOf = (r: { markers: { topics: { partitions: { errorCode: number }[] }[] }[] }) => r.markers[0]!.topics[0]!.partitions[0]!.errorCode;
    const follower = await connectTo(replicas.find((id) => id !== leaderId)!);
    const leader = await connectTo(leaderId);
    try {
      expect(codeOf(await follower.send(27, 1, request(10)))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      expect(codeOf(await leader.send(27, 1, request(10)))).toBe(ErrorCode.NONE);
      expect(codeOf(await leader.send(27, 1, request(9)))).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
      expect(codeOf(await leader.send(27, 2, request(11)))).toBe(ErrorCode.NONE);
    } finally {
      follower.close();
      leader.close();
    }
  });
});

describe('transactions in a cluster', () => {
  it('commits and aborts a transaction over partitions led by three brokers; read_committed sees only the committed one', async () => {
    const topic = 'spread';
    await createSyncedTopic(cluster, kafka, topic, 3, 3);
    const leaders = [0, 1, 2].map((p) => stateOf(cluster, topic, p).leaderId);
    expect(new Set(leaders).size).toBe(3);
    const producer = kafka.producer({ transactionalId: 'spread-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const committedTxn = await producer.transaction();
      await committedTxn.send({ topic, messages: [0, 1, 2].map((partition) => ({ partition, value: `committed-${partition}` })) });
      await committedTxn.commit();
      const coordinator = await coordinatorReady(cluster, 'transaction', 'spread-tx');
      const abortedTxn = await producer.transaction();
      await abortedTxn.send({ topic, messages: [0, 1, 2].map((partition) => ({ partition, value: `aborted-${partition}` })) });
      await abortedTxn.abort();
      // Markers went to every leader, the coordinator's own partition and two on other brokers alike.
      expect(leaders.filter((l) => l !== coordinator).length).toBeGreaterThanOrEqual(2);
    } finally {
      await producer.disconnect();
    }
    expect(await readAll(topic, 'spread-committed', false)).toEqual(['committed-0', 'committed-1', 'committed-2']);
    expect(await readAll(topic, 'spread-uncommitted', true)).toEqual(['aborted-0', 'aborted-1', 'aborted-2', 'committed-0', 'committed-1', 'committed-2']);
    // Each leader wrote both markers: nothing is left open (the last stable offset is the high watermark).
    for (let p = 0; p < 3; p++) {
      const leader = cluster.broker(stateOf(cluster, topic, p).leaderId)!.broker;
      const partition = leader.replicas.partition(topic, p);
      expect(leader.txn.lastStableOffset(partition)).toBe(partition.highWatermark);
      expect(partition.highWatermark).toBe(4);
    }
  });

  it.skipIf(confluent.skip)('confluent-kafka (librdkafka): commits and aborts transactions over partitions led by three brokers', async () => {
    const topic = 'spread-py';
    await createSyncedTopic(cluster, kafka, topic, 3, 3);
    expect(new Set([0, 1, 2].map((p) => stateOf(cluster, topic, p).leaderId)).size).toBe(3);
    const result = await confluentTxnRoundTrip(confluent.python, cluster.bootstrap, topic, 'spread-py-tx', [0, 1, 2]);
    expect(result.committed).toEqual(roundTripValues([0, 1, 2], true));
    expect(result.uncommitted).toEqual(roundTripValues([0, 1, 2], false));
  });

  it('writes the markers at the partitions’ new leaders when leadership moved during the transaction', async () => {
    const topic = 'moving';
    await createSyncedTopic(cluster, kafka, topic, 2, 3);
    const producer = kafka.producer({ transactionalId: 'moving-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: [0, 1].map((partition) => ({ partition, value: `moved-${partition}` })) });
      const before = [0, 1].map((p) => stateOf(cluster, topic, p).leaderId);
      for (const p of [0, 1]) await cluster.moveLeader(topic, p, otherInSync(topic, p));
      for (const p of [0, 1]) expect(stateOf(cluster, topic, p).leaderId).not.toBe(before[p]);
      await txn.commit();
    } finally {
      await producer.disconnect();
    }
    expect(await readAll(topic, 'moving-check', false)).toEqual(['moved-0', 'moved-1']);
    for (const p of [0, 1]) {
      const leader = cluster.broker(stateOf(cluster, topic, p).leaderId)!.broker;
      const partition = leader.replicas.partition(topic, p);
      expect(leader.txn.lastStableOffset(partition)).toBe(partition.highWatermark);
    }
  });

  it('a leader asks the transaction coordinator on another broker whether a transactional write belongs to the open transaction (KIP-890)', async () => {
    const topic = 'verified';
    const transactionalId = 'verified-tx';
    await createSyncedTopic(cluster, kafka, topic, 3, 3);
    const any = await connectTo(cluster.nodeIds.find((id) => cluster.broker(id) !== undefined)!);
    const find = () => any.send(10, 4, { key: '', keyType: 1, coordinatorKeys: [transactionalId] }).then((r) => r.coordinators![0]!);
    await until(async () => (await find()).errorCode === ErrorCode.NONE, 'a transaction coordinator');
    any.close();
    const coordinatorId = await coordinatorReady(cluster, 'transaction', transactionalId);
    // Two partitions led by brokers other than the coordinator: one added to the transaction, one not.
    const [added, notAdded] = [0, 1, 2].filter((p) => stateOf(cluster, topic, p).leaderId !== coordinatorId);
    expect(notAdded).toBeDefined();
    const coordinator = await connectTo(coordinatorId);
    const addedLeader = await connectTo(stateOf(cluster, topic, added!).leaderId);
    const notAddedLeader = await connectTo(stateOf(cluster, topic, notAdded!).leaderId);
    try {
      const p = await initTxn(coordinator, transactionalId);
      expect(await addPartitions(coordinator, p, topic, [added!])).toEqual([ErrorCode.NONE]);
      expect((await produceTxn(notAddedLeader, p, topic, ['stray'], p.producerEpoch, notAdded)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
      expect((await produceTxn(addedLeader, p, topic, ['kept'], p.producerEpoch, added)).errorCode).toBe(ErrorCode.NONE);
      expect((await produceTxn(addedLeader, p, topic, ['stale epoch'], p.producerEpoch - 1, added)).errorCode).not.toBe(ErrorCode.NONE);
      expect(await endTxn(coordinator, p, true)).toBe(ErrorCode.NONE);
      // The transaction is over at that leader: a write for it is refused again.
      expect((await produceTxn(addedLeader, p, topic, ['late'], p.producerEpoch, added)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    } finally {
      coordinator.close();
      addedLeader.close();
      notAddedLeader.close();
    }
    expect(await readAll(topic, 'verified-check', false)).toEqual(['kept']);
  });

  it('under transaction.version 2 a leader and a group coordinator on other brokers add their partitions at the transaction coordinator (Produce v12, TxnOffsetCommit v5); EndTxn v5 commits', async () => {
    const topic = 'tv2';
    const transactionalId = 'tv2-tx';
    await createSyncedTopic(cluster, kafka, topic, 3, 3);
    const any = await connectTo(cluster.nodeIds.find((id) => cluster.broker(id) !== undefined)!);
    const find = (key: string, keyType: number) => any.send(10, 4, { key: '', keyType, coordinatorKeys: [key] }).then((r) => r.coordinators![0]!);
    await until(async () => (await find(transactionalId, 1)).errorCode === ErrorCode.NONE, 'a transaction coordinator');
    await until(async () => (await find('tv2-group', 0)).errorCode === ErrorCode.NONE, 'a group coordinator');
    any.close();
    const coordinatorId = await coordinatorReady(cluster, 'transaction', transactionalId);
    const groupId = Array.from({ length: 100 }, (_, i) => `tv2-group-${i}`).find((g) => coordinatorOf(cluster, 'group', g).leader !== coordinatorId)!;
    const groupCoordinatorId = await coordinatorReady(cluster, 'group', groupId);
    expect(groupCoordinatorId).not.toBe(coordinatorId);
    const partition = [0, 1, 2].find((p) => stateOf(cluster, topic, p).leaderId !== coordinatorId)!;
    const topicId = cluster.broker(coordinatorId)!.broker.topics.get(topic)!.id;
    const coordinator = await connectTo(coordinatorId);
    const leader = await connectTo(stateOf(cluster, topic, partition).leaderId);
    const groupCoordinator = await connectTo(groupCoordinatorId);
    try {
      const p = await initTxn(coordinator, transactionalId);
      const records = encodeBatch({ transactional: true, producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence: 0, records: [{ value: Buffer.from('tv2-kept') }] });
      const produced = await leader.send(0, 12, produceRequest({ topic, topicId, partition, records }, { transactionalId }));
      expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
      const offsets = await groupCoordinator.send(28, 5, {
        transactionalId,
        groupId,
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: topic, topicId: ZERO_UUID, partitions: [{ partitionIndex: partition, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }],
      });
      expect(offsets.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
      const open = (await coordinator.send(65, 0, { transactionalIds: [transactionalId] })).transactionStates[0]!;
      expect(open.transactionState).toBe('Ongoing');
      expect(open.topics.map((t) => [t.topic, [...t.partitions]]).sort()).toEqual([
        ['__consumer_offsets', [coordinatorOf(cluster, 'group', groupId).partition]],
        [topic, [partition]],
      ]);
      const ended = await coordinator.send(26, 5, { transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, committed: true });
      expect(ended).toMatchObject({ errorCode: ErrorCode.NONE, producerId: p.producerId, producerEpoch: p.producerEpoch + 1 });
    } finally {
      coordinator.close();
      leader.close();
      groupCoordinator.close();
    }
    expect(await readAll(topic, 'tv2-check', false)).toEqual(['tv2-kept']);
    await until(async () => (await committed(groupId, topic).catch((): Record<number, number> => ({})))[partition] === 1, 'the committed offset of the transaction');
  });

  it('finishes a commit its previous coordinator decided but did not complete, after the new coordinator loads it', async () => {
    const topic = 'decided';
    const transactionalId = 'decided-tx';
    await createSyncedTopic(cluster, kafka, topic, 3, 3);
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: [0, 1, 2].map((partition) => ({ partition, value: `decided-${partition}` })) });
      // Record PrepareCommit as the coordinator does before its markers, then move the coordinator before any marker.
      const old = await coordinatorReady(cluster, 'transaction', transactionalId);
      const oldBroker = cluster.broker(old)!.broker;
      const meta = oldBroker.txn.coordinator.get(transactionalId)!;
      expect(meta.state).toBe(TxnState.Ongoing);
      await stateLogOf(oldBroker).write(transactionalId, { ...meta, state: TxnState.PrepareCommit, lastUpdateTimestamp: Date.now() });
      const { topic: stateTopic, partition } = coordinatorOf(cluster, 'transaction', transactionalId);
      const target = otherInSync(stateTopic, partition);
      await cluster.moveLeader(stateTopic, partition, target);
      await until(() => cluster.broker(target)!.broker.txn.coordinator.get(transactionalId)?.state === TxnState.CompleteCommit, 'the new coordinator to complete the commit');
    } finally {
      await producer.disconnect();
    }
    expect(await readAll(topic, 'decided-check', false)).toEqual(['decided-0', 'decided-1', 'decided-2']);
  });

  it('keeps a transactional consume-transform-produce exactly-once across a move of its transaction coordinator', async () => {
    const [input, output, groupId, transactionalId] = ['cts-in', 'cts-out', 'cts-group', 'cts-tx'];
    await createSyncedTopic(cluster, kafka, input, 3, 3);
    await createSyncedTopic(cluster, kafka, output, 3, 3);
    const count = 60;
    const seed = kafka.producer();
    await seed.connect();
    await seed.send({ topic: input, messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `in-${i}` })) });
    await seed.disconnect();

    let moveDone!: () => void;
    const loop = await startTransformLoop(kafka, { input, output, groupId, transactionalId, holdOpen: { at: count / 3, release: new Promise<void>((resolve) => (moveDone = resolve)) } });
    try {
      await until(() => loop.processed >= count / 3, 'a third of the input transformed');
      const before = await coordinatorReady(cluster, 'transaction', transactionalId);
      const { topic, partition } = coordinatorOf(cluster, 'transaction', transactionalId);
      const target = otherInSync(topic, partition);
      await cluster.moveLeader(topic, partition, target);
      expect(await coordinatorReady(cluster, 'transaction', transactionalId)).toBe(target);
      expect(target).not.toBe(before);
      moveDone();
      await until(() => loop.processed >= count, 'all the input transformed');
      // The transaction open during the move was finished by the new coordinator, or failed there and was done again.
      expect(cluster.broker(before)!.broker.txn.coordinator.ownerError(transactionalId)).not.toBe(0);
      expect(cluster.broker(target)!.broker.txn.coordinator.get(transactionalId)?.state).toBe(TxnState.CompleteCommit);
    } finally {
      moveDone();
      await loop.stop();
    }
    const expected = Array.from({ length: count }, (_, i) => `out-in-${i}`).sort();
    expect(await readAll(output, 'cts-check', false)).toEqual(expected);
    expect(await committed(groupId, input)).toEqual(await endOffsets(input));
  });
});

describe('a cluster with fewer brokers than the internal topics’ replication factor', () => {
  it('creates them with one replica per live broker, and a transaction commits', async () => {
    const small = await startCluster({ brokers: 2, brokerOptions: { logLevel: 'silent', properties: { 'offsets.topic.num.partitions': 2, 'transaction.state.log.num.partitions': 2 } } });
    try {
      const smallKafka = clusterKafka(small, 'small-cluster');
      await createSyncedTopic(small, smallKafka, 'small', 1, 2);
      const producer = smallKafka.producer({ transactionalId: 'small-tx', idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        const txn = await producer.transaction();
        await txn.send({ topic: 'small', messages: [{ value: 'one' }] });
        await txn.commit();
      } finally {
        await producer.disconnect();
      }
      const broker = small.broker(1)!.broker;
      const txnState = broker.topics.get('__transaction_state')!;
      for (const replicas of txnState.replicas) expect([...replicas].sort()).toEqual([1, 2]);
      // transaction.state.log.min.isr (2) fits two replicas; capped like the replication factor otherwise.
      expect(txnState.overrides.get('min.insync.replicas')).toBe('2');
    } finally {
      await small.close();
    }
  });
});
