// kafkajs producer → Creek → read back through kafkajs's raw fetch path (admin offsets + a
// consumer without committing), plus metadata and list-offsets, over real sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';

let broker: RunningBroker;
beforeAll(async () => {
  broker = await withBroker();
});
afterAll(async () => {
  await broker.stop();
});

describe('kafkajs against an embedded broker', () => {
  it('auto-creates a topic through metadata and lists it', async () => {
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'listed', numPartitions: 3 }] }).catch(() => undefined);
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await producer.send({ topic: 'auto-created', messages: [{ value: 'x' }] });
    await producer.disconnect();
    const topics = await admin.listTopics();
    expect(topics).toContain('auto-created');
    const offsets = await admin.fetchTopicOffsets('auto-created');
    expect(offsets).toEqual([{ partition: 0, offset: '1', high: '1', low: '0' }]);
    await admin.disconnect();
  });

  it('produces keyed messages with headers and reads them back in order', async () => {
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 50 }, (_, i) => ({
      key: i % 2 === 0 ? `k${i}` : null,
      value: i === 7 ? null : `value-${i}`,
      headers: { n: String(i) },
    }));
    const results = await producer.send({ topic: 'round-trip', messages: sent });
    expect(results[0]!.errorCode).toBe(0);
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'unused-rt', maxWaitTimeInMs: 100 });
    const seen: { offset: string; key: string | null; value: string | null; n: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'round-trip', fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            seen.push({
              offset: message.offset,
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? null,
              n: message.headers!.n!.toString(),
            });
            if (seen.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(seen.map((m) => Number(m.offset))).toEqual(sent.map((_, i) => i));
    expect(seen.map((m) => m.value)).toEqual(sent.map((m) => m.value));
    expect(seen.map((m) => m.key)).toEqual(sent.map((m) => m.key));
    expect(seen.map((m) => m.n)).toEqual(sent.map((_, i) => String(i)));
  });
});
