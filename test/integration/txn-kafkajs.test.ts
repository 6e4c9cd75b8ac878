// kafkajs transactions against Creek: consume-transform-produce with sendOffsets committing
// output and input offsets atomically, abort, fencing by a second producer, and the broker
// aborting a transaction left open past its timeout.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { TxnState } from '../../src/txn/txn-metadata.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { requireProgram } from '../helpers/programs.js';

const run = promisify(execFile);
const noKcat = requireProgram('kcat');

async function kcatValues(broker: RunningBroker, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const { stdout } = await run('kcat', ['-C', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%s\\n']);
  return stdout.split('\n').filter((l) => l !== '');
}

let broker: RunningBroker;
let kafka: Kafka;
const producers: Producer[] = [];

function transactionalProducer(transactionalId: string, transactionTimeout = 30000): Producer {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout });
  producers.push(producer);
  return producer;
}

beforeAll(async () => {
  broker = await withBroker({
    properties: { 'group.initial.rebalance.delay.ms': 0, 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 50 },
  });
  kafka = kafkaFor(broker, 'txn-kafkajs');
  for (const topic of ['ctp-in', 'ctp-out', 'abort-out', 'fence-out', 'timeout-out']) await broker.broker.topics.create(topic, { numPartitions: 1 });
});
afterAll(async () => {
  for (const p of producers) await p.disconnect().catch(() => undefined);
  await broker.stop();
});

describe('kafkajs transactions', () => {
  it.skipIf(noKcat)('consume-transform-produce: output and consumed offsets commit together', async () => {
    const input = kafka.producer();
    await input.connect();
    await input.send({ topic: 'ctp-in', messages: ['one', 'two', 'three'].map((value) => ({ value })) });
    await input.disconnect();

    const producer = transactionalProducer('ctp-tx');
    await producer.connect();
    const consumer = kafka.consumer({ groupId: 'ctp-group', sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'ctp-in', fromBeginning: true });
    let processed = 0;
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            const txn = await producer.transaction();
            await txn.send({ topic: 'ctp-out', messages: [{ value: message.value!.toString().toUpperCase() }] });
            await txn.sendOffsets({ consumerGroupId: 'ctp-group', topics: [{ topic, partitions: [{ partition, offset: String(Number(message.offset) + 1) }] }] });
            await txn.commit();
            if (++processed === 3) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    expect(await kcatValues(broker, 'ctp-out', 'read_committed')).toEqual(['ONE', 'TWO', 'THREE']);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'ctp-group', topics: ['ctp-in'] });
    await admin.disconnect();
    expect(offsets[0]!.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);
  });

  it.skipIf(noKcat)('abort: neither the output nor the offsets become visible', async () => {
    const producer = transactionalProducer('abort-tx');
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic: 'abort-out', messages: [{ value: 'kept' }] });
    await committed.sendOffsets({ consumerGroupId: 'abort-group', topics: [{ topic: 'ctp-in', partitions: [{ partition: 0, offset: '1' }] }] });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'abort-out', messages: [{ value: 'dropped-1' }, { value: 'dropped-2' }] });
    await aborted.sendOffsets({ consumerGroupId: 'abort-group', topics: [{ topic: 'ctp-in', partitions: [{ partition: 0, offset: '3' }] }] });
    await aborted.abort();

    expect(await kcatValues(broker, 'abort-out', 'read_committed')).toEqual(['kept']);
    expect(await kcatValues(broker, 'abort-out', 'read_uncommitted')).toEqual(['kept', 'dropped-1', 'dropped-2']);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'abort-group', topics: ['ctp-in'] });
    await admin.disconnect();
    expect(offsets[0]!.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '1' })]);

    // A read_committed kafkajs consumer sees the same as librdkafka.
    const consumer = kafka.consumer({ groupId: 'abort-reader', sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic: 'abort-out', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen.push(message.value!.toString());
            if (seen.length === 1) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(seen).toEqual(['kept']);
  });

  it.skipIf(noKcat)('a second producer with the same transactional id fences the first', async () => {
    const zombie = transactionalProducer('fence-tx');
    await zombie.connect();
    const txn = await zombie.transaction();
    await txn.send({ topic: 'fence-out', messages: [{ value: 'from-zombie' }] });

    const successor = transactionalProducer('fence-tx');
    await successor.connect();
    const next = await successor.transaction();
    await next.send({ topic: 'fence-out', messages: [{ value: 'from-successor' }] });
    await next.commit();

    await expect(txn.commit()).rejects.toThrow(/epoch/i);
    expect(await kcatValues(broker, 'fence-out', 'read_committed')).toEqual(['from-successor']);
  });

  it.skipIf(noKcat)('the broker aborts a transaction left open past its timeout', async () => {
    const producer = transactionalProducer('timeout-tx', 300);
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'timeout-out', messages: [{ value: 'abandoned' }] });
    const coordinator = broker.broker.txn.coordinator;
    while (coordinator.get('timeout-tx')!.state !== TxnState.CompleteAbort) await new Promise((r) => setTimeout(r, 50));
    await expect(txn.commit()).rejects.toThrow();
    expect(await kcatValues(broker, 'timeout-out', 'read_committed')).toEqual([]);
    expect(await kcatValues(broker, 'timeout-out', 'read_uncommitted')).toEqual(['abandoned']);
  });
});
