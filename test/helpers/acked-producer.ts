// An idempotent acks=all producer that sends one record at a time until stopped, remembering which
// records were acknowledged, and the check that a partition holds every acknowledged record
// exactly once, in order, at offsets that were never reused (failover tests).
import type { Kafka } from 'kafkajs';
import { expect } from 'vitest';
import { readPartitionUntil, type Seen } from './read-partition.js';

export interface AckedProducer {
  /** Values the broker acknowledged, in the order sent. */
  readonly acknowledged: readonly string[];
  /** Sends the client gave up on (retries exhausted during a failover): they may or may not be stored. */
  readonly failed: number;
  /** Stops after the send in flight; disconnects. */
  stop(): Promise<void>;
}

/** Sends to `partition` when given, else where kafkajs's partitioner puts each record. */
export async function startAckedProducer(kafka: Kafka, topic: string, partition?: number): Promise<AckedProducer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const acknowledged: string[] = [];
  let failed = 0;
  let sending = true;
  const loop = (async () => {
    for (let i = 0; sending; i++) {
      const value = `record-${i}`;
      try {
        await producer.send({ topic, acks: -1, messages: [{ value, partition }] });
        acknowledged.push(value);
      } catch {
        failed++;
      }
    }
  })();
  return {
    acknowledged,
    get failed() {
      return failed;
    },
    async stop() {
      sending = false;
      await loop;
      await producer.disconnect();
    },
  };
}

/**
 * Every acknowledged value is in the partition exactly once and in the order acknowledged; no
 * value is stored twice; offsets run 0, 1, 2, ... with none reused or skipped.
 */
export function expectEveryAcknowledgedOnce(read: readonly Seen[], acknowledged: readonly string[]): void {
  expect(read.map((r) => r.offset)).toEqual(read.map((_, i) => i));
  const values = read.map((r) => r.value);
  expect(new Set(values).size).toBe(values.length);
  const acked = new Set(acknowledged);
  expect(values.filter((v) => v !== null && acked.has(v))).toEqual(acknowledged);
}

/**
 * Reads a partition from `broker`, a replica that leads it, once the last acknowledged record is
 * visible there (readPartitionUntil), and checks it with expectEveryAcknowledgedOnce; returns
 * what it read. A record that never appears fails the check.
 */
export async function expectLeaderHoldsEveryAcknowledged(broker: { port: number }, topic: string, acknowledged: readonly string[], partition = 0): Promise<Seen[]> {
  const last = acknowledged[acknowledged.length - 1];
  const read = await readPartitionUntil(broker, topic, partition, (seen) => last === undefined || seen.some((r) => r.value === last));
  expectEveryAcknowledgedOnce(read, acknowledged);
  return read;
}
