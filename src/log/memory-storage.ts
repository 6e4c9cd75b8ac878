// LogStorage that keeps nothing beyond the process: MemoryLog partitions, no saved metadata.
import type { Logger } from 'pino';
import type { LogConfig } from './log-config.js';
import type { LogStorage, TopicInfo } from './log-storage.js';
import { MemoryLog } from './memory-log.js';
import type { PartitionLog } from './partition-log.js';

export class MemoryStorage implements LogStorage {
  constructor(private readonly logger: Logger) {}

  loadTopics(): Promise<TopicInfo[]> {
    return Promise.resolve([]);
  }

  saveTopic(): Promise<void> {
    return Promise.resolve();
  }

  openLog(topic: string, partition: number, config: LogConfig): Promise<PartitionLog> {
    return Promise.resolve(new MemoryLog(config, this.logger.child({ topic, partition })));
  }

  removeTopic(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
