// The coordinator's state machine against a memory-backed __transaction_state and a marker
// writer the test controls.
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { errorCodeOf } from '../../../src/kafka-error.js';
import { TopicRegistry } from '../../../src/topics/topic-registry.js';
import { ProducerIdManager } from '../../../src/txn/producer-ids.js';
import { TxnCoordinator, type ProducerIdAndEpoch } from '../../../src/txn/txn-coordinator.js';
import { TxnState } from '../../../src/txn/txn-metadata.js';
import { TxnStateLog } from '../../../src/txn/txn-state-log.js';
import { SingleNodeCluster } from '../../../src/cluster/single-node-cluster.js';
import { MemoryMetadataStore } from '../../../src/metadata/memory-metadata-store.js';
import { ReplicaManager } from '../../../src/replica/replica-manager.js';

const log = pino({ level: 'silent' });

interface Harness {
  coordinator: TxnCoordinator;
  markers: { producer: ProducerIdAndEpoch; commit: boolean; partitions: string[] }[];
  failMarkers: { value: boolean };
  reopen(): Promise<TxnCoordinator>;
}

async function harness(): Promise<Harness> {
  const metadata = new MemoryMetadataStore();
  const config = resolveBrokerConfig({ memory: true });
  const topics = await TopicRegistry.open(config, metadata, log);
  const cluster = new SingleNodeCluster(config.nodeId, () => topics.clusterId, [], topics);
  const replicas = new ReplicaManager({ localId: config.nodeId, topics, cluster, replicaLagTimeMaxMs: () => 30_000 });
  const stateLog = new TxnStateLog({ topics, replicas, partitions: 5, replicationFactor: 1, minIsr: 1, segmentBytes: 1 << 20, liveBrokers: () => [config.nodeId], writeTimeoutMs: 1000, log });
  const producerIds = ProducerIdManager.open(metadata);
  const markers: Harness['markers'] = [];
  const failMarkers = { value: false };
  const open = () =>
    TxnCoordinator.open({
      stateLog,
      replicas,
      createTopicOnFirstUse: true,
      producerIds,
      transactionMaxTimeoutMs: 900000,
      transactionalIdExpirationMs: 1000,
      log,
      writeMarkers: async (producer, commit, partitions) => {
        if (failMarkers.value) throw new Error('disk full');
        markers.push({ producer: { ...producer }, commit, partitions: [...partitions].flatMap(([t, ps]) => [...ps].map((p) => `${t}-${p}`)) });
      },
    });
  return { coordinator: await open(), markers, failMarkers, reopen: open };
}

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return ErrorCode.NONE;
  } catch (err) {
    return errorCodeOf(err);
  }
}

describe('TxnCoordinator', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  it('bumps the epoch on every InitProducerId and keeps the producer id', async () => {
    const a = await h.coordinator.initProducerId('t', 1000, null);
    const b = await h.coordinator.initProducerId('t', 1000, null);
    expect(b).toEqual({ producerId: a.producerId, producerEpoch: a.producerEpoch + 1 });
  });

  it('rotates to a new producer id when the epoch is exhausted', async () => {
    const a = await h.coordinator.initProducerId('t', 1000, null);
    h.coordinator.get('t')!.producerEpoch = 32766;
    const b = await h.coordinator.initProducerId('t', 1000, null);
    expect(b.producerId).not.toBe(a.producerId);
    expect(b.producerEpoch).toBe(0);
    expect(h.coordinator.get('t')!.previousProducerId).toBe(a.producerId);
    // Stored: a coordinator that takes over still takes a retry from the old id.
    expect((await h.reopen()).get('t')!.previousProducerId).toBe(a.producerId);
  });

  it('commits: prepare, markers with the current epoch to every partition, complete', async () => {
    const p = await h.coordinator.initProducerId('t', 1000, null);
    await h.coordinator.addPartitions('t', p.producerId, p.producerEpoch, new Map([['a', [0, 1]], ['b', [2]]]));
    await h.coordinator.addPartitions('t', p.producerId, p.producerEpoch, new Map([['a', [1]]]));
    await h.coordinator.endTxn('t', p.producerId, p.producerEpoch, true);
    expect(h.markers).toEqual([{ producer: p, commit: true, partitions: ['a-0', 'a-1', 'b-2'] }]);
    expect(h.coordinator.get('t')).toMatchObject({ state: TxnState.CompleteCommit, partitions: new Map() });
  });

  describe('EndTxn v5 (transaction.version 2)', () => {
    it('writes the markers with the next epoch and moves the producer to it; a retry gets the same answer', async () => {
      const p = await h.coordinator.initProducerId('t', 1000, null);
      await h.coordinator.addPartitions('t', p.producerId, p.producerEpoch, new Map([['a', [0]]]));
      const next = await h.coordinator.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch, true);
      expect(next).toEqual({ producerId: p.producerId, producerEpoch: p.producerEpoch + 1 });
      expect(h.markers).toEqual([{ producer: next, commit: true, partitions: ['a-0'] }]);
      expect(h.coordinator.get('t')).toMatchObject({ state: TxnState.CompleteCommit, producerEpoch: next.producerEpoch });
      expect(await h.coordinator.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch, true)).toEqual(next);
      expect(await codeOf(h.coordinator.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch, false))).toBe(ErrorCode.INVALID_TXN_STATE);
      expect(await codeOf(h.coordinator.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch - 1, true))).toBe(ErrorCode.PRODUCER_FENCED);
      expect(h.markers).toHaveLength(1);
    });

    it('refuses a commit with no transaction open, and lets an abort only move the epoch', async () => {
      const p = await h.coordinator.initProducerId('t', 1000, null);
      expect(await codeOf(h.coordinator.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch, true))).toBe(ErrorCode.INVALID_TXN_STATE);
      expect(await h.coordinator.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch, false)).toEqual({ producerId: p.producerId, producerEpoch: p.producerEpoch + 1 });
      expect(h.coordinator.get('t')!.state).toBe(TxnState.CompleteAbort);
      expect(h.markers).toEqual([]);
    });

    it('moves to a new producer id once the next epoch is exhausted', async () => {
      const p = await h.coordinator.initProducerId('t', 1000, null);
      h.coordinator.get('t')!.producerEpoch = 32765;
      await h.coordinator.addPartitions('t', p.producerId, 32765, new Map([['a', [0]]]));
      const next = await h.coordinator.endTxnBumpingEpoch('t', p.producerId, 32765, false);
      expect(h.markers).toEqual([{ producer: { producerId: p.producerId, producerEpoch: 32766 }, commit: false, partitions: ['a-0'] }]);
      expect(next.producerId).not.toBe(p.producerId);
      expect(next.producerEpoch).toBe(0);
      expect(await h.coordinator.endTxnBumpingEpoch('t', p.producerId, 32765, false)).toEqual(next);
    });

    it('recognises a retry after another coordinator took over, from the stored state alone', async () => {
      const p = await h.coordinator.initProducerId('t', 1000, null);
      await h.coordinator.addPartitions('t', p.producerId, p.producerEpoch, new Map([['a', [0]]]));
      const next = await h.coordinator.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch, true);
      const reopened = await h.reopen();
      expect(reopened.get('t')).toMatchObject({ state: TxnState.CompleteCommit, clientTransactionVersion: 2 });
      expect(await reopened.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch, true)).toEqual(next);
      expect(await codeOf(reopened.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch, false))).toBe(ErrorCode.INVALID_TXN_STATE);
      expect(h.markers).toHaveLength(1);
    });

    it('recognises a retry across a rotation to a new producer id after a takeover', async () => {
      const p = await h.coordinator.initProducerId('t', 1000, null);
      h.coordinator.get('t')!.producerEpoch = 32765;
      await h.coordinator.addPartitions('t', p.producerId, 32765, new Map([['a', [0]]]));
      const next = await h.coordinator.endTxnBumpingEpoch('t', p.producerId, 32765, true);
      const reopened = await h.reopen();
      expect(reopened.get('t')).toMatchObject({ producerId: next.producerId, producerEpoch: 0, previousProducerId: p.producerId });
      expect(await reopened.endTxnBumpingEpoch('t', p.producerId, 32765, true)).toEqual(next);
      expect(await codeOf(reopened.endTxnBumpingEpoch('t', p.producerId, 32764, true))).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    });

    it('takes the epoch a timed-out transaction was aborted past as ended: an abort is answered, a commit refused', async () => {
      const p = await h.coordinator.initProducerId('t', 1000, null);
      await h.coordinator.addPartitions('t', p.producerId, p.producerEpoch, new Map([['a', [0]]]));
      await h.coordinator.abortTimedOutTransactions(Date.now() + 2000);
      expect(h.coordinator.get('t')).toMatchObject({ state: TxnState.CompleteAbort, producerEpoch: p.producerEpoch + 1 });
      expect(await codeOf(h.coordinator.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch, true))).toBe(ErrorCode.INVALID_TXN_STATE);
      expect(await h.coordinator.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch, false)).toEqual({ producerId: p.producerId, producerEpoch: p.producerEpoch + 1 });
    });

    it('does not take an epoch an InitProducerId has since fenced for a retry', async () => {
      const p = await h.coordinator.initProducerId('t', 1000, null);
      await h.coordinator.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch, false);
      await h.coordinator.initProducerId('t', 1000, null);
      expect(await codeOf(h.coordinator.endTxnBumpingEpoch('t', p.producerId, p.producerEpoch, false))).toBe(ErrorCode.PRODUCER_FENCED);
    });
  });

  it('a failed marker write leaves PrepareCommit; requests get CONCURRENT_TRANSACTIONS until maintenance finishes it', async () => {
    const p = await h.coordinator.initProducerId('t', 1000, null);
    await h.coordinator.addPartitions('t', p.producerId, p.producerEpoch, new Map([['a', [0]]]));
    h.failMarkers.value = true;
    expect(await codeOf(h.coordinator.endTxn('t', p.producerId, p.producerEpoch, true))).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(h.coordinator.get('t')!.state).toBe(TxnState.PrepareCommit);
    expect(await codeOf(h.coordinator.endTxn('t', p.producerId, p.producerEpoch, true))).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(await codeOf(h.coordinator.endTxn('t', p.producerId, p.producerEpoch, false))).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await codeOf(h.coordinator.addPartitions('t', p.producerId, p.producerEpoch, new Map([['a', [1]]])))).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(await codeOf(h.coordinator.initProducerId('t', 1000, null))).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    h.failMarkers.value = false;
    await h.coordinator.abortTimedOutTransactions();
    expect(h.coordinator.get('t')!.state).toBe(TxnState.CompleteCommit);
    expect(h.markers).toHaveLength(1);
  });

  it('answers a second request for an id with CONCURRENT_TRANSACTIONS while the first is being written', async () => {
    const p = await h.coordinator.initProducerId('t', 1000, null);
    const first = h.coordinator.addPartitions('t', p.producerId, p.producerEpoch, new Map([['a', [0]]]));
    expect(await codeOf(h.coordinator.addPartitions('t', p.producerId, p.producerEpoch, new Map([['a', [1]]])))).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    await first;
  });

  it('restores state from __transaction_state, including a decided commit whose markers were not written', async () => {
    const p = await h.coordinator.initProducerId('t', 1000, null);
    await h.coordinator.addPartitions('t', p.producerId, p.producerEpoch, new Map([['a', [3]]]));
    h.failMarkers.value = true;
    await codeOf(h.coordinator.endTxn('t', p.producerId, p.producerEpoch, false));
    h.failMarkers.value = false;
    const reopened = await h.reopen();
    expect(reopened.get('t')).toMatchObject({ state: TxnState.CompleteAbort, producerId: p.producerId, producerEpoch: p.producerEpoch });
    expect(h.markers).toEqual([{ producer: p, commit: false, partitions: ['a-3'] }]);
  });

  it('KIP-360: a retried bump returns the same epoch; an unrelated producer id is fenced', async () => {
    const p = await h.coordinator.initProducerId('t', 1000, null);
    const bumped = await h.coordinator.initProducerId('t', 1000, p);
    expect(bumped.producerEpoch).toBe(p.producerEpoch + 1);
    expect(await h.coordinator.initProducerId('t', 1000, p)).toEqual(bumped);
    expect(await codeOf(h.coordinator.initProducerId('t', 1000, { producerId: p.producerId, producerEpoch: p.producerEpoch + 7 }))).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await codeOf(h.coordinator.initProducerId('t', 1000, { producerId: p.producerId + 1, producerEpoch: 0 }))).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('validates the timeout and the id', async () => {
    expect(await codeOf(h.coordinator.initProducerId('t', 0, null))).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect(await codeOf(h.coordinator.initProducerId('t', 900001, null))).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect(await codeOf(h.coordinator.initProducerId('', 1000, null))).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('times out an open transaction: fences the producer with a new epoch and aborts', async () => {
    const p = await h.coordinator.initProducerId('t', 1000, null);
    await h.coordinator.addPartitions('t', p.producerId, p.producerEpoch, new Map([['a', [0]]]));
    const started = h.coordinator.get('t')!.startTimestamp;
    await h.coordinator.abortTimedOutTransactions(started + 1000);
    expect(h.coordinator.get('t')!.state).toBe(TxnState.Ongoing);
    await h.coordinator.abortTimedOutTransactions(started + 1001);
    expect(h.coordinator.get('t')).toMatchObject({ state: TxnState.CompleteAbort, producerEpoch: p.producerEpoch + 1 });
    expect(h.markers).toEqual([{ producer: { producerId: p.producerId, producerEpoch: p.producerEpoch + 1 }, commit: false, partitions: ['a-0'] }]);
    expect(await codeOf(h.coordinator.endTxn('t', p.producerId, p.producerEpoch, true))).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('forgets ids idle for transactional.id.expiration.ms only in removeExpiredTransactionalIds, not with the timed-out aborts', async () => {
    await h.coordinator.initProducerId('idle', 1000, null);
    const busy = await h.coordinator.initProducerId('busy', 60_000, null);
    await h.coordinator.addPartitions('busy', busy.producerId, busy.producerEpoch, new Map([['a', [0]]]));
    const last = h.coordinator.get('idle')!.lastUpdateTimestamp;
    await h.coordinator.abortTimedOutTransactions(last + 5000);
    expect(h.coordinator.get('idle')!.state).toBe(TxnState.Empty);
    await h.coordinator.removeExpiredTransactionalIds(last + 999);
    expect(h.coordinator.get('idle')).toBeDefined();
    await h.coordinator.removeExpiredTransactionalIds(last + 1000);
    expect(h.coordinator.get('idle')).toBeUndefined();
    // An open transaction keeps its id however old.
    expect(h.coordinator.get('busy')!.state).toBe(TxnState.Ongoing);
    // Forgotten in __transaction_state too: a reopened coordinator does not load it.
    expect((await h.reopen()).get('idle')).toBeUndefined();
  });
});
