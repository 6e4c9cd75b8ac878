// TxnOffsetCommit below v5 at a group coordinator that is not the transaction coordinator: two
// embedded brokers on a real etcd, a group id and a transactional id coordinated by different
// brokers. The group coordinator has the transaction verified by the other broker (KIP-890:
// AddPartitionsToTxn v4 verify_only, counted at the transaction coordinator) before it writes
// the offsets. kafkajs sendOffsets in a transaction commits them; a TxnOffsetCommit for a
// transaction that never added the group's offsets partition gets Kafka's error (INVALID_TXN_STATE
// up to v3, TRANSACTION_ABORTABLE from v4), a stale epoch INVALID_PRODUCER_EPOCH, an unreachable
// transaction coordinator COORDINATOR_LOAD_IN_PROGRESS, and none of them writes anything.
// Skips with a printed reason when etcd-server is not installed.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { tempDir } from '../helpers/broker.js';
import { requireEtcd, startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { eventually } from '../helpers/eventually.js';
import { RawClient } from '../helpers/raw-client.js';
import { addPartitions, endTxn, initTxn, type TxnProducer } from '../helpers/txn-raw.js';

const noEtcd = requireEtcd();
const NODES = [1, 2];
const TOPIC = 'verified-offsets';
const PROPERTIES = { 'offsets.topic.num.partitions': 4, 'transaction.state.log.num.partitions': 4 };

describe.skipIf(noEtcd)('TxnOffsetCommit verified at a transaction coordinator on another broker (etcd cluster)', () => {
  let etcd: TestEtcd;
  const brokers = new Map<number, RunningBroker>();
  const dataDirs: { remove(): void }[] = [];
  const clients: RawClient[] = [];
  let kafka: Kafka;

  const broker = (nodeId: number): RunningBroker => brokers.get(nodeId)!;
  const connect = async (nodeId: number): Promise<RawClient> => {
    const client = await RawClient.connect(broker(nodeId).host, broker(nodeId).port);
    clients.push(client);
    return client;
  };
  /** The broker coordinating a group or a transactional id, once it has loaded it. */
  const coordinatorOf = (type: 'group' | 'transaction', key: string): Promise<number> =>
    eventually(() => {
      const id = broker(1).broker.cluster.coordinatorFor(type, key);
      const b = brokers.get(id)?.broker;
      const owner = type === 'group' ? b?.groups.ownerError(key) : b?.txn.coordinator.ownerError(key);
      return owner === ErrorCode.NONE && id;
    }, `the ${type} coordinator of ${key}`);

  beforeAll(async () => {
    etcd = await startEtcd();
    for (const nodeId of NODES) {
      const dir = tempDir('creek-txn-verify-');
      dataDirs.push(dir);
      brokers.set(nodeId, await startBroker({ etcd: etcd.url, nodeId, logLevel: 'silent', dataDir: dir.path, properties: PROPERTIES }));
    }
    await eventually(() => NODES.every((id) => broker(id).broker.cluster.brokerIds().length === NODES.length), 'both brokers in each view');
    kafka = new Kafka({ clientId: 'txn-verify', brokers: NODES.map((id) => broker(id).bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
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
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const b of brokers.values()) await b.stop();
    await etcd?.remove();
    for (const d of dataDirs) d.remove();
  });

  /** A group id whose coordinator is not the transaction coordinator of `transactionalId`, and both coordinators. */
  async function apart(prefix: string, transactionalId: string): Promise<{ groupId: string; groupCoordinator: number; txnCoordinator: number }> {
    const txnCoordinator = await coordinatorOf('transaction', transactionalId);
    const groupId = Array.from({ length: 100 }, (_, i) => `${prefix}-${i}`).find((g) => broker(1).broker.cluster.coordinatorFor('group', g) !== txnCoordinator)!;
    const groupCoordinator = await coordinatorOf('group', groupId);
    expect(groupCoordinator).not.toBe(txnCoordinator);
    return { groupId, groupCoordinator, txnCoordinator };
  }

  /** Counts the AddPartitionsToTxn requests `from` sends the transaction coordinator (its inter-broker client id). */
  const countVerifications = (txnCoordinator: number, from: number) => broker(txnCoordinator).faults.delayResponses({ apiKey: 'AddPartitionsToTxn', delayMs: 0, clientId: `creek-txn-${from}` });

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
  /** [error code, committed offset] of the topic's partition 0 as OffsetFetch v7 answers at the group coordinator. */
  const fetched = async (client: RawClient, groupId: string, requireStable: boolean): Promise<[number, number]> => {
    const res = await client.send(9, 7, { groupId, topics: [{ name: TOPIC, partitionIndexes: [0] }], groups: [], requireStable });
    const p = res.topics[0]!.partitions[0]!;
    return [p.errorCode, Number(p.committedOffset)];
  };
  /** The log end offset of the group's __consumer_offsets partition at its coordinator. */
  const offsetsLogEnd = (groupCoordinator: number, groupId: string): number => {
    const { groups, topics } = broker(groupCoordinator).broker;
    return topics.get('__consumer_offsets')!.partitions[groups.offsetsPartitionFor(groupId)]!.logEndOffset;
  };

  it('kafkajs sendOffsets in a transaction: the group coordinator has it verified by the other broker, and the offsets are committed with the transaction', async () => {
    const transactionalId = 'kafkajs-verified';
    const { groupId, groupCoordinator, txnCoordinator } = await apart('kafkajs-group', transactionalId);
    const verifications = countVerifications(txnCoordinator, groupCoordinator);
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
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
    const client = await connect(groupCoordinator);
    await eventually(async () => (await fetched(client, groupId, true))[0] === ErrorCode.NONE, 'the transaction settled at the group coordinator');
    expect(await fetched(client, groupId, true)).toEqual([ErrorCode.NONE, 42]);
  });

  it('a TxnOffsetCommit v0-v4 for a transaction without the group\'s offsets partition gets Kafka\'s error and writes nothing; after AddOffsetsToTxn it commits', async () => {
    const transactionalId = 'raw-verified';
    const { groupId, groupCoordinator, txnCoordinator } = await apart('raw-group', transactionalId);
    const coordinator = await connect(txnCoordinator);
    const groups = await connect(groupCoordinator);
    const p = await initTxn(coordinator, transactionalId);
    // An open transaction holding a data partition, but not the group's offsets partition.
    expect(await addPartitions(coordinator, p, TOPIC, [0])).toEqual([ErrorCode.NONE]);
    const logEnd = offsetsLogEnd(groupCoordinator, groupId);
    const verifications = countVerifications(txnCoordinator, groupCoordinator);
    for (const version of [0, 2, 3]) expect(await txnOffsetCommit(groups, version, p, groupId, 7)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await txnOffsetCommit(groups, 4, p, groupId, 7)).toBe(ErrorCode.TRANSACTION_ABORTABLE);
    expect(verifications.hits).toBe(4);
    verifications.clear();
    expect(offsetsLogEnd(groupCoordinator, groupId)).toBe(logEnd);
    expect(await fetched(groups, groupId, true)).toEqual([ErrorCode.NONE, -1]);

    expect((await coordinator.send(25, 3, { transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, groupId })).errorCode).toBe(ErrorCode.NONE);
    // The coordinator fences an epoch that is not the current one: Kafka's manager answers it INVALID_PRODUCER_EPOCH.
    expect(await txnOffsetCommit(groups, 3, p, groupId, 7, p.producerEpoch + 1)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(offsetsLogEnd(groupCoordinator, groupId)).toBe(logEnd);
    expect(await txnOffsetCommit(groups, 3, p, groupId, 7)).toBe(ErrorCode.NONE);
    expect(await fetched(groups, groupId, true)).toEqual([ErrorCode.UNSTABLE_OFFSET_COMMIT, -1]);
    expect(await endTxn(coordinator, p, true)).toBe(ErrorCode.NONE);
    await eventually(async () => (await fetched(groups, groupId, true))[0] === ErrorCode.NONE, 'the commit marker at the group coordinator');
    expect(await fetched(groups, groupId, true)).toEqual([ErrorCode.NONE, 7]);

    // The transaction is over: a commit for it is refused again.
    const after = offsetsLogEnd(groupCoordinator, groupId);
    expect(await txnOffsetCommit(groups, 3, p, groupId, 8)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(offsetsLogEnd(groupCoordinator, groupId)).toBe(after);
  });

  it('a transaction coordinator that cannot be reached answers COORDINATOR_LOAD_IN_PROGRESS, which clients retry, and writes nothing', async () => {
    const transactionalId = 'unreachable-verified';
    const { groupId, groupCoordinator, txnCoordinator } = await apart('unreachable-group', transactionalId);
    const coordinator = await connect(txnCoordinator);
    const groups = await connect(groupCoordinator);
    const p = await initTxn(coordinator, transactionalId);
    expect((await coordinator.send(25, 3, { transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, groupId })).errorCode).toBe(ErrorCode.NONE);
    const logEnd = offsetsLogEnd(groupCoordinator, groupId);
    // The verification request is served, but its connection closes before the answer.
    const dropped = broker(txnCoordinator).faults.closeAfterRequest({ apiKey: 'AddPartitionsToTxn', clientId: `creek-txn-${groupCoordinator}` });
    expect(await txnOffsetCommit(groups, 3, p, groupId, 9)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(dropped.hits).toBe(1);
    expect(offsetsLogEnd(groupCoordinator, groupId)).toBe(logEnd);
    // The client's retry reaches it.
    expect(await txnOffsetCommit(groups, 3, p, groupId, 9)).toBe(ErrorCode.NONE);
    expect(await endTxn(coordinator, p, false)).toBe(ErrorCode.NONE);
    await eventually(async () => (await fetched(groups, groupId, true))[0] === ErrorCode.NONE, 'the abort marker at the group coordinator');
    expect(await fetched(groups, groupId, true)).toEqual([ErrorCode.NONE, -1]);
  });
});
