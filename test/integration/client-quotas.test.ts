// Client quotas on a live broker: AlterClientQuotas/DescribeClientQuotas over the wire (with
// Kafka's refusals and, under an authorizer, ALTER_CONFIGS/DESCRIBE_CONFIGS on the cluster),
// producer_byte_rate and consumer_byte_rate answered with throttle_time_ms (a throttled fetch
// without data), a kafkajs producer that keeps working through the muted connection, and quotas
// kept across a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

/** The raw client's client id, which the quotas below are set for. */
const RAW_CLIENT_ID = 'raw-client';

const quota = (entity: [string, string | null][], key: string, value: number, remove = false) => ({
  entity: entity.map(([entityType, entityName]) => ({ entityType, entityName })),
  ops: [{ key, value, remove }],
});

function produceRequest(topic: string, valueBytes: number) {
  const records = encodeBatch({ records: [{ key: null, value: Buffer.alloc(valueBytes, 1), headers: [] }], baseTimestamp: Date.now() });
  return { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] };
}

function fetchRequest(topic: string) {
  return {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1 }, maxWaitMs: 0, minBytes: 1, maxBytes: 10_000_000, isolationLevel: 0,
    sessionId: 0, sessionEpoch: -1, forgottenTopicsData: [], rackId: '',
    topics: [{ topic, topicId: ZERO_UUID, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 10_000_000, replicaDirectoryId: ZERO_UUID }] }],
  };
}

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

  it('throttles a producer over producer_byte_rate', async () => {
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'quota-produce' }, { topic: 'quota-fetch' }] });
    await admin.disconnect();
    // The throttled requests go on a connection of their own: it is muted after each throttled answer.
    const limited = await RawClient.connect(broker.host, broker.port);
    try {
      expect((await limited.send(0, 9, produceRequest('quota-produce', 50_000))).throttleTimeMs).toBe(0);
      // 50 kB over the 10 s window is ~5 kB/s: a little over a 4.8 kB/s bound.
      await raw.send(49, 1, { entries: [quota([['client-id', RAW_CLIENT_ID]], 'producer_byte_rate', 4800)], validateOnly: false });
      const throttled = await limited.send(0, 9, produceRequest('quota-produce', 50_000));
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
      const throttled = await limited.send(1, 12, fetchRequest('quota-fetch'));
      expect(throttled.throttleTimeMs).toBeGreaterThan(0);
      expect(throttled.responses).toEqual([]);
      await raw.send(49, 1, { entries: [quota([['client-id', RAW_CLIENT_ID]], 'consumer_byte_rate', 0, true)], validateOnly: false });
      // Served once the mute is over, and without a quota, unthrottled.
      const served = await limited.send(1, 12, fetchRequest('quota-fetch'));
      expect(served.throttleTimeMs).toBe(0);
      expect(served.responses[0]!.partitions[0]!.records).not.toEqual([]);
    } finally {
      limited.close();
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
