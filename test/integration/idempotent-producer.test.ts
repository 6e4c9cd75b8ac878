// Idempotent producers: sequence and epoch checks over the wire, duplicates answered with the
// original offsets, producer state expiry and its rebuild from the log after a restart, and a
// kafkajs idempotent producer whose connection dies mid-request (retry, no duplicate stored).
import { execFile } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeBatch, encodeBatch, splitBatches } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import type { PartitionLog } from '../../src/log/partition-log.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';
import { alterBroker } from '../helpers/broker-configs.js';
import { requirePythonModule } from '../helpers/programs.js';
import { RawClient } from '../helpers/raw-client.js';
import { produceRequest } from '../helpers/raw-requests.js';

const confluent = requirePythonModule('confluent_kafka');

interface ProducerBatch {
  producerId: number;
  epoch: number;
  seq: number;
  values: string[];
}

function idempotentBatch(b: ProducerBatch): Buffer {
  return encodeBatch({
    producerId: b.producerId,
    producerEpoch: b.epoch,
    baseSequence: b.seq,
    records: b.values.map((v) => ({ value: Buffer.from(v) })),
  });
}

async function produce(client: RawClient, topic: string, batch: ProducerBatch): Promise<{ errorCode: number; baseOffset: number }> {
  const res = await client.send(0, 9, produceRequest({ topic, records: idempotentBatch(batch) }));
  const p = res.responses[0]!.partitionResponses[0]!;
  return { errorCode: p.errorCode, baseOffset: Number(p.baseOffset) };
}

async function initProducerId(client: RawClient): Promise<number> {
  const res = await client.send(22, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false });
  expect(res.errorCode).toBe(ErrorCode.NONE);
  expect(res.producerEpoch).toBe(0);
  return Number(res.producerId);
}

/** Every record value stored in a partition, in offset order. */
async function storedValues(log: PartitionLog): Promise<string[]> {
  const { chunks } = await log.read(log.logStartOffset, 64 << 20);
  return chunks.flatMap((c) => splitBatches(c)).flatMap((b) => decodeBatch(b).records.map((r) => r.value!.toString()));
}

describe('idempotent produce over the wire', () => {
  let broker: RunningBroker;
  let client: RawClient;
  beforeAll(async () => {
    // Producers expire on their own check interval; the timed-out transactions' one, an hour, plays no part.
    broker = await withBroker({
      properties: { 'producer.id.expiration.ms': 200, 'producer.id.expiration.check.interval.ms': 50, 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 3_600_000 },
    });
    client = await RawClient.connect(broker.host, broker.port);
  });
  afterAll(async () => {
    client.close();
    await broker.stop();
  });

  it('gives every idempotent producer a new id at epoch 0', async () => {
    const a = await initProducerId(client);
    const b = await initProducerId(client);
    expect(b).not.toBe(a);
  });

  it('answers a retried batch with its original offsets and stores it once', async () => {
    await broker.broker.topics.create('idem-dup', { numPartitions: 1 });
    const pid = await initProducerId(client);
    expect(await produce(client, 'idem-dup', { producerId: pid, epoch: 0, seq: 0, values: ['a', 'b'] })).toEqual({ errorCode: 0, baseOffset: 0 });
    expect(await produce(client, 'idem-dup', { producerId: pid, epoch: 0, seq: 2, values: ['c'] })).toEqual({ errorCode: 0, baseOffset: 2 });
    expect(await produce(client, 'idem-dup', { producerId: pid, epoch: 0, seq: 0, values: ['a', 'b'] })).toEqual({ errorCode: 0, baseOffset: 0 });
    expect(await produce(client, 'idem-dup', { producerId: pid, epoch: 0, seq: 2, values: ['c'] })).toEqual({ errorCode: 0, baseOffset: 2 });
    expect(await storedValues(broker.broker.topics.get('idem-dup')!.partitions[0]!)).toEqual(['a', 'b', 'c']);
  });

  it('refuses gaps, stale epochs and a new epoch that does not start at sequence 0', async () => {
    await broker.broker.topics.create('idem-order', { numPartitions: 1 });
    const pid = await initProducerId(client);
    expect((await produce(client, 'idem-order', { producerId: pid, epoch: 0, seq: 0, values: ['x'] })).errorCode).toBe(0);
    expect((await produce(client, 'idem-order', { producerId: pid, epoch: 0, seq: 2, values: ['gap'] })).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await produce(client, 'idem-order', { producerId: pid, epoch: 1, seq: 1, values: ['bad'] })).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await produce(client, 'idem-order', { producerId: pid, epoch: 1, seq: 0, values: ['y'] })).errorCode).toBe(0);
    expect((await produce(client, 'idem-order', { producerId: pid, epoch: 0, seq: 1, values: ['zombie'] })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await storedValues(broker.broker.topics.get('idem-order')!.partitions[0]!)).toEqual(['x', 'y']);
  });

  it('DescribeProducers shows the producer state; after producer.id.expiration.ms, at the next producer.id.expiration.check.interval.ms, it is gone and the next sequence gets UNKNOWN_PRODUCER_ID', async () => {
    await broker.broker.topics.create('idem-expire', { numPartitions: 1 });
    const pid = await initProducerId(client);
    expect((await produce(client, 'idem-expire', { producerId: pid, epoch: 0, seq: 0, values: ['1', '2', '3'] })).errorCode).toBe(0);
    const describe = () => client.send(61, 0, { topics: [{ name: 'idem-expire', partitionIndexes: [0] }] });
    const before = (await describe()).topics[0]!.partitions[0]!;
    expect(before.errorCode).toBe(0);
    expect(before.activeProducers).toMatchObject([{ producerId: pid, producerEpoch: 0, lastSequence: 2, currentTxnStartOffset: -1 }]);
    while ((await describe()).topics[0]!.partitions[0]!.activeProducers.length > 0) await new Promise((r) => setTimeout(r, 50));
    expect((await produce(client, 'idem-expire', { producerId: pid, epoch: 0, seq: 3, values: ['4'] })).errorCode).toBe(ErrorCode.UNKNOWN_PRODUCER_ID);
    const unknown = (await client.send(61, 0, { topics: [{ name: 'nope', partitionIndexes: [0] }] })).topics[0]!.partitions[0]!;
    expect(unknown.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

describe('producer.id.expiration.check.interval.ms', () => {
  it('is when idle producers are looked for: a long one keeps a producer past producer.id.expiration.ms, however often transactions are checked', async () => {
    const broker = await withBroker({
      properties: { 'producer.id.expiration.ms': 100, 'producer.id.expiration.check.interval.ms': 3_600_000, 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 50 },
    });
    const client = await RawClient.connect(broker.host, broker.port);
    try {
      await broker.broker.topics.create('idem-kept', { numPartitions: 1 });
      const pid = await initProducerId(client);
      expect((await produce(client, 'idem-kept', { producerId: pid, epoch: 0, seq: 0, values: ['1'] })).errorCode).toBe(0);
      await new Promise((r) => setTimeout(r, 600));
      const partition = (await client.send(61, 0, { topics: [{ name: 'idem-kept', partitionIndexes: [0] }] })).topics[0]!.partitions[0]!;
      expect(partition.activeProducers.map((p) => p.producerId)).toEqual([pid]);
      expect((await produce(client, 'idem-kept', { producerId: pid, epoch: 0, seq: 1, values: ['2'] })).errorCode).toBe(0);
    } finally {
      client.close();
      await broker.stop();
    }
  });
});

describe('producer.id.expiration.ms altered at runtime', () => {
  it('applies from the next check, as in Kafka (a dynamic config): a producer kept under the start-up value is dropped under the new one', async () => {
    const broker = await withBroker({ properties: { 'producer.id.expiration.check.interval.ms': 50 } });
    const client = await RawClient.connect(broker.host, broker.port);
    try {
      await broker.broker.topics.create('idem-altered', { numPartitions: 1 });
      const pid = await initProducerId(client);
      expect((await produce(client, 'idem-altered', { producerId: pid, epoch: 0, seq: 0, values: ['1'] })).errorCode).toBe(0);
      const producers = async () => (await client.send(61, 0, { topics: [{ name: 'idem-altered', partitionIndexes: [0] }] })).topics[0]!.partitions[0]!.activeProducers;
      // Under Kafka's day, several checks keep it.
      await new Promise((r) => setTimeout(r, 300));
      expect((await producers()).map((p) => p.producerId)).toEqual([pid]);
      expect(await alterBroker(client, '', { 'producer.id.expiration.ms': '100' })).toMatchObject({ errorCode: ErrorCode.NONE });
      while ((await producers()).length > 0) await new Promise((r) => setTimeout(r, 50));
      expect((await produce(client, 'idem-altered', { producerId: pid, epoch: 0, seq: 1, values: ['2'] })).errorCode).toBe(ErrorCode.UNKNOWN_PRODUCER_ID);
    } finally {
      client.close();
      await broker.stop();
    }
  });
});

describe('producer state survives a restart', () => {
  it('is rebuilt from the log: a retry after restart is still a duplicate, sequences continue', async () => {
    const dir = tempDir();
    try {
      let broker = await withBroker({ dataDir: dir.path });
      let client = await RawClient.connect(broker.host, broker.port);
      await broker.broker.topics.create('idem-restart', { numPartitions: 1 });
      const pid = await initProducerId(client);
      for (let seq = 0; seq < 3; seq++) {
        expect((await produce(client, 'idem-restart', { producerId: pid, epoch: 0, seq, values: [`v${seq}`] })).errorCode).toBe(0);
      }
      client.close();
      await broker.stop();

      broker = await withBroker({ dataDir: dir.path });
      client = await RawClient.connect(broker.host, broker.port);
      expect(await produce(client, 'idem-restart', { producerId: pid, epoch: 0, seq: 2, values: ['v2'] })).toEqual({ errorCode: 0, baseOffset: 2 });
      expect((await produce(client, 'idem-restart', { producerId: pid, epoch: 0, seq: 5, values: ['gap'] })).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect(await produce(client, 'idem-restart', { producerId: pid, epoch: 0, seq: 3, values: ['v3'] })).toEqual({ errorCode: 0, baseOffset: 3 });
      // Producer ids are never handed out twice across restarts.
      expect(await initProducerId(client)).toBeGreaterThan(pid);
      expect(await storedValues(broker.broker.topics.get('idem-restart')!.partitions[0]!)).toEqual(['v0', 'v1', 'v2', 'v3']);
      client.close();
      await broker.stop();
    } finally {
      dir.remove();
    }
  });
});

/**
 * A TCP proxy in front of the broker that forwards the first Produce request, swallows its
 * response and cuts the client's connection, so the client must retry a batch that was stored.
 */
async function dropFirstProduceResponse(target: () => number): Promise<{ server: Server; port: number; dropped: () => number }> {
  let dropped = 0;
  const server = createServer((client: Socket) => {
    const upstream = connect({ host: '127.0.0.1', port: target() });
    let dropCorrelation: number | undefined;
    let pending = Buffer.alloc(0);
    client.on('data', (chunk) => {
      // Requests: size, apiKey int16, apiVersion int16, correlationId int32. Chunks may hold several.
      if (dropped === 0 && dropCorrelation === undefined && chunk.length >= 12 && chunk.readInt16BE(4) === 0) dropCorrelation = chunk.readInt32BE(8);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(0, 4 + pending.readInt32BE(0));
        pending = pending.subarray(frame.length);
        if (dropCorrelation !== undefined && frame.readInt32BE(4) === dropCorrelation) {
          dropped++;
          dropCorrelation = undefined;
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(frame);
      }
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { server, port, dropped: () => dropped };
}

describe('kafkajs idempotent producer', () => {
  it('retries a produce whose connection died after the broker stored it, and the log holds each message once', async () => {
    let brokerPort = 0;
    const proxy = await dropFirstProduceResponse(() => brokerPort);
    const broker = await withBroker({ advertisedPort: proxy.port });
    brokerPort = broker.port;
    try {
      await broker.broker.topics.create('idem-kafkajs', { numPartitions: 1 });
      const producer = kafkaFor({ bootstrap: `127.0.0.1:${proxy.port}` }).producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const values = Array.from({ length: 10 }, (_, i) => `m${i}`);
      for (const v of values.slice(0, 5)) await producer.send({ topic: 'idem-kafkajs', acks: -1, messages: [{ value: v }] });
      await producer.send({ topic: 'idem-kafkajs', acks: -1, messages: values.slice(5).map((value) => ({ value })) });
      await producer.disconnect();
      expect(proxy.dropped()).toBe(1);
      expect(await storedValues(broker.broker.topics.get('idem-kafkajs')!.partitions[0]!)).toEqual(values);
    } finally {
      await broker.stop();
      proxy.server.close();
    }
  });
});

describe.skipIf(confluent.skip)('librdkafka idempotent producer (confluent-kafka-python)', () => {
  it('produces with enable.idempotence; the partition records its producer state', async () => {
    const broker = await withBroker();
    try {
      await broker.broker.topics.create('idem-rdkafka', { numPartitions: 1 });
      const script = [
        'import sys',
        'from confluent_kafka import Producer',
        "p = Producer({'bootstrap.servers': sys.argv[1], 'enable.idempotence': True, 'linger.ms': 0})",
        "for i in range(100): p.produce('idem-rdkafka', ('r%d' % i).encode(), partition=0)",
        'assert p.flush(30) == 0',
      ].join('\n');
      await promisify(execFile)(confluent.python, ['-c', script, broker.bootstrap], { timeout: 60_000 });
      const log = broker.broker.topics.get('idem-rdkafka')!.partitions[0]!;
      expect(await storedValues(log)).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`));
      const [producer] = broker.broker.txn.producers(broker.broker.replicas.partition('idem-rdkafka', 0));
      expect(producer).toMatchObject({ epoch: 0, txnFirstOffset: -1 });
      expect(producer!.batches.at(-1)!.lastSeq).toBe(99);
    } finally {
      await broker.stop();
    }
  });
});
