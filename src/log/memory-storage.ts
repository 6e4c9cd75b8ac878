// LogStorage that keeps nothing beyond the process: MemoryLog partitions.
import type { Logger } from 'pino';
import type { LogConfig } from './log-config.js';
import type { LogStorage, TopicLogs } from './log-storage.js';
import { MemoryLog } from './memory-log.js';
import type { PartitionLog } from './partition-log.js';

export class MemoryStorage implements LogStorage {
  constructor(private readonly logger: Logger) {}

  open(): Promise<void> {
    return Promise.resolve();
  }

  openLog(topic: string, partition: number, config: LogConfig): Promise<PartitionLog> {
    return Promise.resolve(new MemoryLog(config, this.logger.child({ topic, partition })));
  }

  removeTopic(_topic: TopicLogs, forget: () => Promise<void>): Promise<void> {
    return forget();
  }

  /** Nothing to remove: a memory log's records go with the log object. */
  removeLog(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
