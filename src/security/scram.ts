// SCRAM (RFC 5802, RFC 7677) as Kafka runs it: the two mechanisms with their wire type ids and
// iteration bounds, the stored credential derived from a salted password, and the server side of
// one exchange (client-first → server-first, client-final → server-final).
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SaslFailure } from './sasl-failure.js';

export interface ScramMechanism {
  /** SASL name, e.g. SCRAM-SHA-256. */
  readonly name: string;
  /** The `mechanism` byte of the SCRAM credential APIs. */
  readonly type: number;
  /** Node digest name. */
  readonly hash: 'sha256' | 'sha512';
  readonly minIterations: number;
  readonly maxIterations: number;
}

export const SCRAM_MECHANISMS: readonly ScramMechanism[] = [
  { name: 'SCRAM-SHA-256', type: 1, hash: 'sha256', minIterations: 4096, maxIterations: 16384 },
  { name: 'SCRAM-SHA-512', type: 2, hash: 'sha512', minIterations: 4096, maxIterations: 16384 },
];

export function scramMechanismByName(name: string): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.name === name);
}

export function scramMechanismByType(type: number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.type === type);
}

/** What the broker keeps per user and mechanism: never the password nor the salted password. */
export interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

function hmac(mechanism: ScramMechanism, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(mechanism.hash, key).update(data).digest();
}

/** Hi(password, salt, i) of RFC 5802: PBKDF2 with the mechanism's HMAC. */
export function saltedPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  const length = mechanism.hash === 'sha256' ? 32 : 64;
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, length, mechanism.hash);
}

/** The credential kept for a salted password (StoredKey = H(ClientKey), ServerKey). */
export function credentialFromSaltedPassword(mechanism: ScramMechanism, salt: Buffer, salted: Buffer, iterations: number): ScramCredential {
  const clientKey = hmac(mechanism, salted, 'Client Key');
  return {
    salt,
    storedKey: createHash(mechanism.hash).update(clientKey).digest(),
    serverKey: hmac(mechanism, salted, 'Server Key'),
    iterations,
  };
}

// The two client messages are split at commas and each attribute checked on its own, never with
// one regular expression over the whole message: a backtracking pattern with a repeated group
// overflows the stack on a message with millions of attributes.
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
const BASE64 = /^[a-zA-Z0-9/+]*=*$/;
const EXTENSION = /^[a-zA-Z]+=/;

interface ClientFirst {
  authzid: string;
  /** client-first-message-bare, part of the AuthMessage. */
  bare: string;
  saslName: string;
  nonce: string;
}

/** gs2-header (only "n": no channel binding; an optional authzid), then n=, r= and extensions. */
function parseClientFirst(text: string): ClientFirst | undefined {
  const parts = text.split(',');
  if (parts[0] !== 'n' || parts.length < 4) return undefined;
  const gs2Authzid = parts[1]!;
  if (gs2Authzid !== '' && !gs2Authzid.startsWith('a=')) return undefined;
  let at = 2;
  if (parts[at]!.startsWith('m=')) at++;
  const name = parts[at] ?? '';
  const nonce = parts[at + 1] ?? '';
  if (!name.startsWith('n=') || name.length < 3 || !nonce.startsWith('r=') || !NONCE.test(nonce.slice(2))) return undefined;
  for (let i = at + 2; i < parts.length; i++) if (!EXTENSION.test(parts[i]!)) return undefined;
  return { authzid: gs2Authzid.slice(2), bare: parts.slice(2).join(','), saslName: name.slice(2), nonce: nonce.slice(2) };
}

interface ClientFinal {
  /** client-final-message-without-proof, part of the AuthMessage. */
  withoutProof: string;
  nonce: string;
  proof: string;
}

/** c= (channel binding), r=, extensions, then p= (the proof) last. */
function parseClientFinal(text: string): ClientFinal | undefined {
  const parts = text.split(',');
  if (parts.length < 3) return undefined;
  const [binding, nonce] = parts as [string, string];
  const proof = parts[parts.length - 1]!;
  if (!binding.startsWith('c=') || !BASE64.test(binding.slice(2))) return undefined;
  if (!nonce.startsWith('r=') || !NONCE.test(nonce.slice(2))) return undefined;
  if (!proof.startsWith('p=') || proof.length < 3 || !BASE64.test(proof.slice(2))) return undefined;
  for (let i = 2; i < parts.length - 1; i++) if (!EXTENSION.test(parts[i]!)) return undefined;
  return { withoutProof: parts.slice(0, -1).join(','), nonce: nonce.slice(2), proof: proof.slice(2) };
}

/** The start of a client message for the log: a refused message may be up to sasl.server.max.receive.size. */
function preview(text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 200)}... (${text.length} characters)`;
}

/** Kafka's saslname → username: `=2C` is a comma, `=3D` an equals sign, any other `=` is invalid. */
export function usernameFromSaslName(saslName: string): string {
  const commas = saslName.replace(/=2C/g, ',');
  if (commas.replace(/=3D/g, '').includes('=')) throw new SaslFailure(`Invalid username: ${saslName}`);
  return commas.replace(/=3D/g, '=');
}

/** Kafka's nonce: a random 130-bit number in base 36. */
function serverNonce(): string {
  return (BigInt(`0x${randomBytes(17).toString('hex')}`) >> 6n).toString(36);
}

type State =
  | { step: 'first' }
  | { step: 'final'; credential: ScramCredential; nonce: string; authPrefix: string; username: string }
  | { step: 'done'; username: string }
  | { step: 'failed' };

/** The server side of one SCRAM exchange. */
export class ScramServer {
  private state: State = { step: 'first' };

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly lookup: (username: string) => ScramCredential | undefined,
    private readonly newNonce: () => string = serverNonce,
  ) {}

  /** The authenticated user once complete. */
  get username(): string | undefined {
    return this.state.step === 'done' ? this.state.username : undefined;
  }

  /** The server's answer to a client message; throws SaslFailure when authentication fails. */
  evaluate(message: Buffer): Buffer {
    try {
      return this.step(message.toString('utf8'));
    } catch (err) {
      this.state = { step: 'failed' };
      throw err;
    }
  }

  private step(text: string): Buffer {
    const state = this.state;
    switch (state.step) {
      case 'first': {
        const first = parseClientFirst(text);
        if (!first) throw new SaslFailure(`Invalid SCRAM client first message format: ${preview(text)}`);
        const { authzid, bare, saslName, nonce: clientNonce } = first;
        const username = usernameFromSaslName(saslName);
        const credential = this.lookup(username);
        if (!credential) throw new SaslFailure('Authentication failed: Invalid user credentials');
        if (authzid !== '' && authzid !== username) {
          throw new SaslFailure('Authentication failed: Client requested an authorization id that is different from username', true);
        }
        if (credential.iterations < this.mechanism.minIterations) {
          throw new SaslFailure(`Iterations ${credential.iterations} is less than the minimum ${this.mechanism.minIterations} for ${this.mechanism.name}`);
        }
        const nonce = clientNonce + this.newNonce();
        const serverFirst = `r=${nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
        this.state = { step: 'final', credential, nonce, authPrefix: `${bare},${serverFirst}`, username };
        return Buffer.from(serverFirst, 'utf8');
      }
      case 'final': {
        const final = parseClientFinal(text);
        if (!final) throw new SaslFailure(`Invalid SCRAM client final message format: ${preview(text)}`);
        const { withoutProof, nonce, proof: proofText } = final;
        // RFC 5802 wants the server's nonce echoed exactly; librdkafka before 2.6.1 sends its own
        // nonce in front of it, which Kafka 3.8.1-3.9 accept (nonce ends with the server's), as here.
        if (!nonce.endsWith(state.nonce)) throw new SaslFailure('Invalid client nonce in the final client message.');
        const authMessage = `${state.authPrefix},${withoutProof}`;
        const { storedKey, serverKey } = state.credential;
        const clientSignature = hmac(this.mechanism, storedKey, authMessage);
        const proof = Buffer.from(proofText, 'base64');
        if (proof.length !== clientSignature.length) throw new SaslFailure('Invalid client credentials');
        const clientKey = Buffer.alloc(proof.length);
        for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
        const computed = createHash(this.mechanism.hash).update(clientKey).digest();
        if (!timingSafeEqual(computed, storedKey)) throw new SaslFailure('Invalid client credentials');
        this.state = { step: 'done', username: state.username };
        return Buffer.from(`v=${hmac(this.mechanism, serverKey, authMessage).toString('base64')}`, 'utf8');
      }
      default:
        throw new SaslFailure(`Unexpected challenge in Sasl server state ${state.step}`);
    }
  }
}
