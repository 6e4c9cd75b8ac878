// The cluster view of a broker among several: the live brokers and their endpoints come from
// Membership, each partition's replicas from its topic record and its leader, leader epoch and
// ISR from the controller's partition-state document in the metadata store. A group's or a
// transactional id's coordinator is the leader of the internal-topic partition that holds it.
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';
import type { BrokerNode, ClusterView, CoordinatorType, ElectionType, OngoingReassignment, PartitionAssignment } from './cluster-view.js';
import type { Membership } from './membership.js';
import { ABSENT, MetadataConflict, partitionDocKey, type LeaderElectionRequestRecord, type MetadataStore } from '../metadata/metadata-store.js';
import { reassignmentSets } from './reassignment.js';
import { noReassignment } from './single-node-cluster.js';
import { partitionFor } from '../txn/partition-for.js';

/** Compare-and-swap attempts at a reassignment document before the request fails. */
const REASSIGN_ATTEMPTS = 5;

const COORDINATOR_TOPICS: Record<CoordinatorType, string> = { group: '__consumer_offsets', transaction: '__transaction_state' };

export class MultiNodeCluster implements ClusterView {
  private changes = 0;
  private readonly unwatch: (() => void)[];

  constructor(
    readonly localId: number,
    private readonly clusterIdOf: () => string,
    private readonly membership: Membership,
    private readonly store: MetadataStore,
  ) {
    // Watchers hear of a change once the local copy holds it, never before: an answer derived
    // before the count moved is labelled with the count before, and so is not kept past it.
    const changed = (): void => {
      this.changes++;
    };
    this.unwatch = [store.watch('topic', changed), store.watch('partitionState', changed), membership.watchLive(changed)];
  }

  get generation(): number {
    return this.changes;
  }

  close(): void {
    for (const unwatch of this.unwatch) unwatch();
  }

  get clusterId(): string {
    return this.clusterIdOf();
  }

  get controllerId(): number {
    return this.membership.controllerId();
  }

  brokers(listenerName: string): BrokerNode[] {
    return this.brokerIds().flatMap((id) => this.broker(id, listenerName) ?? []);
  }

  broker(nodeId: number, listenerName: string): BrokerNode | undefined {
    const registration = this.membership.live().get(nodeId);
    const endpoint = registration?.endpoints.find((e) => e.name === listenerName);
    if (registration === undefined || endpoint === undefined) return undefined;
    return { nodeId, host: endpoint.host, port: endpoint.port, rack: registration.rack };
  }

  partitionState(topic: string, partition: number): PartitionAssignment | undefined {
    const replicas = this.store.get('topic', topic)?.value.replicas?.[partition];
    if (replicas === undefined) return undefined;
    const live = this.membership.live();
    const offlineReplicas = replicas.filter((id) => !live.has(id));
    const state = this.store.get('partitionState', partitionDocKey(topic, partition))?.value;
    // Until the controller has written a new partition's state it has no leader (LEADER_NOT_AVAILABLE).
    if (state === undefined) return { leaderId: -1, leaderEpoch: -1, replicas, isr: [], offlineReplicas };
    return { leaderId: state.leader, leaderEpoch: state.leaderEpoch, replicas, isr: state.isr, offlineReplicas };
  }

  coordinatorFor(type: CoordinatorType, key: string): number {
    const topic = COORDINATOR_TOPICS[type];
    const partitions = this.store.get('topic', topic)?.value.partitions;
    // Not created yet (FindCoordinator creates it): no coordinator until its partitions have leaders.
    if (partitions === undefined) return -1;
    return this.partitionState(topic, partitionFor(key, partitions))?.leaderId ?? -1;
  }

  brokerIds(): number[] {
    return [...this.membership.live().keys()].sort((a, b) => a - b);
  }

  /** Posts a leaderElectionRequest for the controller and waits for the outcome it writes back. */
  async electLeader(topic: string, partition: number, type: ElectionType, timeoutMs: number): Promise<boolean> {
    if (this.store.get('topic', topic)?.value.replicas?.[partition] === undefined) return false;
    const key = partitionDocKey(topic, partition);
    const outcome = new Promise<LeaderElectionRequestRecord['outcome']>((resolve) => {
      const timer = setTimeout(() => done(null), Math.max(0, timeoutMs));
      const unsubscribe = this.store.watch('leaderElectionRequest', (change) => {
        if (change.key === key && change.value !== null && change.value.outcome !== null) done(change.value.outcome);
      });
      const done = (value: LeaderElectionRequestRecord['outcome']): void => {
        clearTimeout(timer);
        unsubscribe();
        resolve(value);
      };
    });
    await this.store.put('leaderElectionRequest', key, { topic, partition, type, outcome: null });
    const answer = await outcome;
    const answered = this.store.get('leaderElectionRequest', key);
    if (answered?.value.outcome !== null && answered !== undefined) await this.store.delete('leaderElectionRequest', key, answered.version).catch(() => undefined);
    return answer === 'ELECTED' || answer === 'ELECTION_NOT_NEEDED';
  }

  /**
   * Writes the partition's reassignment document for the controller: a new target keeps the
   * original replicas of a run already under way; a target equal to the replicas with no run under
   * way changes nothing (Kafka's no-op). Compare-and-swap, retried on a concurrent change.
   */
  async reassign(topic: string, partition: number, target: readonly number[] | null): Promise<void> {
    const key = partitionDocKey(topic, partition);
    for (let attempt = 1; ; attempt++) {
      const replicas = this.store.get('topic', topic)?.value.replicas?.[partition];
      if (replicas === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find partition ${topic}:${partition}.`);
      const existing = this.store.get('reassignment', key);
      if (existing === undefined && (target === null || sameList(target, replicas))) {
        if (target === null) throw noReassignment();
        return;
      }
      const original = existing?.value.original ?? [...replicas];
      try {
        await this.store.put('reassignment', key, { topic, partition, original, target: target === null ? null : [...target] }, existing?.version ?? ABSENT);
        return;
      } catch (err) {
        if (!(err instanceof MetadataConflict) || attempt >= REASSIGN_ATTEMPTS) throw err;
      }
    }
  }

  reassignments(): OngoingReassignment[] {
    return [...this.store.list('reassignment').values()].flatMap(({ value: { topic, partition, original, target } }) =>
      target === null ? [] : [{ topic, partition, ...reassignmentSets(original, target) }],
    );
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
