// A listener's acceptor, as Kafka's: it takes the TCP connections the OS accepted one at a time,
// in arrival order. When the connection rates (max.connection.creation.rate, broker-wide or the
// listener's) call for a wait, it holds that connection, waits the throttle out, then goes on with
// it; likewise, when max.connections (the broker's or the listener's) leaves no slot, it holds the
// connection until one frees (a connection closes, the limit is raised). The connections arriving
// meanwhile wait unread behind it, as in a listen backlog. Node.js accepts every connection at
// once, so the backlog is bounded here (socket.listen.backlog.size): beyond it a connection is
// closed.
import type { Socket } from 'node:net';

export interface AcceptorSteps {
  /** Records a connection against the rates; how long to wait before taking it, else 0. */
  acceptDelay(): number;
  /** Whether a connection slot is free (max.connections) for the next connection. */
  slotAvailable(): boolean;
  /** Calls `wake` whenever a slot may have freed; answers the function that stops it. */
  onSlotChange(wake: () => void): () => void;
  /** Takes a connection on (counts it against the connection limits and serves or refuses it). */
  admit(socket: Socket): void;
  /** Closes a connection the full backlog has no room for. */
  overflow(socket: Socket): void;
  /** Notes the wait before a connection: over the rate for `delayMs`, or (delayMs null) for a slot. */
  waiting(socket: Socket, delayMs: number | null): void;
}

export class Acceptor {
  /** Connections not taken yet, in arrival order: the one the acceptor waits with first, then the backlog. */
  private readonly pending: Socket[] = [];
  /** The rate wait under way. */
  private wait: NodeJS.Timeout | undefined;
  /** Stops the wait for a slot under way. */
  private stopSlotWait: (() => void) | undefined;

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
      // Connections their clients gave up on leave room first.
      const open = this.pending.filter((s, i) => i === 0 || !s.destroyed);
      this.pending.splice(0, this.pending.length, ...open);
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
    this.stopSlotWait?.();
    this.stopSlotWait = undefined;
    return this.pending.splice(0);
  }

  private take(socket: Socket): void {
    const delayMs = this.steps.acceptDelay();
    if (delayMs === 0 && this.steps.slotAvailable()) {
      this.steps.admit(socket);
      return;
    }
    hold(socket);
    this.pending.unshift(socket);
    if (delayMs === 0) {
      this.waitForSlot();
      return;
    }
    this.steps.waiting(socket, delayMs);
    this.wait = setTimeout(() => {
      this.wait = undefined;
      this.goOn();
    }, delayMs);
  }

  /** Holds the first pending connection until a slot frees. */
  private waitForSlot(): void {
    this.steps.waiting(this.pending[0]!, null);
    this.stopSlotWait = this.steps.onSlotChange(() => {
      if (!this.steps.slotAvailable()) return;
      this.stopSlotWait!();
      this.stopSlotWait = undefined;
      this.goOn();
    });
  }

  /** After a wait: the connection waited with once a slot is free, then the backlog in arrival order until the acceptor has to wait again. */
  private goOn(): void {
    if (!this.steps.slotAvailable()) {
      this.waitForSlot();
      return;
    }
    this.admitHeld(this.pending.shift()!);
    while (this.pending.length > 0 && this.wait === undefined && this.stopSlotWait === undefined) {
      const next = this.pending.shift()!;
      if (next.destroyed) continue;
      release(next);
      this.take(next);
    }
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
