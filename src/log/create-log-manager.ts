// Backend selection: a started LogManager over files in a data directory or over memory.
import type { Logger } from 'pino';
import { FileStorage } from './file-storage.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './log-config.js';
import { LogManager } from './log-manager.js';
import { MemoryStorage } from './memory-storage.js';

interface CommonOptions {
  /** Broker-level defaults for topic configs (log.segment.bytes, log.retention.ms, …). */
  defaults?: Partial<LogConfig>;
}

export type LogManagerOptions =
  | (CommonOptions & { dataDir: string; /** Per-partition tail cache (default 1 MiB). */ tailCacheBytes?: number })
  | (CommonOptions & { memory: true });

export async function createLogManager(options: LogManagerOptions, logger: Logger): Promise<LogManager> {
  const storage =
    'dataDir' in options
      ? new FileStorage(options.dataDir, logger, options.tailCacheBytes === undefined ? {} : { tailCacheBytes: options.tailCacheBytes })
      : new MemoryStorage(logger);
  const manager = new LogManager(storage, { ...DEFAULT_LOG_CONFIG, ...options.defaults }, logger);
  await manager.start();
  return manager;
}
