// The task assignor of streams groups ("sticky"): every task (subtopology, partition) gets one
// active member, the members' active counts differ by at most one, tasks of each subtopology are
// spread over the members, and a task stays with the member that had it in the previous target
// assignment whenever balance allows. Stateful tasks get
// `numStandbyReplicas` standbys on other processes than their active (again sticky, then least
// loaded); a standby that finds no other process is left out, as Kafka's assignor does.

/** subtopology id → partitions. */
export type Tasks = Map<string, Set<number>>;

export interface TasksTuple {
  active: Tasks;
  standby: Tasks;
  warmup: Tasks;
}

export interface AssignorMember {
  memberId: string;
  processId: string;
  /** The member's tasks in the previous target assignment. */
  previous: TasksTuple;
}

export interface AssignorInput {
  members: AssignorMember[];
  /** subtopology id → number of tasks. */
  tasks: Map<string, number>;
  /** Subtopologies with state (changelog topics): only their tasks get standbys. */
  stateful: Set<string>;
  numStandbyReplicas: number;
}

export const STREAMS_ASSIGNOR_NAME = 'sticky';

export function emptyTasks(): TasksTuple {
  return { active: new Map(), standby: new Map(), warmup: new Map() };
}

export function hasTask(tasks: Tasks, subtopology: string, partition: number): boolean {
  return tasks.get(subtopology)?.has(partition) ?? false;
}

export function addTask(tasks: Tasks, subtopology: string, partition: number): void {
  let ps = tasks.get(subtopology);
  if (!ps) tasks.set(subtopology, (ps = new Set()));
  ps.add(partition);
}

export function taskCount(tasks: Tasks): number {
  let n = 0;
  for (const ps of tasks.values()) n += ps.size;
  return n;
}

interface Task {
  subtopology: string;
  partition: number;
}

export function assignTasks(input: AssignorInput): Map<string, TasksTuple> {
  const result = new Map(input.members.map((m) => [m.memberId, emptyTasks()]));
  if (input.members.length === 0) return result;
  // Partition by partition across subtopologies, so that each member gets tasks of every subtopology.
  const all: Task[] = [];
  for (const [subtopology, n] of [...input.tasks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (let p = 0; p < n; p++) all.push({ subtopology, partition: p });
  }
  all.sort((a, b) => a.partition - b.partition);
  const members = [...input.members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
  assignActive(all, members, result);
  assignStandby(all.filter((t) => input.stateful.has(t.subtopology)), members, input.numStandbyReplicas, result);
  return result;
}

function assignActive(all: Task[], members: AssignorMember[], result: Map<string, TasksTuple>): void {
  const floor = Math.floor(all.length / members.length);
  let extra = all.length % members.length;
  const load = new Map(members.map((m) => [m.memberId, 0]));
  const give = (memberId: string, t: Task): void => {
    addTask(result.get(memberId)!.active, t.subtopology, t.partition);
    load.set(memberId, load.get(memberId)! + 1);
  };
  const previousOwner = (t: Task): AssignorMember | undefined => members.find((m) => hasTask(m.previous.active, t.subtopology, t.partition));
  let open: Task[] = [];
  // Sticky up to the floor quota, then to floor + 1 for as many members as the remainder allows.
  for (const t of all) {
    const owner = previousOwner(t);
    if (owner && load.get(owner.memberId)! < floor) give(owner.memberId, t);
    else open.push(t);
  }
  const rest: Task[] = [];
  for (const t of open) {
    const owner = previousOwner(t);
    if (owner && extra > 0 && load.get(owner.memberId)! === floor) {
      give(owner.memberId, t);
      extra--;
    } else {
      rest.push(t);
    }
  }
  open = rest;
  for (const t of open) {
    let best = members[0]!;
    for (const m of members) if (load.get(m.memberId)! < load.get(best.memberId)!) best = m;
    give(best.memberId, t);
  }
}

function assignStandby(stateful: Task[], members: AssignorMember[], replicas: number, result: Map<string, TasksTuple>): void {
  if (replicas <= 0) return;
  const load = new Map(members.map((m) => [m.memberId, taskCount(result.get(m.memberId)!.active)]));
  const activeProcess = (t: Task): string | undefined => members.find((m) => hasTask(result.get(m.memberId)!.active, t.subtopology, t.partition))?.processId;
  for (const t of stateful) {
    const used = new Set<string>();
    const active = activeProcess(t);
    if (active !== undefined) used.add(active);
    for (let i = 0; i < replicas; i++) {
      const candidates = members.filter((m) => !used.has(m.processId));
      if (candidates.length === 0) break;
      const sticky = candidates.find((m) => hasTask(m.previous.standby, t.subtopology, t.partition));
      let chosen = sticky ?? candidates[0]!;
      if (!sticky) for (const m of candidates) if (load.get(m.memberId)! < load.get(chosen.memberId)!) chosen = m;
      addTask(result.get(chosen.memberId)!.standby, t.subtopology, t.partition);
      load.set(chosen.memberId, load.get(chosen.memberId)! + 1);
      used.add(chosen.processId);
    }
  }
}
