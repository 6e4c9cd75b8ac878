// The cluster's controller: the one broker that won the Membership election decides every
// partition's leader, leader epoch and ISR, and writes them to the metadata store with
// compare-and-swap on the partition-state document's version, each write fenced by its controller
// epoch (a deposed controller that resumes after a stall writes nothing). It works only through MetadataStore + Membership, so the same code runs over the
// in-process registry (startCluster) and over etcd.
//   - a topic record appears or grows (any broker's CreateTopics/CreatePartitions writes it with
//     its deterministic round-robin assignment): each new partition gets its initial state;
//   - the live set changes: leaders that left are replaced from the ISR (epoch + 1), dead
//     followers leave ISRs, leaderless partitions get a returning ISR member as leader;
//   - a leader posts an ISR change request (isrChangeRequest documents): applied with Kafka's
//     AlterPartition checks, then the request is deleted;
//   - a reassignment document is written (AlterPartitionReassignments on any broker), or an ISR
//     or the live set changes while one runs: its next step (reassignment.ts) is applied;
//   - unclean.leader.election.enable (topic config, else the dynamic cluster-wide default, else
//     this broker's static config) is read at every election, and a change of it re-runs them;
//   - electLeader (ElectLeaders, startCluster's moveLeader): moves leadership to a live ISR member;
//     an unclean ElectLeaders request gives a partition without a live leader any live replica;
//   - with auto.leader.rebalance.enable, every leader.imbalance.check.interval.seconds (Kafka's
//     periodic electPreferred task): the preferred election above for each partition whose
//     preferred replica is live and in sync but does not lead (leader-balance.ts), at most 1000
//     per check, the next check following at once while more remain (5 minutes after a failure).
import type { Logger } from 'pino';
import type { Membership, ControllerCampaign } from './membership.js';
import { ABSENT, brokerConfigsOf, CLUSTER_KEY, ControllerFenced, MetadataConflict, partitionDocKey, type ControllerFence, type MetadataStore, type PartitionStateRecord } from '../metadata/metadata-store.js';
import { reassignmentStep } from './reassignment.js';
import { applyIsrChange, electLeader, electUnclean, initialState, onLiveChange, type ElectionOutcome, type UncleanOutcome } from './partition-election.js';
import { planLeaderBalance } from './leader-balance.js';

/** Attempts at one partition's compare-and-swap before giving up until the next change. */
const CAS_ATTEMPTS = 5;

const UNCLEAN_LEADER_ELECTION = 'unclean.leader.election.enable';

/** After a leader-balance check the bound cut short, the next one runs this soon (Kafka's immediate period). */
const IMMEDIATE_CHECK_MS = 10;
/** After a failed leader-balance check, the next one waits this long whatever the interval (as Kafka's periodic tasks do). */
const FAILED_CHECK_BACKOFF_MS = 5 * 60_000;
/** setTimeout's longest delay (about 24.8 days): a longer check interval checks that often. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ControllerOptions {
  localId: number;
  store: MetadataStore;
  membership: Membership;
  /** This broker's static unclean.leader.election.enable, below the dynamic and topic configs. */
  uncleanLeaderElection: boolean;
  /** leader.imbalance.check.interval.seconds in ms; null when auto.leader.rebalance.enable is false. */
  leaderImbalanceCheckIntervalMs: number | null;
  log: Logger;
}

export class Controller {
  private campaign: ControllerCampaign | undefined;
  private active = false;
  /** Every write while active is made under this controller's epoch. */
  private fence: ControllerFence = { controllerEpoch: -1 };
  private readonly unsubscribers: (() => void)[] = [];
  /** Decisions run one at a time, in the order their causes were seen. */
  private queue: Promise<unknown> = Promise.resolve();
  private balanceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ControllerOptions) {}

  /** Campaigns; while elected, keeps partition state in line with topics, the live set and ISR requests. */
  start(): void {
    this.campaign = this.o.membership.campaign(
      (controllerEpoch) => this.becomeActive(controllerEpoch),
      () => this.becomeInactive(),
    );
  }

  get isActive(): boolean {
    return this.active;
  }

  async stop(): Promise<void> {
    this.becomeInactive();
    await this.campaign?.resign();
    await this.queue;
  }

  /** Waits for every decision queued so far (tests, and callers that want the store settled). */
  settled(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /** Moves a partition's leadership to `target` (default: its preferred replica) if it is a live ISR member. */
  electLeader(topic: string, partition: number, target?: number): Promise<ElectionOutcome> {
    return this.enqueue(() => this.elect(topic, partition, target));
  }

  private async electUnclean(topic: string, partition: number): Promise<UncleanOutcome> {
    const key = partitionDocKey(topic, partition);
    const stored = this.o.store.get('partitionState', key);
    const replicas = this.replicasOf(topic, partition);
    if (stored === undefined || replicas === undefined) return { error: 'ELIGIBLE_LEADERS_NOT_AVAILABLE' };
    const outcome = electUnclean(stored.value, replicas, this.liveIds());
    if ('state' in outcome) {
      // A conflict means the state moved meanwhile: the requester may ask again.
      await this.o.store.put('partitionState', key, outcome.state, stored.version, this.fence);
      this.o.log.warn({ topic, partition, leader: outcome.state.leader, leaderEpoch: outcome.state.leaderEpoch }, 'unclean leader election');
    }
    return outcome;
  }

  private async elect(topic: string, partition: number, target?: number): Promise<ElectionOutcome> {
    for (let attempt = 0; ; attempt++) {
      const stored = this.o.store.get('partitionState', partitionDocKey(topic, partition));
      const replicas = this.replicasOf(topic, partition);
      if (stored === undefined || replicas === undefined) return { error: 'PREFERRED_LEADER_NOT_AVAILABLE' };
      const outcome = electLeader(stored.value, target ?? replicas[0], this.liveIds());
      if (!('state' in outcome)) return outcome;
      try {
        await this.o.store.put('partitionState', partitionDocKey(topic, partition), outcome.state, stored.version, this.fence);
        this.o.log.info({ topic, partition, leader: outcome.state.leader, leaderEpoch: outcome.state.leaderEpoch }, 'elected leader');
        return outcome;
      } catch (err) {
        if (!(err instanceof MetadataConflict) || attempt + 1 >= CAS_ATTEMPTS) throw err;
      }
    }
  }

  private becomeActive(controllerEpoch: number): void {
    if (this.active) return;
    this.active = true;
    this.fence = { controllerEpoch };
    this.o.log.info({ nodeId: this.o.localId, controllerEpoch }, 'became controller');
    const { store, membership } = this.o;
    this.unsubscribers.push(
      store.watch('topic', (change) => this.schedule(() => (change.value === null ? this.dropTopic(change.key) : this.reconcileTopic(change.key)))),
      store.watch('isrChangeRequest', (change) => {
        if (change.value !== null) this.schedule(() => this.handleIsrChangeRequest(change.key));
      }),
      store.watch('leaderElectionRequest', (change) => {
        if (change.value !== null && change.value.outcome === null) this.schedule(() => this.handleElectionRequest(change.key));
      }),
      store.watch('reassignment', (change) => {
        if (change.value !== null) this.schedule(() => this.advanceReassignment(change.key));
      }),
      store.watch('brokerConfigs', () => this.schedule(() => this.reconcileAll())),
      membership.watchLive(() => this.schedule(() => this.reconcileAll())),
    );
    this.schedule(() => this.reconcileAll());
    this.scheduleLeaderBalance();
  }

  private becomeInactive(): void {
    if (!this.active) return;
    this.active = false;
    clearTimeout(this.balanceTimer);
    this.balanceTimer = undefined;
    for (const u of this.unsubscribers.splice(0)) u();
    this.o.log.info({ nodeId: this.o.localId }, 'stopped being controller');
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (!this.active) throw new Error('not the controller');
      return work();
    });
    this.queue = run.catch((err: unknown) => {
      if (err instanceof ControllerFenced && this.active) {
        // Another broker was elected while this one stalled: it decides from now on.
        this.o.log.warn({ controllerEpoch: this.fence.controllerEpoch }, 'controller fenced: a newer controller was elected; this one stops deciding');
        this.becomeInactive();
      } else if (this.active) {
        this.o.log.warn({ err }, 'controller decision failed');
      }
    });
    return run;
  }

  /** Queues work whose failure is only logged (by enqueue). */
  private schedule(work: () => Promise<unknown>): void {
    this.enqueue(work).catch(() => undefined);
  }

  /** Queues the next leader-balance check, after `delayMs` (default: the check interval); none when auto.leader.rebalance.enable is false. */
  private scheduleLeaderBalance(delayMs?: number): void {
    const interval = this.o.leaderImbalanceCheckIntervalMs;
    if (interval === null) return;
    // A check that ends after this controller stepped down (and perhaps was elected again) schedules nothing.
    const term = this.fence;
    const next = (delay?: number): void => {
      if (this.active && this.fence === term) this.scheduleLeaderBalance(delay);
    };
    this.balanceTimer = setTimeout(() => {
      this.enqueue(() => this.balanceLeaders()).then(
        (more) => next(more ? IMMEDIATE_CHECK_MS : undefined),
        () => next(FAILED_CHECK_BACKOFF_MS),
      );
    }, Math.min(delayMs ?? interval, MAX_TIMER_MS));
    this.balanceTimer.unref();
  }

  /** One leader-balance check: each planned election is made as ElectLeaders makes it. Resolves whether more remain. */
  private async balanceLeaders(): Promise<boolean> {
    const states = [...this.o.store.list('partitionState').values()].map((doc) => doc.value);
    const plan = planLeaderBalance(states, (topic, partition) => this.replicasOf(topic, partition), this.liveIds());
    let elected = 0;
    for (const { topic, partition } of plan.elections) if ('state' in (await this.elect(topic, partition))) elected++;
    if (elected > 0) this.o.log.info({ elected, more: plan.more }, 'leader balance: preferred replicas lead again');
    return plan.more;
  }

  private liveIds(): Set<number> {
    return new Set(this.o.membership.live().keys());
  }

  private replicasOf(topic: string, partition: number): readonly number[] | undefined {
    return this.o.store.get('topic', topic)?.value.replicas?.[partition];
  }

  private async reconcileAll(): Promise<void> {
    for (const topic of this.o.store.list('topic').keys()) await this.reconcileTopic(topic);
    for (const [key, doc] of this.o.store.list('partitionState')) {
      const topic = this.o.store.get('topic', doc.value.topic)?.value;
      if (topic === undefined || doc.value.partition >= topic.partitions) await this.o.store.delete('partitionState', key, doc.version, this.fence);
    }
    for (const key of this.o.store.list('isrChangeRequest').keys()) await this.handleIsrChangeRequest(key);
    for (const [key, doc] of this.o.store.list('leaderElectionRequest')) if (doc.value.outcome === null) await this.handleElectionRequest(key);
    for (const key of this.o.store.list('reassignment').keys()) await this.advanceReassignment(key);
  }

  /** Whether a partition of `topic` without a live ISR member may elect an out-of-sync replica. */
  private uncleanLeaderElection(topic: string): boolean {
    const value =
      this.o.store.get('topic', topic)?.value.configs[UNCLEAN_LEADER_ELECTION] ??
      brokerConfigsOf(this.o.store.get('brokerConfigs', CLUSTER_KEY)?.value)[UNCLEAN_LEADER_ELECTION];
    return value === undefined ? this.o.uncleanLeaderElection : value.toLowerCase() === 'true';
  }

  /**
   * Applies a reassignment's next step: the partition state first (the ISR and leader within the
   * new replica set), then the topic record's replicas, then, when finished, deletes its record.
   * A conflict with a concurrent write leaves it to the change that caused the conflict.
   */
  private async advanceReassignment(key: string): Promise<void> {
    const request = this.o.store.get('reassignment', key);
    if (request === undefined) return;
    const { topic: name, partition } = request.value;
    const topic = this.o.store.get('topic', name);
    const stored = this.o.store.get('partitionState', key);
    const replicas = topic?.value.replicas?.[partition];
    try {
      if (topic === undefined || replicas === undefined) {
        await this.o.store.delete('reassignment', key, request.version, this.fence);
        return;
      }
      if (stored === undefined) return;
      const step = reassignmentStep(request.value, replicas, stored.value, this.liveIds());
      if (step.state !== undefined) {
        await this.o.store.put('partitionState', key, step.state, stored.version, this.fence);
        this.logChange(stored.value, step.state);
      }
      if (step.replicas !== undefined) {
        const all = topic.value.replicas!.map((r, p) => (p === partition ? step.replicas! : r));
        await this.o.store.put('topic', name, { ...topic.value, replicas: all }, topic.version, this.fence);
        this.o.log.info({ topic: name, partition, replicas: step.replicas, target: request.value.target }, 'reassignment: replicas');
      }
      if (step.done) {
        await this.o.store.delete('reassignment', key, request.version, this.fence);
        this.o.log.info({ topic: name, partition, replicas: step.replicas ?? replicas }, request.value.target === null ? 'reassignment cancelled' : 'reassignment completed');
      }
    } catch (err) {
      if (!(err instanceof MetadataConflict)) throw err;
    }
  }

  /** A broker's ElectLeaders request: decided here (inline, in queue order), answered in the request document. */
  private async handleElectionRequest(key: string): Promise<void> {
    const request = this.o.store.get('leaderElectionRequest', key);
    if (request === undefined || request.value.outcome !== null) return;
    const { topic, partition, type } = request.value;
    const outcome = type === 'preferred' ? await this.elect(topic, partition) : await this.electUnclean(topic, partition);
    try {
      await this.o.store.put('leaderElectionRequest', key, { ...request.value, outcome: 'state' in outcome ? 'ELECTED' : outcome.error }, request.version, this.fence);
    } catch (err) {
      if (!(err instanceof MetadataConflict)) throw err;
    }
  }

  private async reconcileTopic(name: string): Promise<void> {
    const topic = this.o.store.get('topic', name)?.value;
    if (topic === undefined) return;
    for (let p = 0; p < topic.partitions; p++) await this.reconcilePartition(name, p);
    // A reassignment's replica change (or a concurrent rewrite of the record) may allow its next step.
    for (const [key, doc] of this.o.store.list('reassignment')) if (doc.value.topic === name) await this.advanceReassignment(key);
  }

  private async dropTopic(name: string): Promise<void> {
    for (const [key, doc] of this.o.store.list('partitionState')) {
      if (doc.value.topic === name) await this.o.store.delete('partitionState', key, undefined, this.fence);
    }
    for (const [key, doc] of this.o.store.list('reassignment')) {
      if (doc.value.topic === name) await this.o.store.delete('reassignment', key, undefined, this.fence);
    }
  }

  /** Creates a new partition's state, or applies the live set to a stored one. */
  private async reconcilePartition(topic: string, partition: number): Promise<void> {
    const key = partitionDocKey(topic, partition);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const replicas = this.replicasOf(topic, partition);
      if (replicas === undefined) return;
      const stored = this.o.store.get('partitionState', key);
      const next = stored === undefined ? initialState(topic, partition, replicas, this.liveIds()) : onLiveChange(stored.value, replicas, this.liveIds(), this.uncleanLeaderElection(topic));
      if (next === undefined) return;
      try {
        await this.o.store.put('partitionState', key, next, stored?.version ?? ABSENT, this.fence);
        this.logChange(stored?.value, next);
        return;
      } catch (err) {
        if (!(err instanceof MetadataConflict)) throw err;
      }
    }
  }

  private async handleIsrChangeRequest(key: string): Promise<void> {
    const request = this.o.store.get('isrChangeRequest', key);
    if (request === undefined) return;
    const { topic, partition } = request.value;
    const stored = this.o.store.get('partitionState', key);
    const replicas = this.replicasOf(topic, partition);
    if (stored !== undefined && replicas !== undefined) {
      const outcome = applyIsrChange(stored.value, stored.version, request.value, replicas, this.liveIds());
      if ('state' in outcome) {
        try {
          await this.o.store.put('partitionState', key, outcome.state, stored.version, this.fence);
          this.logChange(stored.value, outcome.state);
          await this.advanceReassignment(key);
        } catch (err) {
          if (!(err instanceof MetadataConflict)) throw err;
          this.o.log.info({ topic, partition }, 'ISR change lost a race with another change; the leader will ask again');
        }
      } else {
        this.o.log.info({ topic, partition, error: outcome.error, isr: request.value.isr }, 'refused ISR change');
      }
    }
    try {
      // Only the request decided on: a newer one written meanwhile stays for its own turn.
      await this.o.store.delete('isrChangeRequest', key, request.version, this.fence);
    } catch (err) {
      if (!(err instanceof MetadataConflict)) throw err;
    }
  }

  private logChange(before: PartitionStateRecord | undefined, after: PartitionStateRecord): void {
    this.o.log.info({ topic: after.topic, partition: after.partition, leader: after.leader, leaderEpoch: after.leaderEpoch, isr: after.isr, previousLeader: before?.leader ?? null }, 'partition state');
  }
}
