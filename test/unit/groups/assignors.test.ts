// Server-side assignors (KIP-848): balance, coverage, stickiness, heterogeneous subscriptions.
import { describe, expect, it } from 'vitest';
import { rangeAssignor, uniformAssignor, type AssignorMember } from '../../../src/groups/assignors.js';

const member = (memberId: string, subscribedTopics: string[], current: Record<string, number[]> = {}): AssignorMember => ({
  memberId,
  subscribedTopics,
  current: new Map(Object.entries(current)),
});
const counts = new Map([['a', 6], ['b', 3]]);
const flat = (m: Map<string, number[]> | undefined): string[] => [...(m ?? [])].flatMap(([t, ps]) => ps.map((p) => `${t}-${p}`));

describe('uniform assignor', () => {
  it('covers every subscribed partition once, counts differing by at most one', () => {
    const out = uniformAssignor.assign([member('m1', ['a', 'b']), member('m2', ['a', 'b']), member('m3', ['a', 'b']), member('m4', ['a', 'b'])], counts);
    const all = [...out.values()].flatMap(flat);
    expect(all.sort()).toEqual([...Array.from({ length: 6 }, (_, p) => `a-${p}`), ...Array.from({ length: 3 }, (_, p) => `b-${p}`)].sort());
    const sizes = [...out.values()].map((m) => flat(m).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('keeps partitions with their owners when a member joins', () => {
    const before = { a: [0, 1, 2], b: [0] };
    const out = uniformAssignor.assign([member('m1', ['a', 'b'], before), member('m2', ['a', 'b'], { a: [3, 4, 5], b: [1, 2] }), member('m3', ['a', 'b'])], counts);
    expect(flat(out.get('m3'))).toHaveLength(3);
    // Each old member keeps three of its own partitions and gives up the rest.
    expect(flat(out.get('m1')).every((tp) => ['a-0', 'a-1', 'a-2', 'b-0'].includes(tp))).toBe(true);
    expect(flat(out.get('m2')).every((tp) => ['a-3', 'a-4', 'a-5', 'b-1', 'b-2'].includes(tp))).toBe(true);
  });

  it('gives each partition only to members subscribed to its topic', () => {
    const out = uniformAssignor.assign([member('m1', ['a']), member('m2', ['a', 'b'])], counts);
    expect(flat(out.get('m1')).every((tp) => tp.startsWith('a-'))).toBe(true);
    expect([...out.values()].flatMap(flat)).toHaveLength(9);
    const sizes = [...out.values()].map((m) => flat(m).length);
    expect(Math.abs(sizes[0]! - sizes[1]!)).toBeLessThanOrEqual(1);
  });

  it('ignores topics that do not exist and handles no members', () => {
    expect(flat(uniformAssignor.assign([member('m1', ['missing'])], counts).get('m1'))).toEqual([]);
    expect(uniformAssignor.assign([], counts).size).toBe(0);
  });
});

describe('range assignor', () => {
  it('gives consecutive ranges per topic in member id order', () => {
    const out = rangeAssignor.assign([member('m2', ['a', 'b']), member('m1', ['a', 'b'])], counts);
    expect(out.get('m1')).toEqual(new Map([['a', [0, 1, 2]], ['b', [0, 1]]]));
    expect(out.get('m2')).toEqual(new Map([['a', [3, 4, 5]], ['b', [2]]]));
  });
});
