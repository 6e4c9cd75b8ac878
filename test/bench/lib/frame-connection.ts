// A raw Kafka connection for the load generator: writes pre-encoded request frames, keeps any
// number of them in flight (pipelined), and hands each response frame, in request order, to the
// parser its request came with — Kafka answers each connection's requests in order, so no
// correlation-id lookup is needed. Over TLS when given TLS options.
//
// Responses land in one buffer per connection, reused for the connection's life (plain TCP reads
// straight into it), and a parser runs while its frame is still there. A buffer per read instead
// (Node's default: 64 KiB each) made V8 run a mark-compact every ~120 ms for "external memory
// pressure" at the latency points' rates, and the generator's pauses were read as the broker's
// latency. So a parser must not keep the frame it is given; request(frame) without one copies it.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

/** Free space offered to each read: enough for a whole 16 KiB batch response and then some. */
const READ_SPACE = 64 * 1024;

interface Waiter {
  parse: (frame: Buffer) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

const copy = (frame: Buffer): Buffer => Buffer.from(frame);
/** A parser for a response nobody reads: nothing is copied or decoded. */
export const discard = (): void => undefined;

/** The received bytes of one connection, and the requests waiting for their responses. */
class Responses {
  private buffer = Buffer.allocUnsafe(2 * READ_SPACE);
  /** buffer[start, end) holds received bytes not yet parsed. */
  private start = 0;
  private end = 0;
  readonly waiters: Waiter[] = [];
  failure: Error | undefined;

  /** Where the next read goes: at least READ_SPACE bytes after the unparsed ones. */
  space(): Buffer {
    if (this.buffer.length - this.end < READ_SPACE) {
      const unparsed = this.end - this.start;
      const target = unparsed + READ_SPACE <= this.buffer.length ? this.buffer : Buffer.allocUnsafe(Math.max(2 * this.buffer.length, unparsed + READ_SPACE));
      this.buffer.copy(target, 0, this.start, this.end);
      this.buffer = target;
      this.start = 0;
      this.end = unparsed;
    }
    return this.buffer.subarray(this.end);
  }

  /** `n` bytes were read into the last space() given out; true: read on. */
  received(n: number): boolean {
    this.end += n;
    while (this.end - this.start >= 4) {
      const size = this.buffer.readInt32BE(this.start);
      if (this.end - this.start < size + 4) break;
      const frame = this.buffer.subarray(this.start + 4, this.start + 4 + size);
      this.start += size + 4;
      const waiter = this.waiters.shift();
      if (!waiter) {
        this.failAll(new Error('response without a request'));
        return false;
      }
      try {
        waiter.resolve(waiter.parse(frame));
      } catch (err) {
        waiter.reject(err as Error);
      }
    }
    if (this.start === this.end) this.start = this.end = 0;
    return true;
  }

  /** A chunk read into a buffer of its own (TLS): copied in. */
  receivedChunk(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const n = chunk.copy(this.space(), 0, at);
      at += n;
      this.received(n);
    }
  }

  failAll(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }
}

export class FrameConnection {
  private constructor(
    readonly socket: Socket,
    private readonly responses: Responses,
  ) {
    socket.setNoDelay(true);
    socket.on('error', (err) => responses.failAll(err));
    socket.on('close', () => responses.failAll(new Error('connection closed')));
  }

  static open(port: number, host = '127.0.0.1', tls?: ConnectionOptions): Promise<FrameConnection> {
    const responses = new Responses();
    return new Promise((resolve, reject) => {
      const socket =
        tls === undefined
          ? connect({ port, host, onread: { buffer: () => responses.space(), callback: (n) => responses.received(n) } })
          : tlsConnect({ port, host, ...tls }).on('data', (chunk: Buffer) => responses.receivedChunk(chunk));
      socket.once('error', reject);
      socket.once(tls === undefined ? 'connect' : 'secureConnect', () => {
        socket.off('error', reject);
        resolve(new FrameConnection(socket, responses));
      });
    });
  }

  /**
   * Sends one request frame (size prefix included). Resolves with what `parse` returns for its
   * response frame (without the prefix), which it must not keep; without a parser, with a copy
   * of the frame. A parser that throws rejects the request.
   */
  request(frame: Buffer): Promise<Buffer>;
  request<T>(frame: Buffer, parse: (response: Buffer) => T): Promise<T>;
  request(frame: Buffer, parse: (response: Buffer) => unknown = copy): Promise<unknown> {
    if (this.responses.failure) return Promise.reject(this.responses.failure);
    return new Promise((resolve, reject) => {
      this.responses.waiters.push({ parse, resolve, reject });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
