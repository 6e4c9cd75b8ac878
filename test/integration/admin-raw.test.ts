// Admin APIs kafkajs does not expose (or whose messages it hides), as raw protocol requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import type { CreateTopicsRequestCreatableTopic } from '../../protocol/schema/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: RunningBroker;
let client: RawClient;
beforeAll(async () => {
  broker = await withBroker({ nodeId: 3 });
  client = await RawClient.connect(broker.host, broker.port);
});
afterAll(async () => {
  client.close();
  await broker.stop();
});

const topic = (name: string, numPartitions = 1, configs: { name: string; value: string | null }[] = []): CreateTopicsRequestCreatableTopic => ({
  name,
  numPartitions,
  replicationFactor: -1,
  assignments: [],
  configs,
});

async function create(...topics: CreateTopicsRequestCreatableTopic[]) {
  return (await client.send(19, 7, { topics, timeoutMs: 5000, validateOnly: false })).topics;
}

async function produce(name: string, values: string[]): Promise<void> {
  const producer = kafkaFor(broker).producer();
  await producer.connect();
  for (const value of values) await producer.send({ topic: name, messages: [{ value, partition: 0 }] });
  await producer.disconnect();
}

describe('CreateTopics v7', () => {
  it('returns id, layout and configs, and Kafka messages for refusals', async () => {
    const [made] = await create(topic('raw-created', 2, [{ name: 'retention.ms', value: '1000' }]));
    expect(made).toMatchObject({ name: 'raw-created', errorCode: 0, errorMessage: null, numPartitions: 2, replicationFactor: 1 });
    expect(made!.topicId).toBe(broker.broker.topics.get('raw-created')!.id);
    expect(made!.configs).toContainEqual({ name: 'retention.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false });
    const names = made!.configs!.map((c) => c.name);
    expect(names).toEqual([...names].sort());

    const results = await create(
      topic('raw-created'),
      { ...topic('raw-rf'), replicationFactor: 2 },
      topic('raw-dup'),
      topic('raw-dup'),
      topic('raw-zero', 0),
      topic('raw-null', 1, [{ name: 'retention.ms', value: null }]),
    );
    expect(results.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual([
      ['raw-created', 36, "Topic 'raw-created' already exists."],
      ['raw-rf', 38, 'Unable to replicate the partition 2 time(s): The target replication factor of 2 cannot be reached because only 1 broker(s) are registered or some brokers have all their log directories cordoned.'],
      ['raw-zero', 37, 'Number of partitions was set to an invalid non-positive value.'],
      ['raw-null', 40, 'Null value not supported for topic configs: retention.ms'],
      ['raw-dup', 42, 'Duplicate topic name.'],
    ]);
    expect(broker.broker.topics.get('raw-dup')).toBeUndefined();
  });

  it('checks manual assignments', async () => {
    const assigned = (assignments: { partitionIndex: number; brokerIds: number[] }[], numPartitions = -1) => ({ ...topic('raw-assigned', numPartitions), assignments });
    const results = [
      ...(await create(assigned([{ partitionIndex: 0, brokerIds: [3, 3] }]))),
      ...(await create(assigned([{ partitionIndex: 1, brokerIds: [3] }]))),
      ...(await create(assigned([{ partitionIndex: 0, brokerIds: [3] }], 1))),
    ];
    expect(results.map((r) => [r.errorCode, r.errorMessage])).toEqual([
      [39, 'The manual partition assignment includes the broker 3 more than once.'],
      [39, 'partitions should be a consecutive 0-based integer sequence'],
      [42, 'A manual partition assignment was specified, but numPartitions was not set to -1.'],
    ]);
  });
});

describe('DeleteTopics v6', () => {
  it('deletes by id and answers unknown ids and names', async () => {
    const [made] = await create(topic('raw-by-id'));
    const res = await client.send(20, 6, {
      topics: [
        { name: null, topicId: made!.topicId! },
        { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
        { name: 'raw-never', topicId: ZERO_UUID },
      ],
      topicNames: [],
      timeoutMs: 5000,
    });
    expect(res.responses).toEqual([
      { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', errorCode: 100, errorMessage: 'This server does not host this topic ID.' },
      { name: 'raw-never', topicId: ZERO_UUID, errorCode: 3, errorMessage: null },
      { name: 'raw-by-id', topicId: made!.topicId, errorCode: 0, errorMessage: null },
    ]);
    expect(broker.broker.topics.get('raw-by-id')).toBeUndefined();
  });
});

describe('DeleteTopics with delete.topic.enable=false', () => {
  it('answers TOPIC_DELETION_DISABLED (v3+) or INVALID_REQUEST (v1-2)', async () => {
    const locked = await withBroker({ properties: { 'delete.topic.enable': false } });
    const c = await RawClient.connect(locked.host, locked.port);
    try {
      await c.send(19, 7, { topics: [topic('kept')], timeoutMs: 5000, validateOnly: false });
      const v4 = await c.send(20, 4, { topics: [], topicNames: ['kept'], timeoutMs: 5000 });
      const v1 = await c.send(20, 1, { topics: [], topicNames: ['kept'], timeoutMs: 5000 });
      expect(v4.responses.map((r) => r.errorCode)).toEqual([73]);
      expect(v1.responses.map((r) => r.errorCode)).toEqual([42]);
      expect(locked.broker.topics.get('kept')).toBeDefined();
    } finally {
      c.close();
      await locked.stop();
    }
  });
});

describe('CreatePartitions v3', () => {
  it('answers Kafka messages', async () => {
    await create(topic('raw-grow', 2));
    const res = await client.send(37, 3, {
      topics: [
        { name: 'raw-grow', count: 2, assignments: null },
        { name: 'raw-absent', count: 4, assignments: null },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(res.results).toEqual([
      { name: 'raw-grow', errorCode: 37, errorMessage: 'Topic already has 2 partition(s).' },
      { name: 'raw-absent', errorCode: 3, errorMessage: null },
    ]);
    const assigned = await client.send(37, 3, { topics: [{ name: 'raw-grow', count: 4, assignments: [{ brokerIds: [3] }] }], timeoutMs: 5000, validateOnly: false });
    expect(assigned.results[0]).toEqual({ name: 'raw-grow', errorCode: 39, errorMessage: 'Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.' });
    const ok = await client.send(37, 3, { topics: [{ name: 'raw-grow', count: 4, assignments: [{ brokerIds: [3] }, { brokerIds: [3] }] }], timeoutMs: 5000, validateOnly: false });
    expect(ok.results[0]!.errorCode).toBe(0);
    expect(broker.broker.topics.get('raw-grow')!.partitions).toHaveLength(4);
  });
});

describe('DeleteRecords v2', () => {
  it('refuses offsets beyond the high watermark', async () => {
    await create(topic('raw-records'));
    await produce('raw-records', ['a', 'b', 'c']);
    const res = await client.send(21, 2, { topics: [{ name: 'raw-records', partitions: [{ partitionIndex: 0, offset: 9 }, { partitionIndex: 5, offset: 1 }] }], timeoutMs: 5000 });
    expect(res.topics[0]!.partitions).toEqual([
      { partitionIndex: 0, lowWatermark: -1, errorCode: 1 },
      { partitionIndex: 5, lowWatermark: -1, errorCode: 3 },
    ]);
    const ok = await client.send(21, 2, { topics: [{ name: 'raw-records', partitions: [{ partitionIndex: 0, offset: 2 }] }], timeoutMs: 5000 });
    expect(ok.topics[0]!.partitions[0]).toEqual({ partitionIndex: 0, lowWatermark: 2, errorCode: 0 });
  });
});

describe('OffsetForLeaderEpoch v4', () => {
  it('answers the end offset of epoch 0 and fences other current epochs', async () => {
    await create(topic('raw-epochs'));
    await produce('raw-epochs', ['a', 'b']);
    const ask = (currentLeaderEpoch: number, leaderEpoch: number, partition = 0) =>
      client.send(23, 4, { replicaId: -1, topics: [{ topic: 'raw-epochs', partitions: [{ partition, currentLeaderEpoch, leaderEpoch }] }] }).then((r) => r.topics[0]!.partitions[0]);
    expect(await ask(0, 0)).toEqual({ errorCode: 0, partition: 0, leaderEpoch: 0, endOffset: 2 });
    expect(await ask(-1, 0)).toEqual({ errorCode: 0, partition: 0, leaderEpoch: 0, endOffset: 2 });
    expect(await ask(1, 0)).toMatchObject({ errorCode: 75 });
    expect(await ask(0, 0, 9)).toMatchObject({ errorCode: 3 });
  });
});

describe('IncrementalAlterConfigs v1', () => {
  const alter = (resourceType: number, resourceName: string, configs: { name: string; configOperation: number; value: string | null }[], validateOnly = false) =>
    client.send(44, 1, { resources: [{ resourceType, resourceName, configs }], validateOnly }).then((r) => r.responses[0]!);
  const describeTopic = (name: string, key: string) =>
    client.send(32, 4, { resources: [{ resourceType: 2, resourceName: name, configurationKeys: [key] }], includeSynonyms: true, includeDocumentation: true }).then((r) => r.results[0]!);

  it('SET, APPEND, SUBTRACT and DELETE topic configs', async () => {
    await create(topic('raw-incremental'));
    expect(await alter(2, 'raw-incremental', [{ name: 'retention.ms', configOperation: 0, value: '5000' }])).toMatchObject({ errorCode: 0 });
    expect(await alter(2, 'raw-incremental', [{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }])).toMatchObject({ errorCode: 0 });
    expect(broker.broker.topics.get('raw-incremental')!.overrides).toEqual(new Map([['retention.ms', '5000'], ['cleanup.policy', 'delete,compact']]));
    expect(await alter(2, 'raw-incremental', [{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }, { name: 'retention.ms', configOperation: 1, value: null }])).toMatchObject({ errorCode: 0 });
    expect(broker.broker.topics.get('raw-incremental')!.overrides).toEqual(new Map([['cleanup.policy', 'compact']]));
    expect(broker.broker.topics.get('raw-incremental')!.config.compact).toBe(true);

    const described = await describeTopic('raw-incremental', 'cleanup.policy');
    expect(described.configs).toEqual([
      expect.objectContaining({ name: 'cleanup.policy', value: 'compact', configSource: 1, configType: 7, synonyms: [{ name: 'cleanup.policy', value: 'compact', source: 1 }, { name: 'log.cleanup.policy', value: 'delete', source: 5 }] }),
    ]);
    expect(described.configs[0]!.documentation).toEqual(expect.any(String));
  });

  it('answers Kafka errors', async () => {
    expect(await alter(2, 'raw-incremental', [{ name: 'retention.ms', configOperation: 2, value: '1' }])).toMatchObject({
      errorCode: 40,
      errorMessage: "Can't APPEND to key retention.ms because its type is not LIST.",
    });
    expect(await alter(2, 'raw-missing', [{ name: 'retention.ms', configOperation: 0, value: '1' }])).toMatchObject({ errorCode: 3, errorMessage: "The topic 'raw-missing' does not exist." });
    expect(await alter(2, 'raw-incremental', [{ name: 'retention.ms', configOperation: 0, value: null }])).toMatchObject({ errorCode: 42, errorMessage: 'Null value not supported for : retention.ms' });
    expect(await alter(4, '9', [{ name: 'log.retention.ms', configOperation: 0, value: '1' }])).toMatchObject({ errorCode: 42, errorMessage: 'Unexpected broker id, expected 3, but received 9' });
    expect(await alter(4, '', [{ name: 'log.dirs', configOperation: 0, value: '/x' }])).toMatchObject({ errorCode: 42, errorMessage: 'Cannot update these configs dynamically: [log.dirs]' });
    expect(await alter(99, 'x', [])).toMatchObject({ errorCode: 42, errorMessage: 'Unknown resource type 99' });
    const twice = await client.send(44, 1, { resources: [{ resourceType: 2, resourceName: 'raw-incremental', configs: [] }, { resourceType: 2, resourceName: 'raw-incremental', configs: [] }], validateOnly: false });
    expect(twice.responses.map((r) => [r.errorCode, r.errorMessage])).toEqual([[42, 'Each resource must appear at most once.'], [42, 'Each resource must appear at most once.']]);
  });

  it('sets cluster-wide broker defaults that topics inherit', async () => {
    await create(topic('raw-inherits'));
    expect(await alter(4, '', [{ name: 'log.segment.bytes', configOperation: 0, value: '2097152' }])).toMatchObject({ errorCode: 0 });
    expect((await describeTopic('raw-inherits', 'segment.bytes')).configs[0]).toMatchObject({ value: '2097152', configSource: 3 });
    expect(broker.broker.topics.get('raw-inherits')!.partitions[0]!.config.segmentBytes).toBe(2097152);
    const cluster = await client.send(32, 4, { resources: [{ resourceType: 4, resourceName: '', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
    expect(cluster.results[0]!.configs.map((c) => [c.name, c.value])).toEqual([['log.segment.bytes', '2097152']]);
    expect(await alter(4, '', [{ name: 'log.segment.bytes', configOperation: 1, value: null }])).toMatchObject({ errorCode: 0 });
    expect((await describeTopic('raw-inherits', 'segment.bytes')).configs[0]).toMatchObject({ value: '1073741824', configSource: 5 });
  });
});

describe('DescribeConfigs v4', () => {
  it('refuses other broker ids and unsupported resource types', async () => {
    const res = await client.send(32, 4, {
      resources: [
        { resourceType: 4, resourceName: '8', configurationKeys: null },
        { resourceType: 32, resourceName: 'g', configurationKeys: null },
        { resourceType: 2, resourceName: 'raw-none', configurationKeys: null },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(res.results.map((r) => [r.errorCode, r.errorMessage])).toEqual([
      [42, 'Unexpected broker id, expected 3 or empty string, but received 8'],
      [42, 'Unsupported resource type: GROUP'],
      [3, null],
    ]);
  });
});

describe('DescribeCluster v1', () => {
  it('describes this broker and refuses controller endpoints', async () => {
    const res = await client.send(60, 1, { includeClusterAuthorizedOperations: true, endpointType: 1, includeFencedBrokers: false });
    expect(res).toMatchObject({ errorCode: 0, endpointType: 1, clusterId: broker.broker.clusterId, controllerId: 3, brokers: [{ brokerId: 3, host: broker.host, port: broker.port, rack: null }] });
    expect(res.clusterAuthorizedOperations).toBeGreaterThan(0);
    expect(await client.send(60, 1, { includeClusterAuthorizedOperations: false, endpointType: 2, includeFencedBrokers: false })).toMatchObject({ errorCode: 114 });
  });
});

describe('DescribeLogDirs v4', () => {
  it('reports partition sizes and volume bytes of the log dir', async () => {
    await create(topic('raw-sized', 2));
    await produce('raw-sized', ['some bytes']);
    const res = await client.send(35, 4, { topics: [{ topic: 'raw-sized', partitions: [0, 1, 7] }] });
    expect(res.results).toHaveLength(1);
    const dir = res.results[0]!;
    expect(dir.errorCode).toBe(0);
    expect(dir.topics).toEqual([{ name: 'raw-sized', partitions: [
      { partitionIndex: 0, partitionSize: broker.broker.topics.get('raw-sized')!.partitions[0]!.size, offsetLag: 0, isFutureKey: false },
      { partitionIndex: 1, partitionSize: 0, offsetLag: 0, isFutureKey: false },
    ] }]);
    expect(dir.topics[0]!.partitions[0]!.partitionSize).toBeGreaterThan(0);
  });
});

describe('DescribeTopicPartitions v0', () => {
  it('pages through partitions with a cursor', async () => {
    await create(topic('page-a', 3), topic('page-b', 2));
    const ask = (cursor: { topicName: string; partitionIndex: number } | null) =>
      client.send(75, 0, { topics: [{ name: 'page-b' }, { name: 'page-a' }, { name: 'page-zz' }], responsePartitionLimit: 2, cursor });
    const first = await ask(null);
    expect(first.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([['page-a', [0, 1]]]);
    expect(first.nextCursor).toEqual({ topicName: 'page-a', partitionIndex: 2 });
    const second = await ask(first.nextCursor);
    expect(second.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([['page-a', [2]], ['page-b', [0]]]);
    expect(second.nextCursor).toEqual({ topicName: 'page-b', partitionIndex: 1 });
    const third = await ask(second.nextCursor);
    expect(third.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([['page-b', 0, 1], ['page-zz', 3, 0]]);
    expect(third.nextCursor).toBeNull();
    expect(third.topics[0]!.partitions[0]).toMatchObject({ leaderId: 3, replicaNodes: [3], isrNodes: [3] });
  });
});

describe('Metadata v12 by topic id', () => {
  it('resolves an id sent with an empty name (as the Java Admin does), and reports unknown ids', async () => {
    const [made] = await create(topic('raw-by-id'));
    const unknownId = 'AAAAAAAAAAAAAAAAAAAAAQ';
    const res = await client.send(3, 12, {
      topics: [
        { topicId: made!.topicId!, name: '' },
        { topicId: unknownId, name: '' },
      ],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    // Unknown ids come first, as Kafka answers them.
    expect(res.topics.map((t) => [t.errorCode, t.name, t.topicId, t.partitions.length])).toEqual([
      [100, null, unknownId, 0],
      [0, 'raw-by-id', made!.topicId, 1],
    ]);
    expect(made!.topicId).not.toBe(ZERO_UUID);
  });
});

describe('Metadata after the topic changes', () => {
  const metadata = async (name: string) =>
    (await client.send(3, 12, { topics: [{ name, topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })).topics[0]!;

  it('describes partitions added, and a topic deleted and created again under the same name', async () => {
    const [made] = await create(topic('raw-changing', 2));
    expect((await metadata('raw-changing')).partitions.map((p) => p.partitionIndex)).toEqual([0, 1]);
    const grown = await client.send(37, 3, { topics: [{ name: 'raw-changing', count: 3, assignments: null }], timeoutMs: 5000, validateOnly: false });
    expect(grown.results[0]!.errorCode).toBe(0);
    expect((await metadata('raw-changing')).partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes])).toEqual([
      [0, 3, [3]],
      [1, 3, [3]],
      [2, 3, [3]],
    ]);
    await client.send(20, 6, { topics: [{ name: 'raw-changing', topicId: ZERO_UUID }], topicNames: [], timeoutMs: 5000 });
    expect((await metadata('raw-changing')).errorCode).toBe(3);
    const [again] = await create(topic('raw-changing', 1));
    const described = await metadata('raw-changing');
    expect([described.topicId, described.partitions.length]).toEqual([again!.topicId, 1]);
    expect(again!.topicId).not.toBe(made!.topicId);
  });
});
