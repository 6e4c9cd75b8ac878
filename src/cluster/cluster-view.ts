// What this broker knows of the cluster: its brokers and their addresses, who leads each
// partition with which replicas and ISR, which broker coordinates a group or a transactional id,
// and which is the controller. Handlers ask it instead of assuming "this node"; the partition
// layer (src/replica/) takes each partition's initial state from it.
import { ErrorCode } from '../../protocol/errors.js';
import type { PartitionState } from '../replica/partition.js';
import type { ReassignmentSets } from './reassignment.js';

export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** A partition's state as Metadata and DescribeTopicPartitions report it. */
export interface PartitionAssignment extends PartitionState {
  offlineReplicas: readonly number[];
}

export type CoordinatorType = 'group' | 'transaction';

export type ElectionType = 'preferred' | 'unclean';

/** An ongoing partition reassignment, as ListPartitionReassignments reports it. */
export interface OngoingReassignment extends ReassignmentSets {
  topic: string;
  partition: number;
}

export interface ClusterView {
  readonly clusterId: string;
  /** This broker's node id. */
  readonly localId: number;
  /**
   * Moves whenever an answer of partitionState() or broker() may have changed (a topic or its
   * partitions, leaders, epochs, ISRs, the live brokers and their endpoints), so that what is
   * derived from those answers may be kept while it stays the same.
   */
  readonly generation: number;
  /** The broker that acts as controller (KRaft: a broker names a live broker). */
  readonly controllerId: number;
  /** Every live broker, with its address on the listener a client came in on. */
  brokers(listenerName: string): BrokerNode[];
  /** One live broker on a listener; undefined when it is not live or has no such listener. */
  broker(nodeId: number, listenerName: string): BrokerNode | undefined;
  /** Leader, epoch, replicas, ISR and offline replicas; undefined for an unknown topic-partition. */
  partitionState(topic: string, partition: number): PartitionAssignment | undefined;
  /** The broker coordinating a group or a transactional id: the leader of its internal-topic partition; -1 while there is none. */
  coordinatorFor(type: CoordinatorType, key: string): number;
  /** Live broker ids, for replica assignment checks (CreateTopics, CreatePartitions, reassignments). */
  brokerIds(): number[];
  /**
   * Asks the controller for an ElectLeaders election: preferred (leadership to the first replica
   * if it is a live in-sync one) or unclean (a live replica for a partition without a live
   * leader). Resolves whether it was made (false also when no answer came within `timeoutMs`).
   */
  electLeader(topic: string, partition: number, type: ElectionType, timeoutMs: number): Promise<boolean>;
  /**
   * Hands a checked target replica list (or null: cancel) for an existing partition to the
   * controller; resolves once recorded, not once moved. NO_REASSIGNMENT_IN_PROGRESS (KafkaError)
   * for a cancel with nothing to cancel.
   */
  reassign(topic: string, partition: number, target: readonly number[] | null): Promise<void>;
  /** Every ongoing reassignment. */
  reassignments(): OngoingReassignment[];
  /** Stops following the changes `generation` counts (the broker stops). */
  close(): void;
}

/** A partition's leader, epoch and replica sets as Metadata and DescribeTopicPartitions answer them. */
export interface PartitionDescription {
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

/**
 * Kafka answers LEADER_NOT_AVAILABLE (leader -1, the epoch kept) for a partition without a leader,
 * and also for one whose leader is not a live broker with an endpoint on the client's listener:
 * between a leader's lease lapsing and the controller electing the next one, a leader the
 * answer's broker list leaves out would give the client no broker to fetch from, and no error
 * to make it ask again (kafkajs then waits for its metadata to age, 5 minutes).
 */
export function describePartition(cluster: Pick<ClusterView, 'partitionState' | 'broker'>, topic: string, partition: number, listenerName: string): PartitionDescription {
  const state = cluster.partitionState(topic, partition);
  const leaderLive = state !== undefined && state.leaderId >= 0 && cluster.broker(state.leaderId, listenerName) !== undefined;
  return {
    errorCode: leaderLive ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
    leaderId: leaderLive ? state.leaderId : -1,
    leaderEpoch: state?.leaderEpoch ?? -1,
    replicaNodes: [...(state?.replicas ?? [])],
    isrNodes: [...(state?.isr ?? [])],
    offlineReplicas: [...(state?.offlineReplicas ?? [])],
  };
}
