// ListOffsets through kafkajs: earliest/latest, and timestamp lookups that land on the first
// matching record inside a batch, as Kafka answers; and, as raw requests, MAX_TIMESTAMP (kafkajs
// cannot ask for it) and a partition asked for twice in one request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: RunningBroker;
beforeAll(async () => {
  broker = await withBroker();
});
afterAll(async () => {
  await broker.stop();
});

describe('ListOffsets', () => {
  it('finds the first record at or after a timestamp, inside a batch', async () => {
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    const base = 1_700_000_000_000;
    await producer.send({
      topic: 'by-time',
      messages: [0, 10, 20, 30].map((d) => ({ value: `t${d}`, timestamp: String(base + d) })),
    });
    await producer.send({ topic: 'by-time', messages: [{ value: 'later', timestamp: String(base + 100) }] });
    await producer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const at = async (ts: number): Promise<string> => (await admin.fetchTopicOffsetsByTimestamp('by-time', ts))[0]!.offset;
    expect(await at(base)).toBe('0');
    expect(await at(base + 15)).toBe('2');
    expect(await at(base + 30)).toBe('3');
    expect(await at(base + 31)).toBe('4');
    expect(await at(base + 1000)).toBe('5'); // none: kafkajs reports the latest offset
    const offsets = await admin.fetchTopicOffsets('by-time');
    expect(offsets[0]).toMatchObject({ low: '0', high: '5' });
    await admin.disconnect();
  });

  it('answers MAX_TIMESTAMP with the record holding the largest timestamp, not its batch end', async () => {
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    const base = 1_700_000_000_000;
    // One batch whose largest timestamp is on its second record (offset 1 of 0-3), twice.
    await producer.send({ topic: 'max-time', messages: [0, 50, 20, 50].map((d) => ({ value: `t${d}`, timestamp: String(base + d) })) });
    await producer.send({ topic: 'max-time', messages: [{ value: 'older', timestamp: String(base + 10) }] });
    await producer.disconnect();
    const client = await RawClient.connect(broker.host, broker.port);
    try {
      const res = await client.send(2, 7, {
        replicaId: -1,
        isolationLevel: 0,
        timeoutMs: 5000,
        topics: [{ name: 'max-time', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3 }] }],
      });
      expect(res.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, offset: 1, timestamp: base + 50 });
    } finally {
      client.close();
    }
  });
});

describe('ListOffsets with a partition asked for twice', () => {
  const ask = (partitionIndex: number, timestamp: number) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp });

  it('answers each partition once, the duplicated ones INVALID_REQUEST (as Apache Kafka 4.4 does)', async () => {
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'dup-asked', numPartitions: 3 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'dup-asked', messages: [{ value: 'a', partition: 2 }, { value: 'b', partition: 2 }] });
    await producer.disconnect();

    const client = await RawClient.connect(broker.host, broker.port);
    try {
      for (const version of [1, 6, 10]) {
        const response = await client.send(2, version, {
          replicaId: -1,
          isolationLevel: 0,
          timeoutMs: 0,
          topics: [
            { name: 'dup-asked', partitions: [ask(0, -1), ask(0, -2), ask(1, -1), ask(2, -1)] },
            { name: 'dup-asked', partitions: [ask(1, -2)] },
            { name: 'dup-missing', partitions: [ask(0, -1), ask(0, -1)] },
          ],
        });
        const answers = response.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.errorCode, Number(p.offset)]));
        expect(response.topics.map((t) => t.name).sort(), `v${version} topics`).toEqual(['dup-asked', 'dup-missing']);
        expect(answers.sort(), `v${version}`).toEqual([
          ['dup-asked', 0, ErrorCode.INVALID_REQUEST, -1],
          ['dup-asked', 1, ErrorCode.INVALID_REQUEST, -1],
          ['dup-asked', 2, ErrorCode.NONE, 2],
          ['dup-missing', 0, ErrorCode.INVALID_REQUEST, -1],
        ]);
      }
    } finally {
      client.close();
    }
  });
});
