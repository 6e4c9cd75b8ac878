// The controller over a memory metadata store and the in-process membership: initial partition
// states, leader election from the ISR when brokers die (unclean election only by config), dead
// followers leaving ISRs, ISR change requests with AlterPartition's checks, preferred-leader
// election, reassignments run and cancelled, a new controller taking over when the old one's
// liveness lapses, and leadership given back to preferred replicas by itself
// (auto.leader.rebalance.enable).
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../../../src/cluster/controller.js';
import { InProcessMembershipRegistry } from '../../../src/cluster/in-process-membership.js';
import type { Membership } from '../../../src/cluster/membership.js';
import { reassignmentSets, reassignmentStep } from '../../../src/cluster/reassignment.js';
import { MemoryMetadataStore } from '../../../src/metadata/memory-metadata-store.js';
import { ControllerFenced, partitionDocKey, type PartitionStateRecord } from '../../../src/metadata/metadata-store.js';
import { until } from '../../helpers/until.js';

const silent = pino({ level: 'silent' });

interface Harness {
  store: MemoryMetadataStore;
  registry: InProcessMembershipRegistry;
  controllers: Map<number, Controller>;
  memberships: Map<number, Membership>;
  /** Every controller's leader.imbalance.check.interval.seconds in ms; null: auto.leader.rebalance.enable=false. */
  leaderImbalanceCheckIntervalMs: number | null;
}

const running: Harness[] = [];

/** Brokers 1..n registered and campaigning, in order (broker 1 wins). */
async function harness(n = 3, leaderImbalanceCheckIntervalMs: number | null = null): Promise<Harness> {
  const registry = new InProcessMembershipRegistry();
  const h: Harness = { store: new MemoryMetadataStore(() => registry.controllerEpoch()), registry, controllers: new Map(), memberships: new Map(), leaderImbalanceCheckIntervalMs };
  for (let id = 1; id <= n; id++) await join(h, id);
  await until(() => h.controllers.get(1)!.isActive, 'broker 1 as controller');
  running.push(h);
  return h;
}

async function join(h: Harness, id: number): Promise<void> {
  const membership = h.registry.membership();
  await membership.register({ nodeId: id, endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + id, securityProtocol: 'PLAINTEXT' }], rack: null, incarnation: `${id}-${Math.random()}` });
  const controller = new Controller({ localId: id, store: h.store, membership, uncleanLeaderElection: false, leaderImbalanceCheckIntervalMs: h.leaderImbalanceCheckIntervalMs, log: silent });
  controller.start();
  h.controllers.set(id, controller);
  h.memberships.set(id, membership);
}

afterEach(async () => {
  for (const h of running.splice(0)) for (const c of h.controllers.values()) await c.stop();
});

function state(h: Harness, topic: string, partition = 0): PartitionStateRecord | undefined {
  return h.store.get('partitionState', partitionDocKey(topic, partition))?.value;
}

async function createTopic(h: Harness, name: string, replicas: number[][]): Promise<void> {
  await h.store.put('topic', name, { name, topicId: `id-${name}`, partitions: replicas.length, configs: {}, replicas });
  await until(() => replicas.every((_, p) => state(h, name, p) !== undefined), `${name}'s partition states`);
}

describe('Controller', () => {
  it('gives new partitions their first live replica as leader and the live replicas as ISR, in epoch 0', async () => {
    const h = await harness();
    await createTopic(h, 't', [[1, 2, 3], [2, 3, 1]]);
    expect(state(h, 't', 0)).toEqual({ topic: 't', partition: 0, leader: 1, leaderEpoch: 0, isr: [1, 2, 3] });
    expect(state(h, 't', 1)).toEqual({ topic: 't', partition: 1, leader: 2, leaderEpoch: 0, isr: [2, 3, 1] });
  });

  it('elects the next ISR member in replica order when a leader dies (epoch + 1) and drops dead followers from ISRs', async () => {
    const h = await harness();
    await createTopic(h, 't', [[2, 3, 1], [3, 2, 1]]);
    h.registry.expire(2);
    await until(() => state(h, 't', 0)!.leader === 3 && state(h, 't', 1)!.isr.length === 2, 'the new states');
    expect(state(h, 't', 0)).toMatchObject({ leader: 3, leaderEpoch: 1, isr: [3, 1] });
    // A follower's death shrinks the ISR without a new leader epoch.
    expect(state(h, 't', 1)).toMatchObject({ leader: 3, leaderEpoch: 0, isr: [3, 1] });
  });

  it('never elects a replica outside the ISR; the last ISR member leads again when it returns', async () => {
    const h = await harness();
    await createTopic(h, 't', [[2, 3]]);
    // Broker 3 falls out of the ISR (its leader asks), then the leader dies.
    const stored = h.store.get('partitionState', partitionDocKey('t', 0))!;
    await h.store.put('isrChangeRequest', partitionDocKey('t', 0), { topic: 't', partition: 0, leader: 2, leaderEpoch: 0, partitionStateVersion: stored.version, isr: [2] });
    await until(() => state(h, 't')!.isr.length === 1, 'the shrunk ISR');
    h.registry.expire(2);
    await until(() => state(h, 't')!.leader === -1, 'no leader');
    expect(state(h, 't')).toMatchObject({ leader: -1, leaderEpoch: 1, isr: [2] });
    await join(h, 2);
    await until(() => state(h, 't')!.leader === 2, 'broker 2 leading again');
    expect(state(h, 't')).toMatchObject({ leader: 2, leaderEpoch: 2, isr: [2] });
  });

  it('applies ISR changes from the current leader and refuses stale or ineligible ones (AlterPartition)', async () => {
    const h = await harness();
    await createTopic(h, 't', [[1, 2, 3]]);
    const key = partitionDocKey('t', 0);
    const request = (isr: number[], overrides: Partial<{ leader: number; leaderEpoch: number; partitionStateVersion: number }> = {}) =>
      h.store.put('isrChangeRequest', key, { topic: 't', partition: 0, leader: 1, leaderEpoch: 0, partitionStateVersion: h.store.get('partitionState', key)!.version, isr, ...overrides });
    const decided = () => until(() => h.store.get('isrChangeRequest', key) === undefined, 'the request decided');

    await request([1, 2]);
    await decided();
    expect(state(h, 't')!.isr).toEqual([1, 2]);
    // Stale leader epoch, stale partition state version, a request from a non-leader: refused.
    await request([1], { leaderEpoch: -1 });
    await decided();
    await request([1], { partitionStateVersion: 1 });
    await decided();
    await request([2], { leader: 2 });
    await decided();
    expect(state(h, 't')!.isr).toEqual([1, 2]);
    // Adding a broker that is not live is refused; adding a live one works.
    h.registry.expire(3);
    await request([1, 2, 3]);
    await decided();
    expect(state(h, 't')!.isr).toEqual([1, 2]);
    await join(h, 3);
    await request([1, 2, 3]);
    await decided();
    expect(state(h, 't')!.isr).toEqual([1, 2, 3]);
  });

  it('elects the preferred leader when it is a live ISR member, and says why not otherwise', async () => {
    const h = await harness();
    await createTopic(h, 't', [[1, 2, 3]]);
    const controller = h.controllers.get(1)!;
    expect(await controller.electLeader('t', 0)).toEqual({ error: 'ELECTION_NOT_NEEDED' });
    expect(await controller.electLeader('t', 0, 3)).toMatchObject({ state: { leader: 3, leaderEpoch: 1 } });
    expect(state(h, 't')).toMatchObject({ leader: 3, leaderEpoch: 1 });
    expect(await controller.electLeader('t', 0, 7)).toEqual({ error: 'PREFERRED_LEADER_NOT_AVAILABLE' });
    expect(await controller.electLeader('t', 0)).toMatchObject({ state: { leader: 1, leaderEpoch: 2 } });
  });

  it('answers election requests in their document: preferred from the ISR only, unclean from any live replica', async () => {
    const h = await harness();
    await createTopic(h, 't', [[2, 3]]);
    const key = partitionDocKey('t', 0);
    const ask = async (type: 'preferred' | 'unclean') => {
      await h.store.put('leaderElectionRequest', key, { topic: 't', partition: 0, type, outcome: null });
      await until(() => h.store.get('leaderElectionRequest', key)?.value.outcome !== null, 'an outcome');
      return h.store.get('leaderElectionRequest', key)!.value.outcome;
    };
    expect(await ask('preferred')).toBe('ELECTION_NOT_NEEDED');
    expect(await ask('unclean')).toBe('ELECTION_NOT_NEEDED');
    // Broker 3 falls out of the ISR, then broker 2 dies: no leader, and 3 may lead only uncleanly.
    const stored = h.store.get('partitionState', key)!;
    await h.store.put('isrChangeRequest', key, { topic: 't', partition: 0, leader: 2, leaderEpoch: 0, partitionStateVersion: stored.version, isr: [2] });
    await until(() => state(h, 't')!.isr.length === 1, 'the shrunk ISR');
    h.registry.expire(2);
    await until(() => state(h, 't')!.leader === -1, 'no leader');
    expect(await ask('preferred')).toBe('PREFERRED_LEADER_NOT_AVAILABLE');
    expect(await ask('unclean')).toBe('ELECTED');
    expect(state(h, 't')).toMatchObject({ leader: 3, leaderEpoch: 2, isr: [3] });
  });

  it('hands control to the next broker when the controller’s liveness lapses', async () => {
    const h = await harness();
    await createTopic(h, 't', [[1, 2, 3]]);
    h.registry.expire(1);
    await until(() => h.controllers.get(2)!.isActive, 'broker 2 as controller');
    expect(h.controllers.get(1)!.isActive).toBe(false);
    expect(h.registry.controllerId()).toBe(2);
    // The new controller made the leader change the old one could not.
    await until(() => state(h, 't')!.leader === 2, 'broker 2 leading');
    expect(state(h, 't')).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
    await createTopic(h, 'later', [[3, 2]]);
    expect(state(h, 'later')).toMatchObject({ leader: 3, isr: [3, 2] });
  });

  it('fences a deposed controller: a write under its old epoch is refused, the new controller\'s stands', async () => {
    const h = await harness();
    await createTopic(h, 't', [[1, 2, 3]]);
    const deposedEpoch = h.registry.controllerEpoch();
    h.registry.expire(1);
    await until(() => h.controllers.get(2)!.isActive && state(h, 't')!.leader === 2, 'broker 2 as controller, leading t');
    expect(h.registry.controllerEpoch()).toBeGreaterThan(deposedEpoch);
    const stored = h.store.get('partitionState', partitionDocKey('t', 0))!;
    // What broker 1's controller would write had it stalled with this decision queued.
    const late = { ...stored.value, leader: 3, leaderEpoch: stored.value.leaderEpoch + 1 };
    await expect(h.store.put('partitionState', partitionDocKey('t', 0), late, stored.version, { controllerEpoch: deposedEpoch })).rejects.toBeInstanceOf(ControllerFenced);
    await expect(h.store.delete('partitionState', partitionDocKey('t', 0), undefined, { controllerEpoch: deposedEpoch })).rejects.toBeInstanceOf(ControllerFenced);
    expect(h.store.get('partitionState', partitionDocKey('t', 0))).toEqual(stored);
  });

  it('gives leadership back to the preferred replica by itself once it is live and in the ISR again (auto.leader.rebalance.enable)', async () => {
    const h = await harness(3, 20);
    await createTopic(h, 't', [[2, 1, 3], [3, 1, 2]]);
    h.registry.expire(2);
    await until(() => state(h, 't', 0)!.leader === 1, 'broker 1 leading t-0');
    expect(state(h, 't', 0)).toMatchObject({ leaderEpoch: 1, isr: [1, 3] });
    await join(h, 2);
    // Live again but not in sync: stays a follower until its leader adds it to the ISR.
    const key = partitionDocKey('t', 0);
    await h.store.put('isrChangeRequest', key, { topic: 't', partition: 0, leader: 1, leaderEpoch: 1, partitionStateVersion: h.store.get('partitionState', key)!.version, isr: [1, 3, 2] });
    await until(() => state(h, 't', 0)!.leader === 2, 'broker 2 leading t-0 again');
    // A new leader epoch, as a preferred ElectLeaders makes; the partition led by its preferred replica throughout is untouched.
    expect(state(h, 't', 0)).toMatchObject({ leader: 2, leaderEpoch: 2, isr: [2, 1, 3] });
    expect(state(h, 't', 1)).toMatchObject({ leader: 3, leaderEpoch: 0 });
  });

  /** Broker 3 falls out of t-0's ISR (its leader 2 asks), then broker 2 dies: no live ISR member. */
  async function loseTheIsr(h: Harness): Promise<void> {
    const key = partitionDocKey('t', 0);
    const stored = h.store.get('partitionState', key)!;
    await h.store.put('isrChangeRequest', key, { topic: 't', partition: 0, leader: 2, leaderEpoch: 0, partitionStateVersion: stored.version, isr: [2] });
    await until(() => state(h, 't')!.isr.length === 1, 'the shrunk ISR');
    h.registry.expire(2);
    await until(() => state(h, 't')!.leader !== 2, 'broker 2 no longer leading');
  }

  it('elects an out-of-sync replica only with unclean.leader.election.enable, and takes a dynamic change of it', async () => {
    const h = await harness();
    await createTopic(h, 't', [[2, 3]]);
    await loseTheIsr(h);
    await h.controllers.get(1)!.settled();
    expect(state(h, 't')).toMatchObject({ leader: -1, leaderEpoch: 1, isr: [2] });
    // The cluster-wide dynamic default turns it on: broker 3 leads alone.
    await h.store.put('brokerConfigs', '', { configs: { 'unclean.leader.election.enable': 'true' } });
    await until(() => state(h, 't')!.leader === 3, 'broker 3 elected uncleanly');
    expect(state(h, 't')).toMatchObject({ leader: 3, leaderEpoch: 2, isr: [3] });
  });

  it('lets the topic config override the broker default for unclean election', async () => {
    const h = await harness();
    await h.store.put('brokerConfigs', '', { configs: { 'unclean.leader.election.enable': 'true' } });
    await createTopic(h, 't', [[2, 3]]);
    const topic = h.store.get('topic', 't')!;
    await h.store.put('topic', 't', { ...topic.value, configs: { 'unclean.leader.election.enable': 'false' } });
    await loseTheIsr(h);
    await h.controllers.get(1)!.settled();
    expect(state(h, 't')).toMatchObject({ leader: -1, isr: [2] });
    await h.store.put('topic', 't', { ...h.store.get('topic', 't')!.value, configs: { 'unclean.leader.election.enable': 'true' } });
    await until(() => state(h, 't')!.leader === 3, 'broker 3 elected uncleanly');
  });

  const replicasOf = (h: Harness, topic: string, partition = 0) => h.store.get('topic', topic)!.value.replicas![partition];

  it('runs a reassignment: union while moving, then the target once it is in sync, leadership moved into it', async () => {
    const h = await harness();
    await createTopic(h, 't', [[1, 2]]);
    const key = partitionDocKey('t', 0);
    await h.store.put('reassignment', key, { topic: 't', partition: 0, original: [1, 2], target: [2, 3] });
    await until(() => replicasOf(h, 't').length === 3, 'the union of replicas');
    expect(replicasOf(h, 't')).toEqual([2, 3, 1]);
    expect(state(h, 't')).toMatchObject({ leader: 1, leaderEpoch: 0, isr: [1, 2] });
    // Broker 3 caught up: its leader adds it to the ISR, and the move completes.
    await h.store.put('isrChangeRequest', key, { topic: 't', partition: 0, leader: 1, leaderEpoch: 0, partitionStateVersion: h.store.get('partitionState', key)!.version, isr: [1, 2, 3] });
    await until(() => h.store.get('reassignment', key) === undefined, 'the reassignment finished');
    expect(replicasOf(h, 't')).toEqual([2, 3]);
    expect(state(h, 't')).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
  });

  it('finishes a reassignment to a subset of the ISR at once, and forgets the reassignments of a deleted topic', async () => {
    const h = await harness();
    await createTopic(h, 't', [[1, 2, 3]]);
    const key = partitionDocKey('t', 0);
    await h.store.put('reassignment', key, { topic: 't', partition: 0, original: [1, 2, 3], target: [3, 2] });
    await until(() => h.store.get('reassignment', key) === undefined, 'the reassignment finished');
    expect(replicasOf(h, 't')).toEqual([3, 2]);
    expect(state(h, 't')).toMatchObject({ leader: 3, leaderEpoch: 1, isr: [2, 3] });

    await createTopic(h, 'gone', [[1, 2]]);
    h.registry.expire(3);
    await h.store.put('reassignment', partitionDocKey('gone', 0), { topic: 'gone', partition: 0, original: [1, 2], target: [2, 3] });
    await until(() => replicasOf(h, 'gone').length === 3, 'the union of replicas');
    await h.store.delete('topic', 'gone');
    await until(() => h.store.get('reassignment', partitionDocKey('gone', 0)) === undefined, 'the reassignment forgotten');
  });

  it('cancels a reassignment: the original replicas come back and the adding ones leave', async () => {
    const h = await harness();
    await createTopic(h, 't', [[1, 2]]);
    const key = partitionDocKey('t', 0);
    await h.store.put('reassignment', key, { topic: 't', partition: 0, original: [1, 2], target: [3, 1] });
    await until(() => replicasOf(h, 't').length === 3, 'the union of replicas');
    expect(replicasOf(h, 't')).toEqual([3, 1, 2]);
    const running = h.store.get('reassignment', key)!;
    await h.store.put('reassignment', key, { ...running.value, target: null }, running.version);
    await until(() => h.store.get('reassignment', key) === undefined, 'the cancel applied');
    expect(replicasOf(h, 't')).toEqual([1, 2]);
    expect(state(h, 't')).toMatchObject({ leader: 1, leaderEpoch: 0, isr: [1, 2] });
  });
});

describe('reassignmentStep', () => {
  const base = { topic: 't', partition: 0 };
  const live = new Set([1, 2, 3, 4]);

  it('waits while a target replica is out of the ISR', () => {
    const step = reassignmentStep({ ...base, original: [1, 2], target: [3, 4] }, [3, 4, 1, 2], { ...base, leader: 1, leaderEpoch: 3, isr: [3, 1, 2] }, live);
    expect(step).toEqual({ replicas: undefined, state: undefined, done: false });
  });

  it('a new target replacing a running one drops the replicas no longer wanted from replicas and ISR', () => {
    const step = reassignmentStep({ ...base, original: [1, 2], target: [2, 4] }, [3, 4, 1, 2], { ...base, leader: 3, leaderEpoch: 5, isr: [3, 1, 2] }, live);
    expect(step).toEqual({ replicas: [2, 4, 1], state: { ...base, leader: 2, leaderEpoch: 6, isr: [1, 2] }, done: false });
  });

  it('a cancel whose original replicas all left the ISR makes a live original replica leader alone', () => {
    const step = reassignmentStep({ ...base, original: [1, 2], target: null }, [3, 1, 2], { ...base, leader: 3, leaderEpoch: 2, isr: [3] }, new Set([2, 3]));
    expect(step).toEqual({ replicas: [1, 2], state: { ...base, leader: 2, leaderEpoch: 3, isr: [2] }, done: true });
  });

  it('reports the replica sets as ListPartitionReassignments does', () => {
    expect(reassignmentSets([1, 2, 3], [3, 4, 5])).toEqual({ replicas: [3, 4, 5, 1, 2], adding: [4, 5], removing: [1, 2] });
  });
});
