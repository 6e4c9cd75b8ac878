// A listener's acceptor, as Kafka's: it takes the TCP connections the OS accepted one at a time,
// in arrival order. When the connection rates (max.connection.creation.rate, broker-wide or the
// listener's) call for a wait, it holds that connection, waits the throttle out, then goes on with
// it; the connections arriving meanwhile wait unread behind it, as in a listen backlog. Node.js
// accepts every connection at once, so the backlog is bounded here (socket.listen.backlog.size):
// beyond it a connection is closed.
import type { Socket } from 'node:net';

export interface AcceptorSteps {
  /** Records a connection against the rates; how long to wait before taking it, else 0. */
  acceptDelay(): number;
  /** Takes a connection on (counts it against the connection limits and serves or refuses it). */
  admit(socket: Socket): void;
  /** Closes a connection the full backlog has no room for. */
  overflow(socket: Socket): void;
  /** Notes the wait before a connection. */
  waiting(socket: Socket, delayMs: number): void;
}

export class Acceptor {
  /** Connections not taken yet, in arrival order: the one the acceptor waits with first, then the backlog. */
  private readonly pending: Socket[] = [];
  private wait: NodeJS.Timeout | undefined;

  constructor(
    private readonly steps: AcceptorSteps,
    /** Connections held behind the one waited with. */
    private readonly backlog: number,
  ) {}

  /** A connection the OS accepted: taken now, or held its turn while the acceptor waits. */
  arrived(socket: Socket): void {
    if (this.pending.length === 0) {
      this.take(socket);
      return;
    }
    if (this.pending.length > this.backlog) {
      this.steps.overflow(socket);
      return;
    }
    hold(socket);
    this.pending.push(socket);
  }

  /** Stops waiting; answers the connections held, for the listener to close. */
  stop(): Socket[] {
    clearTimeout(this.wait);
    this.wait = undefined;
    return this.pending.splice(0);
  }

  private take(socket: Socket): void {
    const delayMs = this.steps.acceptDelay();
    if (delayMs === 0) {
      this.steps.admit(socket);
      return;
    }
    this.steps.waiting(socket, delayMs);
    hold(socket);
    this.pending.unshift(socket);
    this.wait = setTimeout(() => {
      this.wait = undefined;
      this.admitHeld(this.pending.shift()!);
      // Then the backlog in arrival order, until the acceptor has to wait again.
      while (this.pending.length > 0 && this.wait === undefined) {
        const next = this.pending.shift()!;
        if (next.destroyed) continue;
        release(next);
        this.take(next);
      }
    }, delayMs);
  }

  private admitHeld(socket: Socket): void {
    if (socket.destroyed) return;
    release(socket);
    this.steps.admit(socket);
  }
}

/** Keeps a socket unread; a client that resets it meanwhile is no error of the broker's. */
function hold(socket: Socket): void {
  socket.pause();
  socket.on('error', ignore);
}

/** Gives a held socket back its own error handling. */
function release(socket: Socket): void {
  socket.off('error', ignore);
}

const ignore = (): void => undefined;
