// Where the broker keeps its topics (src/topics/topic-registry.ts): the backend-specific half of topic management.
// Implemented by memory-storage.ts and file-storage.ts (a PostgreSQL backend would add one more).
import type { LogConfig } from './log-config.js';
import type { PartitionLog } from './partition-log.js';

/** What the broker must know about a topic across restarts. */
export interface TopicInfo {
  name: string;
  /** Kafka topic id, in its text form. */
  topicId: string;
  partitions: number;
  /** Topic config overrides (AlterConfigs / CreateTopics), by Kafka config name. */
  configs: Record<string, string>;
}

export interface LogStorage {
  /** Topics saved by an earlier run. */
  loadTopics(): Promise<TopicInfo[]>;
  /** Saves a new or changed topic. */
  saveTopic(topic: TopicInfo): Promise<void>;
  openLog(topic: string, partition: number, config: LogConfig): Promise<PartitionLog>;
  /** Deletes a topic's metadata and data; its logs are already closed. */
  removeTopic(topic: TopicInfo): Promise<void>;
  /** Every log was closed without error (a clean stop): records it, so the next start can skip recovery. */
  close(): Promise<void>;
}
