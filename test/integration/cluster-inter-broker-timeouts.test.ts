// Inter-broker requests to a broker that takes them but does not answer (its responses held by
// the fault injector, as a hung or stopped broker would) time out after request.timeout.ms, as
// Kafka's do: a transactional write at a leader whose transaction coordinator does not answer the
// verification gets Kafka's retriable NOT_ENOUGH_REPLICAS instead of hanging, and succeeds once
// the coordinator answers again; a transactional offset commit gets COORDINATOR_LOAD_IN_PROGRESS;
// a follower whose fetch goes unanswered connects again and keeps replicating.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch } from '../../protocol/records/index.js';
import { startCluster, type RunningCluster } from '../../src/index.js';
import { clusterKafka, connectTo, coordinatorOf, createSyncedTopic, readyCoordinator, stateOf } from '../helpers/cluster.js';
import { produceRequest } from '../helpers/raw-requests.js';
import { addPartitions, endTxn, initTxn, produceTxn } from '../helpers/txn-raw.js';
import { until } from '../helpers/until.js';

/** Short enough for a test, longer than the follower's fetch wait (replica.fetch.wait.max.ms, 500 ms). */
const REQUEST_TIMEOUT_MS = 1_000;
/** Far beyond any test's time: only a timeout ends the wait for such an answer. */
const HELD_MS = 600_000;

let cluster: RunningCluster;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 2,
    brokerOptions: {
      logLevel: 'silent',
      properties: { 'request.timeout.ms': REQUEST_TIMEOUT_MS, 'offsets.topic.num.partitions': 4, 'transaction.state.log.num.partitions': 1 },
    },
  });
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

describe('inter-broker request timeouts', () => {
  it('answers a transactional write NOT_ENOUGH_REPLICAS while its coordinator on another broker does not answer the verification, and accepts it once it does', async () => {
    const topic = 'hung-coordinator';
    const transactionalId = 'hung-coordinator-tx';
    await createSyncedTopic(cluster, clusterKafka(cluster, 'timeouts-test'), topic, 2, 2);
    const coordinatorId = await readyCoordinator(cluster, 'transaction', transactionalId);
    const partition = [0, 1].find((p) => stateOf(cluster, topic, p).leaderId !== coordinatorId);
    expect(partition).toBeDefined();
    const leaderId = stateOf(cluster, topic, partition!).leaderId;
    const coordinator = await connectTo(cluster, coordinatorId);
    const leader = await connectTo(cluster, leaderId);
    try {
      const p = await initTxn(coordinator, transactionalId);
      expect(await addPartitions(coordinator, p, topic, [partition!])).toEqual([ErrorCode.NONE]);
      const held = cluster.broker(coordinatorId)!.faults.delayResponses({ apiKey: 'AddPartitionsToTxn', delayMs: HELD_MS, clientId: `creek-txn-${leaderId}` });
      expect((await produceTxn(leader, p, topic, ['while hung'], p.producerEpoch, partition)).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
      expect(held.hits).toBe(1);
      held.clear();
      expect((await produceTxn(leader, p, topic, ['kept'], p.producerEpoch, partition)).errorCode).toBe(ErrorCode.NONE);
      expect(await endTxn(coordinator, p, true)).toBe(ErrorCode.NONE);
    } finally {
      coordinator.close();
      leader.close();
    }
  }, 60_000);

  it('answers a TxnOffsetCommit COORDINATOR_LOAD_IN_PROGRESS while the transaction coordinator on another broker does not answer, whether it verifies (v4) or adds (v5) the offsets partition', async () => {
    const topic = 'hung-offsets';
    const transactionalId = 'hung-offsets-tx';
    await createSyncedTopic(cluster, clusterKafka(cluster, 'timeouts-test'), topic, 1, 2);
    const coordinatorId = await readyCoordinator(cluster, 'transaction', transactionalId);
    await readyCoordinator(cluster, 'group', 'hung-group');
    const groupId = Array.from({ length: 100 }, (_, i) => `hung-group-${i}`).find((g) => coordinatorOf(cluster, 'group', g).leader !== coordinatorId)!;
    const groupCoordinatorId = await readyCoordinator(cluster, 'group', groupId);
    const coordinator = await connectTo(cluster, coordinatorId);
    const groupCoordinator = await connectTo(cluster, groupCoordinatorId);
    try {
      const p = await initTxn(coordinator, transactionalId);
      const added = await coordinator.send(25, 3, { transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, groupId });
      expect(added.errorCode).toBe(ErrorCode.NONE);
      const commit = async (version: number): Promise<number> => {
        const res = await groupCoordinator.send(28, version, {
          transactionalId,
          groupId,
          producerId: p.producerId,
          producerEpoch: p.producerEpoch,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          topics: [{ name: topic, topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }],
        });
        return res.topics[0]!.partitions[0]!.errorCode;
      };
      const held = cluster.broker(coordinatorId)!.faults.delayResponses({ apiKey: 'AddPartitionsToTxn', delayMs: HELD_MS, clientId: `creek-txn-${groupCoordinatorId}` });
      expect(await commit(4)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
      expect(await commit(5)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
      held.clear();
      expect(await commit(4)).toBe(ErrorCode.NONE);
      expect(await endTxn(coordinator, p, false)).toBe(ErrorCode.NONE);
    } finally {
      coordinator.close();
      groupCoordinator.close();
    }
  }, 60_000);

  it('keeps a follower replicating after a fetch its leader does not answer: it connects again', async () => {
    const topic = 'hung-fetch';
    await createSyncedTopic(cluster, clusterKafka(cluster, 'timeouts-test'), topic, 1, 2);
    const { leaderId, isr } = stateOf(cluster, topic);
    const followerId = isr.find((id) => id !== leaderId)!;
    const held = cluster.broker(leaderId)!.faults.delayResponses({ apiKey: 'Fetch', delayMs: HELD_MS, clientId: `replica-fetcher-${followerId}`, count: 1 });
    // The follower is now waiting for an answer that only its request timeout ends.
    await held.ended;
    const leader = await connectTo(cluster, leaderId);
    try {
      const records = encodeBatch({ records: [{ value: Buffer.from('replicated') }] });
      // acks=all: answered once the follower has fetched the record, well before it could leave the ISR (replica.lag.time.max.ms, 30 s).
      const produced = await leader.send(0, 9, produceRequest({ topic, records }, { acks: -1, timeoutMs: 20_000 }));
      expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
    } finally {
      leader.close();
    }
    expect(stateOf(cluster, topic).isr).toContain(followerId);
  }, 60_000);
});
