// The controller's decisions about one partition, as pure functions of its replicas, its stored
// leadership and the live brokers (Kafka's PartitionStateMachine / leader election strategies).
// Each returns the new state, or undefined when the stored one stands.
import type { PartitionStateRecord } from '../metadata/metadata-store.js';

const NO_LEADER = -1;

/** A new partition: the first live replica of the assignment leads; the live replicas are the ISR. */
export function initialState(topic: string, partition: number, replicas: readonly number[], live: ReadonlySet<number>): PartitionStateRecord {
  const isr = replicas.filter((id) => live.has(id));
  return { topic, partition, leader: isr[0] ?? NO_LEADER, leaderEpoch: 0, isr };
}

/**
 * After the live set (or the partition's unclean.leader.election.enable) changed: a leader that
 * is gone is replaced by the first live ISR member in replica order (leader epoch + 1); dead
 * followers leave the ISR. When no ISR member is live the partition goes leaderless, and its
 * last ISR stays so that a member can lead again when it returns; with `unclean` a live replica
 * outside the ISR leads instead, alone in its ISR (it may lack acknowledged records).
 */
export function onLiveChange(state: PartitionStateRecord, replicas: readonly number[], live: ReadonlySet<number>, unclean = false): PartitionStateRecord | undefined {
  const liveIsr = orderByReplicas(state.isr.filter((id) => live.has(id)), replicas);
  if (state.leader !== NO_LEADER && live.has(state.leader)) {
    if (liveIsr.length === state.isr.length) return undefined;
    return { ...state, isr: liveIsr };
  }
  const leader = liveIsr[0];
  if (leader === undefined) {
    const outOfSync = unclean ? replicas.find((id) => live.has(id)) : undefined;
    if (outOfSync !== undefined) return { ...state, leader: outOfSync, leaderEpoch: state.leaderEpoch + 1, isr: [outOfSync] };
    // Leaderless already: nothing changes until an ISR member returns.
    if (state.leader === NO_LEADER) return undefined;
    return { ...state, leader: NO_LEADER, leaderEpoch: state.leaderEpoch + 1 };
  }
  return { ...state, leader, leaderEpoch: state.leaderEpoch + 1, isr: liveIsr };
}

export type ElectionOutcome = { state: PartitionStateRecord } | { error: 'ELECTION_NOT_NEEDED' | 'PREFERRED_LEADER_NOT_AVAILABLE' };

/** Moves leadership to `target` (the preferred replica for ElectLeaders) when it is a live ISR member. */
export function electLeader(state: PartitionStateRecord, target: number | undefined, live: ReadonlySet<number>): ElectionOutcome {
  if (target !== undefined && state.leader === target) return { error: 'ELECTION_NOT_NEEDED' };
  if (target === undefined || !live.has(target) || !state.isr.includes(target)) return { error: 'PREFERRED_LEADER_NOT_AVAILABLE' };
  return { state: { ...state, leader: target, leaderEpoch: state.leaderEpoch + 1 } };
}

export type UncleanOutcome = { state: PartitionStateRecord } | { error: 'ELECTION_NOT_NEEDED' | 'ELIGIBLE_LEADERS_NOT_AVAILABLE' };

/**
 * ElectLeaders' unclean election for a partition without a live leader: a live ISR member if
 * there is one, else any live replica (which may lack committed records), in replica order; the
 * ISR becomes the new leader alone.
 */
export function electUnclean(state: PartitionStateRecord, replicas: readonly number[], live: ReadonlySet<number>): UncleanOutcome {
  if (state.leader !== NO_LEADER && live.has(state.leader)) return { error: 'ELECTION_NOT_NEEDED' };
  const leader = replicas.find((id) => live.has(id) && state.isr.includes(id)) ?? replicas.find((id) => live.has(id));
  if (leader === undefined) return { error: 'ELIGIBLE_LEADERS_NOT_AVAILABLE' };
  return { state: { ...state, leader, leaderEpoch: state.leaderEpoch + 1, isr: [leader] } };
}

export type IsrChangeOutcome = { state: PartitionStateRecord } | { error: 'FENCED_LEADER_EPOCH' | 'INVALID_UPDATE_VERSION' | 'INELIGIBLE_REPLICA' | 'NOT_LEADER_OR_FOLLOWER' };

/**
 * A leader's ISR change (Kafka's AlterPartition): refused from a stale leader epoch or a
 * partition state that moved on, or when it adds a replica that is not live or not assigned;
 * the leader itself always stays in its ISR.
 */
export function applyIsrChange(
  state: PartitionStateRecord,
  stateVersion: number,
  request: { leader: number; leaderEpoch: number; partitionStateVersion: number; isr: readonly number[] },
  replicas: readonly number[],
  live: ReadonlySet<number>,
): IsrChangeOutcome {
  if (request.leaderEpoch < state.leaderEpoch) return { error: 'FENCED_LEADER_EPOCH' };
  if (request.leader !== state.leader || request.leaderEpoch !== state.leaderEpoch) return { error: 'NOT_LEADER_OR_FOLLOWER' };
  if (request.partitionStateVersion !== stateVersion) return { error: 'INVALID_UPDATE_VERSION' };
  if (!request.isr.includes(state.leader)) return { error: 'INELIGIBLE_REPLICA' };
  for (const id of request.isr) {
    if (!replicas.includes(id)) return { error: 'INELIGIBLE_REPLICA' };
    if (!state.isr.includes(id) && !live.has(id)) return { error: 'INELIGIBLE_REPLICA' };
  }
  return { state: { ...state, isr: orderByReplicas([...new Set(request.isr)], replicas) } };
}

function orderByReplicas(ids: readonly number[], replicas: readonly number[]): number[] {
  return [...ids].sort((a, b) => rank(replicas, a) - rank(replicas, b));
}

function rank(replicas: readonly number[], id: number): number {
  const i = replicas.indexOf(id);
  return i < 0 ? replicas.length : i;
}
