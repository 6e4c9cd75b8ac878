// A load on one topic of any broker or cluster, sent as a client sends it: each partition's
// requests to the broker that leads it. One load per leader runs at once, the connections split
// among them and their measured windows started together, and their rates are added up; against
// a single broker (one leader) it is just the load.
import type { Rate, SideBySide, TopicPartition } from './drivers.js';
import { Samples } from './stats.js';
import { partitionLeaders } from './topics.js';

/** What one leader's load gets: where to send, which partitions, how many connections. */
export interface LeaderShare extends Required<SideBySide> {
  port: number;
  partitions: TopicPartition[];
  connections: number;
}

/** The summed rate of the loads, and how many leaders (brokers) they went to. */
export type LeaderRate = Rate & { leaders: number };

/** `total` connections split as evenly as they go `ways` ways, at least one each. */
export function splitConnections(total: number, ways: number): number[] {
  return Array.from({ length: ways }, (_, i) => Math.max(1, Math.floor(total / ways) + (i < total % ways ? 1 : 0)));
}

/** A function `count` parties each call once; every call's promise resolves once all of them have called. */
export function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived >= count) open();
    return opened;
  };
}

/** The rates of loads measured over the same window, as one. */
export function sumRates(rates: readonly Rate[]): Rate {
  return {
    bytesPerSec: rates.reduce((sum, r) => sum + r.bytesPerSec, 0),
    recordsPerSec: rates.reduce((sum, r) => sum + r.recordsPerSec, 0),
    requestMs: Samples.concat(rates.map((r) => r.requestMs)),
  };
}

/**
 * Runs `drive` once for each broker leading partitions of `topic` (as the broker on `port` sees
 * it), all at once, with `connections` split among them; the sum of their rates, and how many
 * leaders there were.
 */
export async function driveByLeader(port: number, topic: string, connections: number, drive: (share: LeaderShare) => Promise<Rate>): Promise<LeaderRate> {
  const leaders = await partitionLeaders(port, topic);
  const split = splitConnections(connections, leaders.length);
  const startTogether = barrier(leaders.length);
  const rates = await Promise.all(leaders.map((leader, i) => drive({ ...leader, connections: split[i]!, startTogether })));
  return { ...sumRates(rates), leaders: leaders.length };
}
