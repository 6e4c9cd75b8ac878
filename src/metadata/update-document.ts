// Read-modify-write of one metadata document by compare-and-swap. Brokers sharing a store (etcd)
// each change cluster-wide documents such as the ACLs or client quotas; a change computed from a
// view that has not yet seen another broker's write would overwrite it, so the write is made only
// against the version it was computed from, and recomputed from the newer view when it loses.
import { ABSENT, MetadataConflict, type MetadataKind, type MetadataRecords, type MetadataStore } from './metadata-store.js';

/**
 * Writes `next(current)` if the document is still at the version it was computed from, else
 * recomputes; `next` may run several times and returns null when there is nothing to write.
 */
export async function updateDocument<K extends MetadataKind>(
  store: MetadataStore,
  kind: K,
  key: string,
  next: (current: MetadataRecords[K] | undefined) => MetadataRecords[K] | null,
): Promise<void> {
  for (;;) {
    const stored = store.get(kind, key);
    const value = next(stored?.value);
    if (value === null) return;
    try {
      await store.put(kind, key, value, stored?.version ?? ABSENT);
      return;
    } catch (err) {
      if (!(err instanceof MetadataConflict)) throw err;
    }
  }
}
