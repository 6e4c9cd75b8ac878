// Which partitions one automatic leader-balance check elects their preferred replica for, as
// Kafka 4's KRaft controller decides it: any partition not led by its preferred replica (no
// per-broker percentage), only where that replica is live and in the ISR, at most the bound per
// check.
import { describe, expect, it } from 'vitest';
import { planLeaderBalance } from '../../../src/cluster/leader-balance.js';
import type { PartitionStateRecord } from '../../../src/metadata/metadata-store.js';

const ALL_LIVE = new Set([1, 2, 3]);

/** Partition p of topic t: replicas as given (the first preferred), led by `leader` with `isr`. */
function partition(p: number, replicas: number[], leader: number, isr = replicas): { state: PartitionStateRecord; replicas: number[] } {
  return { state: { topic: 't', partition: p, leader, leaderEpoch: 1, isr }, replicas };
}

function plan(partitions: ReturnType<typeof partition>[], live: ReadonlySet<number> = ALL_LIVE, max?: number) {
  const replicas = new Map(partitions.map((x) => [x.state.partition, x.replicas]));
  return planLeaderBalance(
    partitions.map((x) => x.state),
    (topic, p) => (topic === 't' ? replicas.get(p) : undefined),
    live,
    max,
  );
}

describe('planLeaderBalance', () => {
  it('elects nothing while every partition is led by its preferred replica', () => {
    expect(plan([partition(0, [1, 2, 3], 1), partition(1, [2, 3, 1], 2), partition(2, [3, 1, 2], 3)])).toEqual({ elections: [], more: false });
  });

  it('moves back every partition a returned broker is the preferred replica of', () => {
    // Broker 1 came back and rejoined the ISRs; failover had given its partitions to 2 and 3.
    const partitions = [partition(0, [1, 2, 3], 2), partition(1, [2, 3, 1], 2), partition(2, [1, 3, 2], 3), partition(3, [3, 1, 2], 3)];
    expect(plan(partitions)).toEqual({ elections: [{ topic: 't', partition: 0 }, { topic: 't', partition: 2 }], more: false });
  });

  it('has no per-broker threshold: one imbalanced partition in twenty (5%, under the ZooKeeper controller\'s 10%) is elected', () => {
    const partitions = Array.from({ length: 20 }, (_, p) => partition(p, [1 + (p % 3), 1 + ((p + 1) % 3), 1 + ((p + 2) % 3)], 1 + (p % 3)));
    partitions[7] = partition(7, [2, 3, 1], 3);
    expect(plan(partitions)).toEqual({ elections: [{ topic: 't', partition: 7 }], more: false });
  });

  it('leaves a partition whose preferred replica is not in the ISR (still catching up)', () => {
    expect(plan([partition(0, [1, 2, 3], 2, [2, 3])])).toEqual({ elections: [], more: false });
  });

  it('leaves a partition whose preferred replica is dead, even while the ISR still names it', () => {
    expect(plan([partition(0, [1, 2, 3], 2, [1, 2, 3])], new Set([2, 3]))).toEqual({ elections: [], more: false });
  });

  it('elects the preferred replica of a leaderless partition when it is live and in the ISR, as Kafka counts those imbalanced too', () => {
    expect(plan([partition(0, [1, 2, 3], -1, [1])])).toEqual({ elections: [{ topic: 't', partition: 0 }], more: false });
  });

  it('skips partitions whose topic is gone', () => {
    const gone: PartitionStateRecord = { topic: 'deleted', partition: 0, leader: 2, leaderEpoch: 1, isr: [1, 2] };
    expect(planLeaderBalance([gone], () => undefined, ALL_LIVE)).toEqual({ elections: [], more: false });
  });

  it('elects at most the bound per check and says when more remain', () => {
    const partitions = [0, 1, 2].map((p) => partition(p, [1, 2, 3], 2));
    expect(plan(partitions, ALL_LIVE, 2)).toEqual({ elections: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }], more: true });
    expect(plan(partitions, ALL_LIVE, 3)).toEqual({ elections: partitions.map((x) => ({ topic: 't', partition: x.state.partition })), more: false });
    // Partitions that cannot be elected do not count against the bound.
    expect(plan([partition(0, [1, 2, 3], 2, [2, 3]), ...partitions.slice(1)], ALL_LIVE, 2)).toEqual({ elections: [{ topic: 't', partition: 1 }, { topic: 't', partition: 2 }], more: false });
  });
});
