// The admin APIs through kafkajs's admin client: topics, partitions, records, configs, cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';

let broker: RunningBroker;
let admin: Admin;
beforeAll(async () => {
  broker = await withBroker({ nodeId: 7 });
  admin = kafkaFor(broker).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
  await broker.stop();
});

interface KafkajsError {
  type?: string;
  errors?: KafkajsError[];
  cause?: KafkajsError;
  partitions?: { error: KafkajsError }[];
}

/** The Kafka error type a kafkajs call fails with (kafkajs shows its own texts, not the broker's messages). */
async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    const typeOf = (e: KafkajsError | undefined): string | undefined =>
      e && (e.type ?? typeOf(e.errors?.[0]) ?? typeOf(e.cause) ?? typeOf(e.partitions?.[0]?.error));
    return typeOf(err as KafkajsError) ?? String(err);
  }
  throw new Error('expected the call to fail');
}

async function produce(topic: string, values: string[], partition = 0): Promise<void> {
  const producer = kafkaFor(broker).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: values.map((value) => ({ key: value, value, partition })) });
  } finally {
    await producer.disconnect();
  }
}

async function topicConfig(topic: string, name: string): Promise<{ configValue: string; configSource: number } | undefined> {
  const res = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }], includeSynonyms: false });
  return res.resources[0]!.configEntries.find((c) => c.configName === name);
}

describe('CreateTopics', () => {
  it('creates topics with partitions and configs', async () => {
    const created = await admin.createTopics({
      topics: [{ topic: 'orders', numPartitions: 4, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
    });
    expect(created).toBe(true);
    const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
    expect(meta.topics[0]!.partitions.map((p) => [p.partitionId, p.leader, p.replicas])).toEqual([0, 1, 2, 3].map((p) => [p, 7, [7]]));
    expect(await topicConfig('orders', 'retention.ms')).toMatchObject({ configValue: '3600000', configSource: 1 });
    expect(await admin.createTopics({ topics: [{ topic: 'orders' }] })).toBe(false);
  });

  it('uses num.partitions when the count is left to the broker', async () => {
    await admin.createTopics({ topics: [{ topic: 'defaults' }] });
    const meta = await admin.fetchTopicMetadata({ topics: ['defaults'] });
    expect(meta.topics[0]!.partitions).toHaveLength(1);
  });

  it('validates only, creating nothing', async () => {
    // kafkajs would otherwise wait for leaders of a topic that validate-only never creates.
    await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'dry-run', numPartitions: 2 }] });
    expect(await admin.listTopics()).not.toContain('dry-run');
    const bad = await failure(admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'dry-run', configEntries: [{ name: 'cleanup.policy', value: 'shred' }] }] }));
    expect(bad).toBe('INVALID_CONFIG');
  });

  it('refuses a replication factor one broker cannot reach, as Kafka words it', async () => {
    const err = await failure(admin.createTopics({ topics: [{ topic: 'replicated', replicationFactor: 3 }] }));
    expect(err).toBe('INVALID_REPLICATION_FACTOR');
  });

  it('accepts a manual assignment onto this node only', async () => {
    await admin.createTopics({ topics: [{ topic: 'assigned', replicaAssignment: [{ partition: 0, replicas: [7] }, { partition: 1, replicas: [7] }] }] });
    expect((await admin.fetchTopicMetadata({ topics: ['assigned'] })).topics[0]!.partitions).toHaveLength(2);
    const err = await failure(admin.createTopics({ topics: [{ topic: 'elsewhere', replicaAssignment: [{ partition: 0, replicas: [8] }] }] }));
    expect(err).toBe('INVALID_REPLICA_ASSIGNMENT');
  });

  it('refuses bad names and unknown configs', async () => {
    expect(await failure(admin.createTopics({ topics: [{ topic: 'bad name!' }] }))).toBe('INVALID_TOPIC_EXCEPTION');
    const err = await failure(admin.createTopics({ topics: [{ topic: 'odd-config', configEntries: [{ name: 'no.such.config', value: '1' }] }] }));
    expect(err).toBe('INVALID_CONFIG');
  });
});

describe('CreatePartitions', () => {
  it('grows a topic and refuses to shrink it', async () => {
    await admin.createTopics({ topics: [{ topic: 'growing', numPartitions: 2 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 5 }] });
    expect((await admin.fetchTopicMetadata({ topics: ['growing'] })).topics[0]!.partitions).toHaveLength(5);
    await produce('growing', ['into the new partition'], 4);
    expect(await failure(admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 3 }] }))).toBe('INVALID_PARTITIONS');
    expect(await failure(admin.createPartitions({ topicPartitions: [{ topic: 'no-such-topic', count: 3 }] }))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('validates only', async () => {
    await admin.createTopics({ topics: [{ topic: 'steady', numPartitions: 1 }] });
    await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'steady', count: 4 }] });
    expect((await admin.fetchTopicMetadata({ topics: ['steady'] })).topics[0]!.partitions).toHaveLength(1);
  });
});

describe('DeleteTopics', () => {
  it('deletes topics and refuses unknown ones', async () => {
    await admin.createTopics({ topics: [{ topic: 'doomed' }] });
    await produce('doomed', ['a', 'b']);
    await admin.deleteTopics({ topics: ['doomed'] });
    expect(await admin.listTopics()).not.toContain('doomed');
    expect(await failure(admin.deleteTopics({ topics: ['doomed'] }))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    // The name is free again, with a fresh log.
    await admin.createTopics({ topics: [{ topic: 'doomed' }] });
    expect(await admin.fetchTopicOffsets('doomed')).toEqual([{ partition: 0, offset: '0', high: '0', low: '0' }]);
  });
});

describe('DeleteRecords', () => {
  it('moves the low watermark up, to the high watermark for -1', async () => {
    await admin.createTopics({ topics: [{ topic: 'trimmed' }] });
    await produce('trimmed', ['0', '1', '2', '3', '4']);
    await admin.fetchTopicMetadata({ topics: ['trimmed'] });
    await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '3' }] });
    expect(await admin.fetchTopicOffsets('trimmed')).toEqual([{ partition: 0, offset: '5', high: '5', low: '3' }]);
    await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '-1' }] });
    expect(await admin.fetchTopicOffsets('trimmed')).toEqual([{ partition: 0, offset: '5', high: '5', low: '5' }]);
  });

  it('refuses compacted topics with POLICY_VIOLATION', async () => {
    await admin.createTopics({ topics: [{ topic: 'compacted', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    await produce('compacted', ['x']);
    await admin.fetchTopicMetadata({ topics: ['compacted'] });
    const err = await failure(admin.deleteTopicRecords({ topic: 'compacted', partitions: [{ partition: 0, offset: '1' }] }));
    expect(err).toBe('POLICY_VIOLATION');
  });
});

describe('configs', () => {
  it('a lowered max.message.bytes makes a larger produce fail with MESSAGE_TOO_LARGE', async () => {
    await admin.createTopics({ topics: [{ topic: 'small-messages' }] });
    await produce('small-messages', ['x'.repeat(2000)]);
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'small-messages', configEntries: [{ name: 'max.message.bytes', value: '1024' }] }] });
    expect(await topicConfig('small-messages', 'max.message.bytes')).toMatchObject({ configValue: '1024', configSource: 1 });
    const producer = kafkaFor(broker).producer({ retry: { retries: 0 } });
    await producer.connect();
    const err = await producer.send({ topic: 'small-messages', messages: [{ value: 'x'.repeat(2000) }] }).then(() => null, (e: { type?: string; cause?: { type?: string } }) => e);
    await producer.disconnect();
    expect(err?.type ?? err?.cause?.type).toBe('MESSAGE_TOO_LARGE');
  });

  it('AlterConfigs replaces the whole override set', async () => {
    await admin.createTopics({ topics: [{ topic: 'replaced', configEntries: [{ name: 'retention.ms', value: '1000' }] }] });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'replaced', configEntries: [{ name: 'segment.ms', value: '60000' }] }] });
    expect(await topicConfig('replaced', 'segment.ms')).toMatchObject({ configValue: '60000', configSource: 1 });
    expect(await topicConfig('replaced', 'retention.ms')).toMatchObject({ configValue: '604800000', configSource: 5 });
  });

  it('validate-only alterations change nothing; bad values are INVALID_CONFIG', async () => {
    await admin.createTopics({ topics: [{ topic: 'kept' }] });
    await admin.alterConfigs({ validateOnly: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kept', configEntries: [{ name: 'retention.ms', value: '5' }] }] });
    expect(await topicConfig('kept', 'retention.ms')).toMatchObject({ configValue: '604800000' });
    const err = await failure(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kept', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }));
    expect(err).toBe('INVALID_CONFIG');
  });

  it('unknown topics are UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const err = await failure(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'ghost', configEntries: [{ name: 'retention.ms', value: '5' }] }] }));
    expect(err).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(await failure(admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'ghost' }], includeSynonyms: false }))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('describes this broker with synonyms', async () => {
    const res = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '7', configNames: ['log.retention.ms', 'num.partitions'] }], includeSynonyms: true });
    const entries = res.resources[0]!.configEntries;
    expect(entries.map((c) => c.configName).sort()).toEqual(['log.retention.ms', 'num.partitions']);
    expect(entries.find((c) => c.configName === 'num.partitions')).toMatchObject({ configValue: '1', configSource: 5, readOnly: true });
  });

  it('a per-broker dynamic config reaches topics without an override, and read-only keys are refused', async () => {
    await admin.createTopics({ topics: [{ topic: 'inherits' }] });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '7', configEntries: [{ name: 'log.retention.ms', value: '7200000' }] }] });
    expect(await topicConfig('inherits', 'retention.ms')).toMatchObject({ configValue: '7200000', configSource: 2 });
    expect(broker.broker.topics.get('inherits')!.partitions[0]!.config.retentionMs).toBe(7200000);
    const err = await failure(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '7', configEntries: [{ name: 'node.id', value: '3' }] }] }));
    expect(err).toBe('INVALID_REQUEST');
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '7', configEntries: [] }] });
    expect(await topicConfig('inherits', 'retention.ms')).toMatchObject({ configValue: '604800000', configSource: 5 });
  });
});

describe('cluster and offsets', () => {
  it('describes the cluster as one broker that is also the controller', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster).toMatchObject({ controller: 7, brokers: [{ nodeId: 7, host: broker.host, port: broker.port }] });
    expect(cluster.clusterId).toBe(broker.broker.clusterId);
  });

  it('finds offsets by timestamp', async () => {
    await admin.createTopics({ topics: [{ topic: 'timed' }] });
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    for (const t of [1000, 2000, 3000]) await producer.send({ topic: 'timed', messages: [{ value: String(t), timestamp: String(t), partition: 0 }] });
    await producer.disconnect();
    expect(await admin.fetchTopicOffsetsByTimestamp('timed', 1500)).toEqual([{ partition: 0, offset: '1' }]);
    expect(await admin.fetchTopicOffsetsByTimestamp('timed', 9999)).toEqual([{ partition: 0, offset: '3' }]);
  });
});
