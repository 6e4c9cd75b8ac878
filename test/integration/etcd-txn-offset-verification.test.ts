// TxnOffsetCommit below v5 at a group coordinator that is not the transaction coordinator: two
// embedded brokers on a real etcd, a group id and a transactional id coordinated by different
// brokers. The group coordinator has the transaction verified by the other broker (KIP-890:
// AddPartitionsToTxn v4 verify_only, counted at the transaction coordinator) before it writes
// the offsets. kafkajs sendOffsets in a transaction commits them; a TxnOffsetCommit for a
// transaction that never added the group's offsets partition gets Kafka's error (INVALID_TXN_STATE
// up to v3, TRANSACTION_ABORTABLE from v4), a stale epoch INVALID_PRODUCER_EPOCH, an unreachable
// transaction coordinator COORDINATOR_LOAD_IN_PROGRESS, and none of them writes anything. With
// transaction.partition.verification.enable=false the group coordinator asks nothing, as Kafka's.
// Skips with a printed reason when etcd-server is not installed.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import type { Fault } from '../../src/faults/fault-injector.js';
import { tempDir } from '../helpers/broker.js';
import { requireEtcd, startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { eventually } from '../helpers/eventually.js';
import { RawClient } from '../helpers/raw-client.js';
import { addPartitions, endTxn, initTxn, type TxnProducer } from '../helpers/txn-raw.js';

const noEtcd = requireEtcd();
const NODES = [1, 2];
const TOPIC = 'verified-offsets';
const PROPERTIES = { 'offsets.topic.num.partitions': 4, 'transaction.state.log.num.partitions': 4 };

/** Two embedded brokers on etcd under their own key prefix, holding TOPIC and both internal topics. */
interface Pair {
  broker(nodeId: number): RunningBroker;
  kafka: Kafka;
  connect(nodeId: number): Promise<RawClient>;
  /** A group id whose coordinator is not the transaction coordinator of `transactionalId`, and both coordinators, loaded. */
  apart(groupPrefix: string, transactionalId: string): Promise<{ groupId: string; groupCoordinator: number; txnCoordinator: number }>;
  /** apart(), raw clients to both coordinators, and a producer of `transactionalId` initialized at its coordinator. */
  txnSession(groupPrefix: string, transactionalId: string): Promise<TxnSession>;
  /** Counts the AddPartitionsToTxn requests broker `from` sends the transaction coordinator (its inter-broker client id). */
  countVerifications(txnCoordinator: number, from: number): Fault;
  stop(): Promise<void>;
}

interface TxnSession {
  groupId: string;
  groupCoordinator: number;
  txnCoordinator: number;
  /** Connected to the transaction coordinator. */
  coordinator: RawClient;
  /** Connected to the group coordinator. */
  groups: RawClient;
  p: TxnProducer;
}

async function startPair(etcd: TestEtcd, prefix: string, properties: Record<string, string | number | boolean> = {}): Promise<Pair> {
  const brokers = new Map<number, RunningBroker>();
  const dataDirs: { remove(): void }[] = [];
  const clients: RawClient[] = [];
  const broker = (nodeId: number): RunningBroker => brokers.get(nodeId)!;
  const connect = async (nodeId: number): Promise<RawClient> => {
    const client = await RawClient.connect(broker(nodeId).host, broker(nodeId).port);
    clients.push(client);
    return client;
  };
  const coordinatorOf = (type: 'group' | 'transaction', key: string): Promise<number> =>
    eventually(() => {
      const id = broker(1).broker.cluster.coordinatorFor(type, key);
      const b = brokers.get(id)?.broker;
      const owner = type === 'group' ? b?.groups.ownerError(key) : b?.txn.coordinator.ownerError(key);
      return owner === ErrorCode.NONE && id;
    }, `the ${type} coordinator of ${key}`);
  for (const nodeId of NODES) {
    const dir = tempDir('creek-txn-verify-');
    dataDirs.push(dir);
    brokers.set(nodeId, await startBroker({ etcd: etcd.url, nodeId, logLevel: 'silent', dataDir: dir.path, properties: { ...PROPERTIES, ...properties, 'creek.etcd.prefix': prefix } }));
  }
  await eventually(() => NODES.every((id) => broker(id).broker.cluster.brokerIds().length === NODES.length), 'both brokers in each view');
  const kafka = new Kafka({ clientId: 'txn-verify', brokers: NODES.map((id) => broker(id).bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 2 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  // In a cluster FindCoordinator creates the internal topics.
  const any = await connect(1);
  for (const keyType of [0, 1]) {
    await eventually(async () => (await any.send(10, 4, { key: '', keyType, coordinatorKeys: ['first'] })).coordinators![0]!.errorCode === ErrorCode.NONE, `an internal topic for key type ${keyType}`);
  }
  const apart = async (groupPrefix: string, transactionalId: string): Promise<{ groupId: string; groupCoordinator: number; txnCoordinator: number }> => {
    const txnCoordinator = await coordinatorOf('transaction', transactionalId);
    const groupId = Array.from({ length: 100 }, (_, i) => `${groupPrefix}-${i}`).find((g) => broker(1).broker.cluster.coordinatorFor('group', g) !== txnCoordinator)!;
    const groupCoordinator = await coordinatorOf('group', groupId);
    expect(groupCoordinator).not.toBe(txnCoordinator);
    return { groupId, groupCoordinator, txnCoordinator };
  };
  return {
    broker,
    kafka,
    connect,
    apart,
    async txnSession(groupPrefix, transactionalId) {
      const found = await apart(groupPrefix, transactionalId);
      const coordinator = await connect(found.txnCoordinator);
      return { ...found, coordinator, groups: await connect(found.groupCoordinator), p: await initTxn(coordinator, transactionalId) };
    },
    countVerifications: (txnCoordinator, from) => broker(txnCoordinator).faults.delayResponses({ apiKey: 'AddPartitionsToTxn', delayMs: 0, clientId: `creek-txn-${from}` }),
    async stop() {
      for (const c of clients) c.close();
      for (const b of brokers.values()) await b.stop();
      for (const d of dataDirs) d.remove();
    },
  };
}

const txnOffsetCommit = async (client: RawClient, version: number, p: TxnProducer, groupId: string, offset: number, epoch = p.producerEpoch): Promise<number> => {
  const res = await client.send(28, version, {
    transactionalId: p.transactionalId,
    groupId,
    producerId: p.producerId,
    producerEpoch: epoch,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: TOPIC, topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }] }],
  });
  return res.topics[0]!.partitions[0]!.errorCode;
};

/** [error code, committed offset] of TOPIC's partition 0 as OffsetFetch v7 answers at the group coordinator. */
const fetched = async (client: RawClient, groupId: string, requireStable: boolean): Promise<[number, number]> => {
  const res = await client.send(9, 7, { groupId, topics: [{ name: TOPIC, partitionIndexes: [0] }], groups: [], requireStable });
  const p = res.topics[0]!.partitions[0]!;
  return [p.errorCode, Number(p.committedOffset)];
};

/** Waits for the transaction's marker to settle the group's offsets at its coordinator; returns what OffsetFetch then answers. */
const settled = async (groups: RawClient, groupId: string): Promise<[number, number]> => {
  await eventually(async () => (await fetched(groups, groupId, true))[0] === ErrorCode.NONE, `the transaction's marker at the coordinator of ${groupId}`);
  return fetched(groups, groupId, true);
};

const addOffsets = async (client: RawClient, p: TxnProducer, groupId: string): Promise<number> =>
  (await client.send(25, 3, { transactionalId: p.transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, groupId })).errorCode;

let etcd: TestEtcd;
beforeAll(async () => {
  if (!noEtcd) etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.remove();
});

describe.skipIf(noEtcd)('TxnOffsetCommit verified at a transaction coordinator on another broker (etcd cluster)', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair(etcd, '/creek/verified/');
  }, 120_000);
  afterAll(async () => {
    await pair?.stop();
  });

  /** The log end offset of the group's __consumer_offsets partition at its coordinator. */
  const offsetsLogEnd = (groupCoordinator: number, groupId: string): number => {
    const { groups, topics } = pair.broker(groupCoordinator).broker;
    return topics.get('__consumer_offsets')!.partitions[groups.offsetsPartitionFor(groupId)]!.logEndOffset;
  };

  it('kafkajs sendOffsets in a transaction: the group coordinator has it verified by the other broker, and the offsets are committed with the transaction', async () => {
    const transactionalId = 'kafkajs-verified';
    const { groupId, groupCoordinator, txnCoordinator } = await pair.apart('kafkajs-group', transactionalId);
    const verifications = pair.countVerifications(txnCoordinator, groupCoordinator);
    const producer = pair.kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      await txn.send({ topic: TOPIC, messages: [{ value: 'in the transaction' }] });
      await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '42' }] }] });
      await txn.commit();
    } finally {
      await producer.disconnect();
    }
    verifications.clear();
    expect(verifications.hits).toBeGreaterThan(0);
    const client = await pair.connect(groupCoordinator);
    expect(await settled(client, groupId)).toEqual([ErrorCode.NONE, 42]);
  });

  it('a TxnOffsetCommit v0-v4 for a transaction without the group\'s offsets partition gets Kafka\'s error and writes nothing; after AddOffsetsToTxn it commits', async () => {
    const { groupId, groupCoordinator, txnCoordinator, coordinator, groups, p } = await pair.txnSession('raw-group', 'raw-verified');
    // An open transaction holding a data partition, but not the group's offsets partition.
    expect(await addPartitions(coordinator, p, TOPIC, [0])).toEqual([ErrorCode.NONE]);
    const logEnd = offsetsLogEnd(groupCoordinator, groupId);
    const verifications = pair.countVerifications(txnCoordinator, groupCoordinator);
    for (const version of [0, 2, 3]) expect(await txnOffsetCommit(groups, version, p, groupId, 7)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await txnOffsetCommit(groups, 4, p, groupId, 7)).toBe(ErrorCode.TRANSACTION_ABORTABLE);
    expect(verifications.hits).toBe(4);
    verifications.clear();
    expect(offsetsLogEnd(groupCoordinator, groupId)).toBe(logEnd);
    expect(await fetched(groups, groupId, true)).toEqual([ErrorCode.NONE, -1]);

    expect(await addOffsets(coordinator, p, groupId)).toBe(ErrorCode.NONE);
    // The coordinator fences an epoch that is not the current one: Kafka's manager answers it INVALID_PRODUCER_EPOCH.
    expect(await txnOffsetCommit(groups, 3, p, groupId, 7, p.producerEpoch + 1)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(offsetsLogEnd(groupCoordinator, groupId)).toBe(logEnd);
    expect(await txnOffsetCommit(groups, 3, p, groupId, 7)).toBe(ErrorCode.NONE);
    expect(await fetched(groups, groupId, true)).toEqual([ErrorCode.UNSTABLE_OFFSET_COMMIT, -1]);
    expect(await endTxn(coordinator, p, true)).toBe(ErrorCode.NONE);
    expect(await settled(groups, groupId)).toEqual([ErrorCode.NONE, 7]);

    // The transaction is over: a commit for it is refused again.
    const after = offsetsLogEnd(groupCoordinator, groupId);
    expect(await txnOffsetCommit(groups, 3, p, groupId, 8)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(offsetsLogEnd(groupCoordinator, groupId)).toBe(after);
  });

  it('a transaction coordinator that cannot be reached answers COORDINATOR_LOAD_IN_PROGRESS, which clients retry, and writes nothing', async () => {
    const { groupId, groupCoordinator, txnCoordinator, coordinator, groups, p } = await pair.txnSession('unreachable-group', 'unreachable-verified');
    expect(await addOffsets(coordinator, p, groupId)).toBe(ErrorCode.NONE);
    const logEnd = offsetsLogEnd(groupCoordinator, groupId);
    // The verification request is served, but its connection closes before the answer.
    const dropped = pair.broker(txnCoordinator).faults.closeAfterRequest({ apiKey: 'AddPartitionsToTxn', clientId: `creek-txn-${groupCoordinator}` });
    expect(await txnOffsetCommit(groups, 3, p, groupId, 9)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(dropped.hits).toBe(1);
    expect(offsetsLogEnd(groupCoordinator, groupId)).toBe(logEnd);
    // The client's retry reaches it.
    expect(await txnOffsetCommit(groups, 3, p, groupId, 9)).toBe(ErrorCode.NONE);
    expect(await endTxn(coordinator, p, false)).toBe(ErrorCode.NONE);
    expect(await settled(groups, groupId)).toEqual([ErrorCode.NONE, -1]);
  });
});

describe.skipIf(noEtcd)('TxnOffsetCommit with transaction.partition.verification.enable=false (etcd cluster)', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair(etcd, '/creek/unverified/', { 'transaction.partition.verification.enable': false });
  }, 120_000);
  afterAll(async () => {
    await pair?.stop();
  });

  it('the group coordinator does not ask the transaction coordinator on the other broker, as Kafka does not below v5', async () => {
    const { groupId, groupCoordinator, txnCoordinator, coordinator, groups, p } = await pair.txnSession('unverified-group', 'unverified');
    expect(await addOffsets(coordinator, p, groupId)).toBe(ErrorCode.NONE);
    const verifications = pair.countVerifications(txnCoordinator, groupCoordinator);
    expect(await txnOffsetCommit(groups, 3, p, groupId, 11)).toBe(ErrorCode.NONE);
    expect(verifications.hits).toBe(0);
    verifications.clear();
    expect(await endTxn(coordinator, p, true)).toBe(ErrorCode.NONE);
    expect(await settled(groups, groupId)).toEqual([ErrorCode.NONE, 11]);
  });
});
