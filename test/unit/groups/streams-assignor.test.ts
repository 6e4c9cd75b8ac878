// The streams task assignor: every task active exactly once, balance, stickiness, standbys on
// other processes only, for stateful subtopologies only.
import { describe, expect, it } from 'vitest';
import { assignTasks, emptyTasks, taskCount, type AssignorMember, type Tasks, type TasksTuple } from '../../../src/groups/streams-assignor.js';

const tasksOf = (o: Record<string, number[]>): Tasks => new Map(Object.entries(o).map(([s, ps]) => [s, new Set(ps)]));
const member = (memberId: string, processId = memberId, active: Record<string, number[]> = {}, standby: Record<string, number[]> = {}): AssignorMember => ({
  memberId,
  processId,
  previous: { ...emptyTasks(), active: tasksOf(active), standby: tasksOf(standby) },
});
const flat = (t: Tasks): string[] => [...t].flatMap(([s, ps]) => [...ps].map((p) => `${s}-${p}`)).sort();
const tasks = new Map([['0', 5], ['1', 4]]);
const allTasks = [...Array.from({ length: 5 }, (_, p) => `0-${p}`), ...Array.from({ length: 4 }, (_, p) => `1-${p}`)].sort();

function activeOf(out: Map<string, TasksTuple>): string[] {
  return [...out.values()].flatMap((t) => flat(t.active)).sort();
}

describe('streams task assignor', () => {
  it('gives every task one active member, counts differing by at most one', () => {
    for (const n of [1, 2, 3, 4, 10]) {
      const out = assignTasks({ members: Array.from({ length: n }, (_, i) => member(`m${i}`)), tasks, stateful: new Set(), numStandbyReplicas: 0 });
      expect(activeOf(out)).toEqual(allTasks);
      const sizes = [...out.values()].map((t) => taskCount(t.active));
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('gives each member tasks of every subtopology', () => {
    const out = assignTasks({ members: [member('a', 'a', { '0': [0, 1, 2, 3], '1': [0, 1, 2, 3] }), member('b')], tasks: new Map([['0', 4], ['1', 4]]), stateful: new Set(), numStandbyReplicas: 0 });
    for (const t of out.values()) expect([...t.active].map(([s, ps]) => [s, ps.size])).toEqual([['0', 2], ['1', 2]]);
  });

  it('keeps tasks with their previous owners when a member joins', () => {
    const out = assignTasks({
      members: [member('a', 'a', { '0': [0, 1, 2], '1': [0, 1] }), member('b', 'b', { '0': [3, 4], '1': [2, 3] }), member('c')],
      tasks,
      stateful: new Set(),
      numStandbyReplicas: 0,
    });
    expect(activeOf(out)).toEqual(allTasks);
    expect(flat(out.get('c')!.active)).toHaveLength(3);
    expect(flat(out.get('a')!.active).every((t) => ['0-0', '0-1', '0-2', '1-0', '1-1'].includes(t))).toBe(true);
    expect(flat(out.get('b')!.active).every((t) => ['0-3', '0-4', '1-2', '1-3'].includes(t))).toBe(true);
  });

  it('changes nothing when the members and tasks are the same', () => {
    const first = assignTasks({ members: [member('a'), member('b'), member('c')], tasks, stateful: new Set(['1']), numStandbyReplicas: 1 });
    const again = assignTasks({
      members: ['a', 'b', 'c'].map((id) => ({ memberId: id, processId: id, previous: first.get(id)! })),
      tasks,
      stateful: new Set(['1']),
      numStandbyReplicas: 1,
    });
    for (const id of ['a', 'b', 'c']) {
      expect(flat(again.get(id)!.active)).toEqual(flat(first.get(id)!.active));
      expect(flat(again.get(id)!.standby)).toEqual(flat(first.get(id)!.standby));
    }
  });

  it('places standbys of stateful tasks only, each on another process than its active', () => {
    // Two members share process p1; p2 and p3 have one each.
    const members = [member('a', 'p1'), member('b', 'p1'), member('c', 'p2'), member('d', 'p3')];
    const out = assignTasks({ members, tasks, stateful: new Set(['1']), numStandbyReplicas: 2 });
    const processOf = new Map(members.map((m) => [m.memberId, m.processId]));
    for (let p = 0; p < 4; p++) {
      const active = [...out].filter(([, t]) => t.active.get('1')?.has(p)).map(([id]) => processOf.get(id)!);
      const standby = [...out].filter(([, t]) => t.standby.get('1')?.has(p)).map(([id]) => processOf.get(id)!);
      expect(active).toHaveLength(1);
      expect(standby).toHaveLength(2);
      expect(new Set([...active, ...standby]).size).toBe(3);
    }
    expect([...out.values()].every((t) => !t.standby.has('0'))).toBe(true);
  });

  it('leaves out standbys that find no other process', () => {
    const out = assignTasks({ members: [member('a', 'p'), member('b', 'p')], tasks, stateful: new Set(['0', '1']), numStandbyReplicas: 1 });
    expect([...out.values()].every((t) => taskCount(t.standby) === 0)).toBe(true);
    expect(activeOf(out)).toEqual(allTasks);
  });
});
