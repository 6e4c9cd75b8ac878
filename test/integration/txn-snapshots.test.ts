// Producer-state snapshots through a real broker on a data dir: kafkajs idempotent and
// transactional producers (committed, aborted and open transactions), a restart, and the
// producer state, last stable offsets and aborted lists loaded from snapshots must equal a full
// replay of the logs; a retried batch is still a duplicate after the restart; corrupt snapshots
// fall back to a replay; DeleteRecords deletes the snapshots below the new log start.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { replayProducerState } from '../../src/txn/log-replay.js';
import { PartitionProducerState } from '../../src/txn/producer-state.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';
import { LogLines } from '../helpers/log-lines.js';
import { RawClient } from '../helpers/raw-client.js';
import { produceRequest } from '../helpers/raw-requests.js';

const TOPIC = 'snapshots';
const PARTITIONS = 3;

/** The start-up summary of the producer-state load. */
function loadSummary(lines: LogLines): Record<string, unknown> | undefined {
  return [...lines.lines].reverse().find((l) => typeof l.msg === 'string' && l.msg.startsWith('loaded producer state'));
}

interface PartitionView {
  producers: unknown[];
  lso: number;
  aborted: unknown[];
}

/** What the running broker's engine holds for each partition. */
function engineView(b: RunningBroker): PartitionView[] {
  const topic = b.broker.topics.get(TOPIC)!;
  return topic.partitions.map((log, p) => {
    const partition = b.broker.replicas.partition(TOPIC, p);
    return {
      producers: b.broker.txn.producers(partition).sort((x, y) => x.producerId - y.producerId),
      lso: b.broker.txn.lastStableOffset(partition),
      aborted: b.broker.txn.abortedTransactions(partition, 0, log.logEndOffset),
    };
  });
}

/** The same, rebuilt by reading every partition from its log start. */
async function fullReplayView(b: RunningBroker): Promise<PartitionView[]> {
  const topic = b.broker.topics.get(TOPIC)!;
  return Promise.all(
    topic.partitions.map(async (log) => {
      const state = new PartitionProducerState();
      await replayProducerState(log, state);
      return { producers: state.image().producers, lso: state.lastStableOffset(log.highWatermark), aborted: state.abortedBetween(0, log.logEndOffset) };
    }),
  );
}

describe('producer-state snapshots across broker restarts', () => {
  const dir = tempDir();
  let port = 0;
  let lines: LogLines;
  let broker: RunningBroker;
  let kafka: Kafka;
  const start = async (): Promise<void> => {
    lines = new LogLines();
    broker = await withBroker({ dataDir: dir.path, port, logger: pino({ level: 'info' }, lines), properties: { 'group.initial.rebalance.delay.ms': 0 } });
    port = broker.port;
    kafka = kafkaFor(broker);
  };
  const partitionDir = (p: number): string => join(dir.path, `${TOPIC}-${p}`);
  const snapshotFiles = (p: number): string[] => readdirSync(partitionDir(p)).filter((f) => f.endsWith('.snapshot')).sort();
  const retried = { producerId: -1, baseOffset: -1 };

  beforeAll(async () => {
    await start();
    // segment.ms=1: nearly every append rolls, so snapshots are written while traffic runs.
    await broker.broker.topics.create(TOPIC, { numPartitions: PARTITIONS, overrides: new Map([['segment.ms', '1']]) });
    const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idempotent.connect();
    const committer = kafka.producer({ transactionalId: 'snap-commit', idempotent: true, maxInFlightRequests: 1 });
    const opener = kafka.producer({ transactionalId: 'snap-open', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 600_000 });
    await committer.connect();
    await opener.connect();
    for (let round = 0; round < 12; round++) {
      await idempotent.send({ topic: TOPIC, messages: [0, 1, 2].map((p) => ({ partition: p, value: `idem-${round}-${p}` })) });
      const txn = await committer.transaction();
      await txn.send({ topic: TOPIC, messages: [0, 1, 2].map((p) => ({ partition: p, value: `txn-${round}-${p}` })) });
      if (round % 3 === 1) await txn.abort();
      else await txn.commit();
    }
    const open = await opener.transaction();
    await open.send({ topic: TOPIC, messages: [{ partition: 1, value: 'left open' }] });
    await idempotent.send({ topic: TOPIC, messages: [{ partition: 1, value: 'after the open one' }] });
    await idempotent.disconnect();
    await committer.disconnect();
    await opener.disconnect();

    // A raw idempotent batch, retried after the restart.
    const client = await RawClient.connect(broker.host, broker.port);
    const init = await client.send(22, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false });
    retried.producerId = Number(init.producerId);
    retried.baseOffset = await produceRaw(client, retried.producerId);
    client.close();
  }, 60_000);
  afterAll(async () => {
    await broker.stop();
    dir.remove();
  });

  async function produceRaw(client: RawClient, producerId: number): Promise<number> {
    const records = encodeBatch({ producerId, producerEpoch: 0, baseSequence: 0, records: [{ value: Buffer.from('raw') }] });
    const res = await client.send(0, 9, produceRequest({ topic: TOPIC, partition: 2, records }));
    const p = res.responses[0]!.partitionResponses[0]!;
    expect(p.errorCode).toBe(ErrorCode.NONE);
    return Number(p.baseOffset);
  }

  it('a restart loads snapshots only and equals both the state before it and a full replay', async () => {
    const before = engineView(broker);
    expect(before[1]!.lso).toBeLessThan(broker.broker.topics.get(TOPIC)!.partitions[1]!.highWatermark);
    expect(before.every((v) => v.aborted.length > 0)).toBe(true);
    await broker.stop();
    for (let p = 0; p < PARTITIONS; p++) expect(snapshotFiles(p).length).toBeGreaterThan(0);
    await start();
    const summary = loadSummary(lines);
    const partitions = broker.broker.topics.list().reduce((n, t) => n + t.partitions.length, 0);
    expect(summary).toMatchObject({ partitions, fromSnapshots: partitions, batches: 0 });
    const after = engineView(broker);
    expect(after).toEqual(before);
    expect(after).toEqual(await fullReplayView(broker));
  });

  it('a retried batch is still answered with its original offset', async () => {
    const client = await RawClient.connect(broker.host, broker.port);
    const end = broker.broker.topics.get(TOPIC)!.partitions[2]!.logEndOffset;
    expect(await produceRaw(client, retried.producerId)).toBe(retried.baseOffset);
    expect(broker.broker.topics.get(TOPIC)!.partitions[2]!.logEndOffset).toBe(end);
    client.close();
  });

  it('falls back to a full replay when every snapshot of a partition is corrupt', async () => {
    const before = engineView(broker);
    await broker.stop();
    for (const f of snapshotFiles(0)) writeFileSync(join(partitionDir(0), f), Buffer.from('corrupt'));
    await start();
    const partitions = broker.broker.topics.list().reduce((n, t) => n + t.partitions.length, 0);
    expect(loadSummary(lines)).toMatchObject({ partitions, fromSnapshots: partitions - 1 });
    expect((loadSummary(lines)!.batches as number) > 0).toBe(true);
    expect(lines.lines.some((l) => l.msg === 'deleting unreadable producer-state snapshot')).toBe(true);
    expect(engineView(broker)).toEqual(before);
  });

  it('DeleteRecords deletes the snapshots below the new log start', async () => {
    const log = broker.broker.topics.get(TOPIC)!.partitions[0]!;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 5; i++) await producer.send({ topic: TOPIC, messages: [{ partition: 0, value: `more-${i}` }] });
    await producer.disconnect();
    const offset = log.highWatermark - 1;
    await vi.waitFor(() => expect(snapshotFiles(0).filter((f) => Number(f.slice(0, 20)) < offset).length).toBeGreaterThan(1));
    const admin = kafka.admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [TOPIC] });
    await admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 0, offset: String(offset) }] });
    await admin.disconnect();
    await vi.waitFor(() => {
      const offsets = snapshotFiles(0).map((f) => Number(f.slice(0, 20)));
      expect(offsets.length).toBeGreaterThan(0);
      expect(offsets.every((o) => o >= offset)).toBe(true);
    });
    expect(log.logStartOffset).toBe(offset);
  });
});
