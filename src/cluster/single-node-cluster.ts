// The cluster of a single broker: it is the only broker, the controller and the coordinator of
// every group and transactional id, and leads every partition in leader epoch 0. Replica lists
// are the topics' stored ones, which name only this broker (a data dir keeps its node id), so
// replicas = ISR = [itself].
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';
import type { BrokerNode, ClusterView, CoordinatorType, OngoingReassignment, PartitionAssignment } from './cluster-view.js';

/** The leader epoch of every partition of a single node (it never changes leader). */
const LEADER_EPOCH = 0;

export interface AdvertisedAddress {
  host: string;
  port: number;
}

/** What the single node needs to know of topics: each partition's stored replicas. */
export interface TopicReplicas {
  replicasOf(topic: string, partition: number): readonly number[] | undefined;
  /** Moves whenever a topic is created, deleted or grown, or its replicas change. */
  readonly generation: number;
}

export class SingleNodeCluster implements ClusterView {
  /** Per listener name, the address given to clients that came in on it; bound ports fill in port 0. */
  private readonly advertisedByListener = new Map<string, AdvertisedAddress>();

  constructor(
    readonly localId: number,
    private readonly clusterIdOf: () => string,
    listeners: readonly { name: string; host: string; port: number }[],
    private readonly topics: TopicReplicas,
  ) {
    for (const l of listeners) this.advertisedByListener.set(l.name, { host: l.host, port: l.port });
  }

  get clusterId(): string {
    return this.clusterIdOf();
  }

  get controllerId(): number {
    return this.localId;
  }

  /** Partition states follow the topics' replicas alone; a bound port changes no listener's presence. */
  get generation(): number {
    return this.topics.generation;
  }

  /** The address Metadata, FindCoordinator and DescribeCluster give a client on this listener. */
  advertised(listenerName: string): AdvertisedAddress {
    return this.advertisedByListener.get(listenerName)!;
  }

  /** Records the port a listener bound when its advertised port was 0 (a free port). */
  setBoundPort(listenerName: string, port: number): void {
    const current = this.advertisedByListener.get(listenerName)!;
    if (current.port === 0) this.advertisedByListener.set(listenerName, { host: current.host, port });
  }

  brokers(listenerName: string): BrokerNode[] {
    const self = this.broker(this.localId, listenerName);
    return self ? [self] : [];
  }

  broker(nodeId: number, listenerName: string): BrokerNode | undefined {
    const address = this.advertisedByListener.get(listenerName);
    if (nodeId !== this.localId || address === undefined) return undefined;
    return { nodeId, ...address, rack: null };
  }

  partitionState(topic: string, partition: number): PartitionAssignment | undefined {
    const replicas = this.topics.replicasOf(topic, partition);
    if (replicas === undefined) return undefined;
    // Only this broker is alive: it leads if it is a replica, and the others are offline.
    const isr = replicas.filter((id) => id === this.localId);
    const offlineReplicas = replicas.filter((id) => id !== this.localId);
    return { leaderId: isr.length > 0 ? this.localId : -1, leaderEpoch: LEADER_EPOCH, replicas, isr, offlineReplicas };
  }

  coordinatorFor(_type: CoordinatorType, _key: string): number {
    return this.localId;
  }

  brokerIds(): number[] {
    return [this.localId];
  }

  /** No other broker runs: a partition this node does not lead has no live replica to elect. */
  electLeader(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /**
   * A checked target names only this node, where every partition already is: nothing moves, and
   * no reassignment is ever in progress to cancel.
   */
  reassign(_topic: string, _partition: number, target: readonly number[] | null): Promise<void> {
    if (target === null) return Promise.reject(noReassignment());
    return Promise.resolve();
  }

  reassignments(): OngoingReassignment[] {
    return [];
  }

  /** Nothing to stop: the registry's generation is read when asked, not followed. */
  close(): void {}
}

export function noReassignment(): KafkaError {
  return new KafkaError(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, 'No partition reassignment is in progress.');
}
