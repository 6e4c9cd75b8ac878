// A kafkajs transactional consume-transform-produce: a read_committed group consumer of `input`
// that, for each record, sends `out-<value>` to `output` and the record's next offset to the group
// in one transaction (sendOffsets, commit). When a transaction fails (its coordinator or a leader
// went away), a new producer's InitProducerId returns once the coordinator has completed it; the
// group's committed offset then says whether it committed (done) or not (do it again). Also the
// read_committed reader and the committed-offset lookups the checks of such a loop need.
import type { Admin, Kafka, Producer } from 'kafkajs';
import { until } from './until.js';

export interface TransformLoopOptions {
  input: string;
  output: string;
  groupId: string;
  transactionalId: string;
  /** Keeps the transaction of the `at`-th record (0-based) open, its output sent, until `release` resolves. */
  holdOpen?: { at: number; release: Promise<void> };
}

export interface TransformLoop {
  /** Input records transformed and committed so far. */
  readonly processed: number;
  /** Whether the transaction of `holdOpen` stands open now, waiting for its release. */
  readonly holding: boolean;
  stop(): Promise<void>;
}

export async function startTransformLoop(kafka: Kafka, options: TransformLoopOptions): Promise<TransformLoop> {
  const { input, output, groupId, transactionalId, holdOpen } = options;
  const admin = kafka.admin();
  await admin.connect();
  const newProducer = async (): Promise<Producer> => {
    const p = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    return p;
  };
  let producer = await newProducer();
  let processed = 0;
  let holding = false;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const offset = Number(message.offset);
      for (;;) {
        const txn = await producer.transaction();
        try {
          await txn.send({ topic: output, messages: [{ key: message.key, value: `out-${message.value}` }] });
          if (holdOpen !== undefined && processed === holdOpen.at) {
            holding = true;
            await holdOpen.release.finally(() => (holding = false));
          }
          await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition, offset: String(offset + 1) }] }] });
          await txn.commit();
          processed++;
          return;
        } catch {
          await txn.abort().catch(() => undefined);
          await producer.disconnect().catch(() => undefined);
          producer = await newProducer();
          if (((await committedOffsets(admin, groupId, input))[partition] ?? -1) > offset) {
            processed++;
            return;
          }
        }
      }
    },
  });
  return {
    get processed() {
      return processed;
    },
    get holding() {
      return holding;
    },
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}

/** The group's committed offset of each partition of `topic`, by partition. */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Record<number, number>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Object.fromEntries(offsets!.partitions.map((p) => [p.partition, Number(p.offset)]));
}

/** The end offset (high watermark) of each partition of `topic`, by partition. */
export async function endOffsets(admin: Admin, topic: string): Promise<Record<number, number>> {
  return Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
}

/** Every value of a topic, each partition read to its end, with the given isolation (a fresh group), sorted. */
export async function readAllValues(kafka: Kafka, topic: string, groupId: string, readUncommitted: boolean): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await endOffsets(admin, topic).finally(() => admin.disconnect());
  const consumer = kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 100, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
  const values: string[] = [];
  const reached = new Map<number, number>();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) values.push(m.value!.toString());
        // Control records are skipped, so the batch's last offset (not its last message) says how far the partition was read.
        reached.set(batch.partition, Number(batch.lastOffset()) + 1);
      },
    });
    await until(() => Object.entries(ends).every(([p, end]) => end === 0 || (reached.get(Number(p)) ?? 0) >= end), `${topic} read to its end`);
  } finally {
    await consumer.disconnect();
  }
  return values.sort();
}
