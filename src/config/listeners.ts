// Kafka listener strings: `NAME://host:port[,NAME://host:port]` (IPv6 hosts in brackets; an empty
// host binds every interface) and listener.security.protocol.map `NAME:PROTOCOL` pairs.

export interface Endpoint {
  /** Listener name, e.g. PLAINTEXT. */
  name: string;
  host: string;
  port: number;
}

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;

/** Parses a listener list; throws Error with Kafka's wording on a malformed entry. */
export function parseListeners(value: string): Endpoint[] {
  const trimmed = value.trim();
  if (trimmed === '') return [];
  return trimmed.split(/\s*,\s*/).map((entry) => {
    const match = /^([^:/]*):\/\/\[?([0-9a-zA-Z\-%._:]*?)\]?:(\d+)$/.exec(entry);
    const port = match === null ? Number.NaN : Number(match[3]);
    if (match === null || match[1] === '' || port > 65535) {
      throw new Error(`Unable to parse ${entry} to a broker endpoint`);
    }
    return { name: match[1]!.toUpperCase(), host: match[2]!, port };
  });
}

export function formatListeners(endpoints: readonly Endpoint[]): string {
  return endpoints
    .map(({ name, host, port }) => `${name}://${host.includes(':') ? `[${host}]` : host}:${port}`)
    .join(',');
}

/** Parses `NAME:PROTOCOL,...`; throws Error on a malformed pair or an unknown protocol. */
export function parseProtocolMap(value: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of value.trim() === '' ? [] : value.trim().split(/\s*,\s*/)) {
    const [name, protocol, extra] = pair.split(':');
    if (!name || !protocol || extra !== undefined) throw new Error(`Invalid listener security protocol pair "${pair}"`);
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol.toUpperCase())) {
      throw new Error(`No enum constant SecurityProtocol.${protocol} in "${pair}"`);
    }
    map.set(name.toUpperCase(), protocol.toUpperCase());
  }
  return map;
}
