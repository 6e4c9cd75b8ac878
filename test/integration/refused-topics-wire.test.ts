// Writes and auto-creations Kafka refuses, answered with its error codes and without a message of
// the broker's own where Kafka sends none (each checked against the reference broker through the
// Java client, compat scenarios java/error-topic-not-creatable and java/error-message-too-large):
// a produce to an internal topic, an auto-created name colliding with an existing topic, a name no
// topic can have, and a batch over the topic's max.message.bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { produceRequest } from '../helpers/raw-requests.js';

let broker: RunningBroker;
let raw: RawClient;

beforeAll(async () => {
  broker = await withBroker();
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'refused.dotted', numPartitions: 1 }, { topic: 'refused-small', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1024' }] }] });
  await admin.disconnect();
  raw = await RawClient.connect(broker.host, broker.port);
});
afterAll(async () => {
  raw.close();
  await broker.stop();
});

const produce = (client: RawClient, topic: string, value: Buffer) =>
  client.send(0, 11, produceRequest({ topic, records: encodeBatch({ records: [{ key: Buffer.from('k'), value }] }) }));

describe('refused topics', () => {
  it('a client may not produce to an internal topic: INVALID_TOPIC_EXCEPTION with no message', async () => {
    await raw.send(10, 4, { key: '', keyType: 0, coordinatorKeys: ['refused-group'] });
    expect(broker.broker.topics.get('__consumer_offsets')?.internal).toBe(true);
    const refused = (await produce(raw, '__consumer_offsets', Buffer.from('v'))).responses[0]!.partitionResponses[0]!;
    expect([refused.errorCode, refused.errorMessage]).toEqual([ErrorCode.INVALID_TOPIC_EXCEPTION, null]);
  });

  it('an auto-created name colliding with an existing topic is not created: UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const res = await raw.send(3, 12, { topics: [{ topicId: ZERO_UUID, name: 'refused_dotted' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([['refused_dotted', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
    expect(broker.broker.topics.get('refused_dotted')).toBeUndefined();
  });

  it('a Metadata request naming a topic no topic can be called is INVALID_TOPIC_EXCEPTION, whether or not it may auto-create', async () => {
    // Kafka 4.4 answers these names so with allowAutoTopicCreation off and on, and a missing valid name with
    // UNKNOWN_TOPIC_OR_PARTITION; librdkafka reports "Broker: Invalid topic" only on the first.
    const metadata = (names: string[], allowAutoTopicCreation: boolean) =>
      raw.send(3, 12, { topics: names.map((name) => ({ topicId: ZERO_UUID, name })), allowAutoTopicCreation, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    const invalid = ['bad name!', 'x'.repeat(250), '..'];
    const off = await metadata([...invalid, 'refused-missing'], false);
    expect(off.topics.map((t) => t.errorCode)).toEqual([...invalid.map(() => ErrorCode.INVALID_TOPIC_EXCEPTION), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const on = await metadata(invalid, true);
    expect(on.topics.map((t) => t.errorCode)).toEqual(invalid.map(() => ErrorCode.INVALID_TOPIC_EXCEPTION));
  });

  it('a batch over max.message.bytes is MESSAGE_TOO_LARGE with no message of its own', async () => {
    const refused = (await produce(raw, 'refused-small', Buffer.alloc(4000))).responses[0]!.partitionResponses[0]!;
    expect([refused.errorCode, refused.errorMessage]).toEqual([ErrorCode.MESSAGE_TOO_LARGE, null]);
  });
});
