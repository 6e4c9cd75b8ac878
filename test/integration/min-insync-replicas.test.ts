// min.insync.replicas on a single node, as Kafka enforces it: the ISR is this broker alone, so a
// topic asking for 2 in-sync replicas refuses acks=all produce with NOT_ENOUGH_REPLICAS before
// writing anything, while acks=1 still writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';

let broker: RunningBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await withBroker();
  kafka = kafkaFor(broker);
});

afterAll(async () => {
  await broker.stop();
});

/** The Kafka error type kafkajs reports, looking through its retry wrappers. */
function kafkaErrorType(err: unknown): string | undefined {
  for (let e = err as { type?: string; originalError?: unknown; cause?: unknown } | undefined; e; e = (e.originalError ?? e.cause) as typeof e) {
    if (e.type !== undefined && e.type !== 'UNKNOWN') return e.type;
  }
  return undefined;
}

describe('min.insync.replicas above the ISR size', () => {
  it('refuses acks=all produce with NOT_ENOUGH_REPLICAS and accepts acks=1', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'min-isr', numPartitions: 1, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
      const producer = kafka.producer({ retry: { retries: 0 } });
      await producer.connect();
      try {
        const refused = await producer.send({ topic: 'min-isr', acks: -1, messages: [{ value: 'all' }] }).then(() => undefined, (err: unknown) => err);
        expect(kafkaErrorType(refused)).toBe('NOT_ENOUGH_REPLICAS');
        const [written] = await producer.send({ topic: 'min-isr', acks: 1, messages: [{ value: 'one' }] });
        expect(written).toMatchObject({ errorCode: 0, baseOffset: '0' });
        // Nothing of the refused batch reached the log.
        expect(await admin.fetchTopicOffsets('min-isr')).toMatchObject([{ partition: 0, high: '1' }]);

        await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'min-isr', configEntries: [{ name: 'min.insync.replicas', value: '1' }] }] });
        const [acked] = await producer.send({ topic: 'min-isr', acks: -1, messages: [{ value: 'all again' }] });
        expect(acked).toMatchObject({ errorCode: 0, baseOffset: '1' });
      } finally {
        await producer.disconnect();
      }
    } finally {
      await admin.disconnect();
    }
  });
});
