// Setup for clients without an admin API (kcat): topics are created with kafkajs's admin, as a
// user would with kafka-topics.sh. Not itself a checked scenario.
import { Kafka, logLevel } from 'kafkajs';

export interface TopicSpec {
  partitions?: number;
  configs?: Record<string, string>;
}

export async function createTopic(bootstrap: string, topic: string, spec: TopicSpec = {}): Promise<void> {
  const admin = new Kafka({ clientId: 'compat-setup', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } }).admin();
  await admin.connect();
  try {
    const configEntries = Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value }));
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: spec.partitions ?? 1, configEntries }] });
  } catch (err) {
    throw new Error(`setup: creating topic ${topic} failed: ${(err as Error).message}`);
  } finally {
    await admin.disconnect();
  }
}

/** Payloads shared by every client's scenarios. */
export const ONE_MIB = 1024 * 1024;
/** Topic config that lets a 1 MiB message through (Kafka's default limit is 1 MiB + 12 bytes for the whole batch). */
export const LARGE_TOPIC_CONFIG = { 'max.message.bytes': String(2 * ONE_MIB) };
