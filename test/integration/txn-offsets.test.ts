// Transactional offset commits are durable: TxnOffsetCommit writes a transactional batch to
// __consumer_offsets and the transaction's marker settles it, so a broker restart between
// sendOffsets and the commit neither loses nor leaks offsets. Raw protocol first (commit, abort,
// open-across-restart, a later plain commit winning, a decided commit completed on start), then
// kafkajs consume-transform-produce with the broker restarted before commit().
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { RunningBroker } from '../../src/broker.js';
import { TxnState } from '../../src/txn/txn-metadata.js';
import { stateLogOf } from '../helpers/txn-state.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';
import { requireProgram } from '../helpers/programs.js';
import { RawClient } from '../helpers/raw-client.js';

const run = promisify(execFile);
const noKcat = requireProgram('kcat');
const TOPIC = 'txo-in';

interface Producer {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
}

async function initTxn(c: RawClient, transactionalId: string): Promise<Producer> {
  for (;;) {
    const r = await c.send(22, 4, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false });
    if (r.errorCode === ErrorCode.CONCURRENT_TRANSACTIONS) continue;
    expect(r.errorCode).toBe(ErrorCode.NONE);
    return { transactionalId, producerId: Number(r.producerId), producerEpoch: r.producerEpoch };
  }
}

async function addOffsets(c: RawClient, p: Producer, groupId: string): Promise<number> {
  return (await c.send(25, 3, { ...p, groupId })).errorCode;
}

async function txnCommit(c: RawClient, p: Producer, groupId: string, offset: number): Promise<number> {
  const r = await c.send(28, 3, {
    ...p,
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: TOPIC, topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: 'txn' }] }],
  });
  return r.topics[0]!.partitions[0]!.errorCode;
}

async function endTxn(c: RawClient, p: Producer, committed: boolean): Promise<number> {
  return (await c.send(26, 3, { ...p, committed })).errorCode;
}

/** [error code, committed offset] of partition 0 as OffsetFetch v7 answers. */
async function fetched(c: RawClient, groupId: string, requireStable: boolean): Promise<[number, number]> {
  const r = await c.send(9, 7, { groupId, topics: [{ name: TOPIC, partitionIndexes: [0] }], groups: [], requireStable });
  const p = r.topics[0]!.partitions[0]!;
  return [p.errorCode, Number(p.committedOffset)];
}

/** Starts a broker on `dataDir`; each later call restarts it on the same port (kafkajs reconnects to it). */
function restartable(dataDir: string): () => Promise<RunningBroker> {
  let port = 0;
  return async () => {
    const broker = await withBroker({ dataDir, port, properties: { 'group.initial.rebalance.delay.ms': 0 } });
    port = broker.port;
    return broker;
  };
}

interface Session {
  broker: RunningBroker;
  client: RawClient;
  /** Stops the broker and starts it again on the same data dir, with a new client. */
  restart(): Promise<void>;
}

/** Runs `body` against a broker on a fresh data dir holding TOPIC; cleans up after. */
async function withRestarts(body: (s: Session) => Promise<void>): Promise<void> {
  const dir = tempDir();
  const start = restartable(dir.path);
  const connect = async (broker: RunningBroker): Promise<Session> => ({ broker, client: await RawClient.connect(broker.host, broker.port), restart });
  const stop = async (): Promise<void> => {
    session.client.close();
    await session.broker.stop();
  };
  const restart = async (): Promise<void> => {
    await stop();
    Object.assign(session, await connect(await start()));
  };
  const session = await connect(await start());
  try {
    await session.broker.broker.topics.create(TOPIC, { numPartitions: 1 });
    await body(session);
  } finally {
    await stop();
    dir.remove();
  }
}

describe('transactional offsets over the wire, across restarts', () => {
  it('committed offsets survive, aborted ones never appear, an open one stays UNSTABLE and can still commit', async () => {
    await withRestarts(async (s) => {
      const committed = await initTxn(s.client, 'txo-committed');
      expect(await addOffsets(s.client, committed, 'g-committed')).toBe(ErrorCode.NONE);
      expect(await txnCommit(s.client, committed, 'g-committed', 5)).toBe(ErrorCode.NONE);
      expect(await fetched(s.client, 'g-committed', true)).toEqual([ErrorCode.UNSTABLE_OFFSET_COMMIT, -1]);
      expect(await fetched(s.client, 'g-committed', false)).toEqual([ErrorCode.NONE, -1]);
      expect(await endTxn(s.client, committed, true)).toBe(ErrorCode.NONE);
      expect(await fetched(s.client, 'g-committed', true)).toEqual([ErrorCode.NONE, 5]);

      const aborted = await initTxn(s.client, 'txo-aborted');
      expect(await addOffsets(s.client, aborted, 'g-aborted')).toBe(ErrorCode.NONE);
      expect(await txnCommit(s.client, aborted, 'g-aborted', 7)).toBe(ErrorCode.NONE);
      expect(await endTxn(s.client, aborted, false)).toBe(ErrorCode.NONE);
      expect(await fetched(s.client, 'g-aborted', true)).toEqual([ErrorCode.NONE, -1]);

      // A plain commit written after the transaction's offset wins when the transaction commits, as in Kafka.
      const overtaken = await initTxn(s.client, 'txo-overtaken');
      expect(await addOffsets(s.client, overtaken, 'g-overtaken')).toBe(ErrorCode.NONE);
      expect(await txnCommit(s.client, overtaken, 'g-overtaken', 10)).toBe(ErrorCode.NONE);
      const plain = await s.client.send(8, 8, {
        groupId: 'g-overtaken', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
        topics: [{ name: TOPIC, topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: 20, committedLeaderEpoch: -1, committedMetadata: '' }] }],
      });
      expect(plain.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
      expect(await endTxn(s.client, overtaken, true)).toBe(ErrorCode.NONE);
      expect(await fetched(s.client, 'g-overtaken', true)).toEqual([ErrorCode.NONE, 20]);

      const open = await initTxn(s.client, 'txo-open');
      expect(await addOffsets(s.client, open, 'g-open')).toBe(ErrorCode.NONE);
      expect(await txnCommit(s.client, open, 'g-open', 9)).toBe(ErrorCode.NONE);

      await s.restart();
      expect(await fetched(s.client, 'g-committed', true)).toEqual([ErrorCode.NONE, 5]);
      expect(await fetched(s.client, 'g-aborted', true)).toEqual([ErrorCode.NONE, -1]);
      expect(await fetched(s.client, 'g-overtaken', true)).toEqual([ErrorCode.NONE, 20]);
      expect(await fetched(s.client, 'g-open', true)).toEqual([ErrorCode.UNSTABLE_OFFSET_COMMIT, -1]);
      expect(await fetched(s.client, 'g-open', false)).toEqual([ErrorCode.NONE, -1]);
      expect(s.broker.broker.groups.listGroups().map((g) => g.groupId)).toContain('g-open');
      // The producer of the open transaction is still current after the restart and commits it.
      expect(await endTxn(s.client, open, true)).toBe(ErrorCode.NONE);
      expect(await fetched(s.client, 'g-open', true)).toEqual([ErrorCode.NONE, 9]);

      await s.restart();
      expect(await fetched(s.client, 'g-open', true)).toEqual([ErrorCode.NONE, 9]);
      expect(await fetched(s.client, 'g-aborted', true)).toEqual([ErrorCode.NONE, -1]);
    });
  });

  it('an open transaction fenced after a restart by a new producer drops its offsets', async () => {
    await withRestarts(async (s) => {
      const old = await initTxn(s.client, 'txo-fenced');
      expect(await addOffsets(s.client, old, 'g-fenced')).toBe(ErrorCode.NONE);
      expect(await txnCommit(s.client, old, 'g-fenced', 3)).toBe(ErrorCode.NONE);

      await s.restart();
      expect(await fetched(s.client, 'g-fenced', true)).toEqual([ErrorCode.UNSTABLE_OFFSET_COMMIT, -1]);
      const next = await initTxn(s.client, 'txo-fenced');
      expect(next.producerEpoch).toBe(old.producerEpoch + 2);
      expect(await fetched(s.client, 'g-fenced', true)).toEqual([ErrorCode.NONE, -1]);
      expect(await endTxn(s.client, old, true)).toBe(ErrorCode.PRODUCER_FENCED);
      // The fenced producer can no longer write offsets for the group.
      expect(await txnCommit(s.client, old, 'g-fenced', 4)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
      expect(await fetched(s.client, 'g-fenced', true)).toEqual([ErrorCode.NONE, -1]);
    });
  });

  it('a commit decided before a restart but not yet written applies the group offsets on start', async () => {
    await withRestarts(async (s) => {
      const p = await initTxn(s.client, 'txo-prepared');
      expect(await addOffsets(s.client, p, 'g-prepared')).toBe(ErrorCode.NONE);
      expect(await txnCommit(s.client, p, 'g-prepared', 12)).toBe(ErrorCode.NONE);
      // Record PrepareCommit as the coordinator does before writing markers, then stop before any marker.
      const { broker } = s.broker;
      const meta = broker.txn.coordinator.get('txo-prepared')!;
      await stateLogOf(broker).write('txo-prepared', { ...meta, state: TxnState.PrepareCommit, lastUpdateTimestamp: Date.now() });

      await s.restart();
      expect(s.broker.broker.txn.coordinator.get('txo-prepared')!.state).toBe(TxnState.CompleteCommit);
      expect(await fetched(s.client, 'g-prepared', true)).toEqual([ErrorCode.NONE, 12]);
    });
  });

  it('refuses offsets from a producer whose transaction lacks the group, and keeps nothing pending', async () => {
    await withRestarts(async (s) => {
      const p = await initTxn(s.client, 'txo-not-added');
      expect(await txnCommit(s.client, p, 'g-not-added', 1)).toBe(ErrorCode.INVALID_TXN_STATE);
      expect(await fetched(s.client, 'g-not-added', true)).toEqual([ErrorCode.NONE, -1]);
      expect(await txnCommit(s.client, { ...p, producerId: p.producerId + 1000 }, 'g-not-added', 1)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    });
  });
});

async function kcatValues(bootstrap: string, topic: string): Promise<string[]> {
  const { stdout } = await run('kcat', ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed', '-f', '%s\\n']);
  return stdout.split('\n').filter((l) => l !== '');
}

/** The input's first message, read by a member of `groupId` that leaves without committing. */
async function consumeFirst(kafka: Kafka, groupId: string, topic: string): Promise<{ offset: string; value: string }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const first = await new Promise<{ offset: string; value: string }>((resolve, reject) => {
    consumer.run({ autoCommit: false, eachMessage: async ({ message }) => resolve({ offset: message.offset, value: message.value!.toString() }) }).catch(reject);
  });
  await consumer.disconnect();
  return first;
}

async function committedOffset(kafka: Kafka, groupId: string, topic: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return result!.partitions.find((p) => p.partition === 0)!.offset;
  } finally {
    await admin.disconnect();
  }
}

describe('kafkajs consume-transform-produce with a broker restart before commit()', () => {
  for (const outcome of ['commit', 'fenced'] as const) {
    it.skipIf(noKcat)(outcome === 'commit' ? 'the commit after the restart completes: output and offsets both visible' : 'a re-initialized producer fences the old one: output and offsets both discarded', async () => {
      const dir = tempDir();
      const start = restartable(dir.path);
      const input = `ctp-restart-in-${outcome}`;
      const output = `ctp-restart-out-${outcome}`;
      const groupId = `ctp-restart-${outcome}`;
      const transactionalId = `ctp-restart-tx-${outcome}`;
      let broker = await start();
      const kafka = kafkaFor(broker, `txn-offsets-${outcome}`);
      const producers = [] as ReturnType<Kafka['producer']>[];
      const transactional = () => {
        const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
        producers.push(producer);
        return producer;
      };
      try {
        for (const topic of [input, output]) await broker.broker.topics.create(topic, { numPartitions: 1 });
        const plain = kafka.producer();
        await plain.connect();
        await plain.send({ topic: input, messages: [{ value: 'one' }, { value: 'two' }] });
        await plain.disconnect();

        const message = await consumeFirst(kafka, groupId, input);
        expect(message).toEqual({ offset: '0', value: 'one' });
        const producer = transactional();
        await producer.connect();
        const txn = await producer.transaction();
        await txn.send({ topic: output, messages: [{ value: message.value.toUpperCase() }] });
        await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: String(Number(message.offset) + 1) }] }] });

        await broker.stop();
        broker = await start();

        if (outcome === 'commit') {
          await txn.commit();
          expect(await committedOffset(kafka, groupId, input)).toBe('1');
          expect(await kcatValues(broker.bootstrap, output)).toEqual(['ONE']);
        } else {
          const successor = transactional();
          await successor.connect();
          // kafkajs initializes a transactional producer on its first transaction: InitProducerId
          // bumps the epoch, fencing the old producer and aborting its open transaction.
          const retry = await successor.transaction();
          await expect(txn.commit()).rejects.toThrow(/epoch/i);
          expect(await committedOffset(kafka, groupId, input)).toBe('-1');
          expect(await kcatValues(broker.bootstrap, output)).toEqual([]);
          // The successor reprocesses from the group's (absent) committed offset and commits.
          const again = await consumeFirst(kafka, groupId, input);
          expect(again).toEqual(message);
          await retry.send({ topic: output, messages: [{ value: again.value.toUpperCase() }] });
          await retry.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '1' }] }] });
          await retry.commit();
          expect(await committedOffset(kafka, groupId, input)).toBe('1');
          expect(await kcatValues(broker.bootstrap, output)).toEqual(['ONE']);
        }
      } finally {
        for (const p of producers) await p.disconnect().catch(() => undefined);
        await broker.stop();
        dir.remove();
      }
    });
  }
});
