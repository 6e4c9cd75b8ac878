// Where the ACLs are kept between restarts: `<dataDir>/acls.json`, rewritten atomically before a
// change is acknowledged, or nowhere for a memory-only broker. The authorizer holds the ACLs in
// memory and hands the store the whole set after each change, so another backend (a cluster
// metadata store) only needs these two calls.
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from '../../log/atomic-file.js';
import type { AclBinding } from './acl.js';

export const ACLS_FILE = 'acls.json';

export interface AclStore {
  /** The ACLs saved last. */
  load(): AclBinding[];
  /** Saves the complete set; resolves once it is durable. */
  save(acls: readonly AclBinding[]): Promise<void>;
}

interface StoredFile {
  version: 1;
  acls: AclBinding[];
}

/** The ACL store of a data dir, or a memory-only one for `null`. */
export function openAclStore(dataDir: string | null): AclStore {
  if (dataDir === null) return { load: () => [], save: async () => undefined };
  const path = join(dataDir, ACLS_FILE);
  return {
    load() {
      const bytes = readIfExists(path);
      return bytes === undefined ? [] : (JSON.parse(bytes.toString('utf8')) as StoredFile).acls;
    },
    save(acls) {
      return writeFileAtomic(path, `${JSON.stringify({ version: 1, acls: [...acls] } satisfies StoredFile, null, 1)}\n`);
    },
  };
}
