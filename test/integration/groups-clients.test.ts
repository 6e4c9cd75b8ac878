// Consumer groups of other stock clients against Creek: kcat (librdkafka's balanced consumer,
// dynamic and static members) and kafka-python's KafkaConsumer, each consuming, committing and
// resuming from the committed offsets; two kcat members split a topic's partitions.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reader } from '../../protocol/codec/reader.js';
import type { RunningBroker } from '../../src/broker.js';
import { ClassicGroup } from '../../src/groups/classic-group.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { requireProgram, requirePythonModule } from '../helpers/programs.js';

const run = promisify(execFile);
const kafkaPython = requirePythonModule('kafka');

let broker: RunningBroker;
beforeAll(async () => {
  broker = await withBroker({ properties: { 'group.initial.rebalance.delay.ms': 0 } });
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: ['kc-topic', 'kc-split', 'py-topic'].map((topic) => ({ topic, numPartitions: 3 })) });
  await admin.disconnect();
});
afterAll(async () => {
  await broker.stop();
});

async function produce(topic: string, count: number): Promise<void> {
  const producer = kafkaFor(broker).producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ value: `v${i}`, partition: i % 3 })) });
  await producer.disconnect();
}

function committed(groupId: string, topic: string): number[] {
  const r = broker.broker.groups.fetchOffsets({ groupId, partitions: [0, 1, 2].map((partition) => ({ topic, partition })), requireStable: false, memberId: null, memberEpoch: -1 });
  return r.offsets.map((o) => o.offset);
}

async function kcat(args: string[]): Promise<string[]> {
  const { stdout } = await run('kcat', ['-b', broker.bootstrap, '-X', 'auto.offset.reset=earliest', '-f', '%p:%o\\n', ...args], { timeout: 60_000 });
  return stdout.split('\n').filter(Boolean).sort();
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Partitions in a ConsumerProtocolAssignment (version, then topics with partition arrays). */
function assignedPartitions(assignment: Buffer): number[] {
  if (assignment.length === 0) return [];
  const r = new Reader(assignment);
  r.int16();
  const out: number[] = [];
  for (let t = r.arrayLength(); t > 0; t--) {
    r.string();
    for (let p = r.arrayLength(); p > 0; p--) out.push(r.int32());
  }
  return out;
}

describe.skipIf(requireProgram('kcat'))('kcat balanced consumer (librdkafka)', () => {
  it('consumes, commits on close and resumes from the committed offsets', async () => {
    await produce('kc-topic', 12);
    const first = await kcat(['-G', 'kc-group', '-c', '12', 'kc-topic']);
    expect(first).toHaveLength(12);
    expect(committed('kc-group', 'kc-topic')).toEqual([4, 4, 4]);

    await produce('kc-topic', 3);
    const second = await kcat(['-G', 'kc-group', '-c', '3', 'kc-topic']);
    expect(second).toEqual(['0:4', '1:4', '2:4']);
    expect(committed('kc-group', 'kc-topic')).toEqual([5, 5, 5]);
  });

  it('joins as a static member (group.instance.id)', async () => {
    await produce('kc-topic', 3);
    const out = await kcat(['-G', 'kc-static', '-X', 'group.instance.id=kcat-1', '-c', '18', 'kc-topic']);
    expect(out).toHaveLength(18);
    expect(committed('kc-static', 'kc-topic')).toEqual([6, 6, 6]);
  });

  it('splits partitions between two members of one group', async () => {
    const members: ChildProcess[] = [];
    const group = (): ClassicGroup => broker.broker.groups.group('kc-split-group') as ClassicGroup;
    const start = (): void => {
      members.push(spawn('kcat', ['-b', broker.bootstrap, '-G', 'kc-split-group', '-q', 'kc-split'], { stdio: 'ignore' }));
    };
    try {
      start();
      await until(() => group()?.state === 'Stable' && group().members.size === 1, 'one stable member');
      start();
      await until(() => group().state === 'Stable' && group().members.size === 2, 'two stable members');
      const split = [...group().members.values()].map((m) => assignedPartitions(m.assignment).sort());
      expect(split.map((ps) => ps.length).sort()).toEqual([1, 2]);
      expect(split.flat().sort()).toEqual([0, 1, 2]);
    } finally {
      for (const m of members) m.kill('SIGTERM');
      await until(() => group().state === 'Empty', 'members to leave on shutdown');
    }
  });
});

describe.skipIf(kafkaPython.skip)('kafka-python KafkaConsumer', () => {
  it('consumes with a group, commits and resumes', async () => {
    await produce('py-topic', 9);
    const script = `
import sys
from kafka import KafkaConsumer
want = int(sys.argv[2])
c = KafkaConsumer('py-topic', bootstrap_servers=sys.argv[1], group_id='py-group', auto_offset_reset='earliest',
                  enable_auto_commit=False, consumer_timeout_ms=20000)
seen = []
for m in c:
    seen.append('%d:%d' % (m.partition, m.offset))
    if len(seen) == want:
        break
c.commit()
c.close()
print('\\n'.join(seen))
`;
    const consume = async (want: number): Promise<string[]> => {
      const { stdout } = await run(kafkaPython.python, ['-c', script, broker.bootstrap, String(want)], { timeout: 60_000 });
      return stdout.split('\n').filter(Boolean).sort();
    };
    expect(await consume(9)).toHaveLength(9);
    expect(committed('py-group', 'py-topic')).toEqual([3, 3, 3]);
    await produce('py-topic', 3);
    expect(await consume(3)).toEqual(['0:3', '1:3', '2:3']);
    expect(committed('py-group', 'py-topic')).toEqual([4, 4, 4]);
  });
});
