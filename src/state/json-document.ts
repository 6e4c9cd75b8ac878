// One small JSON document of broker state kept in the data dir (ACLs, client quotas): read at
// start-up, rewritten atomically before a change is acknowledged; nowhere for a memory-only
// broker. The two calls are all an engine needs, so the document can later move behind a shared
// metadata store without changing the engines.
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from '../log/atomic-file.js';

export interface JsonDocument<T> {
  /** The document saved last, or `empty` when there is none. */
  load(): T;
  /** Saves the whole document; resolves once it is durable. */
  save(document: T): Promise<void>;
}

/** The document `<dataDir>/<fileName>`, or a memory-only one (saving nothing) for a null data dir. */
export function openJsonDocument<T>(dataDir: string | null, fileName: string, empty: T): JsonDocument<T> {
  if (dataDir === null) return { load: () => empty, save: async () => undefined };
  const path = join(dataDir, fileName);
  return {
    load() {
      const bytes = readIfExists(path);
      return bytes === undefined ? empty : (JSON.parse(bytes.toString('utf8')) as { version: 1; document: T }).document;
    },
    save(document) {
      return writeFileAtomic(path, `${JSON.stringify({ version: 1, document }, null, 1)}\n`);
    },
  };
}
