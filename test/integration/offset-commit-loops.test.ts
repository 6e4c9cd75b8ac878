// Offsets of one group set again and again by stock clients, on a memory and a disk broker, with
// the log cleaner compacting __consumer_offsets meanwhile and with log.cleaner.enable=false:
// kafkajs admin.setOffsets/resetOffsets (each call is a group member that joins, commits and
// leaves with LeaveGroup), a kafkajs member committing in a loop, kafka-python simple commits
// (generation -1, no member id) and kcat balanced consumers (librdkafka) joining and leaving.
// After every step the group must be Empty at once: a member that left is gone without waiting
// for its session timeout, as in Kafka, so the next call finds the group free.
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Admin, Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';
import { requireProgram, requirePythonModule } from '../helpers/programs.js';

const run = promisify(execFile);
const kafkaPython = requirePythonModule('kafka');
const noKcat = requireProgram('kcat');
const TOPIC = 'loop-topic';
const GROUP = 'loop-group';

/** Every step: a new segment of __consumer_offsets (log.roll.ms) that the cleaner picks up at once. */
const compacting = {
  'group.initial.rebalance.delay.ms': 0,
  'log.roll.ms': 30,
  'log.cleaner.backoff.ms': 50,
  'log.cleaner.min.cleanable.ratio': 0.01,
  'offsets.topic.segment.bytes': 1048576,
};

async function waitFor(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function committed(admin: Admin): Promise<string> {
  const [topic] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  return topic!.partitions[0]!.offset;
}

/** The group as kafkajs describes it: state and member count. */
async function described(admin: Admin): Promise<[string, number]> {
  const [group] = (await admin.describeGroups([GROUP])).groups;
  return [group!.state, group!.members.length];
}

async function produce(kafka: Kafka, count: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();
}

/** kafkajs admin calls in a row; each waits in the client for its paused member's first fetch (maxWaitTimeInMs, 5 s). */
async function adminLoop(admin: Admin): Promise<void> {
  const steps: [() => Promise<void>, string][] = [
    [() => admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 0, offset: '3' }] }), '3'],
    [() => admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 0, offset: '7' }] }), '7'],
    // kafkajs commits the sentinel itself (-2 earliest, -1 latest); Kafka stores and returns it as is.
    [() => admin.resetOffsets({ groupId: GROUP, topic: TOPIC, earliest: true }), '-2'],
    [() => admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 0, offset: '9' }] }), '9'],
    [() => admin.resetOffsets({ groupId: GROUP, topic: TOPIC, earliest: false }), '-1'],
    [() => admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 0, offset: '2' }] }), '2'],
  ];
  for (const [step, offset] of steps) {
    await step();
    expect(await described(admin)).toEqual(['Empty', 0]);
    expect(await committed(admin)).toBe(offset);
  }
}

/** One kafkajs group member committing in a loop, then leaving. */
async function memberLoop(kafka: Kafka, admin: Admin): Promise<void> {
  const consumer = kafka.consumer({ groupId: GROUP, maxWaitTimeInMs: 100 });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
  await waitFor('the kafkajs member to join', () => joined);
  for (let offset = 1; offset <= 10; offset++) {
    await consumer.commitOffsets([{ topic: TOPIC, partition: 0, offset: String(offset) }]);
    expect(await committed(admin)).toBe(String(offset));
  }
  expect(await described(admin)).toEqual(['Stable', 1]);
  await consumer.disconnect();
  expect(await described(admin)).toEqual(['Empty', 0]);
}

/** kafka-python with an assigned partition: simple commits, accepted while the group is empty. */
async function simpleCommitLoop(broker: RunningBroker, admin: Admin): Promise<void> {
  const script = `
import sys
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata
tp = TopicPartition('${TOPIC}', 0)
c = KafkaConsumer(bootstrap_servers=sys.argv[1], group_id='${GROUP}', enable_auto_commit=False)
c.assign([tp])
for offset in range(11, 21):
    c.commit({tp: OffsetAndMetadata(offset, '')})
    print(c.committed(tp))
c.close()
`;
  const { stdout } = await run(kafkaPython.python, ['-c', script, broker.bootstrap], { timeout: 60_000 });
  expect(stdout.split('\n').filter(Boolean)).toEqual(Array.from({ length: 10 }, (_, i) => String(11 + i)));
  expect(await committed(admin)).toBe('20');
  expect(await described(admin)).toEqual(['Empty', 0]);
}

/** kcat balanced consumers one after another: each joins, reads one record, commits and leaves. */
async function kcatLoop(broker: RunningBroker, kafka: Kafka, admin: Admin): Promise<void> {
  await produce(kafka, 3);
  for (const offset of [20, 21, 22]) {
    const { stdout } = await run('kcat', ['-b', broker.bootstrap, '-G', GROUP, '-c', '1', '-f', '%o\\n', TOPIC], { timeout: 60_000 });
    expect(stdout.trim()).toBe(String(offset));
    expect(await committed(admin)).toBe(String(offset + 1));
    expect(await described(admin)).toEqual(['Empty', 0]);
  }
}

describe.concurrent('offsets of one group set in a loop', () => {
  for (const storage of ['memory', 'disk'] as const) {
    for (const cleaner of [true, false]) {
      it.skipIf(kafkaPython.skip || noKcat)(`${storage} broker, log cleaner ${cleaner ? 'compacting __consumer_offsets' : 'off'}`, async () => {
        const dir = tempDir('creek-commit-loops-');
        const broker = await withBroker({
          ...(storage === 'disk' ? { dataDir: dir.path } : {}),
          properties: { ...compacting, 'log.cleaner.enable': cleaner },
        });
        try {
          const kafka = kafkaFor(broker);
          const admin = kafka.admin();
          await admin.connect();
          await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] });
          await produce(kafka, 20);
          await adminLoop(admin);
          await memberLoop(kafka, admin);
          await simpleCommitLoop(broker, admin);
          await kcatLoop(broker, kafka, admin);
          const offsetsLog = broker.broker.topics.get('__consumer_offsets')!.partitions[0]!;
          if (cleaner) await waitFor('the cleaner to compact __consumer_offsets', () => offsetsLog.firstDirtyOffset > 0);
          else expect(offsetsLog.firstDirtyOffset).toBe(0);
          await admin.disconnect();
        } finally {
          await broker.stop();
          dir.remove();
        }
      }, 120_000);
    }
  }
});
