// The broker's metadata store: the data dir's files, or memory for a broker without one.
import type { Logger } from 'pino';
import { FileMetadataStore } from './file-metadata-store.js';
import { MemoryMetadataStore } from './memory-metadata-store.js';
import type { MetadataStore } from './metadata-store.js';

export function openMetadataStore(dataDir: string | null, logger: Logger): MetadataStore {
  return dataDir === null ? new MemoryMetadataStore() : FileMetadataStore.open(dataDir, logger.child({ component: 'metadata' }));
}
