// Replication throttling (KIP-73), as Kafka's ReplicationQuotaManager: one quota for what this
// broker sends as a leader, one for what it fetches as a follower. A partition is throttled on
// this broker when its topic's leader.replication.throttled.replicas (follower.… for the follower
// side) is "*" or lists partition:<this broker's id>. The bytes of throttled partitions are counted
// in a windowed rate (replication.quota.window.num windows of replication.quota.window.size.seconds);
// the quota is exceeded while that rate is above this broker's leader.replication.throttled.rate
// (follower.…), Long.MAX_VALUE unless set, which is never.
import type { Topic } from '../topics/topic-registry.js';
import { WindowedRate } from './windowed-rate.js';

export type ReplicationSide = 'leader' | 'follower';

export interface ReplicationQuotaOptions {
  side: ReplicationSide;
  /** This broker's id: the one a throttled-replicas list names. */
  nodeId: number;
  /** The current <side>.replication.throttled.rate, bytes per second (dynamic). */
  bound: () => number;
  windows: number;
  windowMs: number;
  clock?: () => number;
}

export class ReplicationQuota {
  private readonly rate: WindowedRate;
  private readonly configName: string;
  private readonly clock: () => number;
  /** The partitions a config value throttles here (null: all), kept for the value last seen. */
  private parsed = new Map<string, ReadonlySet<number> | null>();

  constructor(private readonly o: ReplicationQuotaOptions) {
    this.rate = new WindowedRate(o.windows, o.windowMs);
    this.configName = `${o.side}.replication.throttled.replicas`;
    this.clock = o.clock ?? Date.now;
  }

  /** Whether the topic's throttled-replicas config names this partition on this broker. */
  isThrottled(topic: Topic, partition: number): boolean {
    const value = topic.overrides.get(this.configName);
    if (value === undefined || value.trim() === '') return false;
    const partitions = this.partitionsOf(value);
    return partitions === null || partitions.has(partition);
  }

  /** The throttled bytes of the last windows are above the rate. */
  isExceeded(): boolean {
    return this.rate.rate(this.clock()) > this.o.bound();
  }

  /** Counts bytes of throttled partitions sent (leader) or received (follower). */
  record(bytes: number): void {
    this.rate.record(bytes, this.clock());
  }

  private partitionsOf(value: string): ReadonlySet<number> | null {
    let partitions = this.parsed.get(value);
    if (partitions !== undefined) return partitions;
    partitions = parseThrottledReplicas(value, this.o.nodeId);
    // Values change rarely: the cache is kept to the ones in use.
    if (this.parsed.size >= 64) this.parsed = new Map();
    this.parsed.set(value, partitions);
    return partitions;
  }
}

/** The partitions a throttled-replicas value ("*" or partitionId:brokerId pairs) throttles on broker `nodeId`; null for all. */
export function parseThrottledReplicas(value: string, nodeId: number): ReadonlySet<number> | null {
  const items = value.split(',').map((item) => item.trim());
  if (items.length === 1 && items[0] === '*') return null;
  const partitions = new Set<number>();
  for (const item of items) {
    const [partition, broker] = item.split(':');
    if (Number(broker) === nodeId) partitions.add(Number(partition));
  }
  return partitions;
}

/** Both sides of a broker's replication throttling. */
export interface ReplicationQuotas {
  readonly leader: ReplicationQuota;
  readonly follower: ReplicationQuota;
}
