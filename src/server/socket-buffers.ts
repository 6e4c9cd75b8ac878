// SO_SNDBUF and SO_RCVBUF of a broker's sockets (-1, or any value below 1, keeps the OS default):
// socket.send.buffer.bytes and socket.receive.buffer.bytes on every accepted client connection, as
// Kafka's acceptor sets them; replica.socket.receive.buffer.bytes on a follower's connections to
// its leaders, as Kafka's replica fetcher sets it; and socket.receive.buffer.bytes on the
// connections carrying transaction markers and verification to other brokers, as Kafka's
// TransactionMarkerChannelManager and AddPartitionsToTxnManager clients set it (their SO_SNDBUF
// left to the OS). Node sets them only on UDP sockets, so they go through the `sockopt` package
// (setsockopt through N-API, prebuilt for Linux, macOS and Windows). Where it cannot load, or the
// platform gives no file descriptor (Windows), the broker warns once per setting and keeps the OS
// defaults.
// A fixed send buffer matters for fetch: the kernel grows an unset one to 4 MiB, and on loopback
// Creek served a filled topic 20-30% faster with Kafka's 100 KiB (NOTES.md).
import { createRequire } from 'node:module';
import { platform } from 'node:os';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

interface Sockopt {
  setsockopt(socket: Socket, level: number, option: number, value: number): void;
}

/** SOL_SOCKET, SO_SNDBUF and SO_RCVBUF: Linux's values, and the BSDs' (macOS among them). */
const OPTIONS = platform() === 'linux' ? { level: 1, send: 7, receive: 8 } : { level: 0xffff, send: 0x1001, receive: 0x1002 };

function loadSockopt(): Sockopt | Error {
  if (platform() === 'win32') return new Error('Node gives no file descriptor for a socket on Windows');
  try {
    return createRequire(import.meta.url)('sockopt') as Sockopt;
  } catch (err) {
    return err as Error;
  }
}

export class SocketBuffers {
  /** Loaded at the first connection rather than at start-up (a few ms); null when it cannot be. */
  private sockopt: Sockopt | null | undefined;

  constructor(
    private readonly sendBytes: number,
    private readonly receiveBytes: number,
    /** The configs the sizes come from, for the warning when they cannot be applied. */
    private readonly configs: string,
    private readonly log: Logger,
  ) {
    if (sendBytes < 1 && receiveBytes < 1) this.sockopt = null;
  }

  /** Sets the configured sizes on a new socket (accepted, or connected), before anything is read or written. */
  apply(socket: Socket): void {
    if (this.sockopt === undefined) {
      const loaded = loadSockopt();
      this.sockopt = loaded instanceof Error ? this.fail(loaded) : loaded;
    }
    if (this.sockopt === null) return;
    try {
      if (this.sendBytes > 0) this.sockopt.setsockopt(socket, OPTIONS.level, OPTIONS.send, this.sendBytes);
      if (this.receiveBytes > 0) this.sockopt.setsockopt(socket, OPTIONS.level, OPTIONS.receive, this.receiveBytes);
    } catch (err) {
      // A socket the client already closed has no descriptor left to set; that is not a failure of the setting.
      if (socket.destroyed) return;
      this.sockopt = this.fail(err as Error);
    }
  }

  /** Warns (once: nothing is tried after it) and gives the null that stops further tries. */
  private fail(err: Error): null {
    this.log.warn(
      { err: err.message, sendBytes: this.sendBytes, receiveBytes: this.receiveBytes },
      `${this.configs} cannot be applied here; connections keep the OS buffer sizes`,
    );
    return null;
  }
}

/** What every accepted connection gets: socket.send.buffer.bytes and socket.receive.buffer.bytes, each config's value given by `bytes`. */
export function acceptedSocketBuffers(bytes: (config: string) => number, log: Logger): SocketBuffers {
  return new SocketBuffers(bytes('socket.send.buffer.bytes'), bytes('socket.receive.buffer.bytes'), 'socket.send.buffer.bytes and socket.receive.buffer.bytes', log);
}
