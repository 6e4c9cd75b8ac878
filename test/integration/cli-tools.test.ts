// The client subcommands (creek topic|produce|consume|group) run as child processes against an
// embedded broker: what they print (people's and --json), what they change on the broker, and how
// they fail: one line naming the Kafka error, a non-zero exit code, and nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { commitGroupOffsets } from '../../src/cli/group-offsets.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { runCli, runCliOk, spawnCli } from '../helpers/cli.js';
import { expectCliFailure } from '../helpers/cli-failure.js';
import { readPartition } from '../helpers/read-partition.js';

let broker: RunningBroker;
let b: string[];
beforeAll(async () => {
  broker = await withBroker();
  b = ['--bootstrap', broker.bootstrap];
});
afterAll(() => broker.stop());

/** Runs a subcommand against the broker that must succeed and returns its stdout. */
const ok = (args: string[], input?: string): Promise<string> => runCliOk([...args, ...b], input);

const jsonLines = (out: string): unknown[] => out.trim().split('\n').map((l) => JSON.parse(l) as unknown);

const expectFailure = expectCliFailure;

describe('creek topic', () => {
  it('creates, lists, describes, alters and deletes a topic', async () => {
    expect(await ok(['topic', 'create', 'tools-a', '-p', '3', '-c', 'cleanup.policy=compact', '-c', 'retention.ms=60000'])).toBe('Created topic tools-a (3 partitions, replication factor 1)\n');
    expect(broker.broker.topics.get('tools-a')!.partitions).toHaveLength(3);

    expect(jsonLines(await ok(['topic', 'list', '--json']))[0]).toEqual(expect.arrayContaining([{ name: 'tools-a', partitions: 3 }]));
    expect(await ok(['topic', 'list'])).toMatch(/^TOPIC +PARTITIONS\n(.*\n)*tools-a +3\n/);

    expectFailure(await runCli(['produce', 'tools-a', ...b], 'no key\n'), 1, /^creek: INVALID_RECORD: .*\(hint: a compacted topic needs a key on every record/);
    await ok(['produce', 'tools-a', '-p', '2', '-K', '='], 'k=x\nk=y\n');
    const described = jsonLines(await ok(['topic', 'describe', 'tools-a', '--json']))[0] as { partitions: unknown[]; configs: Record<string, string> };
    expect(described.partitions).toEqual([0, 1, 2].map((p) => ({ partition: p, leader: 1, replicas: [1], isr: [1], logStartOffset: 0, highWatermark: p === 2 ? 2 : 0 })));
    expect(described.configs).toMatchObject({ 'cleanup.policy': 'compact', 'retention.ms': '60000', 'segment.bytes': '1073741824' });
    expect(await ok(['topic', 'describe', 'tools-a'])).toMatch(/^Topic tools-a: 3 partitions\nPARTITION +LEADER +REPLICAS +ISR +LOG-START +HIGH-WATERMARK\n0 +1 +1 +1 +0 +0\n(.*\n)*2 +1 +1 +1 +0 +2\nConfigs:\n/);

    // AlterConfigs replaces every override: the command keeps the ones it does not touch.
    await ok(['topic', 'alter-config', 'tools-a', '--set', 'retention.ms=1000', '--set', 'max.message.bytes=2048', '--delete', 'cleanup.policy']);
    const altered = (jsonLines(await ok(['topic', 'describe', 'tools-a', '--json']))[0] as { configs: Record<string, string> }).configs;
    expect(altered).toMatchObject({ 'retention.ms': '1000', 'max.message.bytes': '2048', 'cleanup.policy': 'delete' });

    expect(await ok(['topic', 'delete', 'tools-a'])).toBe('Deleted topic tools-a\n');
    expect(broker.broker.topics.get('tools-a')).toBeUndefined();
  });

  it('prints one JSON document for create, alter-config, delete and group delete with --json', async () => {
    expect(jsonLines(await ok(['topic', 'create', 'tools-json', '-p', '2', '--json']))).toEqual([{ topic: 'tools-json', partitions: 2, replicationFactor: 1 }]);
    expect(jsonLines(await ok(['topic', 'alter-config', 'tools-json', '--set', 'retention.ms=5000', '--json']))).toEqual([{ topic: 'tools-json', configs: { 'retention.ms': '5000' } }]);
    await ok(['produce', 'tools-json', '-p', '0'], 'x\n');
    await ok(['consume', 'tools-json', '-g', 'tools-json-group', '--from-beginning', '-n', '1']);
    expect(jsonLines(await ok(['group', 'delete', 'tools-json-group', '--json']))).toEqual([{ deleted: ['tools-json-group'] }]);
    expect(jsonLines(await ok(['topic', 'delete', 'tools-json', '--json']))).toEqual([{ deleted: ['tools-json'] }]);
    expect(broker.broker.topics.get('tools-json')).toBeUndefined();
  }, 60_000);

  it('creates a topic on a broker that does not know it yet for a moment (Kafka right after CreateTopics), waiting for it', async () => {
    // More failures than kafkajs retries a DescribeConfigs: the command itself must wait for the topic.
    const lagging = broker.faults.failRequests({ apiKey: 'DescribeConfigs', errorCode: 'UNKNOWN_TOPIC_OR_PARTITION', count: 5, topic: 'tools-lagging' });
    expect(await ok(['topic', 'create', 'tools-lagging', '-p', '2'])).toBe('Created topic tools-lagging (2 partitions, replication factor 1)\n');
    expect([lagging.hits, lagging.active]).toEqual([5, false]);
  });

  it('refuses a replication factor above the brokers with Kafka\'s error, creating nothing', async () => {
    expectFailure(await runCli(['topic', 'create', 'tools-r2', '-r', '2', ...b]), 1, /^creek: INVALID_REPLICATION_FACTOR: .*\(hint: the replication factor cannot exceed the number of brokers\)$/m);
    expect(broker.broker.topics.get('tools-r2')).toBeUndefined();
    expect(await ok(['topic', 'create', 'tools-r1', '-r', '1', '-p', '2'])).toBe('Created topic tools-r1 (2 partitions, replication factor 1)\n');
  });

  it('refuses a topic that exists, an unknown topic, and malformed key=value, creating nothing', async () => {
    await ok(['topic', 'create', 'tools-dup']);
    expectFailure(await runCli(['topic', 'create', 'tools-dup', ...b]), 1, /^creek: TOPIC_ALREADY_EXISTS: .*tools-dup.* \(hint: /);
    expectFailure(await runCli(['topic', 'describe', 'tools-none', ...b]), 1, /^creek: UNKNOWN_TOPIC_OR_PARTITION: .*\(hint: list topics with `creek topic list`/);
    expectFailure(await runCli(['topic', 'delete', 'tools-none', ...b]), 1, /UNKNOWN_TOPIC_OR_PARTITION/);
    expectFailure(await runCli(['topic', 'create', 'tools-bad', '-c', 'retention.ms', ...b]), 2, '--config expects key=value, got "retention.ms"');
    expectFailure(await runCli(['topic', 'create', 'tools-bad', '-c', 'retention.ms=soon', ...b]), 1, /^creek: INVALID_CONFIG: /);
    expectFailure(await runCli(['topic', 'create', 'tools-bad', '-p', 'many', ...b]), 2, '--partitions expects a whole number of at least 1');
    expectFailure(await runCli(['topic', 'create', 'tools-bad', '--colour', ...b]), 2, /Unknown option '--colour'/);
    expectFailure(await runCli(['topic', 'frobnicate', ...b]), 2, 'unknown topic command "frobnicate"');
    expect(broker.broker.topics.get('tools-bad')).toBeUndefined();
  });
});

describe('creek produce and consume', () => {
  it('produces keyed lines with headers and prints each record\'s partition and offset', async () => {
    await ok(['topic', 'create', 'tools-pc', '-p', '2']);
    const delivered = jsonLines(await ok(['produce', 'tools-pc', '-K', ':', '-H', 'source=cli', '-H', 'n=1', '-p', '1', '-v', '--json'], 'k1:one\nk2:two:2\nnokey\n'));
    expect(delivered).toEqual([0, 1, 2].map((offset) => ({ topic: 'tools-pc', partition: 1, offset })));
    const stored = await readPartition(broker, 'tools-pc', 1);
    expect(stored.map((r) => [r.key, r.value, r.headers])).toEqual([
      ['k1', 'one', { source: 'cli', n: '1' }],
      ['k2', 'two:2', { source: 'cli', n: '1' }],
      [null, 'nokey', { source: 'cli', n: '1' }],
    ]);
    expect(await ok(['produce', 'tools-pc', '-p', '0', '-z', 'zstd', '--acks', '1', '-v'], 'a\nb\n')).toBe('tools-pc [0] @ 0\ntools-pc [0] @ 1\n');
    await ok(['produce', 'tools-pc', '-p', '0', '-z', 'gzip'], 'c\n');

    const records = jsonLines(await ok(['consume', 'tools-pc', '--exit', '--json'])) as { partition: number; offset: number; key: string | null; value: string; headers: Record<string, string>; timestamp: number }[];
    expect(records.map((r) => `${r.partition}:${r.offset}:${r.key}:${r.value}`).sort()).toEqual(['0:0:null:a', '0:1:null:b', '0:2:null:c', '1:0:k1:one', '1:1:k2:two:2', '1:2:null:nokey']);
    expect(records.find((r) => r.key === 'k1')!.headers).toEqual({ source: 'cli', n: '1' });
    expect(records.every((r) => r.timestamp > 0)).toBe(true);

    expect(await ok(['consume', 'tools-pc', '-o', '1', '-e', '-f', '%t/%p/%o %k=%v [%h]\\n'])).toMatch(/^(tools-pc\/\d\/\d .*\n){4}$/);
    expect((await ok(['consume', 'tools-pc', '-o', '1', '-e', '-f', '%p:%o %k=%v [%h]\\n'])).split('\n').filter(Boolean).sort()).toEqual(['0:1 =b []', '0:2 =c []', '1:1 k2=two:2 [source=cli,n=1]', '1:2 =nokey [source=cli,n=1]']);
    // Without a group nothing is committed and no group is left behind.
    expect(broker.broker.groups.listGroups()).toEqual([]);
  });

  it('consumes as a group: -n stops after COUNT records and the next run resumes after them', async () => {
    await ok(['topic', 'create', 'tools-g']);
    await ok(['produce', 'tools-g'], 'r0\nr1\nr2\nr3\nr4\n');
    expect(await ok(['consume', 'tools-g', '-g', 'tools-group', '--from-beginning', '-n', '2'])).toBe('r0\nr1\n');
    expect(await ok(['consume', 'tools-g', '-g', 'tools-group', '-n', '2', '-f', '%o\\n'])).toBe('2\n3\n');

    const d = jsonLines(await ok(['group', 'describe', 'tools-group', '--json']))[0];
    expect(d).toMatchObject({ groupId: 'tools-group', state: 'Empty', members: [], partitions: [{ topic: 'tools-g', partition: 0, committed: 4, logEnd: 5, lag: 1, member: null }] });
    expect(await ok(['group', 'describe', 'tools-group'])).toMatch(/^Group tools-group: Empty, 0 members\nTOPIC +PARTITION +COMMITTED +LOG-END +LAG +MEMBER\ntools-g +0 +4 +5 +1 +-\n$/);
    expect(jsonLines(await ok(['group', 'list', '--json']))[0]).toEqual(expect.arrayContaining([{ groupId: 'tools-group', state: 'Empty', protocolType: 'consumer', members: 0 }]));

    expect(jsonLines(await ok(['group', 'reset-offsets', 'tools-group', '--topic', 'tools-g', '--to-offset', '1', '--json']))[0]).toEqual({ groupId: 'tools-group', topic: 'tools-g', partitions: [{ partition: 0, offset: 1 }] });
    expect(await ok(['consume', 'tools-g', '-g', 'tools-group', '--exit'])).toBe('r1\nr2\nr3\nr4\n');

    expect(await ok(['group', 'delete', 'tools-group'])).toBe('Deleted group tools-group\n');
    expectFailure(await runCli(['group', 'describe', 'tools-group', ...b]), 1, /^creek: GROUP_ID_NOT_FOUND: /);
    expectFailure(await runCli(['group', 'delete', 'tools-group', ...b]), 1, /^creek: GROUP_ID_NOT_FOUND: /);
    expectFailure(await runCli(['group', 'reset-offsets', 'tools-group', '--topic', 'tools-g', ...b]), 2, 'exactly one of --to-earliest, --to-latest, --to-offset N');
  }, 60_000);

  it('refuses to reset the offsets of a group with a live member, in Kafka\'s tool\'s words, and resets them once it has left', async () => {
    await ok(['topic', 'create', 'tools-live']);
    await ok(['produce', 'tools-live'], 'a\nb\nc\n');
    const consumer = spawnCli(['consume', 'tools-live', '-g', 'tools-live-group', '--from-beginning', ...b]);
    await consumer.waitFor(/^a\nb\nc\n/);
    expectFailure(
      await runCli(['group', 'reset-offsets', 'tools-live-group', '--topic', 'tools-live', '--to-earliest', ...b]),
      1,
      /^creek: NON_EMPTY_GROUP: Assignments can only be reset if the group 'tools-live-group' is inactive, but the current state is Stable\. \(hint: stop the group's consumers first\)\n$/,
    );
    consumer.child.kill('SIGINT');
    expect(await consumer.exited).toBe(0);
    expect(jsonLines(await ok(['group', 'reset-offsets', 'tools-live-group', '--topic', 'tools-live', '--to-earliest', '--json']))[0]).toEqual({ groupId: 'tools-live-group', topic: 'tools-live', partitions: [{ partition: 0, offset: 0 }] });
    expect(await ok(['consume', 'tools-live', '-g', 'tools-live-group', '--exit'])).toBe('a\nb\nc\n');
  }, 60_000);

  it('commits offsets as Kafka\'s admin client does, which the coordinator refuses while the group has a member', async () => {
    await ok(['topic', 'create', 'tools-commit']);
    const kafka = kafkaFor(broker);
    const commit = (offset: number) => commitGroupOffsets(kafka, 'tools-commit-group', 'tools-commit', [{ partition: 0, offset }]);
    await commit(0);
    const member = kafka.consumer({ groupId: 'tools-commit-group' });
    const joined = new Promise<void>((resolve) => member.on(member.events.GROUP_JOIN, () => resolve()));
    await member.connect();
    await member.subscribe({ topics: ['tools-commit'] });
    await member.run({ eachMessage: async () => {} });
    await joined;
    try {
      // The check `group reset-offsets` makes first can be overtaken by a member joining: the commit itself is refused then.
      await expect(commit(0)).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
    } finally {
      await member.disconnect();
    }
    await commit(0);
  }, 60_000);

  it('follows the topic until interrupted, then commits what it printed and leaves its group', async () => {
    await ok(['topic', 'create', 'tools-follow']);
    await ok(['produce', 'tools-follow'], 'before\n');
    const consumer = spawnCli(['consume', 'tools-follow', '-g', 'tools-follow-group', '--from-beginning', ...b]);
    await consumer.waitFor(/^before\n/);
    // Records produced while it runs are printed as they arrive: it has not stopped at the end.
    await ok(['produce', 'tools-follow'], 'after\n');
    await consumer.waitFor(/^before\nafter\n/);
    expect(consumer.child.exitCode).toBeNull();
    consumer.child.kill('SIGINT');
    expect(await consumer.exited).toBe(0);
    expect(consumer.output()).toBe('before\nafter\n');
    const d = jsonLines(await ok(['group', 'describe', 'tools-follow-group', '--json']))[0];
    expect(d).toMatchObject({ state: 'Empty', members: [], partitions: [{ topic: 'tools-follow', partition: 0, committed: 2, logEnd: 2, lag: 0 }] });
  }, 60_000);

  it('starts each partition at the first record at or after --timestamp, with or without a group', async () => {
    await ok(['topic', 'create', 'tools-ts', '-p', '2']);
    const base = 1_700_000_000_000;
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await producer.send({ topic: 'tools-ts', messages: [0, 10, 20, 30].map((d) => ({ partition: 0, value: `p0-${d}`, timestamp: String(base + d) })) });
    await producer.send({ topic: 'tools-ts', messages: [{ partition: 0, value: 'p0-100', timestamp: String(base + 100) }] });
    // Partition 1 has nothing at or after the timestamp: it starts at its end.
    await producer.send({ topic: 'tools-ts', messages: [{ partition: 1, value: 'p1-5', timestamp: String(base + 5) }] });
    await producer.disconnect();

    expect(await ok(['consume', 'tools-ts', '--timestamp', String(base + 15), '--exit', '-f', '%p:%o %v %T\\n'])).toBe(`0:2 p0-20 ${base + 20}\n0:3 p0-30 ${base + 30}\n0:4 p0-100 ${base + 100}\n`);
    expect(await ok(['consume', 'tools-ts', '--timestamp', String(base + 30), '-g', 'tools-ts-group', '-n', '1'])).toBe('p0-30\n');
    // The group committed what it printed, so the next run resumes after it.
    expect(await ok(['consume', 'tools-ts', '-g', 'tools-ts-group', '--exit'])).toBe('p0-100\n');
    expect(await ok(['consume', 'tools-ts', '--timestamp', String(base + 101), '--exit'])).toBe('');

    expectFailure(await runCli(['consume', 'tools-ts', '--timestamp', String(base), '-o', 'beginning', ...b]), 2, '--offset and --timestamp cannot be used together');
    expectFailure(await runCli(['consume', 'tools-ts', '--timestamp', 'yesterday', ...b]), 2, '--timestamp expects a whole number of at least 0, got "yesterday"');
  }, 60_000);

  it('fails on an unknown topic, malformed input and an unreachable broker, writing nothing', async () => {
    expectFailure(await runCli(['produce', 'tools-none', ...b], 'x\n'), 1, /^creek: UNKNOWN_TOPIC_OR_PARTITION: .*\(hint: /);
    expectFailure(await runCli(['consume', 'tools-none', '-e', ...b]), 1, /^creek: UNKNOWN_TOPIC_OR_PARTITION: /);
    expect(broker.broker.topics.get('tools-none')).toBeUndefined();

    await ok(['topic', 'create', 'tools-bad-input']);
    expectFailure(await runCli(['produce', 'tools-bad-input', '-H', 'no-equals', ...b], 'x\n'), 2, '--header expects key=value, got "no-equals"');
    expectFailure(await runCli(['produce', 'tools-bad-input', '-z', 'brotli', ...b], 'x\n'), 2, '--compression expects none, gzip, snappy, lz4 or zstd');
    expectFailure(await runCli(['produce', 'tools-bad-input', '--acks', '2', ...b], 'x\n'), 2, '--acks expects all, 1 or 0');
    expectFailure(await runCli(['consume', 'tools-bad-input', '-o', 'middle', ...b]), 2, '--offset expects beginning, end or an offset, got "middle"');
    expect(await readPartition(broker, 'tools-bad-input', 0)).toEqual([]);

    for (const args of [['topic', 'list'], ['produce', 'tools-bad-input'], ['consume', 'tools-bad-input', '-e'], ['group', 'list']]) {
      const r = await runCli([...args, '--bootstrap', '127.0.0.1:1'], 'x\n');
      expectFailure(r, 1, /^creek: cannot reach a broker at 127\.0\.0\.1:1: .*ECONNREFUSED.* \(hint: is a broker running there\? pass --bootstrap HOST:PORT\)\n$/);
    }
    expectFailure(await runCli(['topic', 'list', '--bootstrap', 'nowhere']), 2, '--bootstrap expects HOST:PORT, got "nowhere"');
  }, 60_000);
});
