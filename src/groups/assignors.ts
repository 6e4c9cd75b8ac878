// Server-side partition assignors of the consumer group protocol (KIP-848), pure functions from
// members' subscriptions (and what they own now) to a target assignment.
// uniform: spreads all subscribed partitions evenly (counts differ by at most one when members
//   share a subscription), keeping partitions where they are whenever balance allows.
// range: per topic, consecutive partition ranges to the members subscribed to it, in member id
//   order, so that equally partitioned topics are co-partitioned.

export interface AssignorMember {
  memberId: string;
  subscribedTopics: readonly string[];
  /** What the member is assigned now: topic → partitions. */
  current: ReadonlyMap<string, readonly number[]>;
}

/** topic → partitions, for each member. */
export type Assignment = Map<string, Map<string, number[]>>;

export interface Assignor {
  readonly name: string;
  assign(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Assignment;
}

interface TopicPartition {
  topic: string;
  partition: number;
}

function emptyAssignment(members: readonly AssignorMember[]): Assignment {
  return new Map(members.map((m) => [m.memberId, new Map<string, number[]>()]));
}

function give(out: Assignment, memberId: string, tp: TopicPartition): void {
  const topics = out.get(memberId)!;
  const list = topics.get(tp.topic);
  if (list) list.push(tp.partition);
  else topics.set(tp.topic, [tp.partition]);
}

function sortAssignment(out: Assignment): Assignment {
  for (const topics of out.values()) for (const list of topics.values()) list.sort((a, b) => a - b);
  return out;
}

const byId = (a: AssignorMember, b: AssignorMember): number => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);
const tpKey = (tp: TopicPartition): string => `${tp.topic}\0${tp.partition}`;

function partitionsOf(topics: Iterable<string>, counts: ReadonlyMap<string, number>): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const topic of [...new Set(topics)].sort()) {
    for (let partition = 0; partition < (counts.get(topic) ?? 0); partition++) out.push({ topic, partition });
  }
  return out;
}

function previousOwners(members: readonly AssignorMember[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const m of members) for (const [topic, ps] of m.current) for (const partition of ps) owners.set(tpKey({ topic, partition }), m.memberId);
  return owners;
}

export const uniformAssignor: Assignor = {
  name: 'uniform',
  assign(unsorted, counts) {
    const members = [...unsorted].sort(byId);
    const out = emptyAssignment(members);
    if (members.length === 0) return out;
    const same = members.every((m) => [...new Set(m.subscribedTopics)].sort().join('\0') === [...new Set(members[0]!.subscribedTopics)].sort().join('\0'));
    return sortAssignment(same ? assignHomogeneous(members, counts, out) : assignHeterogeneous(members, counts, out));
  },
};

/** Everyone subscribes to the same topics: exact quotas, previous owners keep up to theirs. */
function assignHomogeneous(members: AssignorMember[], counts: ReadonlyMap<string, number>, out: Assignment): Assignment {
  const all = partitionsOf(members[0]!.subscribedTopics, counts);
  const valid = new Set(all.map(tpKey));
  const base = Math.floor(all.length / members.length);
  let extra = all.length % members.length;
  const load = new Map(members.map((m) => [m.memberId, 0]));
  const taken = new Set<string>();
  const kept = new Map<string, TopicPartition[]>();
  for (const m of members) {
    const previous: TopicPartition[] = [];
    for (const [topic, ps] of m.current) for (const partition of ps) if (valid.has(tpKey({ topic, partition }))) previous.push({ topic, partition });
    kept.set(m.memberId, previous);
    for (const tp of previous.slice(0, base)) {
      give(out, m.memberId, tp);
      taken.add(tpKey(tp));
    }
    load.set(m.memberId, Math.min(previous.length, base));
  }
  for (const m of members) {
    if (extra === 0) break;
    const next = kept.get(m.memberId)![base];
    if (next && !taken.has(tpKey(next))) {
      give(out, m.memberId, next);
      taken.add(tpKey(next));
      load.set(m.memberId, base + 1);
      extra--;
    }
  }
  const free = all.filter((tp) => !taken.has(tpKey(tp)));
  for (const m of members) {
    while (load.get(m.memberId)! < base && free.length > 0) {
      give(out, m.memberId, free.shift()!);
      load.set(m.memberId, load.get(m.memberId)! + 1);
    }
  }
  for (const m of members) {
    if (free.length === 0) break;
    if (load.get(m.memberId) === base && extra > 0) {
      give(out, m.memberId, free.shift()!);
      load.set(m.memberId, base + 1);
      extra--;
    }
  }
  return out;
}

/** Different subscriptions: each partition (most constrained first) to its least loaded subscriber, its previous owner on a tie. */
function assignHeterogeneous(members: AssignorMember[], counts: ReadonlyMap<string, number>, out: Assignment): Assignment {
  const owners = previousOwners(members);
  const load = new Map(members.map((m) => [m.memberId, 0]));
  const subscribers = (topic: string): AssignorMember[] => members.filter((m) => m.subscribedTopics.includes(topic));
  const all = partitionsOf(members.flatMap((m) => m.subscribedTopics), counts);
  const eligible = new Map(all.map((tp) => [tpKey(tp), subscribers(tp.topic)]));
  all.sort((a, b) => eligible.get(tpKey(a))!.length - eligible.get(tpKey(b))!.length);
  for (const tp of all) {
    const candidates = eligible.get(tpKey(tp))!;
    const min = Math.min(...candidates.map((m) => load.get(m.memberId)!));
    const owner = owners.get(tpKey(tp));
    const chosen = candidates.find((m) => m.memberId === owner && load.get(m.memberId) === min) ?? candidates.find((m) => load.get(m.memberId) === min)!;
    give(out, chosen.memberId, tp);
    load.set(chosen.memberId, min + 1);
  }
  return out;
}

export const rangeAssignor: Assignor = {
  name: 'range',
  assign(unsorted, counts) {
    const members = [...unsorted].sort(byId);
    const out = emptyAssignment(members);
    const topics = [...new Set(members.flatMap((m) => m.subscribedTopics))].sort();
    for (const topic of topics) {
      const subscribed = members.filter((m) => m.subscribedTopics.includes(topic));
      const n = counts.get(topic) ?? 0;
      const per = Math.floor(n / subscribed.length);
      const extra = n % subscribed.length;
      let next = 0;
      subscribed.forEach((m, i) => {
        const size = per + (i < extra ? 1 : 0);
        for (let p = next; p < next + size; p++) give(out, m.memberId, { topic, partition: p });
        next += size;
      });
    }
    return sortAssignment(out);
  },
};

export const ASSIGNORS: readonly Assignor[] = [uniformAssignor, rangeAssignor];
