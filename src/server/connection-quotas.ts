// Connection counts and rates across every listener, checked when a TCP connection is accepted
// (before any TLS handshake), as Kafka's ConnectionQuotas. First the acceptor's wait: the
// connection counts against max.connection.creation.rate broker-wide (on every listener but the
// inter-broker one, when there are several) and against its listener's rate
// (listener.name.<listener>.max.connection.creation.rate, else the broker-wide value); over
// either, the listener accepts nothing more until the rate is back under it (at most one quota
// window), then goes on with this connection. Then its admission: max.connections for the broker,
// max.connections.per.ip for one address unless max.connections.per.ip.overrides names it, and
// the address's connection_creation_rate client quota (KIP-612). The limits are read at each
// accept, so dynamic updates (IncrementalAlterConfigs on the broker, AlterClientQuotas) apply to
// the next connection.
export interface ConnectionLimits {
  maxConnections: number;
  maxPerIp: number;
  /** Address → its own limit. */
  perIpOverrides: ReadonlyMap<string, number>;
  /** max.connection.creation.rate */
  maxConnectionCreationRate: number;
  /** A listener's max.connection.creation.rate: its listener override, else the broker-wide one. */
  listenerConnectionCreationRate(listener: string): number;
}

/**
 * A counted connection, or a refused one: closed at once, or when over its address's creation
 * rate, held unread for `throttleMs` first, as Kafka's acceptor delays closing throttled sockets.
 */
export type Admission = { admitted: true; release(): void } | { admitted: false; reason: string; throttleMs: number };

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

  /** Counts a new connection from `address` on `listener` (after its acceptDelay), or says which limit refuses it. */
  admit(address: string, listener: string): Admission {
    const ip = normalizeAddress(address);
    const { maxConnections, maxPerIp, perIpOverrides } = this.limits();
    const fromIp = this.byIp.get(ip) ?? 0;
    const ipLimit = perIpOverrides.get(ip) ?? maxPerIp;
    // Kafka's order: a connection within the broker's limit is counted against its address's
    // rate (even when max.connections.per.ip then refuses it); one over the rate is not counted,
    // there nor in the broker's and its listener's accept rates.
    if (this.total >= maxConnections) return { admitted: false, reason: `the broker has reached its limit of ${maxConnections} connections (max.connections)`, throttleMs: 0 };
    const throttleMs = this.rate(ip);
    if (throttleMs > 0) {
      if (listener !== this.protectedListener) this.acceptances.unrecordAcceptance(BROKER_METER);
      this.acceptances.unrecordAcceptance(listenerMeter(listener));
      return { admitted: false, reason: `${ip} is over its connection_creation_rate quota`, throttleMs };
    }
    if (fromIp >= ipLimit) return { admitted: false, reason: `${ip} has reached its limit of ${ipLimit} connections (max.connections.per.ip)`, throttleMs: 0 };
    this.total++;
    this.byIp.set(ip, fromIp + 1);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.byIp.get(ip) ?? 1) - 1;
        if (left === 0) this.byIp.delete(ip);
        else this.byIp.set(ip, left);
      },
    };
  }
}

/** An IPv4 address accepted on a dual-stack socket as itself (`::ffff:127.0.0.1` → `127.0.0.1`). */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
