// The SCRAM credential store: per user and mechanism, the salt, StoredKey, ServerKey and
// iterations (never a password). Kept in `<dataDir>/scram-credentials.json`, rewritten atomically
// before a change is acknowledged; memory-only when the broker has no data dir.
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from '../log/atomic-file.js';
import { SCRAM_MECHANISMS, type ScramCredential, type ScramMechanism } from './scram.js';

export const SCRAM_CREDENTIALS_FILE = 'scram-credentials.json';

interface StoredCredential {
  salt: string;
  storedKey: string;
  serverKey: string;
  iterations: number;
}

/** The file: user → mechanism name → credential, bytes in base64. */
interface StoredFile {
  version: 1;
  users: Record<string, Record<string, StoredCredential>>;
}

export type ScramCredentialChange =
  | { user: string; mechanism: ScramMechanism; credential: ScramCredential }
  | { user: string; mechanism: ScramMechanism; credential: null };

export class ScramCredentialStore {
  private constructor(
    private readonly path: string | null,
    private readonly users: Map<string, Map<string, ScramCredential>>,
  ) {}

  /** Loads the store of a data dir, or an empty memory-only store for `null`. */
  static open(dataDir: string | null): ScramCredentialStore {
    const users = new Map<string, Map<string, ScramCredential>>();
    const path = dataDir === null ? null : join(dataDir, SCRAM_CREDENTIALS_FILE);
    const bytes = path === null ? undefined : readIfExists(path);
    if (bytes !== undefined) {
      const stored = JSON.parse(bytes.toString('utf8')) as StoredFile;
      for (const [user, mechanisms] of Object.entries(stored.users)) {
        const byMechanism = new Map<string, ScramCredential>();
        for (const [mechanism, c] of Object.entries(mechanisms)) {
          byMechanism.set(mechanism, {
            salt: Buffer.from(c.salt, 'base64'),
            storedKey: Buffer.from(c.storedKey, 'base64'),
            serverKey: Buffer.from(c.serverKey, 'base64'),
            iterations: c.iterations,
          });
        }
        users.set(user, byMechanism);
      }
    }
    return new ScramCredentialStore(path, users);
  }

  get(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism.name);
  }

  has(user: string, mechanism: ScramMechanism): boolean {
    return this.get(user, mechanism) !== undefined;
  }

  /** Users with at least one credential. */
  userNames(): string[] {
    return [...this.users.keys()];
  }

  /** The mechanisms (in type order) a user has credentials for, with their iterations. */
  describe(user: string): { mechanism: ScramMechanism; iterations: number }[] {
    const byMechanism = this.users.get(user);
    if (byMechanism === undefined) return [];
    return SCRAM_MECHANISMS.flatMap((mechanism) => {
      const credential = byMechanism.get(mechanism.name);
      return credential === undefined ? [] : [{ mechanism, iterations: credential.iterations }];
    });
  }

  /** Applies upserts (credential) and deletions (null) together and persists them. */
  async apply(changes: readonly ScramCredentialChange[]): Promise<void> {
    if (changes.length === 0) return;
    for (const { user, mechanism, credential } of changes) {
      const byMechanism = this.users.get(user) ?? new Map<string, ScramCredential>();
      if (credential === null) byMechanism.delete(mechanism.name);
      else byMechanism.set(mechanism.name, credential);
      if (byMechanism.size === 0) this.users.delete(user);
      else this.users.set(user, byMechanism);
    }
    if (this.path !== null) await writeFileAtomic(this.path, this.serialize());
  }

  private serialize(): string {
    const users: StoredFile['users'] = {};
    for (const [user, byMechanism] of this.users) {
      users[user] = {};
      for (const [mechanism, c] of byMechanism) {
        users[user]![mechanism] = {
          salt: c.salt.toString('base64'),
          storedKey: c.storedKey.toString('base64'),
          serverKey: c.serverKey.toString('base64'),
          iterations: c.iterations,
        };
      }
    }
    return `${JSON.stringify({ version: 1, users } satisfies StoredFile, null, 2)}\n`;
  }
}
