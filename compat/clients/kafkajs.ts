// kafkajs 2 (npm), the primary client: producer, consumer groups, admin, idempotence and
// transactions, run in-process. Every client is closed by the scenario's cleanup, also on timeout.
import kafkajs, { Kafka, logLevel, type Admin, type Consumer, type ConsumerConfig, type KafkaMessage, type Producer, type ProducerConfig } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { check, equal, eventually, rejection, sleep } from '../lib/check.js';
import { COMPACTED, COMPACTED_TOPIC_CONFIG, COMPACTION_ROLL_WAIT_MS, COMPACTION_ROUNDS, COMPACTION_TAIL, LARGE_TOPIC_CONFIG, ONE_MIB } from '../lib/fixtures.js';
import { servers, tlsTarget, type ClientSuite, type Scenario, type ScenarioContext } from '../lib/scenario.js';
import { registerKafkajsCodecs } from '../kafkajs/codecs.js';

const { ConfigResourceTypes } = kafkajs; // not visible as a named ESM export of this CommonJS package
registerKafkajsCodecs();
const VERSION = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version;

const CLIENT_CONFIG = {
  clientId: 'compat-kafkajs',
  logLevel: logLevel.NOTHING,
  connectionTimeout: 5000,
  // Up to ~5 s: Kafka lists a new partition's leader a moment before that broker serves it.
  retry: { retries: 6, initialRetryTime: 100, maxRetryTime: 2000 },
};

function kafka(ctx: ScenarioContext): Kafka {
  return new Kafka({ ...CLIENT_CONFIG, brokers: servers(ctx.bootstrap) });
}

async function admin(ctx: ScenarioContext): Promise<Admin> {
  const a = kafka(ctx).admin();
  ctx.defer(() => a.disconnect());
  await a.connect();
  return a;
}

async function producer(ctx: ScenarioContext, config: ProducerConfig = {}): Promise<Producer> {
  const p = kafka(ctx).producer(config);
  ctx.defer(() => p.disconnect());
  await p.connect();
  return p;
}

function consumer(ctx: ScenarioContext, groupId: string, config: Partial<ConsumerConfig> = {}): Consumer {
  const c = kafka(ctx).consumer({ groupId, maxWaitTimeInMs: 200, heartbeatInterval: 500, sessionTimeout: 10_000, rebalanceTimeout: 10_000, ...config });
  ctx.defer(() => c.disconnect());
  return c;
}

async function createTopic(ctx: ScenarioContext, topic: string, numPartitions = 1, configs: Record<string, string> = {}): Promise<Admin> {
  const a = await admin(ctx);
  await a.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
  await untilLeaders(ctx, a, topic, numPartitions);
  return a;
}

/**
 * Waits until the broker's metadata shows every partition of a new topic with a leader. Kafka
 * answers CreateTopics once its controller committed, and the broker learns of the topic a moment
 * later; kafkajs's own waitForLeaders (on by default) gives up on the UNKNOWN_TOPIC_OR_PARTITION of
 * that moment.
 */
async function untilLeaders(ctx: ScenarioContext, a: Admin, topic: string, numPartitions: number): Promise<void> {
  await eventually(ctx.signal, `metadata showing ${topic}'s ${numPartitions} partitions with leaders`, async () => {
    const { partitions } = (await a.fetchTopicMetadata({ topics: [topic] })).topics[0]!;
    return partitions.length === numPartitions && partitions.every((p) => p.leader >= 0) ? true : undefined;
  });
}

type Received = KafkaMessage & { partition: number };

/**
 * Runs a consumer in a group until `count` messages arrived. `before` runs after the consumer is
 * started (to seek). The consumer is left connected (closed by cleanup).
 */
async function consume(ctx: ScenarioContext, c: Consumer, topic: string, count: number, options: { fromBeginning?: boolean; autoCommit?: boolean; before?: () => void } = {}): Promise<Received[]> {
  const got: Received[] = [];
  await c.connect();
  await c.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await c.run({
    autoCommit: options.autoCommit ?? true,
    eachMessage: async ({ message, partition }) => {
      got.push({ ...message, partition });
      if (got.length >= count) done();
    },
  });
  options.before?.();
  let onAbort!: () => void;
  const aborted = new Promise((_, reject) => (onAbort = () => reject(new Error(`consumed ${got.length} of ${count} messages`))));
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([finished, aborted]);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort); // scenarios that poll call this many times
  }
  return got;
}

/** The Kafka error name (e.g. UNKNOWN_TOPIC_OR_PARTITION) kafkajs reports, wherever it nests it. */
function errorType(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue = [err];
  while (queue.length > 0) {
    const e = queue.shift() as { type?: unknown; originalError?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if (typeof e.type === 'string') return e.type;
    queue.push(e.originalError, e.cause, ...(Array.isArray(e.errors) ? e.errors : []));
  }
  return undefined;
}

async function expectKafkaError(promise: Promise<unknown>, type: string, what: string): Promise<void> {
  const err = await rejection(promise, what);
  equal(errorType(err) ?? String(err), type, `${what}: error`);
}

const str = (b: Buffer | null | undefined): string | null => (b == null ? null : b.toString());
const numbered = (n: number, prefix = 'm'): { value: string }[] => Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}` }));

const compression = (codec: 'gzip' | 'snappy' | 'lz4' | 'zstd', type: number): Scenario => ({
  feature: `compression-${codec}`,
  async run(ctx) {
    const topic = ctx.name();
    const sent = numbered(200, `${codec}-record-`);
    const p = await producer(ctx);
    await p.send({ topic, compression: type, messages: sent });
    const got = await consume(ctx, consumer(ctx, ctx.name('reader')), topic, sent.length);
    equal(got.map((m) => str(m.value)), sent.map((m) => m.value), 'values consumed');
  },
});

const scenarios: Scenario[] = [
  {
    feature: 'metadata',
    async run(ctx) {
      const topic = ctx.name();
      const a = await createTopic(ctx, topic, 3);
      const cluster = await a.describeCluster();
      check(cluster.brokers.length >= 1 && typeof cluster.clusterId === 'string', `cluster: ${JSON.stringify(cluster)}`);
      check(cluster.brokers.some((b) => b.nodeId === cluster.controller), `controller ${cluster.controller} is not a listed broker`);
      check((await a.listTopics()).includes(topic), 'created topic not listed');
      const { topics } = await a.fetchTopicMetadata({ topics: [topic] });
      equal(topics[0]!.partitions.map((p) => p.partitionId).sort(), [0, 1, 2], 'partitions');
      for (const p of topics[0]!.partitions) check(cluster.brokers.some((b) => b.nodeId === p.leader), `partition ${p.partitionId} leader ${p.leader} is not a listed broker`);
    },
  },
  {
    feature: 'produce-consume',
    async run(ctx) {
      const topic = ctx.name();
      const sent: { key: string | null; value: string | null; headers: Record<string, string> }[] = [
        { key: 'k1', value: 'v1', headers: { h1: 'a', h2: 'b' } },
        { key: null, value: 'no-key', headers: {} },
        { key: 'k1', value: null, headers: { tombstone: 'yes' } },
        { key: 'k2', value: 'v2', headers: {} },
      ];
      const p = await producer(ctx);
      const [meta] = await p.send({ topic, messages: sent.map((m) => ({ ...m, partition: 0 })) });
      equal(meta!.baseOffset, '0', 'base offset');
      const got = await consume(ctx, consumer(ctx, ctx.name('reader')), topic, sent.length);
      equal(
        got.map((m) => [m.offset, str(m.key), str(m.value), Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]))]),
        sent.map((m, i) => [String(i), m.key, m.value, m.headers]),
        'consumed [offset, key, value, headers]',
      );
    },
  },
  {
    feature: 'large-message',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic, 1, LARGE_TOPIC_CONFIG);
      const big = Buffer.alloc(ONE_MIB, 'x');
      const p = await producer(ctx);
      await p.send({ topic, messages: [{ value: big }] });
      const [m] = await consume(ctx, consumer(ctx, ctx.name('reader'), { maxBytesPerPartition: 3 * ONE_MIB }), topic, 1);
      check(m!.value?.equals(big), `value of ${m!.value?.length} bytes differs from the 1 MiB sent`);
    },
  },
  compression('gzip', 1),
  compression('snappy', 2),
  compression('lz4', 3),
  compression('zstd', 4),
  {
    feature: 'partitioner',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic, 4);
      const keys = Array.from({ length: 24 }, (_, i) => `key-${i}`);
      const placements: Record<string, number>[] = [];
      for (let round = 0; round < 2; round++) {
        // A fresh producer each round: the key → partition mapping must not depend on the run.
        const p = await producer(ctx);
        const placement: Record<string, number> = {};
        for (const key of keys) placement[key] = (await p.send({ topic, messages: [{ key, value: 'v' }] }))[0]!.partition;
        placements.push(placement);
        await p.disconnect();
      }
      equal(placements[1], placements[0], 'partition per key across producers');
      check(new Set(Object.values(placements[0]!)).size > 1, 'every key went to one partition');
    },
  },
  {
    feature: 'consumer-group',
    timeoutMs: 60_000,
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      await createTopic(ctx, topic, 4);
      const member = async (): Promise<{ c: Consumer; partitions: () => number[]; got: Received[] }> => {
        const c = consumer(ctx, group);
        let partitions: number[] = [];
        const got: Received[] = [];
        c.on(c.events.GROUP_JOIN, (e) => (partitions = [...(e.payload.memberAssignment[topic] ?? [])].sort()));
        await c.connect();
        await c.subscribe({ topic, fromBeginning: true });
        await c.run({ eachMessage: async ({ message, partition }) => void got.push({ ...message, partition }) });
        return { c, partitions: () => partitions, got };
      };
      const a = await member();
      await eventually(ctx.signal, 'first member assigned all 4 partitions', () => (a.partitions().length === 4 ? true : undefined));
      const b = await member();
      const split = await eventually(ctx.signal, 'rebalance splitting the partitions between two members', () => {
        const [pa, pb] = [a.partitions(), b.partitions()];
        return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 4 ? { pa, pb } : undefined;
      });
      equal([...split.pa, ...split.pb].sort(), [0, 1, 2, 3], 'partitions across the members');
      const p = await producer(ctx);
      await p.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `m${i}` })) });
      await eventually(ctx.signal, 'all 40 messages consumed by the group', () => (a.got.length + b.got.length >= 40 ? true : undefined));
      for (const [m, owned] of [[a, split.pa], [b, split.pb]] as const) {
        for (const r of m.got) check(owned.includes(r.partition), `a member consumed from partition ${r.partition} it was not assigned`);
      }
      equal(new Set([...a.got, ...b.got].map((r) => `${r.partition}:${r.offset}`)).size, 40, 'distinct messages consumed');
      await b.c.disconnect();
      await eventually(ctx.signal, 'remaining member taking over all 4 partitions', () => (a.partitions().length === 4 ? true : undefined));
    },
  },
  {
    feature: 'commit-resume',
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      const p = await producer(ctx);
      await p.send({ topic, messages: numbered(10) });
      const first = consumer(ctx, group);
      await consume(ctx, first, topic, 10, { autoCommit: false });
      await first.commitOffsets([{ topic, partition: 0, offset: '10' }]);
      await first.disconnect();
      await p.send({ topic, messages: numbered(5, 'n') });
      const got = await consume(ctx, consumer(ctx, group), topic, 5);
      equal(got.map((m) => [m.offset, str(m.value)]), [['10', 'n0'], ['11', 'n1'], ['12', 'n2'], ['13', 'n3'], ['14', 'n4']], 'second run resumes after the commit');
    },
  },
  {
    feature: 'seek-offset',
    async run(ctx) {
      const topic = ctx.name();
      const p = await producer(ctx);
      await p.send({ topic, messages: numbered(10).map((m) => ({ ...m, partition: 0 })) });
      const c = consumer(ctx, ctx.name('reader'));
      const got = await consume(ctx, c, topic, 3, { fromBeginning: false, before: () => c.seek({ topic, partition: 0, offset: '7' }) });
      equal(got.map((m) => [m.offset, str(m.value)]), [['7', 'm7'], ['8', 'm8'], ['9', 'm9']], 'consumed after seeking to 7');
    },
  },
  {
    feature: 'seek-timestamp',
    async run(ctx) {
      const topic = ctx.name();
      const base = Date.now() - 60_000;
      const p = await producer(ctx);
      await p.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ value: `t${i}`, partition: 0, timestamp: String(base + i * 1000) })) });
      const a = await admin(ctx);
      equal(await a.fetchTopicOffsetsByTimestamp(topic, base + 2500), [{ partition: 0, offset: '3' }], 'offsets for timestamp');
      const c = consumer(ctx, ctx.name('reader'));
      const got = await consume(ctx, c, topic, 3, { fromBeginning: false, before: () => c.seek({ topic, partition: 0, offset: '3' }) });
      equal(got.map((m) => [str(m.value), m.timestamp]), [3, 4, 5].map((i) => [`t${i}`, String(base + i * 1000)]), 'consumed (value, timestamp)');
    },
  },
  {
    feature: 'admin-topics',
    async run(ctx) {
      const topic = ctx.name();
      const a = await admin(ctx);
      equal(await a.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] }), true, 'createTopics result');
      await untilLeaders(ctx, a, topic, 3);
      check((await a.listTopics()).includes(topic), 'created topic not listed');
      equal(await a.createTopics({ topics: [{ topic, numPartitions: 3 }] }), false, 'createTopics result for an existing topic');
      equal((await a.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length, 3, 'partitions');
      await a.deleteTopics({ topics: [topic] });
      await eventually(ctx.signal, 'deleted topic disappearing from the list', async () => (!(await a.listTopics()).includes(topic) ? true : undefined));
    },
  },
  {
    feature: 'admin-partitions',
    async run(ctx) {
      const topic = ctx.name();
      const a = await createTopic(ctx, topic, 2);
      await a.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
      // Kafka answers once its controller committed; the broker's metadata follows a moment later.
      await eventually(ctx.signal, 'metadata showing partitions 0-4 after growing', async () => {
        equal((await a.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.map((p) => p.partitionId).sort(), [0, 1, 2, 3, 4], 'partitions after growing');
        return true;
      });
      await expectKafkaError(a.createPartitions({ topicPartitions: [{ topic, count: 3 }] }), 'INVALID_PARTITIONS', 'shrinking');
      const p = await producer(ctx);
      // Kafka's metadata lists a new partition a moment before the broker hosts it: produce until it does.
      const sent = await eventually(ctx.signal, 'producing to new partition 4', async () => (await p.send({ topic, messages: [{ value: 'to-4', partition: 4 }] }))[0]);
      equal(sent.partition, 4, 'produced to a new partition');
    },
  },
  {
    feature: 'admin-configs',
    async run(ctx) {
      const topic = ctx.name();
      const a = await createTopic(ctx, topic);
      const retention = async (): Promise<[string, boolean]> => {
        const { resources } = await a.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }] });
        const entry = resources[0]!.configEntries.find((e) => e.configName === 'retention.ms');
        check(entry, 'retention.ms not described');
        return [entry.configValue, entry.isDefault];
      };
      equal(await retention(), ['604800000', true], 'default retention.ms [value, isDefault]');
      await a.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
      // Kafka's controller applies the change; the broker describing it learns of it a moment later.
      await eventually(ctx.signal, 'retention.ms altered', async () => {
        equal(await retention(), ['3600000', false], 'retention.ms after alter [value, isDefault]');
        return true;
      });
      await expectKafkaError(a.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }), 'INVALID_CONFIG', 'an invalid value');
      const { brokers } = await a.describeCluster();
      const { resources } = await a.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: String(brokers[0]!.nodeId) }] });
      check(resources[0]!.configEntries.some((e) => e.configName === 'num.partitions'), 'broker configs lack num.partitions');
    },
  },
  {
    feature: 'admin-groups',
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      const p = await producer(ctx);
      await p.send({ topic, messages: numbered(3) });
      const c = consumer(ctx, group);
      await consume(ctx, c, topic, 3);
      const a = await admin(ctx);
      check((await a.listGroups()).groups.some((g) => g.groupId === group && g.protocolType === 'consumer'), 'group not listed as a consumer group');
      const [described] = (await a.describeGroups([group])).groups;
      equal([described!.state, described!.members.length, described!.protocol], ['Stable', 1, 'RoundRobinAssigner'], '[state, members, protocol]');
      await c.disconnect();
      await eventually(ctx.signal, 'group becoming Empty after its member left', async () => ((await a.describeGroups([group])).groups[0]!.state === 'Empty' ? true : undefined));
      equal((await a.deleteGroups([group])).map((r) => [r.groupId, r.errorCode]), [[group, 0]], 'deleteGroups result');
      check(!(await a.listGroups()).groups.some((g) => g.groupId === group), 'deleted group still listed');
    },
  },
  {
    feature: 'admin-offsets',
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      const p = await producer(ctx);
      await p.send({ topic, messages: numbered(8) });
      const a = await admin(ctx);
      equal(await a.fetchTopicOffsets(topic), [{ partition: 0, offset: '8', high: '8', low: '0' }], 'topic offsets');
      await a.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '5' }] });
      const [committed] = await a.fetchOffsets({ groupId: group, topics: [topic] });
      equal(committed!.partitions.map((x) => [x.partition, x.offset]), [[0, '5']], 'committed offsets');
      const got = await consume(ctx, consumer(ctx, group), topic, 3);
      equal(got.map((m) => m.offset), ['5', '6', '7'], 'a group member resumes from the offsets set');
    },
  },
  {
    feature: 'delete-records',
    async run(ctx) {
      const topic = ctx.name();
      const p = await producer(ctx);
      await p.send({ topic, messages: numbered(10) });
      const a = await admin(ctx);
      await a.fetchTopicMetadata({ topics: [topic] }); // kafkajs deletes records only of topics whose metadata it holds
      await a.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }] });
      equal(await a.fetchTopicOffsets(topic), [{ partition: 0, offset: '10', high: '10', low: '4' }], 'offsets after deleting records');
      const got = await consume(ctx, consumer(ctx, ctx.name('reader')), topic, 6);
      equal(got[0]!.offset, '4', 'first offset a consumer reads');
    },
  },
  {
    feature: 'idempotence',
    async run(ctx) {
      const topic = ctx.name();
      const p = await producer(ctx, { idempotent: true, maxInFlightRequests: 1 });
      for (let batch = 0; batch < 5; batch++) await p.send({ topic, messages: numbered(20, `b${batch}-`) });
      const got = await consume(ctx, consumer(ctx, ctx.name('reader')), topic, 100);
      equal(got.map((m) => m.offset), Array.from({ length: 100 }, (_, i) => String(i)), 'offsets');
      equal(got.map((m) => str(m.value)), [0, 1, 2, 3, 4].flatMap((b) => numbered(20, `b${b}-`).map((m) => m.value)), 'values');
    },
  },
  {
    feature: 'tls',
    async run(ctx) {
      const tls = tlsTarget(ctx);
      const client = new Kafka({ ...CLIENT_CONFIG, brokers: servers(tls.bootstrap), ssl: { ca: [readFileSync(tls.caFile, 'utf8')] } });
      const a = client.admin();
      ctx.defer(() => a.disconnect());
      await a.connect();
      const { brokers } = await a.describeCluster();
      equal(brokers.map((b) => `${b.host}:${b.port}`).sort(), servers(tls.bootstrap), 'brokers advertised to a client of the SSL listener');
      const topic = ctx.name();
      const p = client.producer();
      ctx.defer(() => p.disconnect());
      await p.connect();
      await p.send({ topic, messages: [{ key: 'k', value: 'over-tls' }] });
      const c = client.consumer({ groupId: ctx.name('reader'), maxWaitTimeInMs: 200, heartbeatInterval: 500, sessionTimeout: 10_000, rebalanceTimeout: 10_000 });
      ctx.defer(() => c.disconnect());
      const got = await consume(ctx, c, topic, 1);
      equal(got.map((m) => [str(m.key), str(m.value)]), [['k', 'over-tls']], 'consumed over TLS');
    },
  },
  {
    feature: 'compaction',
    timeoutMs: 60_000, // Kafka's cleaner looks for work every 15 s (log.cleaner.backoff.ms)
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic, 1, COMPACTED_TOPIC_CONFIG);
      const p = await producer(ctx);
      for (const round of COMPACTION_ROUNDS) await p.send({ topic, messages: round.map(([key, value]) => ({ key, value, partition: 0 })) });
      await sleep(COMPACTION_ROLL_WAIT_MS, ctx.signal);
      await p.send({ topic, messages: [{ key: COMPACTION_TAIL[0], value: COMPACTION_TAIL[1], partition: 0 }] });
      let attempt = 0;
      await eventually(ctx.signal, 'the log compacted to the latest record per key', async () => {
        const c = consumer(ctx, ctx.name(`reader-${attempt++}`));
        // The first records from the beginning: until the log is compacted, older ones come first.
        const got = await consume(ctx, c, topic, COMPACTED.length, { autoCommit: false });
        await c.disconnect();
        equal(got.map((m) => [Number(m.offset), str(m.key), str(m.value)]), COMPACTED, 'consumed from the beginning [offset, key, value]');
        return true;
      }, 300);
    },
  },
  {
    feature: 'transactions',
    async run(ctx) {
      const topic = ctx.name();
      const source = ctx.name('in');
      const group = ctx.name('group');
      const input = await producer(ctx);
      await input.send({ topic: source, messages: numbered(42) });
      const p = await producer(ctx, { transactionalId: ctx.name('txn'), idempotent: true, maxInFlightRequests: 1 });
      const committed = await p.transaction();
      await committed.send({ topic, messages: numbered(3, 'c') });
      await committed.commit();
      const aborted = await p.transaction();
      await aborted.send({ topic, messages: numbered(2, 'x') });
      await aborted.abort();
      // consume-transform-produce: input offsets commit with the output, atomically.
      const withOffsets = await p.transaction();
      await withOffsets.send({ topic, messages: [{ value: 'd' }] });
      await withOffsets.sendOffsets({ consumerGroupId: group, topics: [{ topic: source, partitions: [{ partition: 0, offset: '42' }] }] });
      await withOffsets.commit();
      const got = await consume(ctx, consumer(ctx, ctx.name('reader'), { readUncommitted: false }), topic, 4);
      equal(got.map((m) => str(m.value)), ['c0', 'c1', 'c2', 'd'], 'values read with read_committed');
      const a = await admin(ctx);
      const [offsets] = await a.fetchOffsets({ groupId: group, topics: [source] });
      equal(offsets!.partitions.map((x) => x.offset), ['42'], 'offset committed by the transaction');
    },
  },
  {
    feature: 'error-unknown-topic',
    async run(ctx) {
      const topic = ctx.name('missing');
      const p = await producer(ctx, { allowAutoTopicCreation: false, retry: { retries: 1 } });
      await expectKafkaError(p.send({ topic, messages: [{ value: 'x' }] }), 'UNKNOWN_TOPIC_OR_PARTITION', 'producing to a missing topic');
      const a = await admin(ctx);
      check(!(await a.listTopics()).includes(topic), 'the missing topic was created');
    },
  },
  {
    feature: 'error-invalid-topic',
    async run(ctx) {
      const a = await admin(ctx);
      for (const bad of ['compat kafkajs bad name!', 'x'.repeat(250), '..']) {
        await expectKafkaError(a.createTopics({ topics: [{ topic: bad }] }), 'INVALID_TOPIC_EXCEPTION', `creating "${bad.slice(0, 20)}"`);
      }
    },
  },
  {
    feature: 'error-offset-out-of-range',
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      const p = await producer(ctx);
      await p.send({ topic, messages: numbered(5) });
      const a = await admin(ctx);
      // A committed offset past the end: the broker answers OFFSET_OUT_OF_RANGE and kafkajs
      // resets to the earliest offset (fromBeginning), so consumption restarts at 0.
      await a.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '1000' }] });
      const got = await consume(ctx, consumer(ctx, group), topic, 5);
      equal(got.map((m) => m.offset), ['0', '1', '2', '3', '4'], 'offsets after the reset');
    },
  },
  {
    feature: 'error-message-too-large',
    async run(ctx) {
      const topic = ctx.name();
      const p = await producer(ctx);
      await p.send({ topic, messages: [{ value: 'small' }] });
      await expectKafkaError(p.send({ topic, messages: [{ value: Buffer.alloc(2 * ONE_MIB) }] }), 'MESSAGE_TOO_LARGE', 'sending 2 MiB');
    },
  },
];

export const kafkajsSuite: ClientSuite = {
  id: 'kafkajs',
  title: `kafkajs ${VERSION}`,
  source: 'npm `kafkajs` (codecs: `kafkajs-snappy`, `lz4-napi`, `zstd-napi`)',
  unavailable: async () => undefined,
  scenarios,
  notApplicable: {},
};
