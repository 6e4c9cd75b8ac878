// Which partitions an automatic leader-balance check (auto.leader.rebalance.enable) moves back to
// their preferred replica, as Kafka's KRaft controller decides it: every partition whose leader
// is not its first assigned replica is imbalanced, and gets a preferred election (the one
// ElectLeaders makes) where that replica is live and in the ISR. At most MAX_ELECTIONS_PER_CHECK
// per check; the rest go to another check run right after. Kafka 4 removed the ZooKeeper
// controller's per-broker threshold (leader.imbalance.per.broker.percentage): one imbalanced
// partition is enough.
import type { PartitionStateRecord } from '../metadata/metadata-store.js';
import { electLeader } from './partition-election.js';

/** Kafka's ReplicationControlManager.MAX_ELECTIONS_PER_IMBALANCE. */
export const MAX_ELECTIONS_PER_CHECK = 1000;

export interface LeaderBalancePlan {
  /** The partitions to elect their preferred replica for now, in the order given. */
  elections: { topic: string; partition: number }[];
  /** Further partitions could have been elected: the bound cut this check short. */
  more: boolean;
}

/**
 * One check: the partitions whose leader is not their preferred replica (leaderless ones
 * included, as in Kafka) and whose preferred replica can lead now, at most `max`.
 */
export function planLeaderBalance(
  states: Iterable<PartitionStateRecord>,
  replicasOf: (topic: string, partition: number) => readonly number[] | undefined,
  live: ReadonlySet<number>,
  max = MAX_ELECTIONS_PER_CHECK,
): LeaderBalancePlan {
  const elections: LeaderBalancePlan['elections'] = [];
  for (const state of states) {
    const preferred = replicasOf(state.topic, state.partition)?.[0];
    // Balanced already, or the preferred replica is not live or not in the ISR.
    if (preferred === undefined || !('state' in electLeader(state, preferred, live))) continue;
    if (elections.length === max) return { elections, more: true };
    elections.push({ topic: state.topic, partition: state.partition });
  }
  return { elections, more: false };
}
