// A minimal Kafka client over one socket for protocol-level tests: sends a typed request at a
// chosen version and resolves with the decoded response (responses arrive in request order).
import { connect, type Socket } from 'node:net';
import { decodeResponse, encodeRequest, type AnyApiKey, type RequestOf, type ResponseOf } from '../../protocol/codec/messages.js';

interface Pending {
  resolve(frame: Buffer): void;
  reject(err: Error): void;
}

export class RawClient {
  private buffered = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private correlationId = 0;

  /** Settles when the connection closes (from either side). */
  readonly closed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    private readonly clientId: string,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('close', () => {
      for (const p of this.pending.splice(0)) p.reject(new Error('connection closed'));
    });
  }

  /** `localAddress`: the address to connect from (any 127.x.y.z works on Linux loopback). */
  static connect(host: string, port: number, clientId = 'raw-client', localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, ...(localAddress === undefined ? {} : { localAddress }) }, () => resolve(new RawClient(socket, clientId)));
      socket.once('error', reject);
    });
  }

  /** A connection to a SASL listener, authenticated with PLAIN (handshake v1, SaslAuthenticate v2); rejects when refused. */
  static async connectPlain(host: string, port: number, user: string, password: string, localAddress?: string): Promise<RawClient> {
    const client = await RawClient.connect(host, port, 'raw-client', localAddress);
    await client.send(17, 1, { mechanism: 'PLAIN' });
    const auth = await client.send(36, 2, { authBytes: Buffer.from(`\0${user}\0${password}`) });
    if (auth.errorCode !== 0) throw new Error(`SASL/PLAIN authentication of ${user} failed: ${auth.errorMessage}`);
    return client;
  }

  send<K extends AnyApiKey>(apiKey: K, version: number, body: RequestOf<K>): Promise<ResponseOf<K>> {
    const correlationId = ++this.correlationId;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(encodeRequest(apiKey, version, correlationId, this.clientId, body));
    }).then((frame) => {
      const decoded = decodeResponse(apiKey, version, frame);
      if (decoded.correlationId !== correlationId) throw new Error(`correlation id ${decoded.correlationId}, expected ${correlationId}`);
      return decoded.body;
    });
  }

  close(): void {
    this.socket.end();
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < size + 4) return;
      const frame = this.buffered.subarray(4, size + 4);
      this.buffered = this.buffered.subarray(size + 4);
      this.pending.shift()?.resolve(frame);
    }
  }
}
