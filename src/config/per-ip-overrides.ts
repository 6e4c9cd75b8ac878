// max.connections.per.ip.overrides: Kafka's comma-separated `host:count` list. An IPv6 address
// keeps its colons (the count follows the last one).

/** Address → connection limit; throws on an entry that is not host:count. */
export function parsePerIpOverrides(value: string): Map<string, number> {
  const overrides = new Map<string, number>();
  for (const entry of value.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const colon = entry.lastIndexOf(':');
    const count = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (!/^\d+$/.test(count)) throw new Error(`"${entry}" is not host:count`);
    overrides.set(entry.slice(0, colon).trim(), Number(count));
  }
  return overrides;
}
