// Setup for clients without an admin API (kcat): topics are created with kafkajs's admin, as a
// user would with kafka-topics.sh. Not itself a checked scenario.
import { Kafka, logLevel } from 'kafkajs';
import { servers } from './scenario.js';

export interface TopicSpec {
  partitions?: number;
  configs?: Record<string, string>;
}

export async function createTopic(bootstrap: string, topic: string, spec: TopicSpec = {}): Promise<void> {
  const admin = new Kafka({ clientId: 'compat-setup', brokers: servers(bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 3 } }).admin();
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

/**
 * The compaction scenario: a compacted topic rolling a segment 100 ms after its first record
 * (Kafka 4 refuses a segment.bytes under 1 MiB, so time rolls it) and cleaned as soon as any of it
 * is dirty. Two produce calls (each one batch) of keyed records with overwrites and a tombstone,
 * then, once segment.ms has passed, one record that rolls a new segment: everything before it
 * becomes cleanable. Tombstones stay for delete.retention.ms (one day by default).
 */
export const COMPACTED_TOPIC_CONFIG = { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.01', 'segment.ms': '100' };
export const COMPACTION_ROUNDS: [string, string | null][][] = [
  [['a', 'a1'], ['b', 'b1'], ['c', 'c1'], ['d', 'd1']],
  [['a', 'a2'], ['b', null], ['c', 'c2']],
];
/** Sent after COMPACTION_ROLL_WAIT_MS, into a new segment (which stays uncleaned: it is the active one). */
export const COMPACTION_TAIL: [string, string] = ['e', 'e1'];
export const COMPACTION_ROLL_WAIT_MS = 300;
/** What a consumer reads from the beginning once the log is compacted: [offset, key, value]. */
export const COMPACTED: [number, string, string | null][] = [[3, 'd', 'd1'], [4, 'a', 'a2'], [5, 'b', null], [6, 'c', 'c2'], [7, 'e', 'e1']];
/** Offset of COMPACTION_TAIL: a read is complete once it is seen. */
export const COMPACTION_LAST_OFFSET = 7;
