// Transactions at the protocol level: the coordinator's state machine and errors, markers, last
// stable offset and aborted-transaction lists in Fetch/ListOffsets, fencing, timeouts, recovery
// after a restart, and what librdkafka (kcat) sees under read_committed and read_uncommitted.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { TxnState } from '../../src/txn/txn-metadata.js';
import { stateLogOf } from '../helpers/txn-state.js';
import { tempDir, withBroker } from '../helpers/broker.js';
import { alterBroker } from '../helpers/broker-configs.js';
import { requireProgram } from '../helpers/programs.js';
import { RawClient } from '../helpers/raw-client.js';
import { fetchRequest, produceRequest } from '../helpers/raw-requests.js';
import { addPartitions, endTxn, initTxn, produceTxn } from '../helpers/txn-raw.js';

const run = promisify(execFile);
const noKcat = requireProgram('kcat');
const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;

async function fetchState(client: RawClient, topic: string, isolationLevel: number) {
  const res = await client.send(1, 11, fetchRequest({ topic }, { isolationLevel }));
  const p = res.responses[0]!.partitions[0]!;
  const records = p.records === null ? [] : Array.isArray(p.records) ? p.records : [p.records];
  return {
    highWatermark: Number(p.highWatermark),
    lastStableOffset: Number(p.lastStableOffset),
    aborted: (p.abortedTransactions ?? []).map((a) => ({ producerId: Number(a.producerId), firstOffset: Number(a.firstOffset) })),
    bytes: records.reduce((n, b) => n + b.length, 0),
  };
}

async function latestOffset(client: RawClient, topic: string, isolationLevel: number): Promise<number> {
  const res = await client.send(2, 5, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }],
    timeoutMs: 0,
  });
  return Number(res.topics[0]!.partitions[0]!.offset);
}

/** What librdkafka's consumer delivers from partition 0, start to end. */
async function kcatValues(broker: RunningBroker, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const { stdout } = await run('kcat', ['-C', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%s\\n']);
  return stdout.split('\n').filter((l) => l !== '');
}

async function describeTxn(client: RawClient, id: string) {
  return (await client.send(65, 0, { transactionalIds: [id] })).transactionStates[0]!;
}

describe('transactions over the wire', () => {
  let broker: RunningBroker;
  let client: RawClient;
  beforeAll(async () => {
    broker = await withBroker({ properties: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 50 } });
    client = await RawClient.connect(broker.host, broker.port);
  });
  afterAll(async () => {
    client.close();
    await broker.stop();
  });

  it.skipIf(noKcat)('commit: data is invisible to read_committed until the markers are written, then visible', async () => {
    await broker.broker.topics.create('tx-commit', { numPartitions: 1 });
    const p = await initTxn(client, 'tx-commit-id');
    expect(p.producerEpoch).toBe(0);
    expect(await addPartitions(client, p, 'tx-commit', [0])).toEqual([ErrorCode.NONE]);
    expect((await describeTxn(client, 'tx-commit-id')).transactionState).toBe('Ongoing');
    expect(await produceTxn(client, p, 'tx-commit', ['a', 'b'])).toEqual({ errorCode: 0, baseOffset: 0 });
    expect(await produceTxn(client, p, 'tx-commit', ['c'])).toEqual({ errorCode: 0, baseOffset: 2 });

    const open = await fetchState(client, 'tx-commit', READ_COMMITTED);
    expect(open).toMatchObject({ highWatermark: 3, lastStableOffset: 0, bytes: 0 });
    expect(await latestOffset(client, 'tx-commit', READ_COMMITTED)).toBe(0);
    expect(await latestOffset(client, 'tx-commit', READ_UNCOMMITTED)).toBe(3);
    const described = (await client.send(61, 0, { topics: [{ name: 'tx-commit', partitionIndexes: [0] }] })).topics[0]!.partitions[0]!;
    expect(described.activeProducers).toMatchObject([{ producerId: p.producerId, currentTxnStartOffset: 0, lastSequence: 2 }]);

    expect(await endTxn(client, p, true)).toBe(ErrorCode.NONE);
    const done = await fetchState(client, 'tx-commit', READ_COMMITTED);
    expect(done).toMatchObject({ highWatermark: 4, lastStableOffset: 4, aborted: [] });
    expect(await kcatValues(broker, 'tx-commit', 'read_committed')).toEqual(['a', 'b', 'c']);
    const state = await describeTxn(client, 'tx-commit-id');
    expect(state).toMatchObject({ errorCode: 0, transactionState: 'CompleteCommit', producerId: p.producerId, producerEpoch: 0, topics: [] });
    // A retried commit is fine; aborting a committed transaction is not.
    expect(await endTxn(client, p, true)).toBe(ErrorCode.NONE);
    expect(await endTxn(client, p, false)).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it.skipIf(noKcat)('abort: read_committed consumers skip the aborted data, read_uncommitted ones see it', async () => {
    await broker.broker.topics.create('tx-abort', { numPartitions: 1 });
    const p = await initTxn(client, 'tx-abort-id');
    await addPartitions(client, p, 'tx-abort', [0]);
    await produceTxn(client, p, 'tx-abort', ['kept-1']);
    expect(await endTxn(client, p, true)).toBe(0);
    await addPartitions(client, p, 'tx-abort', [0]);
    await produceTxn(client, p, 'tx-abort', ['gone-1', 'gone-2']);
    expect(await endTxn(client, p, false)).toBe(0);
    await addPartitions(client, p, 'tx-abort', [0]);
    await produceTxn(client, p, 'tx-abort', ['kept-2']);
    expect(await endTxn(client, p, true)).toBe(0);

    const state = await fetchState(client, 'tx-abort', READ_COMMITTED);
    expect(state.aborted).toEqual([{ producerId: p.producerId, firstOffset: 2 }]);
    expect(state.lastStableOffset).toBe(state.highWatermark);
    expect(await kcatValues(broker, 'tx-abort', 'read_committed')).toEqual(['kept-1', 'kept-2']);
    expect(await kcatValues(broker, 'tx-abort', 'read_uncommitted')).toEqual(['kept-1', 'gone-1', 'gone-2', 'kept-2']);
  });

  it('refuses transactional writes to partitions not in the transaction and requests from unknown producers', async () => {
    await broker.broker.topics.create('tx-state', { numPartitions: 1 });
    const p = await initTxn(client, 'tx-state-id');
    expect((await produceTxn(client, p, 'tx-state', ['x'])).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await endTxn(client, p, true)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await endTxn(client, { ...p, producerId: p.producerId + 1000 }, true)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(await addPartitions(client, { ...p, transactionalId: 'never-initialized' }, 'tx-state', [0])).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
    const res = await client.send(24, 3, {
      transactions: [],
      v3AndBelowTransactionalId: p.transactionalId,
      v3AndBelowProducerId: p.producerId,
      v3AndBelowProducerEpoch: p.producerEpoch,
      v3AndBelowTopics: [{ name: 'tx-state', partitions: [0, 7] }, { name: 'no-such-topic', partitions: [0] }],
    });
    expect(res.resultsByTopicV3AndBelow).toEqual([
      { name: 'tx-state', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: ErrorCode.OPERATION_NOT_ATTEMPTED }, { partitionIndex: 7, partitionErrorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      { name: 'no-such-topic', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
    ]);
    // Transactional batches in a Produce without a transactional id: Kafka refuses them as unauthorized, authorizer or not.
    const noId = await client.send(0, 9, produceRequest({ topic: 'tx-state', records: encodeBatch({ transactional: true, producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence: 0, records: [{ value: Buffer.from('x') }] }) }, { transactionalId: null }));
    expect(noId.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const timeout = await client.send(22, 4, { transactionalId: 'too-long', transactionTimeoutMs: 900001, producerId: -1, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false });
    expect(timeout.errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  });

  it('the batched v4 form adds for one transaction and verifies for another', async () => {
    await broker.broker.topics.create('tx-v4', { numPartitions: 2 });
    const a = await initTxn(client, 'tx-v4-a');
    const b = await initTxn(client, 'tx-v4-b');
    const res = await client.send(24, 4, {
      transactions: [
        { transactionalId: a.transactionalId, producerId: a.producerId, producerEpoch: a.producerEpoch, verifyOnly: false, topics: [{ name: 'tx-v4', partitions: [0] }] },
        { transactionalId: b.transactionalId, producerId: b.producerId, producerEpoch: b.producerEpoch, verifyOnly: true, topics: [{ name: 'tx-v4', partitions: [1] }] },
      ],
      v3AndBelowTransactionalId: '',
      v3AndBelowProducerId: 0,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [],
    });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.resultsByTransaction).toEqual([
      { transactionalId: 'tx-v4-a', topicResults: [{ name: 'tx-v4', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: 0 }] }] },
      { transactionalId: 'tx-v4-b', topicResults: [{ name: 'tx-v4', resultsByPartition: [{ partitionIndex: 1, partitionErrorCode: ErrorCode.TRANSACTION_ABORTABLE }] }] },
    ]);
    expect((await describeTxn(client, 'tx-v4-a')).topics).toEqual([{ topic: 'tx-v4', partitions: [0] }]);
    expect(await endTxn(client, a, false)).toBe(0);
  });

  it.skipIf(noKcat)('a second producer with the same transactional id fences the first and aborts its transaction', async () => {
    await broker.broker.topics.create('tx-fence', { numPartitions: 1 });
    const first = await initTxn(client, 'tx-fence-id');
    await addPartitions(client, first, 'tx-fence', [0]);
    await produceTxn(client, first, 'tx-fence', ['zombie']);

    const retry = await client.send(22, 4, { transactionalId: 'tx-fence-id', transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false });
    expect(retry.errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    const second = await initTxn(client, 'tx-fence-id');
    expect(second.producerId).toBe(first.producerId);
    expect(second.producerEpoch).toBe(first.producerEpoch + 2);

    expect(await endTxn(client, first, true, 3)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await endTxn(client, first, true, 1)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await addPartitions(client, first, 'tx-fence', [0], 2)).toEqual([ErrorCode.PRODUCER_FENCED]);
    expect(await addPartitions(client, first, 'tx-fence', [0], 1)).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH]);
    expect((await produceTxn(client, first, 'tx-fence', ['zombie-2'])).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);

    expect(await addPartitions(client, second, 'tx-fence', [0])).toEqual([0]);
    await produceTxn(client, second, 'tx-fence', ['fresh']);
    expect(await endTxn(client, second, true)).toBe(0);
    expect(await kcatValues(broker, 'tx-fence', 'read_committed')).toEqual(['fresh']);
    expect((await fetchState(client, 'tx-fence', READ_COMMITTED)).aborted).toEqual([{ producerId: first.producerId, firstOffset: 0 }]);
  });

  it('KIP-360: InitProducerId naming the current producer bumps its epoch; a stale one is fenced', async () => {
    const p = await initTxn(client, 'tx-kip360');
    const bumped = await client.send(22, 4, { transactionalId: 'tx-kip360', transactionTimeoutMs: 60000, producerId: p.producerId, producerEpoch: p.producerEpoch, enable2Pc: false, keepPreparedTxn: false });
    expect(bumped).toMatchObject({ errorCode: 0, producerId: p.producerId, producerEpoch: p.producerEpoch + 1 });
    // The same request again (a retry whose answer was lost) gets the same epoch.
    const again = await client.send(22, 4, { transactionalId: 'tx-kip360', transactionTimeoutMs: 60000, producerId: p.producerId, producerEpoch: p.producerEpoch, enable2Pc: false, keepPreparedTxn: false });
    expect(again).toMatchObject({ errorCode: 0, producerEpoch: p.producerEpoch + 1 });
    const stale = await client.send(22, 4, { transactionalId: 'tx-kip360', transactionTimeoutMs: 60000, producerId: p.producerId + 999, producerEpoch: 0, enable2Pc: false, keepPreparedTxn: false });
    expect(stale.errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    const staleV3 = await client.send(22, 3, { transactionalId: 'tx-kip360', transactionTimeoutMs: 60000, producerId: p.producerId + 999, producerEpoch: 0, enable2Pc: false, keepPreparedTxn: false });
    expect(staleV3.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it.skipIf(noKcat)('a transaction left open past its timeout is aborted by the broker and its producer fenced', async () => {
    await broker.broker.topics.create('tx-timeout', { numPartitions: 1 });
    const p = await initTxn(client, 'tx-timeout-id', 200);
    await addPartitions(client, p, 'tx-timeout', [0]);
    await produceTxn(client, p, 'tx-timeout', ['late']);
    while ((await describeTxn(client, 'tx-timeout-id')).transactionState !== 'CompleteAbort') await new Promise((r) => setTimeout(r, 50));
    const state = await describeTxn(client, 'tx-timeout-id');
    expect(state.producerEpoch).toBe(p.producerEpoch + 1);
    expect(await endTxn(client, p, true)).toBe(ErrorCode.PRODUCER_FENCED);
    const fetched = await fetchState(client, 'tx-timeout', READ_COMMITTED);
    expect(fetched.lastStableOffset).toBe(fetched.highWatermark);
    expect(fetched.aborted).toEqual([{ producerId: p.producerId, firstOffset: 0 }]);
    expect(await kcatValues(broker, 'tx-timeout', 'read_committed')).toEqual([]);
  });

  it('ListTransactions filters by state and producer id and echoes unknown states', async () => {
    const p = await initTxn(client, 'tx-list-id');
    await broker.broker.topics.create('tx-list', { numPartitions: 1 });
    await addPartitions(client, p, 'tx-list', [0]);
    const ongoing = await client.send(66, 1, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilter: -1, transactionalIdPattern: null });
    expect(ongoing.unknownStateFilters).toEqual(['Bogus']);
    expect(ongoing.transactionStates).toEqual([{ transactionalId: 'tx-list-id', producerId: p.producerId, transactionState: 'Ongoing' }]);
    const byProducer = await client.send(66, 0, { stateFilters: [], producerIdFilters: [p.producerId], durationFilter: -1, transactionalIdPattern: null });
    expect(byProducer.transactionStates.map((t) => t.transactionalId)).toEqual(['tx-list-id']);
    const longRunning = await client.send(66, 1, { stateFilters: ['Ongoing'], producerIdFilters: [], durationFilter: 3_600_000, transactionalIdPattern: null });
    expect(longRunning.transactionStates).toEqual([]);
    const all = await client.send(66, 0, { stateFilters: [], producerIdFilters: [], durationFilter: -1, transactionalIdPattern: null });
    expect(all.transactionStates.length).toBeGreaterThan(3);
    expect(await endTxn(client, p, false)).toBe(0);
    expect((await describeTxn(client, 'unknown-id')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  });
});

describe('transactions across a broker restart', () => {
  it.skipIf(noKcat)('an open transaction stays unstable after a restart and is aborted when its producer re-initializes', async () => {
    const dir = tempDir();
    try {
      let broker = await withBroker({ dataDir: dir.path });
      let client = await RawClient.connect(broker.host, broker.port);
      await broker.broker.topics.create('tx-restart', { numPartitions: 1 });
      const p = await initTxn(client, 'tx-restart-id');
      await addPartitions(client, p, 'tx-restart', [0]);
      await produceTxn(client, p, 'tx-restart', ['in-flight']);
      client.close();
      await broker.stop();

      broker = await withBroker({ dataDir: dir.path });
      client = await RawClient.connect(broker.host, broker.port);
      expect((await describeTxn(client, 'tx-restart-id')).transactionState).toBe('Ongoing');
      expect(await fetchState(client, 'tx-restart', READ_COMMITTED)).toMatchObject({ highWatermark: 1, lastStableOffset: 0, bytes: 0 });
      const next = await initTxn(client, 'tx-restart-id');
      expect(next.producerEpoch).toBe(p.producerEpoch + 2);
      expect(await fetchState(client, 'tx-restart', READ_COMMITTED)).toMatchObject({ lastStableOffset: 2, aborted: [{ producerId: p.producerId, firstOffset: 0 }] });
      expect(await kcatValues(broker, 'tx-restart', 'read_committed')).toEqual([]);
      client.close();
      await broker.stop();
    } finally {
      dir.remove();
    }
  });

  it.skipIf(noKcat)('the aborted-transaction index and producer epochs are rebuilt from the log', async () => {
    const dir = tempDir();
    try {
      let broker = await withBroker({ dataDir: dir.path });
      let client = await RawClient.connect(broker.host, broker.port);
      await broker.broker.topics.create('tx-rebuild', { numPartitions: 1 });
      const p = await initTxn(client, 'tx-rebuild-id');
      await addPartitions(client, p, 'tx-rebuild', [0]);
      await produceTxn(client, p, 'tx-rebuild', ['dropped']);
      expect(await endTxn(client, p, false)).toBe(0);
      await addPartitions(client, p, 'tx-rebuild', [0]);
      await produceTxn(client, p, 'tx-rebuild', ['kept']);
      expect(await endTxn(client, p, true)).toBe(0);
      client.close();
      await broker.stop();

      broker = await withBroker({ dataDir: dir.path });
      client = await RawClient.connect(broker.host, broker.port);
      expect(await fetchState(client, 'tx-rebuild', READ_COMMITTED)).toMatchObject({ highWatermark: 4, lastStableOffset: 4, aborted: [{ producerId: p.producerId, firstOffset: 0 }] });
      expect(await kcatValues(broker, 'tx-rebuild', 'read_committed')).toEqual(['kept']);
      // The producer continues where it was: the next sequence is accepted, a retry of the last one is a duplicate.
      await addPartitions(client, p, 'tx-rebuild', [0]);
      p.seq.set('tx-rebuild', 1);
      expect(await produceTxn(client, p, 'tx-rebuild', ['kept'])).toEqual({ errorCode: 0, baseOffset: 2 });
      expect(await produceTxn(client, p, 'tx-rebuild', ['more'])).toEqual({ errorCode: 0, baseOffset: 4 });
      expect(await endTxn(client, p, true)).toBe(0);
      client.close();
      await broker.stop();
    } finally {
      dir.remove();
    }
  });

  it.skipIf(noKcat)('a commit that was decided but not yet written to the partitions is completed on start', async () => {
    const dir = tempDir();
    try {
      let broker = await withBroker({ dataDir: dir.path });
      let client = await RawClient.connect(broker.host, broker.port);
      await broker.broker.topics.create('tx-prepared', { numPartitions: 1 });
      const p = await initTxn(client, 'tx-prepared-id');
      await addPartitions(client, p, 'tx-prepared', [0]);
      await produceTxn(client, p, 'tx-prepared', ['decided']);
      // Record PrepareCommit as the coordinator does before writing markers, then stop before any marker.
      const meta = broker.broker.txn.coordinator.get('tx-prepared-id')!;
      const stateLog = stateLogOf(broker.broker);
      await stateLog.write('tx-prepared-id', { ...meta, state: TxnState.PrepareCommit, lastUpdateTimestamp: Date.now() });
      client.close();
      await broker.stop();

      broker = await withBroker({ dataDir: dir.path });
      client = await RawClient.connect(broker.host, broker.port);
      expect((await describeTxn(client, 'tx-prepared-id')).transactionState).toBe('CompleteCommit');
      expect(await fetchState(client, 'tx-prepared', READ_COMMITTED)).toMatchObject({ highWatermark: 2, lastStableOffset: 2, aborted: [] });
      expect(await kcatValues(broker, 'tx-prepared', 'read_committed')).toEqual(['decided']);
      client.close();
      await broker.stop();
    } finally {
      dir.remove();
    }
  });
});

describe('transactional id expiry', () => {
  it('forgets an idle transactional id after transactional.id.expiration.ms, at the next transaction.remove.expired.transaction.cleanup.interval.ms, also across a restart', async () => {
    const dir = tempDir();
    try {
      // Ids are removed on their own interval; the timed-out transactions' one, an hour, plays no part.
      const properties = {
        'transactional.id.expiration.ms': 300,
        'transaction.remove.expired.transaction.cleanup.interval.ms': 50,
        'transaction.abort.timed.out.transaction.cleanup.interval.ms': 3_600_000,
      };
      let broker = await withBroker({ dataDir: dir.path, properties });
      let client = await RawClient.connect(broker.host, broker.port);
      await broker.broker.topics.create('tx-expire', { numPartitions: 1 });
      const idle = await initTxn(client, 'tx-expire-idle');
      const busy = await initTxn(client, 'tx-expire-busy', 60000);
      await addPartitions(client, busy, 'tx-expire', [0]);
      while ((await describeTxn(client, 'tx-expire-idle')).errorCode === ErrorCode.NONE) await new Promise((r) => setTimeout(r, 50));
      expect((await describeTxn(client, 'tx-expire-idle')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
      // An open transaction keeps its id however long it waits.
      expect((await describeTxn(client, 'tx-expire-busy')).transactionState).toBe('Ongoing');
      expect(await endTxn(client, idle, true)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
      client.close();
      await broker.stop();

      broker = await withBroker({ dataDir: dir.path, properties: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 60000 } });
      client = await RawClient.connect(broker.host, broker.port);
      expect((await describeTxn(client, 'tx-expire-idle')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
      expect((await describeTxn(client, 'tx-expire-busy')).transactionState).toBe('Ongoing');
      const again = await initTxn(client, 'tx-expire-idle');
      expect(again.producerId).not.toBe(idle.producerId);
      client.close();
      await broker.stop();
    } finally {
      dir.remove();
    }
  });

  it('keeps an idle id past transactional.id.expiration.ms while transaction.remove.expired.transaction.cleanup.interval.ms has not come, however often transactions are checked', async () => {
    const broker = await withBroker({
      properties: {
        'transactional.id.expiration.ms': 100,
        'transaction.remove.expired.transaction.cleanup.interval.ms': 3_600_000,
        'transaction.abort.timed.out.transaction.cleanup.interval.ms': 50,
      },
    });
    const client = await RawClient.connect(broker.host, broker.port);
    try {
      const idle = await initTxn(client, 'tx-kept-idle');
      await new Promise((r) => setTimeout(r, 600));
      expect(await describeTxn(client, 'tx-kept-idle')).toMatchObject({ errorCode: ErrorCode.NONE, transactionState: 'Empty', producerId: idle.producerId });
    } finally {
      client.close();
      await broker.stop();
    }
  });
});

describe('transaction.partition.verification.enable altered at runtime', () => {
  it('refuses a write to a partition outside the transaction, accepts it once turned off, and refuses again once back on', async () => {
    const broker = await withBroker();
    const client = await RawClient.connect(broker.host, broker.port);
    try {
      await broker.broker.topics.create('tx-verify-dynamic', { numPartitions: 1 });
      const p = await initTxn(client, 'tx-verify-dynamic-id');
      expect((await produceTxn(client, p, 'tx-verify-dynamic', ['refused'])).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
      expect(await alterBroker(client, '', { 'transaction.partition.verification.enable': 'false' })).toMatchObject({ errorCode: ErrorCode.NONE });
      expect((await produceTxn(client, p, 'tx-verify-dynamic', ['unverified'])).errorCode).toBe(ErrorCode.NONE);
      const other = await initTxn(client, 'tx-verify-dynamic-other');
      expect(await alterBroker(client, '', { 'transaction.partition.verification.enable': null })).toMatchObject({ errorCode: ErrorCode.NONE });
      expect((await produceTxn(client, other, 'tx-verify-dynamic', ['refused-again'])).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    } finally {
      client.close();
      await broker.stop();
    }
  });
});
