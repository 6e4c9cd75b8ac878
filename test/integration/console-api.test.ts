// The web console's JSON API against a real broker, checked with real clients (kafkajs, the
// Confluent schema registry client, a raw Kafka connection): the cluster overview, topics created
// and deleted as Kafka would (its errors included), the record browser by offset and timestamp
// with schema-registry decoding, producing, consumer groups with members and offset resets,
// connected clients, transactions and chart counts; writes refused when
// creek.console.writes.enable is off and from another origin.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { packageVersion } from '../../src/cli/version.js';
import type { ClientView, ClusterOverview, TransactionView } from '../../src/console/cluster-api.js';
import type { ConsoleError } from '../../src/console/console-context.js';
import type { GroupDetail } from '../../src/console/groups-api.js';
import type { ProducedRecord, RecordsPage } from '../../src/console/records-api.js';
import type { ConsoleStats } from '../../src/console/stats-api.js';
import type { CreatedTopic, TopicDetail, TopicSummary } from '../../src/console/topics-api.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { eventually } from '../helpers/eventually.js';
import { jsonCall, type HttpCall } from '../helpers/http.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: RunningBroker;
let kafka: Kafka;
let url: string;

beforeAll(async () => {
  broker = await withBroker({ httpPort: 0, properties: { 'group.initial.rebalance.delay.ms': 0 } });
  kafka = kafkaFor(broker, 'console-api-test');
  url = broker.http!.url;
});
afterAll(() => broker?.stop());

/** This broker's console API, answering `T` (ConsoleError when it refuses). */
const call = <T = unknown>(path: string, options: HttpCall = {}) => jsonCall<T>(url, path, options);

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

async function kafkaTopics(): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

async function committedOffsets(groupId: string, topic: string): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return fetched!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  } finally {
    await admin.disconnect();
  }
}

describe('cluster overview', () => {
  it('names the brokers with their listeners, the controller, the version, uptime and log dirs', async () => {
    const { status, body } = await call<ClusterOverview>('/api/cluster');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      clusterId: broker.broker.clusterId,
      controllerId: 1,
      nodeId: 1,
      version: packageVersion(),
      consoleWritesEnabled: true,
      brokers: [{ nodeId: 1, controller: true, local: true, listeners: [{ name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: broker.host, port: broker.port }] }],
      underReplicatedPartitions: 0,
    });
    expect(body.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(body.logDirs).toHaveLength(1);
  });
});

describe('topics', () => {
  it('creates a topic with partitions and configs that Kafka clients then see, and refuses a duplicate with Kafka\'s error', async () => {
    const created = await call<CreatedTopic>('/api/topics', { method: 'POST', json: { name: 'made-by-console', partitions: 3, configs: { 'retention.ms': '3600000' } } });
    expect(created).toMatchObject({ status: 201, body: { name: 'made-by-console', partitions: 3, replicationFactor: 1 } });
    expect(await kafkaTopics()).toContain('made-by-console');
    const detail = (await call<TopicDetail>('/api/topics/made-by-console')).body;
    expect(detail.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr])).toEqual([
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
      [2, 1, [1], [1]],
    ]);
    expect(detail.retentionMs).toBe(3600000);
    expect(detail.configs.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '3600000', source: 'DYNAMIC_TOPIC_CONFIG' });
    expect(detail.configs.find((c) => c.name === 'cleanup.policy')).toMatchObject({ value: 'delete', source: 'DEFAULT_CONFIG' });

    expect(await call('/api/topics', { method: 'POST', json: { name: 'made-by-console' } })).toMatchObject({ status: 400, body: { error_code: 36, error: 'TOPIC_ALREADY_EXISTS' } });
    expect(await call('/api/topics', { method: 'POST', json: { name: 'no-partitions', partitions: 0 } })).toMatchObject({ status: 400, body: { error_code: 37, error: 'INVALID_PARTITIONS' } });
    expect(await call('/api/topics', { method: 'POST', json: { name: 'bad/name' } })).toMatchObject({ status: 400, body: { error_code: 17, error: 'INVALID_TOPIC_EXCEPTION' } });
    expect(await call('/api/topics', { method: 'POST', json: { name: 'bad-config', configs: { 'retention.ms': 'soon' } } })).toMatchObject({ status: 400, body: { error_code: 40, error: 'INVALID_CONFIG' } });
  });

  it('deletes a topic, and answers UNKNOWN_TOPIC_OR_PARTITION for one that is not there', async () => {
    expect((await call('/api/topics', { method: 'POST', json: { name: 'short-lived' } })).status).toBe(201);
    expect(await call('/api/topics/short-lived', { method: 'DELETE' })).toMatchObject({ status: 200, body: { name: 'short-lived' } });
    expect(await kafkaTopics()).not.toContain('short-lived');
    expect((await call<TopicSummary[]>('/api/topics')).body.map((t) => t.name)).not.toContain('short-lived');
    expect(await call('/api/topics/short-lived', { method: 'DELETE' })).toMatchObject({ status: 400, body: { error_code: 3, error: 'UNKNOWN_TOPIC_OR_PARTITION' } });
    expect((await call('/api/topics/short-lived')).status).toBe(404);
  });

  it('lists partitions with sizes and record counts', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'counted', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    await producer.disconnect();
    const counted = (await call<TopicSummary[]>('/api/topics')).body.find((t) => t.name === 'counted');
    expect(counted).toMatchObject({ records: 3, replicationFactor: 1, cleanupPolicy: 'delete', partitions: [{ partition: 0, logStartOffset: 0, highWatermark: 3, records: 3 }] });
    expect(counted?.size).toBeGreaterThan(0);
  });
});

describe('records', () => {
  it('produces a record with key and headers that a Kafka consumer reads', async () => {
    await call('/api/topics', { method: 'POST', json: { name: 'produced-by-console', partitions: 2 } });
    const produced = await call<ProducedRecord>('/api/topics/produced-by-console/records', { method: 'POST', json: { partition: 1, key: 'k', value: 'hello', headers: [{ key: 'trace', value: 't-1' }] } });
    expect(produced).toMatchObject({ status: 201, body: { partition: 1, offset: 0 } });
    const consumer = kafka.consumer({ groupId: 'reads-console-records' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'produced-by-console', fromBeginning: true });
    const seen: { partition: number; key: string; value: string; trace: string }[] = [];
    await consumer.run({ eachMessage: async ({ partition, message }) => void seen.push({ partition, key: String(message.key), value: String(message.value), trace: String(message.headers!.trace) }) });
    await eventually(() => seen.length > 0, 'the record consumed');
    await consumer.disconnect();
    expect(seen).toEqual([{ partition: 1, key: 'k', value: 'hello', trace: 't-1' }]);
    expect(await call('/api/topics/produced-by-console/records', { method: 'POST', json: { partition: 5, value: 'x' } })).toMatchObject({ status: 400, body: { error: 'UNKNOWN_TOPIC_OR_PARTITION' } });
  });

  it('reads from the first record at or after a timestamp, and says where to follow from', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'timed', messages: [1000, 2000, 3000].map((t) => ({ value: `at-${t}`, timestamp: String(t) })) });
    await producer.disconnect();
    const from = (await call<RecordsPage>('/api/topics/timed/partitions/0/records?timestamp=1500')).body;
    expect(from.records.map((r) => r.value?.text)).toEqual(['at-2000', 'at-3000']);
    expect(from.nextOffset).toBe(3);
    expect((await call('/api/topics/timed/partitions/0/records?timestamp=9000')).body).toMatchObject({ from: 3, nextOffset: 3, records: [] });
    const limited = (await call<RecordsPage>('/api/topics/timed/partitions/0/records?offset=0&limit=1')).body;
    expect(limited).toMatchObject({ nextOffset: 1, records: [{ offset: 0 }] });
  });

  it('decodes values framed with a schema id with the registry\'s Avro, JSON Schema and Protobuf schemas', async () => {
    const registry = new SchemaRegistry({ host: url });
    const avro = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'item', type: 'string' }] }) }, { subject: 'orders-value' });
    const json = await registry.register({ type: SchemaType.JSON, schema: JSON.stringify({ type: 'object', properties: { city: { type: 'string' } } }) }, { subject: 'places-value' });
    const protoSchema = 'syntax = "proto3";\npackage shop;\nmessage Receipt { string id = 1; }\nmessage Basket { string owner = 1; int32 items = 2; }\n';
    const proto = await registry.register({ type: SchemaType.PROTOBUF, schema: protoSchema }, { subject: 'baskets-value' });
    // Confluent's Protobuf framing: after the id, the message's index path as zigzag varints
    // (count 1, index 1: Basket, the file's second message), then the message.
    const basket = protobuf.parse(protoSchema).root.lookupType('shop.Basket');
    const framedBasket = Buffer.concat([Buffer.from([0]), int32(proto.id), Buffer.from([2, 2]), Buffer.from(basket.encode({ owner: 'ana', items: 3 }).finish())]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'framed',
      messages: [
        { value: await registry.encode(avro.id, { id: 7, item: 'tea' }) },
        { value: await registry.encode(json.id, { city: 'Lyon' }) },
        { value: framedBasket },
        { value: Buffer.from([0, 0, 0, 0x7f, 0xff, 1]) },
      ],
    });
    await producer.disconnect();
    const { records } = (await call<RecordsPage>('/api/topics/framed/partitions/0/records')).body;
    expect(records.map((r) => r.value?.schema)).toEqual([
      { id: avro.id, schemaType: 'AVRO', subject: 'orders-value', decoded: { id: 7, item: 'tea' } },
      { id: json.id, schemaType: 'JSON', subject: 'places-value', decoded: { city: 'Lyon' } },
      { id: proto.id, schemaType: 'PROTOBUF', subject: 'baskets-value', decoded: { owner: 'ana', items: 3 } },
      { id: 0x7fff, error: 'Schema 32767 not found' },
    ]);
  });
});

describe('consumer groups', () => {
  it('shows an active group\'s members and assignment, refuses a reset while it is active, and resets it once empty', async () => {
    const topic = 'reset-me';
    await call('/api/topics', { method: 'POST', json: { name: topic, partitions: 2 } });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 1, 2, 3].map((i) => ({ partition: i % 2, value: `v${i}`, timestamp: String(1000 * (i + 1)) })) });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'resettable' });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let consumed = 0;
    await consumer.run({ eachMessage: async () => void consumed++ });
    await eventually(() => consumed === 4, 'every record consumed');
    const active = await eventually(async () => {
      const g = (await call<GroupDetail>('/api/groups/resettable')).body;
      return g.state === 'Stable' && g.lag === 0 && g.partitions.length === 2 ? g : undefined;
    }, 'the group stable with its offsets committed');
    expect(active.members).toEqual([expect.objectContaining({ clientId: 'console-api-test', assignment: [{ topic, partitions: [0, 1] }] })]);
    expect(active.partitions.map((p) => p.memberId)).toEqual([active.members[0]!.memberId, active.members[0]!.memberId]);
    const refused = await call('/api/groups/resettable/reset-offsets', { method: 'POST', json: { topic, to: 'earliest' } });
    expect(refused).toMatchObject({ status: 409, body: { message: "Assignments can only be reset if the group 'resettable' is inactive, but the current state is Stable." } });
    await consumer.disconnect();

    const reset = async (json: Record<string, unknown>) => {
      const answer = await call('/api/groups/resettable/reset-offsets', { method: 'POST', json: { topic, ...json } });
      expect(answer.status).toBe(200);
      return committedOffsets('resettable', topic);
    };
    expect(await reset({ to: 'earliest' })).toEqual([0, 0]);
    expect((await call('/api/groups/resettable')).body).toMatchObject({ state: 'Empty', lag: 4 });
    expect(await reset({ to: 'latest' })).toEqual([2, 2]);
    // Partition 0 holds timestamps 1000 and 3000, partition 1 2000 and 4000.
    expect(await reset({ to: 'timestamp', timestamp: 2500 })).toEqual([1, 1]);
    expect(await reset({ to: 'timestamp', timestamp: 10_000 })).toEqual([2, 2]);
    expect(await reset({ to: 'offset', offset: 1, partitions: [1] })).toEqual([2, 1]);
    // Past the log end: the log end, as kafka-consumer-groups does.
    expect(await reset({ to: 'offset', offset: 99 })).toEqual([2, 2]);
    expect((await call('/api/groups/resettable/reset-offsets', { method: 'POST', json: { topic, to: 'offset' } })).status).toBe(400);
    expect((await call('/api/groups/resettable/reset-offsets', { method: 'POST', json: { topic, to: 'sideways' } })).status).toBe(400);
  });

  it('shows a consumer-protocol (KIP-848) group\'s members with their assignment, and refuses a reset while it has members', async () => {
    await call('/api/topics', { method: 'POST', json: { name: 'for-848', partitions: 2 } });
    const client = await RawClient.connect(broker.host, broker.port, 'member-848');
    try {
      const joined = await client.send(68, 0, { groupId: 'g-848', memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 5000, subscribedTopicNames: ['for-848'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] });
      expect(joined.errorCode).toBe(0);
      const group = (await call<GroupDetail>('/api/groups/g-848')).body;
      expect(group).toMatchObject({ type: 'consumer', members: [{ memberId: joined.memberId, clientId: 'member-848', assignment: [{ topic: 'for-848', partitions: [0, 1] }] }] });
      expect((await call('/api/groups/g-848/reset-offsets', { method: 'POST', json: { topic: 'for-848', to: 'earliest' } })).status).toBe(409);
    } finally {
      client.close();
    }
  });

  it('resets offsets of a group that never had members, as kafka-consumer-groups does', async () => {
    await call('/api/topics', { method: 'POST', json: { name: 'for-new-group' } });
    expect((await call('/api/groups/brand-new/reset-offsets', { method: 'POST', json: { topic: 'for-new-group', to: 'latest' } })).status).toBe(200);
    expect(await committedOffsets('brand-new', 'for-new-group')).toEqual([0]);
  });
});

describe('clients, transactions and chart counts', () => {
  it('lists connected clients with the software name and version they sent in ApiVersions', async () => {
    const client = await RawClient.connect(broker.host, broker.port, 'raw-console-client');
    try {
      await client.send(18, 3, { clientSoftwareName: 'console-test', clientSoftwareVersion: '9.9.1', clusterId: null, nodeId: -1 });
      const clients = (await call<ClientView[]>('/api/clients')).body;
      expect(clients).toContainEqual(expect.objectContaining({ clientId: 'raw-console-client', softwareName: 'console-test', softwareVersion: '9.9.1', listener: 'PLAINTEXT', principal: 'User:ANONYMOUS' }));
      expect(clients.find((c) => c.clientId === 'raw-console-client')?.address).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      client.close();
    }
  });

  it('shows an open transaction with its partitions, then its completion', async () => {
    const producer = kafka.producer({ transactionalId: 'console-txn', maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'txn-topic', messages: [{ value: 'inside' }] });
    const open = (await call<TransactionView[]>('/api/transactions')).body.find((t) => t.transactionalId === 'console-txn');
    expect(open).toMatchObject({ state: 'Ongoing', partitions: [{ topic: 'txn-topic', partition: 0 }], producerEpoch: expect.any(Number) });
    expect(open?.startTimeMs).toBeGreaterThan(0);
    await txn.commit();
    await eventually(async () => (await call<TransactionView[]>('/api/transactions')).body.find((t) => t.transactionalId === 'console-txn' && t.state === 'CompleteCommit'), 'the transaction completed');
    await producer.disconnect();
  });

  it('counts bytes and records in and out and requests per API for the charts', async () => {
    const before = (await call<ConsoleStats>('/api/stats')).body;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'charted', messages: [{ value: 'one' }, { value: 'two' }] });
    await producer.disconnect();
    const after = (await call<ConsoleStats>('/api/stats')).body;
    expect(after.messagesIn - before.messagesIn).toBe(2);
    expect(after.bytesIn).toBeGreaterThan(before.bytesIn);
    expect(after.requests.Produce).toBe((before.requests.Produce ?? 0) + 1);
    expect(after.at).toBeGreaterThanOrEqual(before.at);

    const consumer = kafka.consumer({ groupId: 'charted-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'charted', fromBeginning: true });
    let read = 0;
    await consumer.run({ eachMessage: async () => void read++ });
    await eventually(async () => read === 2, 'both records consumed');
    await consumer.disconnect();
    const fetched = (await call<ConsoleStats>('/api/stats')).body;
    expect(fetched.messagesOut - after.messagesOut).toBeGreaterThanOrEqual(2);
    expect(fetched.bytesOut).toBeGreaterThan(after.bytesOut);
  });
});

describe('write protection', () => {
  it('refuses writes from another origin or as a cross-site form post, and changes nothing', async () => {
    const attempts: HttpCall[] = [
      { method: 'POST', json: { name: 'csrf-topic' }, headers: { Origin: 'http://evil.example' } },
      { method: 'POST', json: { name: 'csrf-topic' }, headers: { 'Sec-Fetch-Site': 'cross-site' } },
      { method: 'POST', body: JSON.stringify({ name: 'csrf-topic' }), headers: { 'Content-Type': 'text/plain' } },
    ];
    expect(await Promise.all(attempts.map(async (a) => (await call('/api/topics', a)).status))).toEqual([403, 403, 415]);
    expect((await call('/api/topics/counted', { method: 'DELETE', headers: { Origin: 'http://evil.example' } })).status).toBe(403);
    expect(await kafkaTopics()).not.toContain('csrf-topic');
    expect(await kafkaTopics()).toContain('counted');
  });

  describe('with creek.console.writes.enable=false', () => {
    let readOnly: RunningBroker;
    beforeAll(async () => {
      readOnly = await withBroker({ httpPort: 0, properties: { 'creek.console.writes.enable': false } });
    });
    afterAll(() => readOnly?.stop());

    it('refuses every write with 403 and says which key turns them on, while reads go on', async () => {
      const at = <T>(path: string, options: HttpCall = {}) => jsonCall<T>(readOnly.http!.url, path, options);
      const producer = kafkaFor(readOnly).producer();
      await producer.connect();
      await producer.send({ topic: 'kept', messages: [{ value: 'x' }] });
      await producer.disconnect();
      const writes: [string, HttpCall][] = [
        ['/api/topics', { method: 'POST', json: { name: 'not-made' } }],
        ['/api/topics/kept', { method: 'DELETE' }],
        ['/api/topics/kept/records', { method: 'POST', json: { value: 'y' } }],
        ['/api/groups/g/reset-offsets', { method: 'POST', json: { topic: 'kept', to: 'earliest' } }],
      ];
      for (const answer of await Promise.all(writes.map(([path, options]) => at<ConsoleError>(path, options)))) {
        expect(answer.status).toBe(403);
        expect(answer.body.message).toContain('creek.console.writes.enable');
      }
      expect((await at<ClusterOverview>('/api/cluster')).body.consoleWritesEnabled).toBe(false);
      const topics = (await at<TopicSummary[]>('/api/topics')).body.filter((t) => !t.internal);
      expect(topics.map((t) => [t.name, t.records])).toEqual([['kept', 1]]);
      expect((await at<RecordsPage>('/api/topics/kept/partitions/0/records')).body.records).toHaveLength(1);
    });
  });
});
