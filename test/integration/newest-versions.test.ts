// The versions Kafka 4.4 added to existing APIs, sent over a real socket at the new version and
// answered as Apache Kafka 4.4 answers them (each expectation was checked against the reference
// broker, compat/lib/reference-broker.ts): topics by id in Produce v13 and OffsetCommit/OffsetFetch
// v10, new special timestamps and fields, KIP-1242's cluster check in ApiVersions v5, and the
// errors the new versions may return.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestOf, ResponseOf } from '../../protocol/codec/messages.js';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeBatch, encodeBatch, splitBatches } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { fetchRequest, produceRequest } from '../helpers/raw-requests.js';

const NODE_ID = 4;
/** A well-formed topic id no topic has. */
const UNKNOWN_ID = 'XZscLgAAQACAAAAAAAAAAQ';
let broker: RunningBroker;
let raw: RawClient;
let topicId: string;

beforeAll(async () => {
  broker = await withBroker({ nodeId: NODE_ID });
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'v44', numPartitions: 1 }] });
  await admin.disconnect();
  topicId = broker.broker.topics.get('v44')!.id;
  raw = await RawClient.connect(broker.host, broker.port);
});
afterAll(async () => {
  raw.close();
  await broker.stop();
});

const batchOf = (...values: string[]) => encodeBatch({ records: values.map((v) => ({ value: Buffer.from(v) })) });

const produceV13 = (to: { topicId: string; partition: number; records: Buffer | null }[]) => raw.send(0, 13, produceRequest(to.map((t) => ({ topic: '', ...t }))));

describe('Produce v13 and Fetch v18 (topics by id)', () => {
  it('appends by topic id and answers by id with an empty name', async () => {
    const res = await produceV13([{ topicId, partition: 0, records: batchOf('a', 'b') }]);
    expect(res.responses).toEqual([
      expect.objectContaining({ name: '', topicId, partitionResponses: [expect.objectContaining({ index: 0, errorCode: ErrorCode.NONE, baseOffset: 0 })] }),
    ]);
    const fetched = await raw.send(1, 18, fetchRequest({ topic: '', topicId }));
    const p = fetched.responses[0]!.partitions[0]!;
    expect(p).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 2 });
    const values = splitBatches(p.records as Buffer).flatMap((b) => decodeBatch(b).records.map((r) => r.value!.toString()));
    expect(values).toEqual(['a', 'b']);
  });

  it('answers UNKNOWN_TOPIC_ID for an unknown id and UNKNOWN_TOPIC_OR_PARTITION for a missing partition', async () => {
    const res = await produceV13([
      { topicId: UNKNOWN_ID, partition: 0, records: batchOf('x') },
      { topicId, partition: 3, records: batchOf('y') },
    ]);
    expect(res.responses.map((t) => [t.name, t.topicId, t.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset])])).toEqual([
      ['', UNKNOWN_ID, [[0, ErrorCode.UNKNOWN_TOPIC_ID, -1]]],
      ['', topicId, [[3, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]]],
    ]);
    const fetched = await raw.send(1, 18, fetchRequest({ topic: '', topicId: UNKNOWN_ID }));
    expect(fetched.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });
});

describe('ListOffsets v11', () => {
  const listOffsets = (version: number, timestamp: number) =>
    raw
      .send(2, version, { replicaId: -1, isolationLevel: 0, timeoutMs: 1000, topics: [{ name: 'v44', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }] })
      .then((r) => r.topics[0]!.partitions[0]!);

  it('answers EARLIEST_PENDING_UPLOAD (-6) with no offset, there being no tiered storage', async () => {
    expect(await listOffsets(11, -6)).toMatchObject({ errorCode: ErrorCode.NONE, offset: -1, timestamp: -1 });
  });

  it('refuses a special timestamp from a version before the one that added it, and undefined ones', async () => {
    expect((await listOffsets(10, -6)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await listOffsets(8, -5)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await listOffsets(6, -3)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await listOffsets(11, -7)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(await listOffsets(7, -3)).toMatchObject({ errorCode: ErrorCode.NONE });
  });
});

describe('Metadata v13', () => {
  it('carries a top-level error code, NONE in an answer', async () => {
    const res = await raw.send(3, 13, { topics: [{ topicId, name: null }, { topicId: UNKNOWN_ID, name: null }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    // Unknown ids come first, as Kafka answers them.
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([[null, ErrorCode.UNKNOWN_TOPIC_ID], ['v44', ErrorCode.NONE]]);
  });
});

describe('OffsetCommit v10 and OffsetFetch v10 (topics by id)', () => {
  const commit = (groupId: string, topics: { topicId: string; partitionIndex: number; committedOffset: number }[]) =>
    raw.send(8, 10, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: topics.map((t) => ({ name: '', topicId: t.topicId, partitions: [{ partitionIndex: t.partitionIndex, committedOffset: t.committedOffset, committedLeaderEpoch: -1, committedMetadata: 'm' }] })),
    });

  it('commits by id; an unknown id is UNKNOWN_TOPIC_ID, a missing partition UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const res = await commit('v44-group', [
      { topicId, partitionIndex: 0, committedOffset: 2 },
      { topicId: UNKNOWN_ID, partitionIndex: 0, committedOffset: 1 },
      { topicId, partitionIndex: 9, committedOffset: 1 },
    ]);
    expect(res.topics.map((t) => [t.name, t.topicId, t.partitions.map((p) => [p.partitionIndex, p.errorCode])])).toEqual([
      ['', topicId, [[0, ErrorCode.NONE]]],
      ['', UNKNOWN_ID, [[0, ErrorCode.UNKNOWN_TOPIC_ID]]],
      ['', topicId, [[9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    ]);
  });

  it('fetches by id, and every committed partition by id when no topics are named', async () => {
    await commit('v44-fetched', [{ topicId, partitionIndex: 0, committedOffset: 1 }]);
    const res = await raw.send(9, 10, {
      groupId: '',
      topics: null,
      groups: [
        { groupId: 'v44-fetched', memberId: null, memberEpoch: -1, topics: [{ name: '', topicId, partitionIndexes: [0, 5] }, { name: '', topicId: UNKNOWN_ID, partitionIndexes: [0] }] },
        { groupId: 'v44-fetched', memberId: null, memberEpoch: -1, topics: null },
        { groupId: 'v44-never', memberId: null, memberEpoch: -1, topics: null },
      ],
      requireStable: false,
    });
    const [named, all, never] = res.groups ?? [];
    expect(named?.topics?.map((t) => [t.name, t.topicId, t.partitions?.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode])])).toEqual([
      ['', topicId, [[0, 1, 'm', ErrorCode.NONE], [5, -1, '', ErrorCode.NONE]]],
      ['', UNKNOWN_ID, [[0, -1, '', ErrorCode.UNKNOWN_TOPIC_ID]]],
    ]);
    expect(all?.topics?.map((t) => [t.name, t.topicId, t.partitions?.map((p) => [p.partitionIndex, p.committedOffset])])).toEqual([['', topicId, [[0, 1]]]]);
    expect(never).toMatchObject({ errorCode: ErrorCode.NONE, topics: [] });
  });
});

describe('FindCoordinator v6', () => {
  const find = (version: number, keyType: number, keys: string[]) => raw.send(10, version, { key: '', keyType, coordinatorKeys: keys }).then((r) => r.coordinators!.map((c) => [c.key, c.errorCode]));

  it('answers a share-state key COORDINATOR_NOT_AVAILABLE (no share coordinator) and a malformed one INVALID_REQUEST', async () => {
    const key = `share-group:${topicId}:0`;
    expect(await find(6, 2, [key, 'share-group', `g:${topicId}:x`])).toEqual([
      [key, ErrorCode.COORDINATOR_NOT_AVAILABLE],
      ['share-group', ErrorCode.INVALID_REQUEST],
      [`g:${topicId}:x`, ErrorCode.INVALID_REQUEST],
    ]);
    expect(await find(5, 2, [key])).toEqual([[key, ErrorCode.INVALID_REQUEST]]);
    expect(await find(6, 0, ['a-group'])).toEqual([['a-group', ErrorCode.NONE]]);
  });
});

describe('DescribeGroups v6 and DeleteGroups v3', () => {
  it('DescribeGroups v6 answers an unknown group GROUP_ID_NOT_FOUND, v5 Dead without an error', async () => {
    const v6 = await raw.send(15, 6, { groups: ['v44-nobody'], includeAuthorizedOperations: false });
    expect(v6.groups[0]).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group v44-nobody not found.', groupState: 'Dead', members: [] });
    const v5 = await raw.send(15, 5, { groups: ['v44-nobody'], includeAuthorizedOperations: false });
    expect(v5.groups[0]).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Dead' });
  });

  it('DescribeGroups v6 answers a consumer-protocol group GROUP_ID_NOT_FOUND: not a classic group', async () => {
    await joinConsumerGroup('v44-modern', 'v44-modern-member');
    const v6 = await raw.send(15, 6, { groups: ['v44-modern'], includeAuthorizedOperations: false });
    expect(v6.groups[0]).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group v44-modern is not a classic group.', groupState: 'Dead' });
  });

  it('DeleteGroups v3 carries a null error message with each error', async () => {
    const res = await raw.send(42, 3, { groupsNames: ['v44-nobody', ''] });
    expect(res.results).toEqual([
      { groupId: 'v44-nobody', errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: null },
      { groupId: '', errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: null },
    ]);
  });
});

/** Joins a consumer-protocol (KIP-848) group at ConsumerGroupHeartbeat v1, with a member id the client made. */
async function joinConsumerGroup(groupId: string, memberId: string) {
  const res = await raw.send(68, 1, {
    groupId,
    memberId,
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 30000,
    subscribedTopicNames: ['v44'],
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: [],
  });
  expect(res).toMatchObject({ errorCode: ErrorCode.NONE, memberId });
  return res;
}

describe('ConsumerGroupHeartbeat v1', () => {
  const heartbeat = (groupId: string, fields: Partial<RequestOf<68>>) =>
    raw.send(68, 1, {
      groupId,
      memberId: 'v44-member',
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 30000,
      subscribedTopicNames: null,
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: [],
      ...fields,
    });
  const assigned = (r: ResponseOf<68>) => (r.assignment?.topicPartitions ?? []).map((tp) => [broker.broker.topics.getById(tp.topicId)?.name, tp.partitions]);

  it('subscribes by regular expression, and a topic created later that matches joins the assignment', async () => {
    const joined = await heartbeat('v44-regex', { subscribedTopicRegex: 'v4[45].*' });
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, memberId: 'v44-member', memberEpoch: 1 });
    expect(assigned(joined)).toEqual([['v44', [0]]]);

    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'v45-later', numPartitions: 2 }, { topic: 'w45-unmatched', numPartitions: 1 }] });
    await admin.disconnect();
    const next = await heartbeat('v44-regex', { memberEpoch: 1, rebalanceTimeoutMs: -1, topicPartitions: null });
    expect(next.memberEpoch).toBe(2);
    expect(assigned(next).sort()).toEqual([['v44', [0]], ['v45-later', [0, 1]]]);

    const described = await raw.send(69, 1, { groupIds: ['v44-regex'], includeAuthorizedOperations: false });
    expect(described.groups[0]!.members.map((m) => [m.subscribedTopicNames, m.subscribedTopicRegex])).toEqual([[[], 'v4[45].*']]);
  });

  it('refuses an invalid regular expression, an empty member id, and a join that subscribes to nothing', async () => {
    expect(await heartbeat('v44-bad', { subscribedTopicRegex: '[' })).toMatchObject({ errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, memberId: null });
    expect(await heartbeat('v44-bad', { memberId: '', subscribedTopicNames: ['v44'] })).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "MemberId can't be empty." });
    expect(await heartbeat('v44-bad', {})).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.',
    });
  });
});

describe('ConsumerGroupDescribe v1', () => {
  it('gives each member its type (consumer) and an unknown group GROUP_ID_NOT_FOUND with no state', async () => {
    await joinConsumerGroup('v44-described', 'v44-described-member');
    const res = await raw.send(69, 1, { groupIds: ['v44-described', 'v44-nobody'], includeAuthorizedOperations: false });
    const [described, unknown] = res.groups;
    expect(described!.members.map((m) => [m.memberId, m.memberType])).toEqual([['v44-described-member', 1]]);
    expect(unknown).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group v44-nobody not found.', groupState: '' });
  });
});

describe('DescribeLogDirs v5, DescribeCluster v2, AlterPartitionReassignments v1', () => {
  it('DescribeLogDirs v5 reports the dir as not cordoned', async () => {
    const res = await raw.send(35, 5, { topics: [{ topic: 'v44', partitions: [0] }] });
    expect(res.results.map((r) => [r.errorCode, r.isCordoned, r.topics.map((t) => t.name)])).toEqual([[ErrorCode.NONE, false, ['v44']]]);
  });

  it('DescribeCluster v2 lists this broker as not fenced', async () => {
    const res = await raw.send(60, 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: true });
    expect(res.brokers.map((b) => [b.brokerId, b.isFenced])).toEqual([[NODE_ID, false]]);
  });

  it('AlterPartitionReassignments v1 echoes allow_replication_factor_change and checks brokers first', async () => {
    const res = await raw.send(45, 1, {
      timeoutMs: 1000,
      allowReplicationFactorChange: false,
      topics: [{ name: 'v44', partitions: [{ partitionIndex: 0, replicas: [NODE_ID] }, { partitionIndex: 0, replicas: [NODE_ID, 99] }, { partitionIndex: 0, replicas: null }] }],
    });
    expect(res.allowReplicationFactorChange).toBe(false);
    expect(res.responses[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS]);
  });
});

describe('ListTransactions v2', () => {
  const list = (transactionalIdPattern: string | null) =>
    raw.send(66, 2, { stateFilters: [], producerIdFilters: [], durationFilter: -1, transactionalIdPattern });

  it('filters by a pattern the whole transactional id must match; an invalid one is INVALID_REGULAR_EXPRESSION', async () => {
    const producer = kafkaFor(broker).producer({ transactionalId: 'v44-txn-a', maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    // The transactional id exists from the producer's first transaction on.
    const txn = await producer.transaction();
    await txn.send({ topic: 'v44', messages: [{ value: 'in a transaction' }] });
    try {
      const ids = async (pattern: string | null) => (await list(pattern)).transactionStates.map((s) => s.transactionalId);
      expect(await ids('v44-txn-a')).toEqual(['v44-txn-a']);
      expect(await ids('v44.*')).toEqual(['v44-txn-a']);
      expect(await ids('v44')).toEqual([]);
      expect(await ids('txn')).toEqual([]);
      expect(await ids('')).toEqual(['v44-txn-a']);
      expect(await ids(null)).toEqual(['v44-txn-a']);
      expect(await list('[')).toMatchObject({ errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, transactionStates: [] });
    } finally {
      await txn.abort();
      await producer.disconnect();
    }
  });
});

describe('ApiVersions v5 (KIP-1242)', () => {
  const apiVersions = async (clusterId: string | null, nodeId: number) => {
    const client = await RawClient.connect(broker.host, broker.port);
    try {
      const res = await client.send(18, 5, { clientSoftwareName: 'creek-test', clientSoftwareVersion: '1', clusterId, nodeId });
      // The connection stays usable after a refusal.
      const metadata = await client.send(3, 13, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      return { errorCode: res.errorCode, apiKeys: res.apiKeys.length, served: metadata.brokers.length };
    } finally {
      client.close();
    }
  };

  it('serves the node of the cluster the client expects, and neither named', async () => {
    const clusterId = broker.broker.cluster.clusterId;
    expect(await apiVersions(clusterId, NODE_ID)).toMatchObject({ errorCode: ErrorCode.NONE, served: 1 });
    expect((await apiVersions(null, -1)).errorCode).toBe(ErrorCode.NONE);
  });

  it('answers REBOOTSTRAP_REQUIRED, without the API list, to a client that expected another cluster or node', async () => {
    const clusterId = broker.broker.cluster.clusterId;
    expect(await apiVersions('another-cluster-id-xxx', NODE_ID)).toEqual({ errorCode: ErrorCode.REBOOTSTRAP_REQUIRED, apiKeys: 0, served: 1 });
    expect(await apiVersions(clusterId, NODE_ID + 1)).toEqual({ errorCode: ErrorCode.REBOOTSTRAP_REQUIRED, apiKeys: 0, served: 1 });
  });

  it('answers INVALID_REQUEST when only one of cluster id and node id is named', async () => {
    expect(await apiVersions(null, NODE_ID)).toEqual({ errorCode: ErrorCode.INVALID_REQUEST, apiKeys: 0, served: 1 });
    expect(await apiVersions(broker.broker.cluster.clusterId, -1)).toEqual({ errorCode: ErrorCode.INVALID_REQUEST, apiKeys: 0, served: 1 });
  });
});

describe('transaction.version 2 (KIP-890 part 2): Produce v12, TxnOffsetCommit v5-6, EndTxn v5', () => {
  const txnId = 'v44-tv2';
  let producer: { producerId: number; producerEpoch: number };
  const sequences = new Map<number, number>();

  const produceTxn = async (version: number, partition: number, epoch = producer.producerEpoch) => {
    const records = encodeBatch({ records: [{ value: Buffer.from('t') }], transactional: true, producerId: producer.producerId, producerEpoch: epoch, baseSequence: sequences.get(partition) ?? 0 });
    const res = await raw.send(0, version, produceRequest({ topic: 'v44-txn', topicId: txnTopicId, partition, records }, { transactionalId: txnId }));
    const { errorCode } = res.responses[0]!.partitionResponses[0]!;
    if (errorCode === ErrorCode.NONE) sequences.set(partition, (sequences.get(partition) ?? 0) + 1);
    return errorCode;
  };
  const endTxn = (version: number, committed: boolean, epoch = producer.producerEpoch) =>
    raw.send(26, version, { transactionalId: txnId, producerId: producer.producerId, producerEpoch: epoch, committed });
  const txnOffsetCommit = (version: number, topics: { name: string; topicId: string }[]) =>
    raw
      .send(28, version, {
        transactionalId: txnId,
        groupId: 'v44-tv2-group',
        producerId: producer.producerId,
        producerEpoch: producer.producerEpoch,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: topics.map((t) => ({ ...t, partitions: [{ partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: '' }] })),
      })
      .then((r) => r.topics.map((t) => [t.name, t.topicId, t.partitions.map((p) => p.errorCode)]));
  const transaction = async () => (await raw.send(65, 0, { transactionalIds: [txnId] })).transactionStates[0]!;
  const lastStableOffset = async () =>
    (await raw.send(2, 9, { replicaId: -1, isolationLevel: 1, timeoutMs: 5000, topics: [{ name: 'v44-txn', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] })).topics[0]!.partitions[0]!.offset;
  let txnTopicId: string;

  beforeAll(async () => {
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'v44-txn', numPartitions: 2 }] });
    await admin.disconnect();
    txnTopicId = broker.broker.topics.get('v44-txn')!.id;
    const init = await raw.send(22, 5, { transactionalId: txnId, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false });
    producer = { producerId: init.producerId, producerEpoch: init.producerEpoch };
  });

  it('is finalized in ApiVersions, so clients use it', async () => {
    const res = await raw.send(18, 4, { clientSoftwareName: 'creek-test', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
    expect(res.supportedFeatures).toContainEqual({ name: 'transaction.version', minVersion: 0, maxVersion: 2 });
    expect(res.finalizedFeatures).toContainEqual({ name: 'transaction.version', minVersionLevel: 2, maxVersionLevel: 2 });
  });

  it('Produce v11 outside the transaction is TRANSACTION_ABORTABLE; v12 and v13 add their partition themselves', async () => {
    expect(await produceTxn(11, 0)).toBe(ErrorCode.TRANSACTION_ABORTABLE);
    expect(await produceTxn(12, 0)).toBe(ErrorCode.NONE);
    expect(await produceTxn(13, 1)).toBe(ErrorCode.NONE);
    expect(await txnOffsetCommit(5, [{ name: 'v44-txn', topicId: '' }])).toEqual([['v44-txn', expect.anything(), [ErrorCode.NONE]]]);
    const open = await transaction();
    expect(open.transactionState).toBe('Ongoing');
    expect(open.topics.map((t) => [t.topic, [...t.partitions].sort()]).sort()).toEqual([
      ['__consumer_offsets', [broker.broker.groups.offsetsPartitionFor('v44-tv2-group')]],
      ['v44-txn', [0, 1]],
    ]);
    expect(await lastStableOffset()).toBe(0);
  });

  it('EndTxn v5 commits with the next epoch and names it; a retry is answered alike', async () => {
    const before = producer;
    const res = await endTxn(5, true);
    expect(res).toMatchObject({ errorCode: ErrorCode.NONE, producerId: before.producerId, producerEpoch: before.producerEpoch + 1 });
    expect(await lastStableOffset()).toBe(2); // the record and the COMMIT marker
    const offsets = await raw.send(9, 10, { groupId: '', topics: null, groups: [{ groupId: 'v44-tv2-group', memberId: null, memberEpoch: -1, topics: null }], requireStable: true });
    expect(offsets.groups?.[0]?.topics?.[0]?.partitions?.[0]).toMatchObject({ committedOffset: 7, errorCode: ErrorCode.NONE });
    expect(await endTxn(5, true, before.producerEpoch)).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: before.producerEpoch + 1 });
    expect((await endTxn(5, false, before.producerEpoch)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    producer = { producerId: res.producerId!, producerEpoch: res.producerEpoch! };
    sequences.clear();
  });

  it('refuses a commit with nothing open, lets an abort move the epoch, and fences the old epoch', async () => {
    expect((await endTxn(5, true)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    const aborted = await endTxn(5, false);
    expect(aborted).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: producer.producerEpoch + 1 });
    const stale = producer.producerEpoch;
    producer = { producerId: aborted.producerId!, producerEpoch: aborted.producerEpoch! };
    expect(await produceTxn(12, 0, stale)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await produceTxn(12, 0)).toBe(ErrorCode.NONE);
  });

  it('TxnOffsetCommit v6 names topics by id: an unknown id is UNKNOWN_TOPIC_ID; EndTxn v4 ends without a new epoch', async () => {
    expect(await txnOffsetCommit(6, [{ name: '', topicId: UNKNOWN_ID }, { name: '', topicId: txnTopicId }])).toEqual([
      ['', UNKNOWN_ID, [ErrorCode.UNKNOWN_TOPIC_ID]],
      ['', txnTopicId, [ErrorCode.NONE]],
    ]);
    expect(await endTxn(4, false)).toMatchObject({ errorCode: ErrorCode.NONE, producerId: -1, producerEpoch: -1 });
    expect(await transaction()).toMatchObject({ transactionState: 'CompleteAbort', producerEpoch: producer.producerEpoch });
  });
});
