// Raw Kafka frames over a plain socket, for tests that need bytes no client would send.
import { connect, type Socket } from 'node:net';

export interface FrameSocket {
  socket: Socket;
  /** Resolves with the next response frame (without its size prefix). */
  next(): Promise<Buffer>;
  /** Resolves when the broker closes the connection. */
  closed: Promise<void>;
  send(bytes: Buffer): void;
  end(): void;
}

/** A connection to `host:port`, from `localAddress` when given (any 127.x.y.z works on Linux loopback). */
export function openFrameSocket(port: number, host = '127.0.0.1', localAddress?: string): Promise<FrameSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host, ...(localAddress === undefined ? {} : { localAddress }) }, () => resolve(api));
    socket.once('error', reject);
    let pending = Buffer.alloc(0);
    const frames: Buffer[] = [];
    const waiters: ((b: Buffer) => void)[] = [];
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = pending.readInt32BE(0);
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        const w = waiters.shift();
        if (w) w(frame);
        else frames.push(frame);
      }
    });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    const api: FrameSocket = {
      socket,
      closed,
      next: () => {
        const f = frames.shift();
        return f ? Promise.resolve(f) : new Promise((r) => waiters.push(r));
      },
      send: (bytes) => socket.write(bytes),
      end: () => socket.end(),
    };
  });
}

/** `body` with its 4-byte size prefix. */
export function sizePrefixed(body: Buffer): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

/** Opens a connection that announces a frame of `size` bytes and sends only `sent` of them. */
export async function announceFrame(port: number, size: number, sent = 10): Promise<FrameSocket> {
  const s = await openFrameSocket(port);
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(size, 0);
  s.send(Buffer.concat([prefix, Buffer.alloc(sent, 1)]));
  return s;
}
