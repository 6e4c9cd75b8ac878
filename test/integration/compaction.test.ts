// Log compaction end to end with kafkajs on a disk broker: latest record per key at its original
// offsets, keyless records refused, tombstones gone after delete.retention.ms (also when the horizon
// passes after a restart), aborted transaction data removed, an idempotent producer going on after its batches were cleaned, restarts, and
// __consumer_offsets compacted with group offsets surviving a restart.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';

interface Seen { offset: number; key: string | null; value: string | null }

const dir = tempDir('creek-compaction-');
afterAll(() => dir.remove());

const brokerOptions = {
  dataDir: dir.path,
  properties: { 'log.cleaner.backoff.ms': 50, 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.segment.bytes': 1048576 },
};
const compacted = {
  'cleanup.policy': 'compact',
  'segment.ms': '30',
  'min.cleanable.dirty.ratio': '0.01',
  'delete.retention.ms': '400',
};

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Every record of partition 0 from offset 0, with a kafkajs consumer (read_uncommitted). */
async function consumeAll(kafka: Kafka, topic: string, upTo: number): Promise<Seen[]> {
  const consumer = kafka.consumer({ groupId: `reader-${Math.random()}`, readUncommitted: true, maxWaitTimeInMs: 50 });
  const seen: Seen[] = [];
  let done = false;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) seen.push({ offset: Number(m.offset), key: m.key?.toString() ?? null, value: m.value?.toString() ?? null });
      if (Number(batch.lastOffset()) + 1 >= upTo || Number(batch.highWatermark) >= upTo && seen.at(-1)!.offset + 1 >= upTo) done = true;
    },
  });
  await waitFor('the consumer to reach the end', () => done || (seen.length > 0 && seen.at(-1)!.offset + 1 >= upTo));
  await consumer.disconnect();
  return seen;
}

/** Produces `rounds` values for keys k0..k{keys-1}, one request per round, rolling segments between rounds. */
async function produceRounds(kafka: Kafka, topic: string, rounds: number, keys: number): Promise<Map<string, { offset: number; value: string }>> {
  const producer = kafka.producer();
  await producer.connect();
  const latest = new Map<string, { offset: number; value: string }>();
  for (let round = 0; round < rounds; round++) {
    const messages = Array.from({ length: keys }, (_, k) => ({ key: `k${k}`, value: `v${round}-${k}-${'x'.repeat(200)}` }));
    const [meta] = await producer.send({ topic, messages });
    messages.forEach((m, i) => latest.set(m.key, { offset: Number(meta!.baseOffset) + i, value: m.value }));
    await sleep(35); // past segment.ms: the next request rolls a new segment
  }
  await producer.disconnect();
  return latest;
}

describe('log compaction (kafkajs, disk broker)', () => {
  let broker: RunningBroker;
  const logOf = (topic: string) => broker.broker.topics.get(topic)!.partitions[0]!;

  it('keeps the latest record per key at its original offset, and the same after a restart', async () => {
    broker = await withBroker(brokerOptions);
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'table', numPartitions: 1, configEntries: Object.entries(compacted).map(([name, value]) => ({ name, value })) }] });
    const latest = await produceRounds(kafka, 'table', 12, 6);
    const log = logOf('table');
    const end = log.logEndOffset;
    // The last round sits in the active segment, which is never cleaned; everything before it is.
    await waitFor('the cleaner', () => log.firstDirtyOffset >= end - 6);
    const seen = await consumeAll(kafka, 'table', end);
    const cleanedPart = seen.filter((s) => s.offset < log.firstDirtyOffset);
    expect(new Set(cleanedPart.map((s) => s.key)).size).toBe(cleanedPart.length);
    for (const [key, { offset, value }] of latest) expect(seen.find((s) => s.key === key && s.offset === offset)?.value).toBe(value);
    expect(seen.length).toBeLessThan(72);
    const offsets = await admin.fetchTopicOffsets('table');
    expect(offsets[0]).toMatchObject({ low: '0', high: String(end) });
    await admin.disconnect();

    await broker.stop();
    broker = await withBroker(brokerOptions);
    expect(await consumeAll(kafkaFor(broker), 'table', end)).toEqual(seen);
    await broker.stop();
  });

  it('refuses keyless records in a compacted topic with INVALID_RECORD', async () => {
    broker = await withBroker(brokerOptions);
    const kafka = kafkaFor(broker);
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    const error = await producer.send({ topic: 'table', messages: [{ key: 'a', value: '1' }, { value: 'no key' }] }).catch((err: unknown) => err);
    expect(error).toMatchObject({ type: 'INVALID_RECORD' });
    await producer.disconnect();
    await broker.stop();
  });

  it('removes tombstones after delete.retention.ms and aborted transaction data', async () => {
    broker = await withBroker(brokerOptions);
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'deletes', numPartitions: 1, configEntries: Object.entries(compacted).map(([name, value]) => ({ name, value })) }] });
    await admin.disconnect();
    const txProducer = kafka.producer({ transactionalId: 'cleaner-tx', maxInFlightRequests: 1, idempotent: true });
    await txProducer.connect();
    const tx = await txProducer.transaction();
    await tx.send({ topic: 'deletes', messages: [{ key: 'gone', value: 'aborted' }] });
    await tx.abort();
    await txProducer.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'deletes', messages: [{ key: 'dead', value: 'alive' }] });
    await producer.send({ topic: 'deletes', messages: [{ key: 'dead', value: null }] });
    await producer.disconnect();
    await produceRounds(kafka, 'deletes', 4, 2);
    const log = logOf('deletes');
    const end = log.logEndOffset;
    const has = async (pred: (s: Seen) => boolean): Promise<boolean> => (await consumeAll(kafka, 'deletes', end)).some(pred);
    await waitFor('the first cleaning', () => log.firstDirtyOffset >= end - 2);
    expect(await has((s) => s.value === 'aborted')).toBe(false);
    expect(await has((s) => s.value === 'alive')).toBe(false);
    // The tombstone stays for delete.retention.ms after it was first cleaned (400 ms), then goes.
    await waitFor('the tombstone to go', async () => !(await has((s) => s.key === 'dead')));
    await broker.stop();
  });

  it('removes a tombstone whose delete horizon passes after a restart, without new produce', async () => {
    broker = await withBroker(brokerOptions);
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    const configEntries = Object.entries({ ...compacted, 'delete.retention.ms': '3000' }).map(([name, value]) => ({ name, value }));
    await admin.createTopics({ topics: [{ topic: 'quiet', numPartitions: 1, configEntries }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'quiet', messages: [{ key: 'dead', value: 'alive' }] });
    await producer.send({ topic: 'quiet', messages: [{ key: 'dead', value: null }] });
    await producer.disconnect();
    await produceRounds(kafka, 'quiet', 3, 2);
    const end = logOf('quiet').logEndOffset;
    await waitFor('the first cleaning', () => logOf('quiet').firstDirtyOffset >= end - 2);
    await broker.stop();
    // The tombstone outlives the restart (its horizon is 3 s after the first cleaning) ...
    broker = await withBroker({ ...brokerOptions, properties: { ...brokerOptions.properties, 'log.cleaner.enable': false } });
    expect(logOf('quiet').nextDeleteHorizon).toBeGreaterThan(0);
    expect((await consumeAll(kafkaFor(broker), 'quiet', end)).filter((s) => s.key === 'dead')).toEqual([{ offset: 1, key: 'dead', value: null }]);
    await broker.stop();
    // ... and the cleaner of the next run removes it once the horizon passes, with nothing new produced.
    broker = await withBroker(brokerOptions);
    await waitFor('the tombstone to go', async () => !(await consumeAll(kafkaFor(broker), 'quiet', end)).some((s) => s.key === 'dead'));
    expect(logOf('quiet').logEndOffset).toBe(end);
    await broker.stop();
  });

  it('lets an idempotent producer go on after its batches were cleaned and the broker restarted', async () => {
    broker = await withBroker(brokerOptions);
    let kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'idem', numPartitions: 1, configEntries: Object.entries(compacted).map(([name, value]) => ({ name, value })) }] });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 8; i++) {
      await producer.send({ topic: 'idem', messages: [{ key: 'same', value: `v${i}` }] });
      await sleep(35);
    }
    const log = logOf('idem');
    await waitFor('the cleaner', () => log.firstDirtyOffset >= log.logEndOffset - 1);
    await broker.stop();
    broker = await withBroker({ ...brokerOptions, port: broker.port });
    kafka = kafkaFor(broker);
    await producer.send({ topic: 'idem', messages: [{ key: 'same', value: 'after restart' }] });
    await producer.disconnect();
    const seen = await consumeAll(kafka, 'idem', 9);
    expect(seen.at(-1)).toEqual({ offset: 8, key: 'same', value: 'after restart' });
    await broker.stop();
  });

  it('compacts __consumer_offsets; group offsets survive a restart', async () => {
    const options = { ...brokerOptions, properties: { ...brokerOptions.properties, 'log.roll.ms': 30, 'log.cleaner.min.cleanable.ratio': 0.01 } };
    broker = await withBroker(options);
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'grouped', numPartitions: 1 }] });
    const consumer = kafka.consumer({ groupId: 'compacted-group', maxWaitTimeInMs: 50 });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.connect();
    await consumer.subscribe({ topic: 'grouped', fromBeginning: true });
    await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    await waitFor('the consumer to join', () => joined);
    for (let i = 1; i <= 10; i++) {
      await consumer.commitOffsets([{ topic: 'grouped', partition: 0, offset: String(i) }]);
      await sleep(35); // past log.roll.ms: the next commit rolls a segment
    }
    await consumer.disconnect();
    const offsetsLog = logOf('__consumer_offsets');
    await waitFor('__consumer_offsets to be cleaned', () => offsetsLog.firstDirtyOffset >= offsetsLog.logEndOffset - 1);
    const sizeAfter = offsetsLog.size;
    await admin.disconnect();
    await broker.stop();
    broker = await withBroker({ ...options, properties: { ...options.properties, 'log.cleaner.enable': false } });
    expect(logOf('__consumer_offsets').size).toBe(sizeAfter);
    const admin2 = kafkaFor(broker).admin();
    await admin2.connect();
    expect(await admin2.fetchOffsets({ groupId: 'compacted-group', topics: ['grouped'] })).toEqual([{ topic: 'grouped', partitions: [{ partition: 0, offset: '10', metadata: null }] }]);
    await admin2.disconnect();
    await broker.stop();
  });
});
