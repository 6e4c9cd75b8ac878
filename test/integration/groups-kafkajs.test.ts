// kafkajs consumer groups against Creek: consumer.run with committed offsets, partitions split
// and rebalanced as consumers join, leave gracefully or die (session timeout), and a restart
// that resumes from the committed offsets.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Consumer, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';

const FAST = { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500 };
const GROUP_TIMING = { sessionTimeout: 2000, rebalanceTimeout: 4000, heartbeatInterval: 100, maxWaitTimeInMs: 100 };

let broker: RunningBroker;
beforeAll(async () => {
  broker = await withBroker({ properties: FAST });
});
afterAll(async () => {
  await broker.stop();
});

async function produce(kafka: Kafka, topic: string, count: number, partitions = 1): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ value: `m${i}`, partition: i % partitions })) });
  await producer.disconnect();
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A consumer that records its latest assignment of `topic`. */
async function startMember(kafka: Kafka, groupId: string, topic: string): Promise<{ consumer: Consumer; assigned: () => number[] }> {
  const consumer = kafka.consumer({ groupId, ...GROUP_TIMING });
  let assigned: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assigned = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async () => undefined });
  return { consumer, assigned: () => assigned };
}

/** A kafkajs consumer in its own process, so that it can die without leaving the group. */
function startProcessMember(groupId: string, topic: string): ChildProcess {
  const script = `
    import { Kafka, logLevel } from 'kafkajs';
    const kafka = new Kafka({ clientId: 'doomed', brokers: [${JSON.stringify(broker.bootstrap)}], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: ${JSON.stringify(groupId)}, ...${JSON.stringify(GROUP_TIMING)} });
    await consumer.connect();
    await consumer.subscribe({ topic: ${JSON.stringify(topic)}, fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
  `;
  return spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: 'ignore' });
}

describe('kafkajs consumer groups', () => {
  it('consumes with consumer.run and commits offsets the admin client can read', async () => {
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kj-commit', numPartitions: 2 }] });
    await produce(kafka, 'kj-commit', 20, 2);

    const consumer = kafka.consumer({ groupId: 'kj-commit-group', ...GROUP_TIMING });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'kj-commit', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await until(() => seen.length === 20, '20 messages');
    await consumer.disconnect();

    const offsets = await admin.fetchOffsets({ groupId: 'kj-commit-group', topics: ['kj-commit'] });
    expect(offsets[0]!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(['10', '10']);
    const groups = await admin.listGroups();
    expect(groups.groups).toContainEqual({ groupId: 'kj-commit-group', protocolType: 'consumer' });
    const described = await admin.describeGroups(['kj-commit-group']);
    expect(described.groups[0]).toMatchObject({ groupId: 'kj-commit-group', state: 'Empty', members: [] });
    await admin.deleteGroups(['kj-commit-group']);
    expect((await admin.fetchOffsets({ groupId: 'kj-commit-group', topics: ['kj-commit'] }))[0]!.partitions.map((p) => p.offset)).toEqual(['-1', '-1']);
    await admin.disconnect();
  });

  it('splits partitions among members and rebalances on join, graceful leave and session expiry', async () => {
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kj-split', numPartitions: 6 }] });
    await admin.disconnect();
    const group = 'kj-split-group';
    const total = (members: { assigned: () => number[] }[]): number[] => members.flatMap((m) => m.assigned()).sort((a, b) => a - b);

    const a = await startMember(kafka, group, 'kj-split');
    await until(() => a.assigned().length === 6, 'first member owns all partitions');
    const b = await startMember(kafka, group, 'kj-split');
    await until(() => a.assigned().length === 3 && b.assigned().length === 3, 'two members split 3/3');
    expect(total([a, b])).toEqual([0, 1, 2, 3, 4, 5]);

    const c = await startMember(kafka, group, 'kj-split');
    await until(() => [a, b, c].every((m) => m.assigned().length === 2), 'three members split 2/2/2');
    expect(total([a, b, c])).toEqual([0, 1, 2, 3, 4, 5]);

    await c.consumer.disconnect(); // LeaveGroup
    await until(() => a.assigned().length === 3 && b.assigned().length === 3, 'back to 3/3 after a graceful leave');
    expect(total([a, b])).toEqual([0, 1, 2, 3, 4, 5]);

    await b.consumer.disconnect();
    await until(() => a.assigned().length === 6, 'one member left');
    const doomed = startProcessMember(group, 'kj-split');
    try {
      await until(async () => (await describeMembers(kafka, group)) === 2 && a.assigned().length === 3, 'a second member in another process');
      doomed.kill('SIGKILL');
      // No LeaveGroup: the broker notices when the dead member's session times out.
      await until(() => a.assigned().length === 6, 'the survivor owns all partitions after the session timeout');
      expect(await describeMembers(kafka, group)).toBe(1);
    } finally {
      doomed.kill('SIGKILL');
      await a.consumer.disconnect();
    }
  });
});

async function describeMembers(kafka: Kafka, groupId: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const d = await admin.describeGroups([groupId]);
    return d.groups[0]!.state === 'Stable' ? d.groups[0]!.members.length : -1;
  } finally {
    await admin.disconnect();
  }
}

describe('restart', () => {
  it('resumes a kafkajs consumer group from its committed offset after a broker restart', async () => {
    const dir = tempDir();
    try {
      let running = await withBroker({ dataDir: dir.path, properties: FAST });
      let kafka = kafkaFor(running);
      await produce(kafka, 'kj-resume', 10);
      let consumer = kafka.consumer({ groupId: 'kj-resume-group', ...GROUP_TIMING });
      const first: number[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: 'kj-resume', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void first.push(Number(message.offset)) });
      await until(() => first.length === 10, 'first 10 messages');
      await consumer.disconnect();
      await running.stop();

      running = await withBroker({ dataDir: dir.path, properties: FAST });
      try {
        kafka = kafkaFor(running);
        await produce(kafka, 'kj-resume', 5);
        consumer = kafka.consumer({ groupId: 'kj-resume-group', ...GROUP_TIMING });
        const second: number[] = [];
        await consumer.connect();
        await consumer.subscribe({ topic: 'kj-resume', fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void second.push(Number(message.offset)) });
        await until(() => second.length >= 5, 'the 5 new messages');
        await consumer.disconnect();
        expect(second).toEqual([10, 11, 12, 13, 14]);
      } finally {
        await running.stop();
      }
    } finally {
      dir.remove();
    }
  });
});
