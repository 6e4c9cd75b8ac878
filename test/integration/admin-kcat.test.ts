// kcat (librdkafka) against the embedded broker: metadata listing, produce and consume.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { requireProgram } from '../helpers/programs.js';

const run = promisify(execFile);

let broker: RunningBroker;
beforeAll(async () => {
  broker = await withBroker({ nodeId: 5 });
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'kcat-topic', numPartitions: 3 }] });
  await admin.disconnect();
});
afterAll(async () => {
  await broker.stop();
});

async function kcat(args: string[], input?: string): Promise<string> {
  const child = run('kcat', ['-b', broker.bootstrap, '-m', '10', ...args], { timeout: 30_000 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  return (await child).stdout;
}

describe.skipIf(requireProgram('kcat'))('kcat', () => {
  it('lists brokers and topics with -L', async () => {
    const out = await kcat(['-L', '-J']);
    const meta = JSON.parse(out) as { brokers: { id: number; name: string }[]; topics: { topic: string; partitions: { partition: number; leader: number }[] }[] };
    expect(meta.brokers).toEqual([{ id: 5, name: broker.bootstrap }]);
    const topic = meta.topics.find((t) => t.topic === 'kcat-topic')!;
    expect(topic.partitions.map((p) => [p.partition, p.leader])).toEqual([[0, 5], [1, 5], [2, 5]]);
  });

  it('produces and consumes a partition', async () => {
    await kcat(['-P', '-t', 'kcat-topic', '-p', '1', '-K', ':'], 'k1:one\nk2:two\nk3:three\n');
    const out = await kcat(['-C', '-t', 'kcat-topic', '-p', '1', '-o', 'beginning', '-e', '-f', '%k=%s@%o\\n']);
    expect(out.trim().split('\n')).toEqual(['k1=one@0', 'k2=two@1', 'k3=three@2']);
  });

  it('consumes from an offset after records were deleted before it', async () => {
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: ['kcat-topic'] });
    await admin.deleteTopicRecords({ topic: 'kcat-topic', partitions: [{ partition: 1, offset: '2' }] });
    await admin.disconnect();
    const out = await kcat(['-C', '-t', 'kcat-topic', '-p', '1', '-o', 'beginning', '-e', '-f', '%s@%o\\n']);
    expect(out.trim()).toBe('three@2');
  });
});
