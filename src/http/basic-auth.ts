// HTTP Basic credentials checked against the users the Kafka listeners accept: when any client
// listener requires SASL, the HTTP listener asks for the same user and password — a PLAIN user of
// a listener's JAAS config, or a SCRAM user of the credential store (the password is salted with
// the stored salt and iterations and compared with the stored key, as a SCRAM exchange proves it).
import { timingSafeEqual } from 'node:crypto';
import type { ClientListener } from '../config/client-listener.js';
import { credentialFromSaltedPassword, saltedPassword, scramMechanismByName, type ScramMechanism } from '../security/scram.js';
import type { ScramCredentialStore } from '../security/scram-credentials.js';

export class BasicAuth {
  private readonly plainUsers = new Map<string, string>();
  private readonly scramMechanisms: ScramMechanism[] = [];
  /** Whether the Kafka listeners require SASL, and so HTTP requires credentials. */
  readonly required: boolean;

  constructor(
    listeners: readonly ClientListener[],
    private readonly scram: ScramCredentialStore,
  ) {
    const sasl = listeners.flatMap((l) => (l.sasl === undefined ? [] : [l.sasl]));
    this.required = sasl.length > 0;
    for (const config of sasl) {
      if (config.mechanisms.includes('PLAIN')) for (const [user, password] of config.plainUsers) this.plainUsers.set(user, password);
      for (const name of config.mechanisms) {
        const mechanism = scramMechanismByName(name);
        if (mechanism !== undefined && !this.scramMechanisms.includes(mechanism)) this.scramMechanisms.push(mechanism);
      }
    }
  }

  /** The user an Authorization header authenticates, or undefined. */
  authenticate(header: string | undefined): string | undefined {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
    if (m === null) return undefined;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return undefined;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    return this.verify(user, password) ? user : undefined;
  }

  private verify(user: string, password: string): boolean {
    const plain = this.plainUsers.get(user);
    if (plain !== undefined && sameBytes(Buffer.from(plain, 'utf8'), Buffer.from(password, 'utf8'))) return true;
    for (const mechanism of this.scramMechanisms) {
      const stored = this.scram.get(user, mechanism);
      if (stored === undefined) continue;
      const salted = saltedPassword(mechanism, password, stored.salt, stored.iterations);
      if (sameBytes(credentialFromSaltedPassword(mechanism, stored.salt, salted, stored.iterations).storedKey, stored.storedKey)) return true;
    }
    return false;
  }
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
