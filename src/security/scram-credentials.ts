// The SCRAM credential store: per user and mechanism, the salt, StoredKey, ServerKey and
// iterations (never a password). Kept in the metadata store (<dataDir>/scram-credentials.json),
// written before a change is acknowledged; every change, this broker's or another's, reaches the
// users held here through the store's watch.
import { CLUSTER_KEY, type MetadataStore, type ScramCredentialsRecord } from '../metadata/metadata-store.js';
import { updateDocument } from '../metadata/update-document.js';
import { SCRAM_MECHANISMS, type ScramCredential, type ScramMechanism } from './scram.js';

export type ScramCredentialChange =
  | { user: string; mechanism: ScramMechanism; credential: ScramCredential }
  | { user: string; mechanism: ScramMechanism; credential: null };

export class ScramCredentialStore {
  private users = new Map<string, Map<string, ScramCredential>>();

  private constructor(private readonly metadata: MetadataStore) {}

  /** Loads the users of the metadata store and follows its changes. */
  static open(metadata: MetadataStore): ScramCredentialStore {
    const store = new ScramCredentialStore(metadata);
    const stored = metadata.get('scramCredentials', CLUSTER_KEY);
    if (stored !== undefined) store.users = usersOf(stored.value);
    metadata.watch('scramCredentials', (change) => (store.users = change.value === null ? new Map() : usersOf(change.value)));
    return store;
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

  /**
   * Applies upserts (credential) and deletions (null) together and persists them, against the
   * stored users so that changes made at once through other brokers are kept.
   */
  async apply(changes: readonly ScramCredentialChange[]): Promise<void> {
    if (changes.length === 0) return;
    await updateDocument(this.metadata, 'scramCredentials', CLUSTER_KEY, (current) => {
      const users = current === undefined ? new Map<string, Map<string, ScramCredential>>() : usersOf(current);
      for (const { user, mechanism, credential } of changes) {
        const byMechanism = users.get(user) ?? new Map<string, ScramCredential>();
        if (credential === null) byMechanism.delete(mechanism.name);
        else byMechanism.set(mechanism.name, credential);
        if (byMechanism.size === 0) users.delete(user);
        else users.set(user, byMechanism);
      }
      return serialize(users);
    });
  }
}

function serialize(byUser: Map<string, Map<string, ScramCredential>>): ScramCredentialsRecord {
  const users: ScramCredentialsRecord['users'] = {};
  for (const [user, byMechanism] of byUser) {
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
  return { version: 1, users };
}

function usersOf(stored: ScramCredentialsRecord): Map<string, Map<string, ScramCredential>> {
  const users = new Map<string, Map<string, ScramCredential>>();
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
  return users;
}
