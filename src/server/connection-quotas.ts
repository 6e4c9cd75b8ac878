// Connection counts across every listener, checked when a TCP connection is accepted (before any
// TLS handshake), as Kafka's ConnectionQuotas: max.connections for the broker, max.connections.per.ip
// for one address unless max.connections.per.ip.overrides names it. The limits are read at each
// accept, so dynamic updates (IncrementalAlterConfigs on the broker) apply to new connections.
export interface ConnectionLimits {
  maxConnections: number;
  maxPerIp: number;
  /** Address → its own limit. */
  perIpOverrides: ReadonlyMap<string, number>;
}

export type Admission = { admitted: true; release(): void } | { admitted: false; reason: string };

export class ConnectionQuotas {
  private total = 0;
  private readonly byIp = new Map<string, number>();

  constructor(private readonly limits: () => ConnectionLimits) {}

  /** Counts a new connection from `address`, or says which limit refuses it. */
  admit(address: string): Admission {
    const ip = normalizeAddress(address);
    const { maxConnections, maxPerIp, perIpOverrides } = this.limits();
    const fromIp = this.byIp.get(ip) ?? 0;
    const ipLimit = perIpOverrides.get(ip) ?? maxPerIp;
    if (fromIp >= ipLimit) return { admitted: false, reason: `${ip} has reached its limit of ${ipLimit} connections (max.connections.per.ip)` };
    if (this.total >= maxConnections) return { admitted: false, reason: `the broker has reached its limit of ${maxConnections} connections (max.connections)` };
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
