// kcat (librdkafka, Debian package `kcat`): the command-line tool users reach for first. Each
// scenario runs kcat invocations as child processes and reads their JSON output.
import { crc32 } from 'node:zlib';
import { check, equal, eventually, sleep } from '../lib/check.js';
import { runChild, startChild, tail, type LiveChild } from '../lib/child.js';
import {
  COMPACTED,
  COMPACTED_TOPIC_CONFIG,
  COMPACTION_LAST_OFFSET,
  COMPACTION_ROLL_WAIT_MS,
  COMPACTION_ROUNDS,
  COMPACTION_TAIL,
  createTopic,
  LARGE_TOPIC_CONFIG,
  ONE_MIB,
} from '../lib/fixtures.js';
import { servers, tlsTarget, type ClientSuite, type Scenario, type ScenarioContext } from '../lib/scenario.js';

interface KcatMessage {
  partition: number;
  offset: number;
  ts: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

/** Stderr lines by which kcat reports failures it does not always turn into an exit code. */
const KCAT_ERROR = /% ERROR|Delivery failed|% Fatal/;

async function kcat(ctx: ScenarioContext, args: string[], input?: string): Promise<string> {
  const r = await runChild('kcat', ['-b', ctx.bootstrap, ...args], { signal: ctx.signal, ...(input === undefined ? {} : { input }) });
  if (r.code !== 0 || KCAT_ERROR.test(r.stderr)) throw new Error(`kcat ${args.slice(0, 6).join(' ')} failed: ${tail(r.stderr)}`);
  return r.stdout;
}

/** Runs kcat expecting it to report an error; returns its stderr. */
async function kcatError(ctx: ScenarioContext, args: string[], input?: string): Promise<string> {
  const r = await runChild('kcat', ['-b', ctx.bootstrap, ...args], { signal: ctx.signal, ...(input === undefined ? {} : { input }) });
  check(r.code !== 0 || KCAT_ERROR.test(r.stderr), `kcat ${args.slice(0, 6).join(' ')} was expected to fail but succeeded`);
  return r.stderr;
}

function produce(ctx: ScenarioContext, topic: string, lines: string[], extra: string[] = []): Promise<string> {
  return kcat(ctx, ['-P', '-t', topic, ...extra], `${lines.join('\n')}\n`);
}

/** Consumes a topic (or one partition) from `from` to its end. */
async function consume(ctx: ScenarioContext, topic: string, extra: string[] = [], from = 'beginning'): Promise<KcatMessage[]> {
  const out = await kcat(ctx, ['-C', '-t', topic, '-o', from, '-e', '-J', '-Z', ...extra]);
  return out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as KcatMessage);
}

const values = (messages: KcatMessage[]): (string | null)[] => messages.map((m) => m.payload);
const numbered = (n: number, prefix = 'm'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** The partitions in the last "assigned:" line a balanced kcat printed. */
function assignedPartitions(member: LiveChild): number[] | undefined {
  const lines = member.stderr().split('\n').filter((l) => l.includes('assigned:'));
  const last = lines.at(-1);
  return last === undefined ? undefined : [...last.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])).sort();
}

const scenarios: Scenario[] = [
  {
    feature: 'metadata',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx.bootstrap, topic, { partitions: 3 });
      const md = JSON.parse(await kcat(ctx, ['-L', '-J', '-t', topic])) as {
        brokers: { id: number; name: string }[];
        topics: { topic: string; error?: string; partitions: { partition: number; leader: number }[] }[];
      };
      check(md.brokers.length >= 1, 'metadata lists no broker');
      const t = md.topics.find((x) => x.topic === topic);
      check(t && !t.error, `topic ${topic} missing from metadata: ${JSON.stringify(md.topics)}`);
      equal(t.partitions.map((p) => p.partition).sort(), [0, 1, 2], 'partitions');
      for (const p of t.partitions) check(md.brokers.some((b) => b.id === p.leader), `partition ${p.partition} leader ${p.leader} is not a listed broker`);
    },
  },
  {
    feature: 'produce-consume',
    async run(ctx) {
      const topic = ctx.name();
      await produce(ctx, topic, ['k1|v1', '|no-key', 'k1|'], ['-p', '0', '-K', '|', '-Z', '-H', 'h1=a', '-H', 'h2=b']);
      await produce(ctx, topic, ['k2|v2'], ['-p', '0', '-K', '|']);
      const got = await consume(ctx, topic, ['-p', '0']);
      equal(
        got.map((m) => [m.offset, m.key, m.payload, m.headers ?? []]),
        [
          [0, 'k1', 'v1', ['h1', 'a', 'h2', 'b']],
          [1, null, 'no-key', ['h1', 'a', 'h2', 'b']],
          [2, 'k1', null, ['h1', 'a', 'h2', 'b']],
          [3, 'k2', 'v2', []],
        ],
        'consumed [offset, key, value, headers]',
      );
    },
  },
  {
    feature: 'large-message',
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx.bootstrap, topic, { configs: LARGE_TOPIC_CONFIG });
      const big = 'x'.repeat(ONE_MIB);
      await produce(ctx, topic, [big], ['-X', `message.max.bytes=${3 * ONE_MIB}`]);
      const got = await consume(ctx, topic);
      equal(got.length, 1, 'messages consumed');
      check(got[0]!.payload === big, `payload of ${got[0]!.payload?.length} bytes differs from the 1 MiB sent`);
    },
  },
  ...(['gzip', 'snappy', 'lz4', 'zstd'] as const).map(
    (codec): Scenario => ({
      feature: `compression-${codec}`,
      async run(ctx) {
        const topic = ctx.name();
        const sent = numbered(200, `${codec}-record-`);
        await produce(ctx, topic, sent, ['-z', codec]);
        equal(values(await consume(ctx, topic)), sent, 'values consumed');
      },
    }),
  ),
  {
    feature: 'partitioner',
    async run(ctx) {
      const topic = ctx.name();
      const partitions = 4;
      await createTopic(ctx.bootstrap, topic, { partitions });
      const keys = numbered(24, 'key-');
      // Two separate producer processes: the key → partition mapping must not depend on the run.
      for (let round = 0; round < 2; round++) await produce(ctx, topic, keys.map((k) => `${k}|r${round}`), ['-K', '|']);
      const got = await consume(ctx, topic);
      equal(got.length, keys.length * 2, 'messages consumed');
      for (const key of keys) {
        const seen = new Set(got.filter((m) => m.key === key).map((m) => m.partition));
        // librdkafka's default partitioner, consistent_random, is CRC32(key) modulo the partition count.
        equal([...seen], [crc32(key) % partitions], `partitions of key ${key}`);
      }
    },
  },
  {
    feature: 'consumer-group',
    timeoutMs: 60_000,
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      await createTopic(ctx.bootstrap, topic, { partitions: 4 });
      const member = (): LiveChild => {
        const m = startChild('kcat', ['-b', ctx.bootstrap, '-u', '-G', group, '-X', 'auto.offset.reset=earliest', '-f', '%p %o\n', '-X', 'heartbeat.interval.ms=500', topic], ctx.signal);
        ctx.defer(() => m.stop());
        return m;
      };
      const a = member();
      await eventually(ctx.signal, 'first member assigned all 4 partitions', () => (assignedPartitions(a)?.length === 4 ? true : undefined));
      const b = member();
      const split = await eventually(ctx.signal, 'rebalance splitting the partitions between two members', () => {
        const pa = assignedPartitions(a);
        const pb = assignedPartitions(b);
        return pa && pb && pa.length > 0 && pb.length > 0 && pa.length + pb.length === 4 ? { pa, pb } : undefined;
      });
      equal([...split.pa, ...split.pb].sort(), [0, 1, 2, 3], 'partitions assigned across the two members');
      await produce(ctx, topic, numbered(40).map((v, i) => `k${i}|${v}`), ['-K', '|']);
      const records = (m: LiveChild): string[] => m.stdout().split('\n').filter(Boolean);
      await eventually(ctx.signal, 'all 40 messages consumed by the group', () => (records(a).length + records(b).length >= 40 ? true : undefined));
      const all = [...records(a), ...records(b)];
      equal(new Set(all).size, 40, 'distinct messages consumed (no duplicates)');
      for (const [m, owned] of [[a, split.pa], [b, split.pb]] as const) {
        for (const line of records(m)) check(owned.includes(Number(line.split(' ')[0])), `a member consumed "${line}" from a partition it was not assigned`);
      }
      await b.stop();
      await eventually(ctx.signal, 'remaining member taking over all 4 partitions after the other left', () => (assignedPartitions(a)?.length === 4 ? true : undefined));
    },
  },
  {
    feature: 'commit-resume',
    async run(ctx) {
      const topic = ctx.name();
      const group = ctx.name('group');
      // No -o: in balanced mode kcat would apply it on every assignment, overriding committed offsets.
      const member = ['-G', group, '-X', 'auto.offset.reset=earliest', '-e', '-f', '%o %s\n', topic];
      await produce(ctx, topic, numbered(10));
      equal((await kcat(ctx, member)).split('\n').filter(Boolean).length, 10, 'messages consumed by the first run');
      await produce(ctx, topic, numbered(5, 'n'));
      equal((await kcat(ctx, member)).split('\n').filter(Boolean), ['10 n0', '11 n1', '12 n2', '13 n3', '14 n4'], 'second run resumes after the committed offset');
    },
  },
  {
    feature: 'seek-offset',
    async run(ctx) {
      const topic = ctx.name();
      await produce(ctx, topic, numbered(10), ['-p', '0']);
      const got = await consume(ctx, topic, ['-p', '0'], '7');
      equal(got.map((m) => [m.offset, m.payload]), [[7, 'm7'], [8, 'm8'], [9, 'm9']], 'consumed from offset 7');
    },
  },
  {
    feature: 'seek-timestamp',
    async run(ctx) {
      const topic = ctx.name();
      await produce(ctx, topic, numbered(5, 'before'), ['-p', '0']);
      await sleep(50, ctx.signal);
      const boundary = Date.now();
      await sleep(50, ctx.signal);
      await produce(ctx, topic, numbered(5, 'after'), ['-p', '0']);
      const got = await consume(ctx, topic, ['-p', '0'], `s@${boundary}`);
      equal(got.map((m) => m.offset), [5, 6, 7, 8, 9], 'offsets consumed from the timestamp');
      check(got.every((m) => m.ts >= boundary), 'a consumed message is older than the timestamp sought');
    },
  },
  {
    feature: 'idempotence',
    async run(ctx) {
      const topic = ctx.name();
      const sent = numbered(100);
      await produce(ctx, topic, sent, ['-X', 'enable.idempotence=true', '-X', 'linger.ms=5']);
      const got = await consume(ctx, topic);
      equal(values(got), sent, 'values consumed');
      equal(got.map((m) => m.offset), sent.map((_, i) => i), 'offsets');
    },
  },
  {
    feature: 'compaction',
    timeoutMs: 60_000, // Kafka's cleaner looks for work every 15 s (log.cleaner.backoff.ms)
    async run(ctx) {
      const topic = ctx.name();
      await createTopic(ctx.bootstrap, topic, { configs: COMPACTED_TOPIC_CONFIG });
      // -K splits key from value, -Z sends an empty value as null (a tombstone); one kcat run, one batch.
      for (const round of COMPACTION_ROUNDS) await produce(ctx, topic, round.map(([key, value]) => `${key}|${value ?? ''}`), ['-p', '0', '-K', '|', '-Z']);
      await sleep(COMPACTION_ROLL_WAIT_MS, ctx.signal);
      await produce(ctx, topic, [COMPACTION_TAIL.join('|')], ['-p', '0', '-K', '|']);
      await eventually(ctx.signal, 'the log compacted to the latest record per key', async () => {
        const got = await consume(ctx, topic, ['-p', '0']);
        check(got.at(-1)?.offset === COMPACTION_LAST_OFFSET, `read up to offset ${got.at(-1)?.offset}, expected ${COMPACTION_LAST_OFFSET}`);
        equal(got.map((m) => [m.offset, m.key, m.payload]), COMPACTED, 'consumed from the beginning [offset, key, value]');
        return true;
      }, 300);
    },
  },
  {
    feature: 'tls',
    async run(ctx) {
      const tls = tlsTarget(ctx);
      const overTls = { ...ctx, bootstrap: tls.bootstrap };
      const ssl = ['-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${tls.caFile}`];
      const topic = ctx.name();
      await produce(overTls, topic, ['a', 'b'], ssl);
      const md = JSON.parse(await kcat(overTls, ['-L', '-J', '-t', topic, ...ssl])) as { brokers: { name: string }[] };
      equal(md.brokers.map((b) => b.name).sort(), servers(tls.bootstrap), 'brokers advertised to a client of the SSL listener');
      equal(values(await consume(overTls, topic, ssl)), ['a', 'b'], 'values consumed over TLS');
    },
  },
  {
    feature: 'transactions',
    async run(ctx) {
      const topic = ctx.name();
      const sent = numbered(5);
      // kcat with a transactional.id wraps its whole input in one transaction and commits at the end.
      await produce(ctx, topic, sent, ['-p', '0', '-X', `transactional.id=${ctx.name('txn')}`]);
      const got = await consume(ctx, topic, ['-p', '0', '-X', 'isolation.level=read_committed']);
      equal(values(got), sent, 'committed values read with read_committed');
      const end = await kcat(ctx, ['-Q', '-t', `${topic}:0:-1`]);
      equal(/offset (\d+)/.exec(end)?.[1], '6', 'end offset (5 records + the commit marker)');
    },
  },
  {
    feature: 'error-unknown-topic',
    async run(ctx) {
      const stderr = await kcatError(ctx, ['-C', '-t', ctx.name('missing'), '-p', '0', '-e', '-X', 'allow.auto.create.topics=false']);
      check(stderr.includes('Unknown topic or partition'), `expected "Unknown topic or partition", got: ${tail(stderr)}`);
    },
  },
  {
    feature: 'error-invalid-topic',
    async run(ctx) {
      const stderr = await kcatError(ctx, ['-P', '-t', 'compat kcat invalid name!'], 'x\n');
      check(stderr.includes('Invalid topic'), `expected "Broker: Invalid topic", got: ${tail(stderr)}`);
    },
  },
  {
    feature: 'error-offset-out-of-range',
    async run(ctx) {
      const topic = ctx.name();
      await produce(ctx, topic, numbered(5), ['-p', '0']);
      const stderr = await kcatError(ctx, ['-C', '-t', topic, '-p', '0', '-o', '1000', '-e', '-X', 'auto.offset.reset=error']);
      check(stderr.includes('Offset out of range'), `expected "Offset out of range", got: ${tail(stderr)}`);
    },
  },
  {
    feature: 'error-message-too-large',
    async run(ctx) {
      const topic = ctx.name();
      await produce(ctx, topic, ['small']);
      const stderr = await kcatError(ctx, ['-P', '-t', topic, '-X', `message.max.bytes=${4 * ONE_MIB}`], `${'x'.repeat(2 * ONE_MIB)}\n`);
      check(stderr.includes('Message size too large'), `expected "Broker: Message size too large", got: ${tail(stderr)}`);
    },
  },
];

export const kcatSuite: ClientSuite = {
  id: 'kcat',
  title: 'kcat 1.7 (librdkafka 2.0)',
  source: 'Debian package `kcat`',
  async unavailable() {
    const r = await runChild('kcat', ['-V'], { signal: AbortSignal.timeout(10_000) }).catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
    return r.code === 0 ? undefined : `kcat not found (${tail(r.stderr)}); run compat/setup.sh`;
  },
  scenarios,
  notApplicable: {
    'admin-topics': 'kcat has no admin commands',
    'admin-partitions': 'kcat has no admin commands',
    'admin-configs': 'kcat has no admin commands',
    'admin-groups': 'kcat has no admin commands',
    'admin-offsets': 'kcat has no admin commands (it can query offsets with -Q, covered by seek-timestamp)',
    'delete-records': 'kcat has no admin commands',
  },
};
