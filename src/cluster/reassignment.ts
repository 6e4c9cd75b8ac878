// The controller's decisions about a partition reassignment (KIP-455), as pure functions of the
// reassignment record, the partition's current replicas and state, and the live brokers. A run
// goes: replicas become target + (original - target), the adding replicas catch up as followers
// and the leader adds them to the ISR; once every target replica is in the ISR, leadership moves
// into the target set if needed (epoch + 1), the ISR drops the removing replicas and the replicas
// become the target. A cancel puts the original replicas back at once, as Kafka's revert does.
import type { PartitionStateRecord, ReassignmentRecord } from '../metadata/metadata-store.js';

const NO_LEADER = -1;

/** The replica sets ListPartitionReassignments reports. */
export interface ReassignmentSets {
  replicas: number[];
  adding: number[];
  removing: number[];
}

/** The replicas while moving from `original` to `target`: the target first, then the ones leaving. */
export function reassignmentSets(original: readonly number[], target: readonly number[]): ReassignmentSets {
  const removing = original.filter((id) => !target.includes(id));
  return { replicas: [...target, ...removing], adding: target.filter((id) => !original.includes(id)), removing };
}

/**
 * The next step: the replicas and partition state to write (each undefined when the stored one
 * stands), and whether the reassignment is finished (its record can go).
 */
export interface ReassignmentStep {
  replicas: number[] | undefined;
  state: PartitionStateRecord | undefined;
  done: boolean;
}

export function reassignmentStep(
  reassignment: ReassignmentRecord,
  replicas: readonly number[],
  state: PartitionStateRecord,
  live: ReadonlySet<number>,
): ReassignmentStep {
  const { original, target } = reassignment;
  if (target === null) return finish(original, replicas, restrict(state, original, live, true));
  const during = reassignmentSets(original, target).replicas;
  if (!sameList(replicas, during)) {
    // Starting (or a new target replacing an ongoing one): replicas no longer wanted leave the ISR.
    return { replicas: during, state: restrict(state, during, live, false), done: false };
  }
  if (!target.every((id) => state.isr.includes(id))) return { replicas: undefined, state: undefined, done: false };
  return finish(target, replicas, restrict(state, target, live, false));
}

function finish(to: readonly number[], replicas: readonly number[], state: PartitionStateRecord | undefined): ReassignmentStep {
  return { replicas: sameList(replicas, to) ? undefined : [...to], state, done: true };
}

/**
 * The partition state with its ISR cut to `to` and a leader inside `to`: the current one if it
 * is there, else the first replica of `to` that is live and in the cut ISR (epoch + 1), as
 * Kafka elects from the target replicas in their order. When the cut
 * ISR is empty (a cancel whose original replicas all fell out of sync) the first live original
 * replica leads alone (`uncleanIfEmpty`), as Kafka's revert does; otherwise nothing changes.
 */
function restrict(state: PartitionStateRecord, to: readonly number[], live: ReadonlySet<number>, uncleanIfEmpty: boolean): PartitionStateRecord | undefined {
  let isr = state.isr.filter((id) => to.includes(id));
  if (isr.length === 0) {
    if (!uncleanIfEmpty) return undefined;
    const leader = to.find((id) => live.has(id));
    if (leader === undefined) return undefined;
    isr = [leader];
  }
  const keepsLeader = state.leader !== NO_LEADER && isr.includes(state.leader);
  const leader = keepsLeader ? state.leader : (to.find((id) => isr.includes(id) && live.has(id)) ?? NO_LEADER);
  if (leader === state.leader && sameList(isr, state.isr)) return undefined;
  return { ...state, leader, leaderEpoch: leader === state.leader ? state.leaderEpoch : state.leaderEpoch + 1, isr };
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
