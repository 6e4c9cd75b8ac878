// A raw Kafka connection for the load generator: writes pre-encoded request frames, keeps any
// number of them in flight (pipelined), and hands back response frames in request order — Kafka
// answers each connection's requests in order, so no correlation-id lookup is needed. Over TLS
// when given TLS options.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

interface Waiter {
  resolve: (frame: Buffer) => void;
  reject: (err: Error) => void;
}

export class FrameConnection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly waiters: Waiter[] = [];
  private failure: Error | undefined;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.failAll(err));
    socket.on('close', () => this.failAll(new Error('connection closed')));
  }

  static open(port: number, host = '127.0.0.1', tls?: ConnectionOptions): Promise<FrameConnection> {
    return new Promise((resolve, reject) => {
      const socket = tls === undefined ? connect({ port, host }) : tlsConnect({ port, host, ...tls });
      socket.once('error', reject);
      socket.once(tls === undefined ? 'connect' : 'secureConnect', () => {
        socket.off('error', reject);
        resolve(new FrameConnection(socket));
      });
    });
  }

  get inFlight(): number {
    return this.waiters.length;
  }

  /** Sends one request frame (size prefix included); resolves with its response frame (without). */
  request(frame: Buffer): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.flatten();
      const size = head.readInt32BE(0);
      if (this.buffered < size + 4) return;
      const all = this.flatten();
      const frame = all.subarray(4, size + 4);
      const rest = all.subarray(size + 4);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      const waiter = this.waiters.shift();
      if (!waiter) {
        this.failAll(new Error('response without a request'));
        return;
      }
      waiter.resolve(frame);
    }
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }

  private failAll(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }
}
