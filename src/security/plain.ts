// SASL/PLAIN (RFC 4616) against the users of the listener's PlainLoginModule JAAS config:
// one message `[authzid] NUL authcid NUL passwd`, answered with an empty token.
import { timingSafeEqual } from 'node:crypto';
import { SaslFailure } from './sasl-failure.js';

export class PlainServer {
  private user: string | undefined;

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  /** The authenticated user once complete. */
  get username(): string | undefined {
    return this.user;
  }

  evaluate(message: Buffer): Buffer {
    const [authzid, username, password] = splitTokens(message.toString('utf8'));
    if (username === '') throw new SaslFailure('Authentication failed: username not specified');
    if (password === '') throw new SaslFailure('Authentication failed: password not specified');
    if (!passwordMatches(this.users.get(username), password)) {
      throw new SaslFailure('Authentication failed: Invalid username or password', true);
    }
    if (authzid !== '' && authzid !== username) {
      throw new SaslFailure('Authentication failed: Client requested an authorization id that is different from username', true);
    }
    this.user = username;
    return Buffer.alloc(0);
  }
}

/** The first three NUL-separated tokens, "" for missing ones (Kafka's split). */
function splitTokens(text: string): [string, string, string] {
  const tokens: [string, string, string] = ['', '', ''];
  let from = 0;
  for (let i = 0; i < 3; i++) {
    const end = text.indexOf('\0', from);
    if (end === -1) {
      tokens[i] = text.slice(from);
      break;
    }
    tokens[i] = text.slice(from, end);
    from = end + 1;
  }
  return tokens;
}

function passwordMatches(expected: string | undefined, given: string): boolean {
  if (expected === undefined) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
