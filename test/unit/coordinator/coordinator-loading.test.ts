// The group and transaction coordinators follow the leadership of their internal-topic partitions
// (no sockets, no controller: a fake cluster view says who leads): a partition led here is loaded
// by replaying it, one no longer led is unloaded, and requests for its keys are answered
// NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS meanwhile. What a partition held comes back
// when its leadership returns, and a transaction left prepared is finished by the new owner.
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { GroupCoordinator } from '../../../src/groups/group-coordinator.js';
import { OFFSETS_TOPIC } from '../../../src/groups/offsets-topic.js';
import { errorCodeOf } from '../../../src/kafka-error.js';
import { MemoryMetadataStore } from '../../../src/metadata/memory-metadata-store.js';
import type { Partition } from '../../../src/replica/partition.js';
import { ReplicaManager } from '../../../src/replica/replica-manager.js';
import { TopicRegistry } from '../../../src/topics/topic-registry.js';
import { partitionFor } from '../../../src/txn/partition-for.js';
import { ProducerIdManager } from '../../../src/txn/producer-ids.js';
import { TxnCoordinator } from '../../../src/txn/txn-coordinator.js';
import { TxnState } from '../../../src/txn/txn-metadata.js';
import { TXN_STATE_TOPIC, TxnStateLog } from '../../../src/txn/txn-state-log.js';
import { FakeCluster } from '../../helpers/fake-cluster.js';
import { until } from '../../helpers/until.js';

const log = pino({ level: 'silent' });
const LOCAL = 1;
const OTHER = 2;
const PARTITIONS = 3;

interface Setup {
  topics: TopicRegistry;
  replicas: ReplicaManager;
  metadata: MemoryMetadataStore;
  /** Where the coordinators under test hear leadership changes. */
  listeners: ((p: Partition) => void)[];
  /** Makes `leader` lead partition `index` of `topic` in `epoch`, as a controller would. */
  elect(topic: string, index: number, leader: number, epoch: number): void;
}

async function setup(): Promise<Setup> {
  const metadata = new MemoryMetadataStore();
  const config = resolveBrokerConfig({ memory: true, nodeId: LOCAL });
  const topics = await TopicRegistry.open(config, metadata, log);
  const cluster = new FakeCluster(LOCAL);
  const listeners: ((p: Partition) => void)[] = [];
  const replicas = new ReplicaManager({
    localId: LOCAL,
    topics,
    cluster,
    replicaLagTimeMaxMs: () => 30_000,
    proposeIsr: () => undefined,
    onStateApplied: (p) => listeners.forEach((l) => l(p)),
  });
  const elect = (topic: string, index: number, leader: number, epoch: number): void => {
    cluster.states.set(`${topic}-${index}`, { leaderId: leader, leaderEpoch: epoch, replicas: [LOCAL, OTHER], isr: [leader], offlineReplicas: [] });
    replicas.applyState(topics.get(topic)!, index);
  };
  return { topics, replicas, metadata, listeners, elect };
}

/** Creates an internal topic followed here (another broker leads every partition). */
async function createFollowed(s: Setup, name: string): Promise<void> {
  await s.topics.create(name, { numPartitions: PARTITIONS, replicas: Array.from({ length: PARTITIONS }, () => [LOCAL, OTHER]) });
  for (let i = 0; i < PARTITIONS; i++) s.elect(name, i, OTHER, 0);
}

describe('the group coordinator over __consumer_offsets partitions', () => {
  let s: Setup;
  let groups: GroupCoordinator;
  const group = 'orders-group';
  const index = partitionFor(group, PARTITIONS);
  const fetched = () => groups.fetchOffsets({ groupId: group, partitions: [{ topic: 'orders', partition: 0 }], requireStable: false, memberId: null, memberEpoch: -1 });

  beforeEach(async () => {
    s = await setup();
    const config = resolveBrokerConfig({ memory: true, nodeId: LOCAL });
    groups = await GroupCoordinator.open({
      brokerConfig: config,
      topics: s.topics,
      replicas: s.replicas,
      appendForProducer: () => Promise.reject(new Error('no transactions here')),
      liveBrokers: () => [LOCAL, OTHER],
      offsetsTopicPartitions: PARTITIONS,
      createTopicAtStart: false,
      log,
    });
    s.listeners.push((p) => groups.leadershipChanged(p));
    await s.topics.create('orders', { numPartitions: 1 });
    await createFollowed(s, OFFSETS_TOPIC);
  });

  it('coordinates a group only while it leads the group’s partition, and reloads its offsets when it leads again', async () => {
    expect(groups.ownerError(group)).toBe(ErrorCode.NOT_COORDINATOR);
    expect(fetched().errorCode).toBe(ErrorCode.NOT_COORDINATOR);

    s.elect(OFFSETS_TOPIC, index, LOCAL, 1);
    expect(groups.ownerError(group)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(fetched().errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    await until(() => groups.ownerError(group) === ErrorCode.NONE, 'the partition loaded');
    const commit = await groups.commitOffsets(
      { groupId: group, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, offsets: [{ topic: 'orders', partition: 0, offset: 42, leaderEpoch: -1, metadata: null }] },
      8,
    );
    expect(commit).toEqual([ErrorCode.NONE]);
    expect(fetched().offsets[0]!.offset).toBe(42);

    s.elect(OFFSETS_TOPIC, index, OTHER, 2);
    expect(groups.ownerError(group)).toBe(ErrorCode.NOT_COORDINATOR);
    await until(() => groups.group(group) === undefined, 'the group unloaded');
    expect(groups.listGroups()).toEqual([]);
    const refused = await groups.commitOffsets(
      { groupId: group, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, offsets: [{ topic: 'orders', partition: 0, offset: 50, leaderEpoch: -1, metadata: null }] },
      8,
    );
    expect(refused).toEqual([ErrorCode.NOT_COORDINATOR]);

    s.elect(OFFSETS_TOPIC, index, LOCAL, 3);
    await until(() => groups.ownerError(group) === ErrorCode.NONE, 'the partition loaded again');
    expect(fetched()).toMatchObject({ errorCode: ErrorCode.NONE, offsets: [{ offset: 42 }] });
    expect(groups.listGroups().map((g) => g.groupId)).toEqual([group]);
  });

  it('keeps the groups of the other partitions it leads when one partition moves away', async () => {
    const other = ['a', 'b', 'c', 'd', 'e'].map((c) => `group-${c}`).find((g) => partitionFor(g, PARTITIONS) !== index)!;
    for (let i = 0; i < PARTITIONS; i++) s.elect(OFFSETS_TOPIC, i, LOCAL, 1);
    await until(() => groups.ownerError(group) === ErrorCode.NONE && groups.ownerError(other) === ErrorCode.NONE, 'every partition loaded');
    for (const g of [group, other]) {
      const offsets = [{ topic: 'orders', partition: 0, offset: 7, leaderEpoch: -1, metadata: null }];
      expect(await groups.commitOffsets({ groupId: g, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, offsets }, 8)).toEqual([ErrorCode.NONE]);
    }
    s.elect(OFFSETS_TOPIC, index, OTHER, 2);
    await until(() => groups.group(group) === undefined, 'the moved partition unloaded');
    expect(groups.group(other)).toBeDefined();
    expect(groups.fetchOffsets({ groupId: other, partitions: null, requireStable: false, memberId: null, memberEpoch: -1 }).offsets.map((o) => o.offset)).toEqual([7]);
  });
});

describe('the transaction coordinator over __transaction_state partitions', () => {
  let s: Setup;
  let coordinator: TxnCoordinator;
  const markers: { commit: boolean; coordinatorEpoch: number; partitions: string[] }[] = [];
  const failMarkers = { value: false };
  const id = 'payments-tx';
  const index = partitionFor(id, PARTITIONS);
  const codeOf = async (p: Promise<unknown>): Promise<number> => p.then(() => ErrorCode.NONE, errorCodeOf);

  beforeEach(async () => {
    markers.length = 0;
    failMarkers.value = false;
    s = await setup();
    await createFollowed(s, TXN_STATE_TOPIC);
    coordinator = await TxnCoordinator.open({
      stateLog: new TxnStateLog({ topics: s.topics, replicas: s.replicas, partitions: PARTITIONS, replicationFactor: 2, minIsr: 1, segmentBytes: 1 << 20, liveBrokers: () => [LOCAL, OTHER], writeTimeoutMs: 1000, log }),
      replicas: s.replicas,
      createTopicOnFirstUse: false,
      producerIds: ProducerIdManager.open(s.metadata),
      transactionMaxTimeoutMs: 900_000,
      transactionalIdExpirationMs: 3_600_000,
      log,
      writeMarkers: async (_producer, commit, partitions, coordinatorEpoch) => {
        if (failMarkers.value) throw new Error('leaders unreachable');
        markers.push({ commit, coordinatorEpoch, partitions: [...partitions].flatMap(([t, ps]) => [...ps].map((p) => `${t}-${p}`)) });
      },
    });
    s.listeners.push((p) => coordinator.leadershipChanged(p));
  });

  it('answers NOT_COORDINATOR and COORDINATOR_LOAD_IN_PROGRESS until it owns the id’s partition', async () => {
    expect(await codeOf(coordinator.initProducerId(id, 60_000, null))).toBe(ErrorCode.NOT_COORDINATOR);
    s.elect(TXN_STATE_TOPIC, index, LOCAL, 1);
    expect(await codeOf(coordinator.initProducerId(id, 60_000, null))).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    await until(() => coordinator.ownerError(id) === ErrorCode.NONE, 'the partition loaded');
    expect(await coordinator.initProducerId(id, 60_000, null)).toMatchObject({ producerEpoch: 0 });
  });

  it('forgets its ids on losing the partition; the next owner loads them and finishes a prepared commit with its own epoch', async () => {
    s.elect(TXN_STATE_TOPIC, index, LOCAL, 1);
    await until(() => coordinator.ownerError(id) === ErrorCode.NONE, 'the partition loaded');
    const { producerId, producerEpoch } = await coordinator.initProducerId(id, 60_000, null);
    await coordinator.addPartitions(id, producerId, producerEpoch, new Map([['orders', [0, 1]]]));
    // The markers cannot be written: the commit stays decided (PrepareCommit) when leadership moves.
    failMarkers.value = true;
    await expect(coordinator.endTxn(id, producerId, producerEpoch, true)).rejects.toThrow();
    expect(coordinator.get(id)?.state).toBe(TxnState.PrepareCommit);

    s.elect(TXN_STATE_TOPIC, index, OTHER, 2);
    await until(() => coordinator.get(id) === undefined, 'the id unloaded');
    expect(await codeOf(coordinator.endTxn(id, producerId, producerEpoch, true))).toBe(ErrorCode.NOT_COORDINATOR);

    failMarkers.value = false;
    s.elect(TXN_STATE_TOPIC, index, LOCAL, 3);
    await until(() => coordinator.get(id)?.state === TxnState.CompleteCommit, 'the loaded commit finished');
    expect(markers).toEqual([{ commit: true, coordinatorEpoch: 3, partitions: ['orders-0', 'orders-1'] }]);
    expect(coordinator.get(id)).toMatchObject({ producerId, producerEpoch });
  });
});
