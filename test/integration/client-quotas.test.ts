// Client quotas on a live broker: AlterClientQuotas/DescribeClientQuotas over the wire (with
// Kafka's refusals and, under an authorizer, ALTER_CONFIGS/DESCRIBE_CONFIGS on the cluster),
// producer_byte_rate and consumer_byte_rate answered with throttle_time_ms (a throttled fetch
// without data), a consumer's fetch held to what consumer_byte_rate allows in a quota window,
// request_percentage throttling any API, controller_mutation_rate refusing or throttling topic
// mutations, a kafkajs producer that keeps working through the muted connection, and quotas kept
// across a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch, splitBatches } from '../../protocol/records/index.js';
import type { FetchRequest, ProduceRequest } from '../../protocol/schema/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { fetchRequest, produceRequest } from '../helpers/raw-requests.js';

/** The raw client's client id, which the quotas below are set for. */
const RAW_CLIENT_ID = 'raw-client';

const quota = (entity: [string, string | null][], key: string, value: number, remove = false) => ({
  entity: entity.map(([entityType, entityName]) => ({ entityType, entityName })),
  ops: [{ key, value, remove }],
});

function quotaProduce(topic: string, valueBytes: number): ProduceRequest {
  const records = encodeBatch({ records: [{ key: null, value: Buffer.alloc(valueBytes, 1), headers: [] }], baseTimestamp: Date.now() });
  return produceRequest({ topic, records });
}

const quotaFetch = (topic: string): FetchRequest => fetchRequest({ topic, partitionMaxBytes: 10_000_000 }, { minBytes: 1, maxBytes: 10_000_000 });

describe('client quotas', () => {
  let broker: RunningBroker;
  let raw: RawClient;
  beforeAll(async () => {
    broker = await withBroker();
    raw = await RawClient.connect(broker.host, broker.port);
  });
  afterAll(async () => {
    raw?.close();
    await broker?.stop();
  });

  it('alters and describes quotas at both versions, with Kafka\'s refusals', async () => {
    for (const version of [0, 1]) {
      const altered = await raw.send(49, version, {
        entries: [quota([['user', 'alice'], ['client-id', null]], 'producer_byte_rate', 5000), quota([['user', 'alice']], 'producer_byte_rate', 2.5)],
        validateOnly: false,
      });
      expect(altered.entries.map((e) => [e.errorCode, e.errorMessage])).toEqual([[0, null], [ErrorCode.INVALID_REQUEST, 'producer_byte_rate cannot be a fractional value.']]);
      const described = await raw.send(48, version, { components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: false });
      expect(described).toMatchObject({ errorCode: 0, entries: [{ entity: [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: null }], values: [{ key: 'producer_byte_rate', value: 5000 }] }] });
      await raw.send(49, version, { entries: [quota([['user', 'alice'], ['client-id', null]], 'producer_byte_rate', 0, true)], validateOnly: false });
      expect((await raw.send(48, version, { components: [], strict: false })).entries).toEqual([]);
    }
    const bad = await raw.send(48, 1, { components: [{ entityType: 'user', matchType: 2, match: null }, { entityType: 'ip', matchType: 2, match: null }], strict: false });
    expect(bad).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, entries: null });
  });

  it('refuses negative values, unknown keys and unknown entity types with Kafka\'s messages, losing nothing already set', async () => {
    await raw.send(49, 1, { entries: [quota([['user', 'kept']], 'consumer_byte_rate', 4096)], validateOnly: false });
    const refused = await raw.send(49, 1, {
      entries: [
        quota([['user', 'kept']], 'producer_byte_rate', -1),
        quota([['user', 'kept']], 'bogus_rate', 10),
        quota([['group', 'g']], 'producer_byte_rate', 10),
        quota([['ip', '10.0.0.1']], 'producer_byte_rate', 10),
      ],
      validateOnly: false,
    });
    expect(refused.entries.map((e) => [e.errorCode, e.errorMessage])).toEqual([
      [ErrorCode.INVALID_REQUEST, 'Quota producer_byte_rate must be greater than 0'],
      [ErrorCode.INVALID_REQUEST, 'Invalid configuration key bogus_rate'],
      [ErrorCode.INVALID_REQUEST, 'Unhandled client quota entity type: group'],
      [ErrorCode.INVALID_REQUEST, 'Invalid configuration key producer_byte_rate'],
    ]);
    const described = await raw.send(48, 1, { components: [], strict: false });
    expect(described.entries).toEqual([{ entity: [{ entityType: 'user', entityName: 'kept' }], values: [{ key: 'consumer_byte_rate', value: 4096 }] }]);
    await raw.send(49, 1, { entries: [quota([['user', 'kept']], 'consumer_byte_rate', 0, true)], validateOnly: false });
  });

  it('throttles a producer over producer_byte_rate', async () => {
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'quota-produce' }, { topic: 'quota-fetch' }] });
    await admin.disconnect();
    // The throttled requests go on a connection of their own: it is muted after each throttled answer.
    const limited = await RawClient.connect(broker.host, broker.port);
    try {
      expect((await limited.send(0, 9, quotaProduce('quota-produce', 50_000))).throttleTimeMs).toBe(0);
      // 50 kB over the 10 s window is ~5 kB/s: a little over a 4.8 kB/s bound.
      await raw.send(49, 1, { entries: [quota([['client-id', RAW_CLIENT_ID]], 'producer_byte_rate', 4800)], validateOnly: false });
      const throttled = await limited.send(0, 9, quotaProduce('quota-produce', 50_000));
      expect(throttled.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
      expect(throttled.throttleTimeMs).toBeGreaterThan(0);
    } finally {
      limited.close();
      await raw.send(49, 1, { entries: [quota([['client-id', RAW_CLIENT_ID]], 'producer_byte_rate', 0, true)], validateOnly: false });
    }
  });

  it('answers a fetch over consumer_byte_rate at once, without data, with the throttle time', async () => {
    const producer = kafkaFor(broker, 'quota-writer').producer();
    await producer.connect();
    await producer.send({ topic: 'quota-fetch', messages: [{ value: Buffer.alloc(30_000, 2) }] });
    await producer.disconnect();
    await raw.send(49, 1, { entries: [quota([['client-id', RAW_CLIENT_ID]], 'consumer_byte_rate', 2900)], validateOnly: false });
    const limited = await RawClient.connect(broker.host, broker.port);
    try {
      const throttled = await limited.send(1, 12, quotaFetch('quota-fetch'));
      expect(throttled.throttleTimeMs).toBeGreaterThan(0);
      expect(throttled.responses).toEqual([]);
      await raw.send(49, 1, { entries: [quota([['client-id', RAW_CLIENT_ID]], 'consumer_byte_rate', 0, true)], validateOnly: false });
      // Served once the mute is over, and without a quota, unthrottled.
      const served = await limited.send(1, 12, quotaFetch('quota-fetch'));
      expect(served.throttleTimeMs).toBe(0);
      expect(served.responses[0]!.partitions[0]!.records).not.toEqual([]);
    } finally {
      limited.close();
    }
  });

  it('lowers a consumer\'s max_bytes to what consumer_byte_rate allows in a quota window', async () => {
    // Kafka's ClientQuotaManager.maxValueInQuotaWindow: 1000 B/s × (11 windows − 1) × 1 s = 10 000 bytes.
    const WINDOW_BYTES = 10_000;
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'quota-window' }] });
    await admin.disconnect();
    const batchBytes = quotaProduce('quota-window', 3000).topicData[0]!.partitionData[0]!.records!.length;
    for (let i = 0; i < 8; i++) {
      const produced = await raw.send(0, 9, quotaProduce('quota-window', 3000));
      expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
    }
    await raw.send(49, 1, { entries: [quota([['client-id', 'window-consumer']], 'consumer_byte_rate', 1000)], validateOnly: false });
    const consumer = await RawClient.connect(broker.host, broker.port, 'window-consumer');
    try {
      // Asking for 10 MB: without the cap the 8 batches (24 kB) would come back and be throttled away.
      const res = await consumer.send(1, 12, quotaFetch('quota-window'));
      expect(res.throttleTimeMs).toBe(0);
      const records = res.responses[0]!.partitions[0]!.records as Buffer;
      expect(records.length).toBeLessThanOrEqual(WINDOW_BYTES);
      expect(splitBatches(records)).toHaveLength(Math.floor(WINDOW_BYTES / batchBytes));
    } finally {
      consumer.close();
      await raw.send(49, 1, { entries: [quota([['client-id', 'window-consumer']], 'consumer_byte_rate', 0, true)], validateOnly: false });
    }
  });

  it('throttles, without data, a fetch whose first batch alone is larger than the quota window allows', async () => {
    // 100 B/s × 10 s = 1,000 bytes; the batch is ~3 kB. The cap leaves the first batch whole (as any
    // max_bytes does), and Kafka then throttles the response and sends it empty
    // (KafkaApis.handleFetchRequest: getThrottledResponse), taking its bytes back from the quota.
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'quota-first-batch' }] });
    await admin.disconnect();
    const produced = await raw.send(0, 9, quotaProduce('quota-first-batch', 3000));
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
    await raw.send(49, 1, { entries: [quota([['client-id', 'first-batch-consumer']], 'consumer_byte_rate', 100)], validateOnly: false });
    const consumer = await RawClient.connect(broker.host, broker.port, 'first-batch-consumer');
    const unlimited = await RawClient.connect(broker.host, broker.port, 'unlimited-consumer');
    try {
      const throttled = await consumer.send(1, 12, quotaFetch('quota-first-batch'));
      expect(throttled.throttleTimeMs).toBeGreaterThan(0);
      expect(throttled.responses).toEqual([]);
      const open = await unlimited.send(1, 12, quotaFetch('quota-first-batch'));
      expect(open.throttleTimeMs).toBe(0);
      expect(splitBatches(open.responses[0]!.partitions[0]!.records as Buffer)).toHaveLength(1);
    } finally {
      consumer.close();
      unlimited.close();
      await raw.send(49, 1, { entries: [quota([['client-id', 'first-batch-consumer']], 'consumer_byte_rate', 0, true)], validateOnly: false });
    }
  });

  it('keeps a throttled kafkajs producer working through the muted connection', async () => {
    // About 3% over a 20 kB/s bound for the 10 s window: a throttle of a few hundred milliseconds.
    await raw.send(49, 1, { entries: [quota([['client-id', 'slow-producer']], 'producer_byte_rate', 20_000)], validateOnly: false });
    const producer = kafkaFor(broker, 'slow-producer').producer();
    await producer.connect();
    try {
      await producer.send({ topic: 'quota-produce', messages: [{ value: Buffer.alloc(205_000, 3) }] });
      const [second] = await producer.send({ topic: 'quota-produce', messages: [{ value: 'after the mute' }] });
      expect(second!.errorCode).toBe(0);
    } finally {
      await producer.disconnect();
    }
  });

  it('throttles a client over request_percentage and keeps serving it', async () => {
    // 0.001% of one thread is 0.1 ms of broker time per 10 s window: a few produce requests exceed it.
    await raw.send(49, 1, { entries: [quota([['client-id', 'busy-client']], 'request_percentage', 0.001)], validateOnly: false });
    const busy = await RawClient.connect(broker.host, broker.port, 'busy-client');
    try {
      let throttleTimeMs = 0;
      for (let i = 0; i < 50 && throttleTimeMs === 0; i++) {
        const answer = await busy.send(0, 9, quotaProduce('quota-produce', 10_000));
        expect(answer.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
        throttleTimeMs = answer.throttleTimeMs;
      }
      // Kafka bounds a request-quota throttle by one quota window.
      expect(throttleTimeMs).toBeGreaterThan(0);
      expect(throttleTimeMs).toBeLessThanOrEqual(1000);
      // Any API carries the throttle, and the muted connection is served once the time has passed.
      const metadata = await busy.send(3, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      expect(metadata.throttleTimeMs).toBeGreaterThan(0);
      expect(metadata.topics.map((t) => t.name)).toContain('quota-produce');
      // The same quota holds a kafkajs producer back without failing it.
      const producer = kafkaFor(broker, 'busy-client').producer();
      await producer.connect();
      try {
        for (const value of ['one', 'two', 'three']) {
          const [sent] = await producer.send({ topic: 'quota-produce', messages: [{ value }] });
          expect(sent!.errorCode).toBe(0);
        }
      } finally {
        await producer.disconnect();
      }
    } finally {
      busy.close();
      await raw.send(49, 1, { entries: [quota([['client-id', 'busy-client']], 'request_percentage', 0, true)], validateOnly: false });
    }
  });

  it('refuses topic mutations over controller_mutation_rate from v6, throttles them before', async () => {
    const newTopic = (name: string, numPartitions: number) => ({ name, numPartitions, replicationFactor: -1, assignments: [], configs: [] });
    // 5 partitions a second: a full bucket holds 55; 60 partitions leave it 5 in debt (1 s to repay).
    await raw.send(49, 1, { entries: [quota([['client-id', 'mutator']], 'controller_mutation_rate', 5)], validateOnly: false });
    const mutator = await RawClient.connect(broker.host, broker.port, 'mutator');
    try {
      const create = (version: number, name: string, partitions: number) =>
        mutator.send(19, version, { topics: [newTopic(name, partitions)], timeoutMs: 5000, validateOnly: false });
      // A strict request is let through while the bucket is not in debt, and may overdraw it.
      const first = await create(7, 'mutation-a', 60);
      expect([first.throttleTimeMs, first.topics[0]!.errorCode]).toEqual([0, ErrorCode.NONE]);
      const refused = await create(7, 'mutation-b', 1);
      expect(refused.topics.map((t) => [t.errorCode, t.errorMessage])).toEqual([[ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'The throttling quota has been exceeded.']]);
      expect(refused.throttleTimeMs).toBeGreaterThan(0);
      // The mute lasted until the debt was repaid: 10 partitions go through and overdraw again.
      expect((await create(7, 'mutation-b', 10)).topics[0]!.errorCode).toBe(ErrorCode.NONE);
      const deleting = await mutator.send(20, 6, { topics: [{ name: 'mutation-a', topicId: ZERO_UUID }], topicNames: [], timeoutMs: 5000 });
      expect(deleting.responses.map((r) => r.errorCode)).toEqual([ErrorCode.THROTTLING_QUOTA_EXCEEDED]);
      expect(deleting.throttleTimeMs).toBeGreaterThan(0);
      expect((await create(7, 'mutation-c', 10)).topics[0]!.errorCode).toBe(ErrorCode.NONE);
      const growing = await mutator.send(37, 3, { topics: [{ name: 'mutation-c', count: 11, assignments: null }], timeoutMs: 5000, validateOnly: false });
      expect(growing.results.map((r) => r.errorCode)).toEqual([ErrorCode.THROTTLING_QUOTA_EXCEEDED]);
      // CreateTopics v5 predates the error: the topic is created and the answer throttled.
      expect((await create(7, 'mutation-d', 10)).topics[0]!.errorCode).toBe(ErrorCode.NONE);
      const permissive = await create(5, 'mutation-e', 3);
      expect(permissive.topics.map((t) => t.errorCode)).toEqual([ErrorCode.NONE]);
      expect(permissive.throttleTimeMs).toBeGreaterThan(0);
    } finally {
      mutator.close();
      await raw.send(49, 1, { entries: [quota([['client-id', 'mutator']], 'controller_mutation_rate', 0, true)], validateOnly: false });
    }
  });
});

describe('client quotas with an authorizer and a data dir', () => {
  it('need ALTER_CONFIGS / DESCRIBE_CONFIGS on the cluster, and survive a restart', async () => {
    const dir = tempDir();
    const properties = {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="a" user_alice="a";',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin',
    };
    try {
      let broker = await withBroker({ dataDir: dir.path, properties });
      const alice = await RawClient.connectPlain(broker.host, broker.port, 'alice', 'a');
      const admin = await RawClient.connectPlain(broker.host, broker.port, 'admin', 'a');
      const entry = quota([['user', 'alice']], 'consumer_byte_rate', 4096);
      expect((await alice.send(49, 1, { entries: [entry], validateOnly: false })).entries[0]!.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      expect((await alice.send(48, 1, { components: [], strict: false })).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      expect((await admin.send(49, 1, { entries: [entry], validateOnly: false })).entries[0]!.errorCode).toBe(ErrorCode.NONE);
      alice.close();
      admin.close();
      await broker.stop();
      broker = await withBroker({ dataDir: dir.path, properties });
      const again = await RawClient.connectPlain(broker.host, broker.port, 'admin', 'a');
      try {
        expect((await again.send(48, 1, { components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: true })).entries).toEqual([
          { entity: [{ entityType: 'user', entityName: 'alice' }], values: [{ key: 'consumer_byte_rate', value: 4096 }] },
        ]);
      } finally {
        again.close();
        await broker.stop();
      }
    } finally {
      dir.remove();
    }
  });
});
