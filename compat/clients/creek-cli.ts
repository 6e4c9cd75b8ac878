// Creek's own client subcommands (`creek topic|produce|consume|group`), built from this checkout's
// source: each scenario runs them as child processes against the target, as a script would, and
// checks their JSON output, exit codes and the Kafka error names of their one-line failures.
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { check, equal, eventually, sleep } from '../lib/check.js';
import { runChild, tail, type ChildResult } from '../lib/child.js';
import { ONE_MIB } from '../lib/fixtures.js';
import { servers, tlsTarget, type ClientSuite, type Scenario, type ScenarioContext } from '../lib/scenario.js';

/** The CLI from source, through tsx (as test/helpers/cli.ts runs it); the runner runs from the repo root, where tsx resolves. */
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

interface Delivery {
  topic: string;
  partition: number;
  offset: number;
}

interface TopicDetails {
  name: string;
  partitions: { partition: number; leader: number; replicas: number[]; isr: number[]; logStartOffset: number; highWatermark: number }[];
  configs: Record<string, string | null>;
}

interface GroupDetails {
  groupId: string;
  state: string;
  protocolType: string;
  members: unknown[];
  partitions: { topic: string; partition: number; committed: number | null; logEnd: number; lag: number | null; member: string | null }[];
}

function run(ctx: ScenarioContext, args: string[], input?: string, bootstrap = ctx.bootstrap): Promise<ChildResult> {
  return runChild(process.execPath, ['--import', 'tsx', CLI, ...args, '--bootstrap', bootstrap], { signal: ctx.signal, ...(input === undefined ? {} : { input }) });
}

/** Runs a subcommand that must succeed (exit 0, nothing on stderr); returns its stdout. */
async function creek(ctx: ScenarioContext, args: string[], input?: string, bootstrap?: string): Promise<string> {
  const r = await run(ctx, args, input, bootstrap);
  if (r.code !== 0 || r.stderr !== '') throw new Error(`creek ${args.slice(0, 4).join(' ')} exited ${r.code}: ${tail(r.stderr || r.stdout)}`);
  return r.stdout;
}

async function creekJson<T>(ctx: ScenarioContext, args: string[], input?: string): Promise<T> {
  return JSON.parse(await creek(ctx, [...args, '--json'], input)) as T;
}

/** One JSON object per line (consume --json, produce -v --json). */
async function creekJsonLines<T>(ctx: ScenarioContext, args: string[], input?: string, bootstrap?: string): Promise<T[]> {
  const out = await creek(ctx, [...args, '--json'], input, bootstrap);
  return out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as T);
}

/** Runs a subcommand that must fail with a Kafka error: exit code 1, nothing on stdout, one line on stderr naming `errorName`. */
async function creekFails(ctx: ScenarioContext, args: string[], errorName: string, input?: string): Promise<void> {
  const r = await run(ctx, args, input);
  const what = `creek ${args.slice(0, 4).join(' ')}`;
  equal(r.code, 1, `${what}: exit code (stderr: ${tail(r.stderr)})`);
  equal(r.stdout, '', `${what}: stdout`);
  const lines = r.stderr.trimEnd().split('\n');
  check(lines.length === 1 && lines[0]!.startsWith(`creek: ${errorName}`), `${what}: expected one stderr line "creek: ${errorName}...", got: ${r.stderr.trimEnd()}`);
}

const numbered = (n: number, prefix = 'm'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const lines = (values: string[]): string => `${values.join('\n')}\n`;

/** Creates a topic and checks the CLI's summary of it. */
async function createTopic(ctx: ScenarioContext, topic: string, extra: string[] = [], partitions = 1): Promise<void> {
  const created = await creekJson<{ topic: string; partitions: number; replicationFactor: number }>(ctx, ['topic', 'create', topic, '-p', String(partitions), ...extra]);
  equal([created.topic, created.partitions], [topic, partitions], 'topic create --json: topic and partitions');
  check(created.replicationFactor >= 1, `topic create --json: replication factor ${created.replicationFactor}`);
}

/** `group describe --json`: the group's state and its committed offset and lag per partition. */
async function describeGroup(ctx: ScenarioContext, group: string): Promise<GroupDetails> {
  return creekJson<GroupDetails>(ctx, ['group', 'describe', group]);
}

/** Kafka applies an admin change a moment after answering (compat/README.md, "Where Creek differs"): poll until `probe` holds. */
function until<T>(ctx: ScenarioContext, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  return eventually(ctx.signal, what, probe, 250);
}

function compression(codec: 'gzip' | 'snappy' | 'lz4' | 'zstd'): Scenario {
  return {
    feature: `compression-${codec}`,
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic);
      const sent = Array.from({ length: 50 }, (_, i) => `record ${i} ${'compressible '.repeat(10)}`);
      const delivered = await creekJsonLines<Delivery>(ctx, ['produce', topic, '-z', codec, '-v'], lines(sent));
      equal(delivered.map((d) => d.offset), sent.map((_, i) => i), `offsets of records produced with -z ${codec}`);
      const got = await creekJsonLines<ConsumedRecord>(ctx, ['consume', topic, '-e']);
      equal(got.map((r) => r.value), sent, 'values consumed');
    },
  };
}

const scenarios: Scenario[] = [
  {
    feature: 'metadata',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic, [], 3);
      const details = await creekJson<TopicDetails>(ctx, ['topic', 'describe', topic]);
      equal(details.partitions.map((p) => p.partition), [0, 1, 2], 'partitions described');
      const factor = details.partitions[0]!.replicas.length;
      for (const p of details.partitions) {
        equal(p.replicas.length, factor, `replica count of partition ${p.partition}`);
        check(p.replicas.includes(p.leader), `partition ${p.partition}: leader ${p.leader} is not among its replicas ${JSON.stringify(p.replicas)}`);
        check(p.isr.length > 0 && p.isr.every((b) => p.replicas.includes(b)), `partition ${p.partition}: ISR ${JSON.stringify(p.isr)} is not a subset of replicas ${JSON.stringify(p.replicas)}`);
        equal([p.logStartOffset, p.highWatermark], [0, 0], `offsets of empty partition ${p.partition}`);
      }
    },
  },
  {
    feature: 'admin-topics',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic, [], 2);
      const listed = (): Promise<{ name: string; partitions: number }[]> => creekJson(ctx, ['topic', 'list']);
      const entry = await until(ctx, `topic list showing ${topic}`, async () => (await listed()).find((t) => t.name === topic));
      equal(entry.partitions, 2, 'partitions listed');
      await creekFails(ctx, ['topic', 'create', topic], 'TOPIC_ALREADY_EXISTS');
      equal(await creekJson(ctx, ['topic', 'delete', topic]), { deleted: [topic] }, 'topic delete --json');
      await until(ctx, `topic list without ${topic}`, async () => ((await listed()).some((t) => t.name === topic) ? undefined : true));
      await creekFails(ctx, ['topic', 'delete', topic], 'UNKNOWN_TOPIC_OR_PARTITION');
      await creekFails(ctx, ['topic', 'describe', topic], 'UNKNOWN_TOPIC_OR_PARTITION');
    },
  },
  {
    feature: 'admin-configs',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic, ['-c', 'retention.ms=60000']);
      const configs = async (): Promise<TopicDetails['configs']> => (await creekJson<TopicDetails>(ctx, ['topic', 'describe', topic])).configs;
      const shows = (wanted: Record<string, string>) => async (): Promise<true | undefined> => {
        const c = await configs();
        return Object.entries(wanted).every(([k, v]) => c[k] === v) ? true : undefined;
      };
      await until(ctx, 'topic describe showing retention.ms=60000 set at creation', shows({ 'retention.ms': '60000', 'cleanup.policy': 'delete' }));
      const altered = await creekJson(ctx, ['topic', 'alter-config', topic, '--set', 'retention.ms=1000', '--set', 'cleanup.policy=compact']);
      equal(altered, { topic, configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' } }, 'topic alter-config --json (the overrides now set)');
      await until(ctx, 'topic describe showing retention.ms=1000 and cleanup.policy=compact', shows({ 'retention.ms': '1000', 'cleanup.policy': 'compact' }));
      await creek(ctx, ['topic', 'alter-config', topic, '--delete', 'retention.ms']);
      // Without the override the topic falls back to the broker's default: 7 days, Kafka's default.
      await until(ctx, 'topic describe showing the default retention.ms after --delete', shows({ 'retention.ms': '604800000', 'cleanup.policy': 'compact' }));
      await creekFails(ctx, ['topic', 'alter-config', topic, '--set', 'cleanup.policy=sometimes'], 'INVALID_CONFIG');
    },
  },
  {
    feature: 'produce-consume',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic, [], 2);
      const delivered = await creekJsonLines<Delivery>(ctx, ['produce', topic, '-K', ':', '-H', 'source=cli', '-H', 'n=1', '-p', '1', '-v'], lines(['k1:one', 'k2:two', 'k3:a:b']));
      equal(delivered, [0, 1, 2].map((offset) => ({ topic, partition: 1, offset })), 'produce -v --json: partition and offset of each record');
      const got = await creekJsonLines<ConsumedRecord>(ctx, ['consume', topic, '-e']);
      equal(
        got.map(({ partition, offset, key, value, headers }) => ({ partition, offset, key, value, headers })),
        [['k1', 'one'], ['k2', 'two'], ['k3', 'a:b']].map(([key, value], offset) => ({ partition: 1, offset, key, value, headers: { source: 'cli', n: '1' } })),
        'consume -e --json',
      );
      check(got.every((r) => r.topic === topic && r.timestamp > 0), `records without their topic or a timestamp: ${JSON.stringify(got)}`);
      const formatted = await creek(ctx, ['consume', topic, '-n', '2', '-f', '%t %p:%o %k=%v %h %K/%S\\n']);
      equal(formatted, `${topic} 1:0 k1=one source=cli,n=1 2/3\n${topic} 1:1 k2=two source=cli,n=1 2/3\n`, 'consume -n 2 -f');
    },
  },
  compression('gzip'),
  compression('snappy'),
  compression('lz4'),
  compression('zstd'),
  {
    feature: 'seek-offset',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic);
      await creek(ctx, ['produce', topic], lines(numbered(10)));
      const got = await creekJsonLines<ConsumedRecord>(ctx, ['consume', topic, '-o', '7', '-e']);
      equal(got.map((r) => [r.offset, r.value]), [[7, 'm7'], [8, 'm8'], [9, 'm9']], 'consume -o 7 -e');
      equal(await creek(ctx, ['consume', topic, '-o', 'end', '-e']), '', 'consume -o end -e');
      equal((await creekJsonLines<ConsumedRecord>(ctx, ['consume', topic, '-o', 'beginning', '-n', '2'])).map((r) => r.offset), [0, 1], 'consume -o beginning -n 2');
    },
  },
  {
    feature: 'seek-timestamp',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic);
      await creek(ctx, ['produce', topic], lines(numbered(5, 'before')));
      await sleep(50, ctx.signal);
      const boundary = Date.now();
      await sleep(50, ctx.signal);
      await creek(ctx, ['produce', topic], lines(numbered(5, 'after')));
      const got = await creekJsonLines<ConsumedRecord>(ctx, ['consume', topic, '--timestamp', String(boundary), '-e']);
      equal(got.map((r) => [r.offset, r.value]), numbered(5, 'after').map((v, i) => [5 + i, v]), 'consume --timestamp -e');
      check(got.every((r) => r.timestamp >= boundary), 'a consumed record is older than the timestamp sought');
    },
  },
  {
    feature: 'commit-resume',
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      await createTopic(ctx, topic);
      await creek(ctx, ['produce', topic], lines(numbered(10)));
      const member = (extra: string[]): Promise<ConsumedRecord[]> => creekJsonLines<ConsumedRecord>(ctx, ['consume', topic, '-g', group, ...extra]);
      equal((await member(['--from-beginning', '-n', '4'])).map((r) => r.offset), [0, 1, 2, 3], 'first run: -g --from-beginning -n 4');
      equal((await member(['-e'])).map((r) => r.offset), [4, 5, 6, 7, 8, 9], 'second run resumes after the committed offset');
      await creek(ctx, ['produce', topic], lines(numbered(3, 'n')));
      equal((await member(['-e', '--from-beginning'])).map((r) => r.value), ['n0', 'n1', 'n2'], 'third run: --from-beginning does not override a committed offset');
    },
  },
  {
    feature: 'admin-groups',
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      await createTopic(ctx, topic, [], 2);
      await creek(ctx, ['produce', topic, '-p', '1'], lines(numbered(3)));
      equal((await creekJsonLines<ConsumedRecord>(ctx, ['consume', topic, '-g', group, '--from-beginning', '-n', '1'])).map((r) => r.offset), [0], 'consumed as a group');
      const listed = await creekJson<{ groupId: string; state: string; protocolType: string; members: number }[]>(ctx, ['group', 'list']);
      equal(listed.find((g) => g.groupId === group), { groupId: group, state: 'Empty', protocolType: 'consumer', members: 0 }, 'group list --json entry');
      const d = await describeGroup(ctx, group);
      equal([d.groupId, d.state, d.protocolType, d.members], [group, 'Empty', 'consumer', []], 'group describe --json: group, state, protocol type, members');
      equal(d.partitions.filter((p) => p.topic === topic && p.partition === 1), [{ topic, partition: 1, committed: 1, logEnd: 3, lag: 2, member: null }], 'group describe --json: committed offset and lag');
      equal(await creekJson(ctx, ['group', 'delete', group]), { deleted: [group] }, 'group delete --json');
      await creekFails(ctx, ['group', 'describe', group], 'GROUP_ID_NOT_FOUND');
      await creekFails(ctx, ['group', 'delete', group], 'GROUP_ID_NOT_FOUND');
    },
  },
  {
    feature: 'admin-offsets',
    timeoutMs: 90_000,
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      await createTopic(ctx, topic);
      await creek(ctx, ['produce', topic], lines(numbered(10)));
      await creek(ctx, ['consume', topic, '-g', group, '--from-beginning', '-n', '4']);
      const lagOf = async (): Promise<[number | null, number, number | null]> => {
        const p = (await describeGroup(ctx, group)).partitions.find((x) => x.topic === topic && x.partition === 0);
        check(p, `group describe lists no committed offset for ${topic}`);
        return [p.committed, p.logEnd, p.lag];
      };
      equal(await lagOf(), [4, 10, 6], 'after consuming 4 of 10: [committed, log end, lag]');
      const reset = (to: string[]): Promise<unknown> => creekJson(ctx, ['group', 'reset-offsets', group, '--topic', topic, ...to]);
      equal(await reset(['--to-offset', '2']), { groupId: group, topic, partitions: [{ partition: 0, offset: 2 }] }, 'reset-offsets --to-offset 2 --json');
      equal(await lagOf(), [2, 10, 8], 'after --to-offset 2');
      equal(await reset(['--to-latest']), { groupId: group, topic, partitions: [{ partition: 0, offset: 10 }] }, 'reset-offsets --to-latest --json');
      equal(await lagOf(), [10, 10, 0], 'after --to-latest');
      equal(await reset(['--to-earliest']), { groupId: group, topic, partitions: [{ partition: 0, offset: 0 }] }, 'reset-offsets --to-earliest --json');
      equal((await creekJsonLines<ConsumedRecord>(ctx, ['consume', topic, '-g', group, '-n', '2'])).map((r) => r.offset), [0, 1], 'the group consumes from the reset offset');
      // With a member in the group the reset is refused, as Kafka's kafka-consumer-groups refuses it.
      const member = new Kafka({ clientId: 'creek-cli-compat', brokers: servers(ctx.bootstrap), logLevel: logLevel.NOTHING }).consumer({ groupId: group });
      ctx.defer(() => member.disconnect());
      const joined = new Promise<void>((resolve) => member.on(member.events.GROUP_JOIN, () => resolve()));
      await member.connect();
      await member.subscribe({ topics: [topic] });
      await member.run({ eachMessage: async () => undefined });
      await joined;
      await creekFails(ctx, ['group', 'reset-offsets', group, '--topic', topic, '--to-earliest'], 'NON_EMPTY_GROUP');
    },
  },
  {
    feature: 'tls',
    async run(ctx) {
      const tls = tlsTarget(ctx);
      const ssl = ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${tls.caFile}`];
      const topic = ctx.name();
      await createTopic(ctx, topic);
      const delivered = await creekJsonLines<Delivery>(ctx, ['produce', topic, '-v', ...ssl], lines(['a', 'b']), tls.bootstrap);
      equal(delivered.map((d) => d.offset), [0, 1], 'offsets produced over TLS');
      equal((await creekJsonLines<ConsumedRecord>(ctx, ['consume', topic, '-e', ...ssl], undefined, tls.bootstrap)).map((r) => r.value), ['a', 'b'], 'values consumed over TLS');
    },
  },
  {
    feature: 'error-unknown-topic',
    async run(ctx) {
      const missing = ctx.name('missing');
      // The subcommands never auto-create a topic, whatever the broker's auto.create.topics.enable.
      await creekFails(ctx, ['produce', missing], 'UNKNOWN_TOPIC_OR_PARTITION', 'x\n');
      await creekFails(ctx, ['consume', missing, '-e'], 'UNKNOWN_TOPIC_OR_PARTITION');
      await creekFails(ctx, ['topic', 'describe', missing], 'UNKNOWN_TOPIC_OR_PARTITION');
    },
  },
  {
    feature: 'error-invalid-topic',
    async run(ctx) {
      await creekFails(ctx, ['topic', 'create', 'compat creek-cli invalid name!'], 'INVALID_TOPIC_EXCEPTION');
    },
  },
  {
    feature: 'error-message-too-large',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx, topic);
      await creekFails(ctx, ['produce', topic], 'MESSAGE_TOO_LARGE', `${'x'.repeat(2 * ONE_MIB)}\n`);
    },
  },
  {
    feature: 'error-topic-not-creatable',
    async run(ctx) {
      // Above the broker count of any target this suite runs against.
      await creekFails(ctx, ['topic', 'create', ctx.name('replicas'), '-r', '10'], 'INVALID_REPLICATION_FACTOR');
      const dotted = `${ctx.name()}.x`;
      await createTopic(ctx, dotted);
      await creekFails(ctx, ['topic', 'create', dotted.replace(/\.x$/, '_x')], 'INVALID_TOPIC_EXCEPTION');
    },
  },
];

export const creekCliSuite: ClientSuite = {
  id: 'creek-cli',
  title: 'creek CLI (this checkout)',
  source: '`src/cli.ts` run from source with tsx (`creek topic|produce|consume|group`, built on kafkajs)',
  async unavailable() {
    const r = await runChild(process.execPath, ['--import', 'tsx', CLI, '--version'], { signal: AbortSignal.timeout(30_000) }).catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
    return r.code === 0 ? undefined : `creek --version failed (${tail(r.stderr)}); run npm ci`;
  },
  // Every step starts Node with tsx (a second or more on a loaded machine): a minute per scenario unless it asks for more.
  scenarios: scenarios.map((s) => ({ timeoutMs: 60_000, ...s })),
  notApplicable: {
    'admin-partitions': 'creek topic has no command to add partitions',
    'delete-records': 'the subcommands have no command to delete records',
    'admin-transactions': 'the subcommands have no transaction commands',
    'admin-scram': 'the subcommands have no SCRAM credential commands',
    idempotence: 'creek produce has no idempotence option',
    transactions: 'creek produce has no transactional option',
  },
};
