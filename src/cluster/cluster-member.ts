// A broker's part in a multi-broker cluster: it registers in the Membership, campaigns for
// controller (src/cluster/controller.ts), follows topics and partition states in the shared
// metadata store (becomeLeader/becomeFollower on its replicas), proposes its leaders' ISR changes
// to the controller, runs a replica fetcher per leader broker for the partitions it follows,
// and expires lagging followers from the ISRs it leads every replica.lag.time.max.ms / 2.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ClientListener } from '../config/client-listener.js';
import type { InterBrokerSecurity } from '../security/inter-broker-config.js';
import { partitionDocKey, type MetadataStore } from '../metadata/metadata-store.js';
import type { IsrChange, Partition } from '../replica/partition.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import { ReplicaFetcher, type FollowerAppender, type ReplicaFetchSettings } from '../replica/replica-fetcher.js';
import type { TopicRegistry } from '../topics/topic-registry.js';
import type { ClusterView } from './cluster-view.js';
import { Controller } from './controller.js';
import type { Membership } from './membership.js';
import type { ReplicationQuota } from '../quotas/replication-quota.js';

export interface ClusterMemberOptions {
  localId: number;
  rack: string | null;
  /** The data dir's directory.id, registered with the broker; none with in-memory storage. */
  directoryId: string | undefined;
  listeners: readonly ClientListener[];
  /** The listener followers fetch on (inter.broker.listener.name) and its TLS and SASL. */
  interBroker: InterBrokerSecurity;
  store: MetadataStore;
  membership: Membership;
  cluster: ClusterView;
  topics: TopicRegistry;
  replicas: ReplicaManager;
  replicaLagTimeMaxMs: number;
  /** follower.replication.throttled.rate, applied by the replica fetchers. */
  followerQuota: ReplicationQuota;
  /** The followers' fetch sizes, wait, backoff, timeouts and receive buffer (replica.fetch.*, request.timeout.ms, replica.socket.*). */
  replicaFetch: ReplicaFetchSettings;
  /** The static unclean.leader.election.enable, for the controller. */
  uncleanLeaderElection: boolean;
  /** leader.imbalance.check.interval.seconds in ms, null when auto.leader.rebalance.enable is false, for the controller. */
  leaderImbalanceCheckIntervalMs: number | null;
  /** Appends fetched batches (the transaction engine, which keeps producer state with them). */
  appender: () => FollowerAppender;
  log: Logger;
}

export class ClusterMember {
  readonly controller: Controller;
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  /** The leader and epoch each followed partition is fetched under. */
  private readonly following = new Map<Partition, { leader: number; epoch: number }>();
  private readonly unsubscribers: (() => void)[] = [];
  private isrTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ClusterMemberOptions) {
    this.controller = new Controller({
      localId: o.localId,
      store: o.store,
      membership: o.membership,
      uncleanLeaderElection: o.uncleanLeaderElection,
      leaderImbalanceCheckIntervalMs: o.leaderImbalanceCheckIntervalMs,
      log: o.log.child({ component: 'controller' }),
    });
  }

  /** Joins the cluster: registration, controller campaign, and the watches that keep replicas in line. */
  async start(): Promise<void> {
    const { o } = this;
    this.unsubscribers.push(
      o.topics.followStore((topic) => this.applyTopic(topic)),
      o.store.watch('partitionState', (change) => {
        if (change.value !== null) this.applyPartition(change.value.topic, change.value.partition);
      }),
      o.store.watch('isrChangeRequest', (change) => {
        // Decided (applied or refused): the leader may propose again.
        if (change.value === null) this.localPartition(change.key)?.clearPendingIsr();
      }),
    );
    await o.membership.register({
      nodeId: o.localId,
      endpoints: o.listeners.map(({ advertised }) => {
        if (advertised.port === 0) throw new Error(`listener ${advertised.name} needs a fixed port in a cluster (others reach it by its registered address)`);
        return { name: advertised.name, host: advertised.host, port: advertised.port, securityProtocol: advertised.securityProtocol };
      }),
      rack: o.rack,
      incarnation: randomUUID(),
      ...(o.directoryId === undefined ? {} : { directoryId: o.directoryId }),
    });
    this.controller.start();
    for (const topic of o.topics.list()) this.applyTopic(topic.name);
    const interval = Math.max(1, Math.floor(o.replicaLagTimeMaxMs / 2));
    this.isrTimer = setInterval(() => o.replicas.maybeShrinkIsrs(), interval);
    this.isrTimer.unref();
  }

  /** What ReplicaManager calls when one of its leaders shrinks or expands its ISR. */
  proposeIsr(change: IsrChange): void {
    const key = partitionDocKey(change.topic, change.partition);
    const stored = this.o.store.get('partitionState', key);
    if (stored === undefined || stored.value.leader !== this.o.localId || stored.value.leaderEpoch !== change.leaderEpoch) {
      this.localPartition(key)?.clearPendingIsr();
      return;
    }
    const request = { topic: change.topic, partition: change.partition, leader: this.o.localId, leaderEpoch: change.leaderEpoch, partitionStateVersion: stored.version, isr: [...change.isr] };
    this.o.store.put('isrChangeRequest', key, request).catch((err: unknown) => {
      this.o.log.warn({ err, topic: change.topic, partition: change.partition }, 'could not send an ISR change to the controller');
      this.localPartition(key)?.clearPendingIsr();
    });
  }

  /** What ReplicaManager calls when a replica here took a new state: fetch from its leader, or stop. */
  stateApplied(partition: Partition): void {
    const previous = this.following.get(partition);
    const follows = !partition.isLeader && partition.leaderId >= 0 && partition.replicas.includes(this.o.localId);
    if (!follows) {
      if (previous === undefined) return;
      // Reassigned away, its data goes with its log (TopicRegistry.rehost).
      this.unfollow(partition, previous.leader);
      return;
    }
    if (previous !== undefined && previous.leader === partition.leaderId && previous.epoch === partition.leaderEpoch) return;
    if (previous !== undefined) this.unfollow(partition, previous.leader);
    this.following.set(partition, { leader: partition.leaderId, epoch: partition.leaderEpoch });
    this.fetcherFor(partition.leaderId).add(partition);
  }

  /**
   * The first step of a clean stop (Kafka's controlled shutdown): gives up the controller role
   * and leaves the live set, so that the controller moves this broker's leaderships elsewhere
   * while it still answers (its waiting acks=all appends fail with NOT_LEADER_OR_FOLLOWER, and
   * clients retry on the new leaders).
   */
  async leave(): Promise<void> {
    await this.controller.stop();
    await this.o.membership.close();
  }

  /** Stops fetching and watching, and leaves the cluster if it has not yet. */
  async stop(): Promise<void> {
    clearInterval(this.isrTimer);
    for (const u of this.unsubscribers.splice(0)) u();
    await Promise.all([...this.fetchers.values()].map((f) => f.close()));
    this.fetchers.clear();
    await this.controller.stop();
    await this.o.membership.close();
  }

  private applyTopic(name: string): void {
    const topic = this.o.topics.get(name);
    // A deleted topic (or one re-created under a new id): stop fetching its old partitions.
    for (const [partition, { leader }] of this.following) {
      if (partition.topic === name && topic?.partitions[partition.index] !== partition.log) this.unfollow(partition, leader);
    }
    if (topic === undefined) return;
    for (let p = 0; p < topic.partitions.length; p++) this.o.replicas.applyState(topic, p);
  }

  private applyPartition(name: string, partition: number): void {
    const topic = this.o.topics.get(name);
    // A topic whose logs are still opening gets its states applied once they are (applyTopic).
    if (topic !== undefined && partition < topic.partitions.length) this.o.replicas.applyState(topic, partition);
  }

  private localPartition(key: string): Partition | undefined {
    const stored = this.o.store.get('partitionState', key)?.value;
    if (stored === undefined) return undefined;
    return this.o.replicas.getPartition(this.o.topics.get(stored.topic), stored.partition);
  }

  private fetcherFor(leader: number): ReplicaFetcher {
    let fetcher = this.fetchers.get(leader);
    if (fetcher === undefined) {
      fetcher = new ReplicaFetcher({
        localId: this.o.localId,
        throttle: {
          isThrottled: (partition) => {
            const topic = this.o.topics.get(partition.topic);
            return topic !== undefined && this.o.followerQuota.isThrottled(topic, partition.index);
          },
          isExceeded: () => this.o.followerQuota.isExceeded(),
          record: (bytes) => this.o.followerQuota.record(bytes),
        },
        appender: this.o.appender,
        leaderAddress: () => this.o.cluster.broker(leader, this.o.interBroker.listenerName),
        security: this.o.interBroker,
        settings: this.o.replicaFetch,
        log: this.o.log.child({ component: 'replica-fetcher', leader }),
      });
      this.fetchers.set(leader, fetcher);
    }
    return fetcher;
  }

  private unfollow(partition: Partition, leader: number): void {
    this.following.delete(partition);
    const fetcher = this.fetchers.get(leader);
    fetcher?.remove(partition);
  }
}
