// The client side of one SCRAM exchange (RFC 5802), as a broker runs it when it authenticates to
// another broker: client-first, then client-final with the proof computed from the server-first,
// then a check of the server's signature, so that a broker that does not know the password is
// not trusted either.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { saltedPassword, type ScramMechanism } from './scram.js';

/** Kafka's username → saslname: `=` and `,` escaped as `=3D` and `=2C`. */
export function saslNameFromUsername(username: string): string {
  return username.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

type State = { step: 'first' } | { step: 'final'; bare: string; nonce: string } | { step: 'verify'; expected: Buffer } | { step: 'done' };

export class ScramClient {
  private state: State = { step: 'first' };

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly username: string,
    private readonly password: string,
    private readonly clientNonce: string = randomBytes(24).toString('base64url'),
  ) {}

  /** The client-first message. */
  first(): Buffer {
    if (this.state.step !== 'first') throw new Error('SCRAM client-first already sent');
    const bare = `n=${saslNameFromUsername(this.username)},r=${this.clientNonce}`;
    this.state = { step: 'final', bare, nonce: this.clientNonce };
    return Buffer.from(`n,,${bare}`, 'utf8');
  }

  /** The client-final message answering the server-first; throws Error on a malformed or hostile server-first. */
  final(serverFirstBytes: Buffer): Buffer {
    const state = this.state;
    if (state.step !== 'final') throw new Error('SCRAM client-final out of order');
    const serverFirst = serverFirstBytes.toString('utf8');
    const attrs = attributes(serverFirst);
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (nonce === undefined || salt === undefined || !Number.isInteger(iterations)) throw new Error(`Invalid SCRAM server first message: ${serverFirst}`);
    if (!nonce.startsWith(state.nonce) || nonce.length === state.nonce.length) throw new Error('Invalid server nonce: it does not start with the client nonce');
    if (iterations < this.mechanism.minIterations) throw new Error(`Requested iterations ${iterations} is less than the minimum ${this.mechanism.minIterations} for ${this.mechanism.name}`);
    const salted = saltedPassword(this.mechanism, this.password, Buffer.from(salt, 'base64'), iterations);
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
    const authMessage = `${state.bare},${serverFirst},${withoutProof}`;
    const clientKey = this.hmac(salted, 'Client Key');
    const clientSignature = this.hmac(createHash(this.mechanism.hash).update(clientKey).digest(), authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ clientSignature[i]!;
    this.state = { step: 'verify', expected: this.hmac(this.hmac(salted, 'Server Key'), authMessage) };
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Checks the server-final's signature; throws Error when the server refused or cannot prove it knows the password. */
  verify(serverFinalBytes: Buffer): void {
    const state = this.state;
    if (state.step !== 'verify') throw new Error('SCRAM server-final out of order');
    const attrs = attributes(serverFinalBytes.toString('utf8'));
    const error = attrs.get('e');
    if (error !== undefined) throw new Error(`SCRAM authentication failed: ${error}`);
    const signature = Buffer.from(attrs.get('v') ?? '', 'base64');
    if (signature.length !== state.expected.length || !timingSafeEqual(signature, state.expected)) throw new Error('Invalid SCRAM server signature');
    this.state = { step: 'done' };
  }

  private hmac(key: Buffer, data: string): Buffer {
    return createHmac(this.mechanism.hash, key).update(data).digest();
  }
}

/** `a=value,b=value` attributes; a value may itself hold `=` (base64 padding). */
function attributes(message: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of message.split(',')) {
    const at = part.indexOf('=');
    if (at === 1) map.set(part[0]!, part.slice(2));
  }
  return map;
}
