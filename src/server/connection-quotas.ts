// Connection counts and rates across every listener, checked when a TCP connection is accepted
// (before any TLS handshake), as Kafka's ConnectionQuotas. First the acceptor's wait: the
// connection counts against max.connection.creation.rate broker-wide (on every listener but the
// inter-broker one, when there are several) and against its listener's rate
// (listener.name.<listener>.max.connection.creation.rate, else the broker-wide value); over
// either, the listener accepts nothing more until the rate is back under it (at most one quota
// window). It then also waits for a connection slot: its listener's max.connections
// (listener.name.<listener>.max.connections, else the broker-wide value) and, except on that
// inter-broker listener, the broker's max.connections shared by every listener. Then its
// admission: max.connections.per.ip for one address unless max.connections.per.ip.overrides names
// it, and the address's connection_creation_rate client quota (KIP-612). The limits are read at
// each check, so dynamic updates (IncrementalAlterConfigs on the broker, AlterClientQuotas) apply
// to the next connection, and a waiting acceptor checks again when one changes (limitsChanged).
// When the broker is over its max.connections (the inter-broker listener took connections beyond
// it, or the limit was lowered), the other listeners close their least recently active
// connections, one each in turn, until it is back within it (Kafka's closeExcessConnections).
export interface ConnectionLimits {
  maxConnections: number;
  maxPerIp: number;
  /** Address → its own limit. */
  perIpOverrides: ReadonlyMap<string, number>;
  /** max.connection.creation.rate */
  maxConnectionCreationRate: number;
  /** A listener's max.connection.creation.rate: its listener override, else the broker-wide one. */
  listenerConnectionCreationRate(listener: string): number;
  /** A listener's max.connections: its listener override, else the broker-wide one. */
  listenerMaxConnections(listener: string): number;
}

/**
 * A counted connection, or a refused one: closed at once, or when over its address's creation
 * rate, held unread for `throttleMs` first, as Kafka's acceptor delays closing throttled sockets.
 */
export type Admission = { admitted: true; release(): void } | { admitted: false; reason: string; throttleMs: number };

/** Closes a listener's least recently active connection, its count given back at once; false when it has none. */
export type ExcessCloser = () => boolean;

/** Records a new connection from an address against its connection_creation_rate; the throttle time when over it, else 0. */
export type ConnectionRate = (ip: string) => number;

/** Kafka's connection-accept-rate meters, one for the broker and one per listener (QuotaMeter). */
export interface AcceptanceMeters {
  /** Counts an accepted connection in `meter`; the wait that brings its rate back to `bound`, else 0. */
  recordAcceptance(meter: string, bound: number): number;
  /** Takes a counted connection back. */
  unrecordAcceptance(meter: string): void;
}

const BROKER_METER = 'broker';
const listenerMeter = (listener: string): string => `listener:${listener}`;

export class ConnectionQuotas {
  private total = 0;
  private readonly byIp = new Map<string, number>();
  private readonly byListener = new Map<string, number>();
  /** Acceptors waiting for a connection slot, woken when a connection closes or the limits change. */
  private readonly slotWaiters = new Set<() => void>();
  /** Each listener's way to close its least recently active connection. */
  private readonly excessClosers = new Map<string, ExcessCloser>();

  constructor(
    private readonly limits: () => ConnectionLimits,
    private readonly rate: ConnectionRate,
    private readonly acceptances: AcceptanceMeters,
    /** The inter-broker listener when the broker has several: the broker-wide rate does not apply to it (Kafka's protected listener). */
    private readonly protectedListener: string | null,
  ) {}

  /**
   * Counts a connection accepted on `listener` against the broker-wide and the listener's
   * max.connection.creation.rate; answers how long the listener waits before going on with it
   * (the longer of the two throttles), else 0.
   */
  acceptDelay(listener: string): number {
    const limits = this.limits();
    const listenerWait = this.acceptances.recordAcceptance(listenerMeter(listener), limits.listenerConnectionCreationRate(listener));
    if (listener === this.protectedListener) return listenerWait;
    return Math.max(this.acceptances.recordAcceptance(BROKER_METER, limits.maxConnectionCreationRate), listenerWait);
  }

  /**
   * Whether `listener` may take one more connection: under its own max.connections, and, except
   * on the inter-broker listener beside others, under the broker's (Kafka's connectionSlotAvailable).
   */
  slotAvailable(listener: string): boolean {
    const limits = this.limits();
    if ((this.byListener.get(listener) ?? 0) >= limits.listenerMaxConnections(listener)) return false;
    return listener === this.protectedListener || this.total < limits.maxConnections;
  }

  /** Calls `wake` whenever a slot may have freed (a connection closed, the limits changed), until the answered function is called. */
  onSlotChange(wake: () => void): () => void {
    this.slotWaiters.add(wake);
    return () => this.slotWaiters.delete(wake);
  }

  /** The limits may have changed (a dynamic config update): connections over a lowered max.connections are closed, waiting acceptors check again. */
  limitsChanged(): void {
    this.closeExcess();
    this.wakeWaiters();
  }

  /** How `listener` closes its least recently active connection when the broker is over max.connections. */
  closeExcessWith(listener: string, closer: ExcessCloser): void {
    this.excessClosers.set(listener, closer);
  }

  /** Over the broker's max.connections, the listeners but the inter-broker one close a connection each in turn until it is within it. */
  private closeExcess(): void {
    const over = (): boolean => this.total > this.limits().maxConnections;
    while (over()) {
      let closed = false;
      for (const [listener, closeLeastRecentlyUsed] of this.excessClosers) {
        if (listener === this.protectedListener) continue;
        if (!over()) return;
        closed = closeLeastRecentlyUsed() || closed;
      }
      if (!closed) return;
    }
  }

  private wakeWaiters(): void {
    for (const wake of [...this.slotWaiters]) wake();
  }

  /** Counts a new connection from `address` on `listener` (after its acceptDelay and a free slot), or says which limit refuses it. */
  admit(address: string, listener: string): Admission {
    const ip = normalizeAddress(address);
    const { maxPerIp, perIpOverrides } = this.limits();
    const fromIp = this.byIp.get(ip) ?? 0;
    const ipLimit = perIpOverrides.get(ip) ?? maxPerIp;
    // Kafka's order: a connection given a slot is counted against its address's rate (even when
    // max.connections.per.ip then refuses it); one over the rate is not counted, there nor in the
    // broker's and its listener's accept rates.
    const throttleMs = this.rate(ip);
    if (throttleMs > 0) {
      if (listener !== this.protectedListener) this.acceptances.unrecordAcceptance(BROKER_METER);
      this.acceptances.unrecordAcceptance(listenerMeter(listener));
      return { admitted: false, reason: `${ip} is over its connection_creation_rate quota`, throttleMs };
    }
    if (fromIp >= ipLimit) return { admitted: false, reason: `${ip} has reached its limit of ${ipLimit} connections (max.connections.per.ip)`, throttleMs: 0 };
    this.total++;
    this.byIp.set(ip, fromIp + 1);
    this.byListener.set(listener, (this.byListener.get(listener) ?? 0) + 1);
    let released = false;
    const admission: Admission = {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.byIp.get(ip) ?? 1) - 1;
        if (left === 0) this.byIp.delete(ip);
        else this.byIp.set(ip, left);
        this.byListener.set(listener, this.byListener.get(listener)! - 1);
        this.wakeWaiters();
      },
    };
    // The inter-broker listener may take a connection beyond the broker's limit: the others make room.
    if (listener === this.protectedListener) this.closeExcess();
    return admission;
  }
}

/** An IPv4 address accepted on a dual-stack socket as itself (`::ffff:127.0.0.1` → `127.0.0.1`). */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
