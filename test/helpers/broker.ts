// Test helpers: an in-process broker per test file, kafkajs clients pointed at it, and a
// produce-then-consume round trip.
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker, type StartOptions } from '../../src/broker.js';

export async function withBroker(options: StartOptions = {}): Promise<RunningBroker> {
  return startBroker({ logLevel: 'silent', ...options });
}

/** `extra` adds to or replaces the options, e.g. a logCreator. */
export function kafkaFor(broker: { bootstrap: string }, clientId = 'creek-test', extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId,
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 50, maxRetryTime: 500 },
    ...extra,
  });
}

export function tempDir(prefix = 'creek-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Produces `values` to `topic`, then reads them back with a new consumer group; returns what it read. */
export async function produceAndConsume(kafka: Kafka, topic: string, values: readonly string[] = ['one', 'two']): Promise<string[]> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}-group`, retry: { retries: 5, initialRetryTime: 50, maxRetryTime: 500 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length === values.length) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return seen;
}

/** Fails unless a new kafkajs client can connect and list topics. */
export async function stillServes(broker: { bootstrap: string }): Promise<void> {
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.listTopics();
  await admin.disconnect();
}

/** Reads `topic` from the beginning with a new consumer group until `count` distinct keys are seen; key → sha256 of its value. */
export async function consumeDigestsByKey(kafka: Kafka, topic: string, count: number): Promise<Map<string, string>> {
  const consumer = kafka.consumer({ groupId: `${topic}-digests`, maxWaitTimeInMs: 100, maxBytes: 8 * 1024 * 1024 });
  const received = new Map<string, string>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          received.set(message.key!.toString(), sha256(message.value!));
          if (received.size === count) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return received;
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
