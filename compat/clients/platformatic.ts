// @platformatic/kafka 1.x (npm): a modern TypeScript client negotiating recent flexible API
// versions, run in-process. The 1.x line is the last that supports Node 20.
import { Admin, ConfigResourceTypes, Consumer, ProduceAcks, Producer, type ConsumerOptions, type Message, type ProduceResult, type ProducerOptions } from '@platformatic/kafka';
import { readFileSync } from 'node:fs';
import { check, equal, eventually, rejection, sleep } from '../lib/check.js';
import { COMPACTED, COMPACTED_TOPIC_CONFIG, COMPACTION_ROLL_WAIT_MS, COMPACTION_ROUNDS, COMPACTION_TAIL, LARGE_TOPIC_CONFIG, ONE_MIB } from '../lib/fixtures.js';
import { servers, tlsTarget, type ClientSuite, type Scenario, type ScenarioContext } from '../lib/scenario.js';

// package.json is not among the package's exports: read it beside the resolved entry point (dist/index.js).
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.resolve('@platformatic/kafka')), 'utf8')) as { version: string }).version;
// autocreateTopics: the client defaults to false (unlike Kafka's other clients); scenarios write to fresh topics.
/**
 * For sends whose records are looked up right away (ListOffsets, DeleteRecords): acks=all, Kafka's
 * own producer default (this client's is acks=1). With replicas, Kafka finds records by offset or
 * timestamp only once the high watermark passed them, which acks=1 does not wait for.
 */
const READ_BACK_AT_ONCE = ProduceAcks.ALL;
const CLIENT = { clientId: 'compat-platformatic', retries: 2, retryDelay: 100, timeout: 10_000, autocreateTopics: true };

function admin(ctx: ScenarioContext): Admin {
  const a = new Admin({ ...CLIENT, bootstrapBrokers: servers(ctx.bootstrap) });
  ctx.defer(() => a.close());
  return a;
}

function producer(ctx: ScenarioContext, options: Partial<ProducerOptions<Buffer, Buffer, Buffer, Buffer>> = {}): Producer {
  const p = new Producer({ ...CLIENT, bootstrapBrokers: servers(ctx.bootstrap), ...options });
  ctx.defer(() => p.close());
  return p;
}

function consumer(ctx: ScenarioContext, groupId: string, options: Partial<ConsumerOptions<Buffer, Buffer, Buffer, Buffer>> = {}): Consumer {
  const c = new Consumer({ ...CLIENT, bootstrapBrokers: servers(ctx.bootstrap), groupId, maxWaitTime: 200, heartbeatInterval: 500, sessionTimeout: 10_000, ...options });
  ctx.defer(() => c.close(true));
  return c;
}

async function createTopic(ctx: ScenarioContext, topic: string, partitions = 1, configs: Record<string, string> = {}): Promise<Admin> {
  const a = admin(ctx);
  await a.createTopics({ topics: [topic], partitions, configs: Object.entries(configs).map(([name, value]) => ({ name, value })) });
  // Kafka answers CreateTopics once its controller committed; the broker learns of the topic a moment later.
  await eventually(ctx.signal, `metadata showing ${topic}'s ${partitions} partitions with leaders`, async () => {
    const t = (await a.metadata({ topics: [topic], forceUpdate: true })).topics.get(topic);
    return t?.partitionsCount === partitions && t.partitions.every((p) => p.leader >= 0) ? true : undefined;
  });
  return a;
}

type Offsets = { topic: string; partition: number; offset: bigint }[];

/** Consumes `count` messages: from the earliest offset, from the group's commits, or from given offsets. */
async function consume(ctx: ScenarioContext, c: Consumer, topic: string, count: number, from: 'earliest' | 'committed' | Offsets = 'earliest', autocommit = false): Promise<Message[]> {
  const stream = await c.consume({
    topics: [topic],
    autocommit,
    ...(Array.isArray(from) ? { mode: 'manual', offsets: from } : { mode: from, fallbackMode: 'earliest' }),
  });
  ctx.defer(() => stream.close());
  const got: Message[] = [];
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => (onAbort = () => reject(new Error(`consumed ${got.length} of ${count} messages`))));
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const reading = (async () => {
    for await (const message of stream) {
      got.push(message as Message);
      if (got.length >= count) break;
    }
  })();
  try {
    await Promise.race([reading, aborted]);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort); // scenarios that poll call this many times
  }
  return got;
}

/** The Kafka error name (e.g. UNKNOWN_TOPIC_OR_PARTITION) the client reports, wherever it nests it. */
function errorId(err: unknown): string | undefined {
  const queue = [err];
  const seen = new Set<unknown>();
  while (queue.length > 0) {
    const e = queue.shift() as { apiId?: unknown; errors?: unknown[]; cause?: unknown } | undefined;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if (typeof e.apiId === 'string') return e.apiId;
    queue.push(e.cause, ...(Array.isArray(e.errors) ? e.errors : []));
  }
  return undefined;
}

async function expectKafkaError(promise: Promise<unknown>, id: string, what: string): Promise<void> {
  const err = await rejection(promise, what);
  equal(errorId(err) ?? String(err), id, `${what}: error`);
}

const buf = (s: string): Buffer => Buffer.from(s);
const str = (b: Buffer | undefined | null): string | null => (b == null ? null : b.toString());
const numbered = (topic: string, n: number, prefix = 'm', partition?: number) =>
  Array.from({ length: n }, (_, i) => ({ topic, value: buf(`${prefix}${i}`), ...(partition === undefined ? {} : { partition }) }));

const compression = (codec: 'gzip' | 'snappy' | 'lz4'): Scenario => ({
  feature: `compression-${codec}`,
  async run(ctx) {
    const topic = ctx.name();
    const sent = numbered(topic, 200, `${codec}-record-`);
    await producer(ctx).send({ messages: sent, compression: codec });
    const got = await consume(ctx, consumer(ctx, ctx.name('reader')), topic, sent.length);
    equal(got.map((m) => str(m.value)), sent.map((m) => m.value.toString()), 'values consumed');
  },
});

const scenarios: Scenario[] = [
  {
    feature: 'metadata',
    async run(ctx) {
      const topic = ctx.name();
      const a = await createTopic(ctx, topic, 3);
      const md = await a.metadata({ topics: [topic] });
      check(md.brokers.size >= 1, 'no broker in metadata');
      check(md.brokers.has(md.controllerId), `controller ${md.controllerId} is not a listed broker`);
      const t = md.topics.get(topic);
      check(t, `${topic} missing from metadata`);
      equal(t.partitionsCount, 3, 'partitions');
      for (const p of t.partitions) check(md.brokers.has(p.leader), `leader ${p.leader} is not a listed broker`);
      // Kafka answers CreateTopics once the controller committed; brokers learn of it a moment later.
      await eventually(ctx.signal, 'created topic listed', async () => ((await a.listTopics()).includes(topic) ? true : undefined));
    },
  },
  {
    feature: 'produce-consume',
    async run(ctx) {
      const topic = ctx.name();
      // With the default Buffer serialisers, header names are Buffers too, so headers go in a Map.
      const headers = (h: Record<string, string>): Map<Buffer, Buffer> => new Map(Object.entries(h).map(([k, v]) => [buf(k), buf(v)]));
      const sent: { key?: Buffer; value?: Buffer; headers: Map<Buffer, Buffer> }[] = [
        { key: buf('k1'), value: buf('v1'), headers: headers({ h1: 'a', h2: 'b' }) },
        { value: buf('no-key'), headers: headers({}) },
        { key: buf('k1'), headers: headers({ tombstone: 'yes' }) },
        { key: buf('k2'), value: buf('v2'), headers: headers({}) },
      ];
      const result: ProduceResult = await producer(ctx).send({ messages: sent.map((m) => ({ ...m, topic, partition: 0 })) });
      equal(result.offsets?.map((o) => o.offset), [0n], 'base offsets');
      const got = await consume(ctx, consumer(ctx, ctx.name('reader')), topic, sent.length);
      equal(
        got.map((m) => [m.offset, str(m.key), str(m.value), Object.fromEntries([...m.headers].map(([k, v]) => [k.toString(), v.toString()]))]),
        sent.map((m, i) => [BigInt(i), m.key?.toString() ?? null, m.value?.toString() ?? null, Object.fromEntries([...m.headers].map(([k, v]) => [k.toString(), v.toString()]))]),
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
      await producer(ctx).send({ messages: [{ topic, value: big }] });
      const [m] = await consume(ctx, consumer(ctx, ctx.name('reader')), topic, 1);
      check(m!.value.equals(big), `value of ${m!.value.length} bytes differs from the 1 MiB sent`);
    },
  },
  compression('gzip'),
  compression('snappy'),
  compression('lz4'),
  {
    feature: 'partitioner',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic, 4);
      const keys = Array.from({ length: 24 }, (_, i) => `key-${i}`);
      for (let round = 0; round < 2; round++) {
        // A fresh producer each round: the key → partition mapping must not depend on the run.
        const p = producer(ctx);
        await p.send({ messages: keys.map((k) => ({ topic, key: buf(k), value: buf(`r${round}`) })) });
        await p.close();
      }
      const got = await consume(ctx, consumer(ctx, ctx.name('reader')), topic, keys.length * 2);
      const partitionsOfKey = new Map<string, Set<number>>();
      for (const m of got) partitionsOfKey.set(m.key.toString(), (partitionsOfKey.get(m.key.toString()) ?? new Set()).add(m.partition));
      for (const [key, partitions] of partitionsOfKey) equal(partitions.size, 1, `partitions key ${key} went to`);
      check(new Set(got.map((m) => m.partition)).size > 1, 'every key went to one partition');
    },
  },
  {
    feature: 'consumer-group',
    timeoutMs: 60_000,
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      await createTopic(ctx, topic, 4);
      const partitionsOf = (c: Consumer): number[] => (c.assignments ?? []).flatMap((a) => (a.topic === topic ? a.partitions : [])).sort();
      const member = async (): Promise<{ c: Consumer; got: Message[]; fetches: () => number }> => {
        const c = consumer(ctx, group);
        const stream = await c.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: true });
        ctx.defer(() => stream.close());
        const got: Message[] = [];
        stream.on('data', (m: Message) => got.push(m));
        let fetches = 0;
        stream.on('fetch', () => fetches++);
        return { c, got, fetches: () => fetches };
      };
      const a = await member();
      await eventually(ctx.signal, 'first member assigned all 4 partitions', () => (partitionsOf(a.c).length === 4 ? true : undefined));
      const b = await member();
      const split = await eventually(ctx.signal, 'rebalance splitting the partitions between two members', () => {
        const [pa, pb] = [partitionsOf(a.c), partitionsOf(b.c)];
        return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 4 ? { pa, pb } : undefined;
      });
      equal([...split.pa, ...split.pb].sort(), [0, 1, 2, 3], 'partitions across the members');
      // The client keeps what a fetch sent before the rebalance returns, revoked partitions
      // included: produce only once each member's fetch in flight (one per broker) has returned.
      const [fa, fb] = [a.fetches(), b.fetches()];
      await eventually(ctx.signal, 'each member fetching with its new assignment', () => (a.fetches() > fa && b.fetches() > fb ? true : undefined));
      await producer(ctx).send({ messages: Array.from({ length: 40 }, (_, i) => ({ topic, key: buf(`k${i}`), value: buf(`m${i}`) })) });
      await eventually(ctx.signal, 'all 40 messages consumed by the group', () => (a.got.length + b.got.length >= 40 ? true : undefined));
      for (const [m, owned] of [[a, split.pa], [b, split.pb]] as const) {
        for (const r of m.got) check(owned.includes(r.partition), `a member consumed from partition ${r.partition} it was not assigned`);
      }
      equal(new Set([...a.got, ...b.got].map((r) => `${r.partition}:${r.offset}`)).size, 40, 'distinct messages consumed');
      await b.c.close(true);
      await eventually(ctx.signal, 'remaining member taking over all 4 partitions', () => (partitionsOf(a.c).length === 4 ? true : undefined));
    },
  },
  {
    feature: 'commit-resume',
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      const p = producer(ctx);
      await p.send({ messages: numbered(topic, 10) });
      const first = consumer(ctx, group);
      const read = await consume(ctx, first, topic, 10, 'committed');
      await read.at(-1)!.commit();
      await first.close(true);
      await p.send({ messages: numbered(topic, 5, 'n') });
      const got = await consume(ctx, consumer(ctx, group), topic, 5, 'committed');
      equal(got.map((m) => [m.offset, str(m.value)]), [0, 1, 2, 3, 4].map((i) => [BigInt(10 + i), `n${i}`]), 'second run resumes after the commit');
    },
  },
  {
    feature: 'seek-offset',
    async run(ctx) {
      const topic = ctx.name();
      await producer(ctx).send({ messages: numbered(topic, 10, 'm', 0) });
      const got = await consume(ctx, consumer(ctx, ctx.name('reader')), topic, 3, [{ topic, partition: 0, offset: 7n }]);
      equal(got.map((m) => [m.offset, str(m.value)]), [[7n, 'm7'], [8n, 'm8'], [9n, 'm9']], 'consumed from offset 7');
    },
  },
  {
    feature: 'seek-timestamp',
    async run(ctx) {
      const topic = ctx.name();
      const base = BigInt(Date.now() - 60_000);
      await producer(ctx).send({ acks: READ_BACK_AT_ONCE, messages: Array.from({ length: 6 }, (_, i) => ({ topic, partition: 0, value: buf(`t${i}`), timestamp: base + BigInt(i * 1000) })) });
      const c = consumer(ctx, ctx.name('reader'));
      const offsets = await c.listOffsets({ topics: [topic], timestamp: base + 2500n });
      const offset = offsets.get(topic)?.[0];
      equal(offset, 3n, 'offset for timestamp');
      const got = await consume(ctx, c, topic, 3, [{ topic, partition: 0, offset: offset! }]);
      equal(got.map((m) => [str(m.value), m.timestamp]), [3, 4, 5].map((i) => [`t${i}`, base + BigInt(i * 1000)]), 'consumed (value, timestamp)');
    },
  },
  {
    feature: 'admin-topics',
    async run(ctx) {
      const topic = ctx.name();
      const a = admin(ctx);
      const [created] = await a.createTopics({ topics: [topic], partitions: 3, configs: [{ name: 'cleanup.policy', value: 'compact' }] });
      equal([created!.name, created!.partitions], [topic, 3], 'created [name, partitions]');
      // Kafka answers CreateTopics once the controller committed; brokers learn of it a moment later.
      await eventually(ctx.signal, 'created topic listed', async () => ((await a.listTopics()).includes(topic) ? true : undefined));
      await expectKafkaError(a.createTopics({ topics: [topic], partitions: 3 }), 'TOPIC_ALREADY_EXISTS', 'creating it again');
      await a.deleteTopics({ topics: [topic] });
      await eventually(ctx.signal, 'deleted topic disappearing from the list', async () => (!(await a.listTopics()).includes(topic) ? true : undefined));
    },
  },
  {
    feature: 'admin-partitions',
    async run(ctx) {
      const topic = ctx.name();
      const a = await createTopic(ctx, topic, 2);
      await a.createPartitions({ topics: [{ name: topic, count: 5 }] });
      // As for CreateTopics, brokers' metadata follows the controller's answer a moment later.
      await eventually(ctx.signal, 'metadata showing 5 partitions after growing', async () =>
        (await a.metadata({ topics: [topic], forceUpdate: true })).topics.get(topic)?.partitionsCount === 5 ? true : undefined,
      );
      await expectKafkaError(a.createPartitions({ topics: [{ name: topic, count: 3 }] }), 'INVALID_PARTITIONS', 'shrinking');
      const p = producer(ctx);
      // Kafka's metadata lists a new partition a moment before the broker hosts it: produce until it does.
      const result: ProduceResult = await eventually(ctx.signal, 'producing to new partition 4', () => p.send({ messages: [{ topic, partition: 4, value: buf('to-4') }] }));
      equal(result.offsets?.map((o) => o.partition), [4], 'produced to a new partition');
    },
  },
  {
    feature: 'admin-configs',
    async run(ctx) {
      const topic = ctx.name();
      const a = await createTopic(ctx, topic);
      // configSource: 1 = TOPIC_CONFIG, 5 = DEFAULT_CONFIG.
      const retention = async (): Promise<[string | null, number]> => {
        const [described] = await a.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: ['retention.ms'] }] });
        const entry = described!.configs.find((c) => c.name === 'retention.ms');
        check(entry, 'retention.ms not described');
        return [entry.value ?? null, entry.configSource];
      };
      equal(await retention(), ['604800000', 5], 'default retention.ms [value, source]');
      await a.alterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configs: [{ name: 'retention.ms', value: '3600000' }] }] });
      // Kafka's controller applies the change; the broker describing it learns of it a moment later.
      await eventually(ctx.signal, 'retention.ms altered', async () => {
        equal(await retention(), ['3600000', 1], 'retention.ms after alter [value, source]');
        return true;
      });
      await expectKafkaError(a.alterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configs: [{ name: 'retention.ms', value: 'soon' }] }] }), 'INVALID_CONFIG', 'an invalid value');
      const md = await a.metadata({ topics: [] });
      const [broker] = await a.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: String([...md.brokers.keys()][0]) }] });
      check(broker!.configs.some((c) => c.name === 'num.partitions'), 'broker configs lack num.partitions');
    },
  },
  {
    feature: 'admin-groups',
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      await producer(ctx).send({ messages: numbered(topic, 3) });
      const c = consumer(ctx, group);
      const read = await consume(ctx, c, topic, 3, 'committed');
      await read.at(-1)!.commit();
      const a = admin(ctx);
      const listed = await a.listGroups();
      check(listed.get(group)?.protocolType === 'consumer', 'group not listed as a consumer group');
      const described = (await a.describeGroups({ groups: [group] })).get(group);
      equal([described?.state, described?.members.size], ['STABLE', 1], '[state, members]');
      await c.close(true);
      await eventually(ctx.signal, 'group becoming Empty after its member left', async () => ((await a.describeGroups({ groups: [group] })).get(group)?.state === 'EMPTY' ? true : undefined));
      await a.deleteGroups({ groups: [group] });
      check(!(await a.listGroups()).has(group), 'deleted group still listed');
    },
  },
  {
    feature: 'admin-offsets',
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      await producer(ctx).send({ acks: READ_BACK_AT_ONCE, messages: numbered(topic, 8) });
      const a = admin(ctx);
      const [listed] = await a.listOffsets({ topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
      equal(listed?.partitions.map((p) => p.offset), [8n], 'latest offset');
      await a.alterConsumerGroupOffsets({ groupId: group, topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset: 5n }] }] });
      const [offsets] = await a.listConsumerGroupOffsets({ groups: [group] });
      equal(offsets?.topics.find((t) => t.name === topic)?.partitions.map((p) => [p.partitionIndex, p.committedOffset]), [[0, 5n]], 'committed offsets');
      const got = await consume(ctx, consumer(ctx, group), topic, 3, 'committed');
      equal(got.map((m) => m.offset), [5n, 6n, 7n], 'a group member resumes from the offsets set');
    },
  },
  {
    feature: 'delete-records',
    async run(ctx) {
      const topic = ctx.name();
      await producer(ctx).send({ acks: READ_BACK_AT_ONCE, messages: numbered(topic, 10) });
      const a = admin(ctx);
      const [deleted] = await a.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 4n }] }] });
      equal(deleted?.partitions.map((p) => p.lowWatermark), [4n], 'low watermark after deleting records');
      const got = await consume(ctx, consumer(ctx, ctx.name('reader')), topic, 6);
      equal(got[0]?.offset, 4n, 'first offset a consumer reads');
    },
  },
  {
    feature: 'idempotence',
    async run(ctx) {
      const topic = ctx.name();
      const p = producer(ctx, { idempotent: true });
      for (let batch = 0; batch < 5; batch++) await p.send({ messages: numbered(topic, 20, `b${batch}-`) });
      const got = await consume(ctx, consumer(ctx, ctx.name('reader')), topic, 100);
      equal(got.map((m) => m.offset), Array.from({ length: 100 }, (_, i) => BigInt(i)), 'offsets');
    },
  },
  {
    feature: 'compaction',
    timeoutMs: 60_000, // Kafka's cleaner looks for work every 15 s (log.cleaner.backoff.ms)
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic, 1, COMPACTED_TOPIC_CONFIG);
      const p = producer(ctx);
      // A null value is a tombstone; the client's types want a Buffer.
      const record = ([key, value]: [string, string | null]) => ({ topic, partition: 0, key: buf(key), value: (value === null ? null : buf(value)) as Buffer });
      for (const round of COMPACTION_ROUNDS) await p.send({ messages: round.map(record) });
      await sleep(COMPACTION_ROLL_WAIT_MS, ctx.signal);
      await p.send({ messages: [record(COMPACTION_TAIL)] });
      let attempt = 0;
      await eventually(ctx.signal, 'the log compacted to the latest record per key', async () => {
        // The first records from the beginning: until the log is compacted, older ones come first.
        const c = consumer(ctx, ctx.name(`reader-${attempt++}`));
        const got = await consume(ctx, c, topic, COMPACTED.length);
        await c.close(true);
        equal(got.map((m) => [Number(m.offset), str(m.key), str(m.value)]), COMPACTED, 'consumed from the beginning [offset, key, value]');
        return true;
      }, 300);
    },
  },
  {
    feature: 'tls',
    async run(ctx) {
      const tls = tlsTarget(ctx);
      const overTls = { ...ctx, bootstrap: tls.bootstrap };
      const secure = { tls: { ca: readFileSync(tls.caFile, 'utf8') } };
      const a = new Admin({ ...CLIENT, bootstrapBrokers: servers(tls.bootstrap), ...secure });
      ctx.defer(() => a.close());
      const { brokers } = await a.metadata({ topics: [] });
      equal([...brokers.values()].map((b) => `${b.host}:${b.port}`).sort(), servers(tls.bootstrap), 'brokers advertised to a client of the SSL listener');
      const topic = ctx.name();
      await producer(overTls, secure).send({ messages: [{ topic, key: buf('k'), value: buf('over-tls') }] });
      const got = await consume(ctx, consumer(overTls, ctx.name('reader'), secure), topic, 1);
      equal(got.map((m) => [str(m.key), str(m.value)]), [['k', 'over-tls']], 'consumed over TLS');
    },
  },
  {
    feature: 'transactions',
    async run(ctx) {
      const topic = ctx.name();
      const p = producer(ctx, { idempotent: true, transactionalId: ctx.name('txn') });
      const committed = await p.beginTransaction();
      await committed.send({ messages: numbered(topic, 3, 'c', 0) });
      await committed.commit();
      const aborted = await p.beginTransaction();
      await aborted.send({ messages: numbered(topic, 2, 'x', 0) });
      await aborted.abort();
      const last = await p.beginTransaction();
      await last.send({ messages: [{ topic, partition: 0, value: buf('d') }] });
      await last.commit();
      const c = new Consumer({ ...CLIENT, bootstrapBrokers: servers(ctx.bootstrap), groupId: ctx.name('reader'), maxWaitTime: 200, isolationLevel: 1 });
      ctx.defer(() => c.close(true));
      const got = await consume(ctx, c, topic, 4);
      equal(got.map((m) => str(m.value)), ['c0', 'c1', 'c2', 'd'], 'values read with read_committed');
    },
  },
  {
    feature: 'error-unknown-topic',
    async run(ctx) {
      const topic = ctx.name('missing');
      const a = admin(ctx);
      // The client turns the broker's UNKNOWN_TOPIC_OR_PARTITION (code 3) into this UserError.
      const err = await rejection(a.metadata({ topics: [topic], autocreateTopics: false }), 'metadata for a missing topic');
      equal((err as Error).message, `Unknown topic ${topic}.`, 'error for a missing topic');
      check(!(await a.listTopics()).includes(topic), 'the missing topic was created');
    },
  },
  {
    feature: 'error-invalid-topic',
    async run(ctx) {
      const a = admin(ctx);
      for (const bad of ['compat platformatic bad name!', 'x'.repeat(250), '..']) {
        await expectKafkaError(a.createTopics({ topics: [bad], partitions: 1 }), 'INVALID_TOPIC_EXCEPTION', `creating "${bad.slice(0, 20)}"`);
      }
    },
  },
  {
    feature: 'error-offset-out-of-range',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic);
      await producer(ctx).send({ messages: numbered(topic, 5, 'm', 0) });
      const c = consumer(ctx, ctx.name('reader'));
      const stream = await c.consume({ topics: [topic], mode: 'manual', offsets: [{ topic, partition: 0, offset: 1000n }] });
      ctx.defer(() => stream.close());
      const err = await new Promise<unknown>((resolve) => {
        stream.once('error', resolve);
        stream.once('data', (m: Message) => resolve(new Error(`read offset ${m.offset} instead of failing`)));
      });
      equal(errorId(err) ?? String(err), 'OFFSET_OUT_OF_RANGE', 'error fetching offset 1000');
    },
  },
  {
    feature: 'error-message-too-large',
    async run(ctx) {
      const topic = ctx.name();
      const p = producer(ctx);
      await p.send({ messages: [{ topic, value: buf('small') }] });
      await expectKafkaError(p.send({ messages: [{ topic, value: Buffer.alloc(2 * ONE_MIB) }] }), 'MESSAGE_TOO_LARGE', 'sending 2 MiB');
    },
  },
];

export const platformaticSuite: ClientSuite = {
  id: 'platformatic',
  title: `@platformatic/kafka ${VERSION}`,
  source: 'npm `@platformatic/kafka` (1.x: 2.x needs Node 22)',
  unavailable: async () => undefined,
  scenarios,
  notApplicable: {
    'compression-zstd': 'the client compresses zstd with node:zlib, which Node 20 lacks (Node ≥ 22.15)',
  },
};
