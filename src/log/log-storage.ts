// Where the broker keeps its partition logs (the topics themselves are in the metadata store,
// src/metadata/): the backend-specific half of topic management.
// Implemented by memory-storage.ts and file-storage.ts (a PostgreSQL backend would add one more).
import type { LogConfig } from './log-config.js';
import type { PartitionLog } from './partition-log.js';

/** A topic's logs: its name and partition count. */
export interface TopicLogs {
  name: string;
  partitions: number;
}

export interface LogStorage {
  /** Readies the storage for the topics the metadata store knows, before their logs open. */
  open(topics: readonly TopicLogs[]): Promise<void>;
  openLog(topic: string, partition: number, config: LogConfig): Promise<PartitionLog>;
  /**
   * Deletes a topic's logs, already closed: detaches them, runs `forget` (the topic leaves the
   * metadata store), then removes their data.
   */
  removeTopic(topic: TopicLogs, forget: () => Promise<void>): Promise<void>;
  /** Removes the data of one partition's log, already closed, that this broker no longer hosts. */
  removeLog(topic: string, partition: number): Promise<void>;
  /** Every log was closed without error (a clean stop): records it, so the next start can skip recovery. */
  close(): Promise<void>;
}
