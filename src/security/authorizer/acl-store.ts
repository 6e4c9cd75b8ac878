// Where the ACLs are kept between restarts: `<dataDir>/acls.json` (see JsonDocument). The
// authorizer holds them in memory and saves the whole set after each change.
import { openJsonDocument, type JsonDocument } from '../../state/json-document.js';
import type { AclBinding } from './acl.js';

export const ACLS_FILE = 'acls.json';

export type AclStore = JsonDocument<AclBinding[]>;

/** The ACL store of a data dir, or a memory-only one for `null`. */
export function openAclStore(dataDir: string | null): AclStore {
  return openJsonDocument<AclBinding[]>(dataDir, ACLS_FILE, []);
}
