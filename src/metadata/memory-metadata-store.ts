// The metadata store of a broker without a data dir (--memory), and the shared store of an
// in-process cluster (startCluster, given the controller epoch for fenced writes): nothing
// outlives the process.
import { CachedMetadataStore } from './cached-metadata-store.js';

export class MemoryMetadataStore extends CachedMetadataStore {
  protected persist(): Promise<void> {
    return Promise.resolve();
  }
}
