// The broker's metadata store: etcd in cluster mode, else the data dir's files, or memory for a
// broker without a data dir.
import type { Namespace } from 'etcd3';
import type { Logger } from 'pino';
import { EtcdMetadataStore } from './etcd-metadata-store.js';
import { FileMetadataStore } from './file-metadata-store.js';
import { MemoryMetadataStore } from './memory-metadata-store.js';
import type { MetadataStore } from './metadata-store.js';

/** A cluster's namespace in etcd (cluster mode), or a data dir (null: memory only). */
export type MetadataSource = { etcd: Namespace } | { dataDir: string | null };

export function openMetadataStore(source: { etcd: Namespace }, logger: Logger): Promise<EtcdMetadataStore>;
export function openMetadataStore(source: MetadataSource, logger: Logger): Promise<MetadataStore>;
export async function openMetadataStore(source: MetadataSource, logger: Logger): Promise<MetadataStore> {
  const log = logger.child({ component: 'metadata' });
  if ('etcd' in source) return EtcdMetadataStore.open(source.etcd, log);
  return source.dataDir === null ? new MemoryMetadataStore() : FileMetadataStore.open(source.dataDir, log);
}
