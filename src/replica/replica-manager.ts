// The partitions this broker holds a replica of, by topic name or topic id and index, with
// Kafka's errors for the ones it does not (UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID,
// NOT_LEADER_OR_FOLLOWER, leader-epoch fencing). Handlers reach partition data only through it.
// The logs themselves stay with the topic registry (Kafka's LogManager role); a Partition is made
// for each log when first asked for, with its state from the cluster view, and goes with the log.
import { ErrorCode } from '../../protocol/errors.js';
import type { ClusterView } from '../cluster/cluster-view.js';
import { KafkaError } from '../kafka-error.js';
import type { AppendResult, PartitionLog } from '../log/partition-log.js';
import type { Topic } from '../topics/topic-registry.js';
import { ACKS_ALL, NO_LEADER_EPOCH, Partition, type IsrChange, type PartitionState } from './partition.js';

/** The topics whose partition logs this broker holds. */
export interface HostedTopics {
  get(name: string): Topic | undefined;
  getById(id: string): Topic | undefined;
  list(): Topic[];
}

export interface ReplicaManagerOptions {
  localId: number;
  topics: HostedTopics;
  cluster: ClusterView;
  replicaLagTimeMaxMs: () => number;
  clock?: () => number;
  /** Fault injection (src/faults/): a partition led here that must answer NOT_LEADER_OR_FOLLOWER for now. */
  leadershipWithheld?: (topic: string, partition: number) => boolean;
  /** ISR changes made by partitions this broker leads, for whoever persists partition state. */
  onIsrChange?: (change: IsrChange) => void;
  /**
   * In a cluster: ISR changes are proposed to the controller (see Partition), and each replica
   * starts without a leader and takes the cluster view's state through becomeLeader/becomeFollower,
   * as it does for every later state (applyState).
   */
  proposeIsr?: (change: IsrChange) => void;
  /** Hears every replica whose leadership changed (cluster mode: the replica fetchers follow it). */
  onStateApplied?: (partition: Partition) => void;
}

export interface ProduceOptions {
  requiredAcks: number;
  /** How long an acks=all append waits for the ISR (the request's timeout_ms). */
  timeoutMs: number;
}

export class ReplicaManager {
  private readonly byLog = new WeakMap<PartitionLog, Partition>();

  constructor(private readonly o: ReplicaManagerOptions) {}

  /** The replica of `topic`-`index` here, or undefined. */
  getPartition(topic: Topic | undefined, index: number): Partition | undefined {
    const log = topic?.partitions[index];
    if (topic === undefined || log === undefined) return undefined;
    let partition = this.byLog.get(log);
    if (partition === undefined) {
      const state = this.o.cluster.partitionState(topic.name, index);
      if (state === undefined) return undefined;
      const controlled = this.o.proposeIsr !== undefined;
      partition = new Partition({
        topic: topic.name,
        partition: index,
        localId: this.o.localId,
        log,
        state: controlled ? { leaderId: -1, leaderEpoch: -1, replicas: state.replicas, isr: [] } : state,
        minInsyncReplicas: () => topic.config.minInsyncReplicas,
        replicaLagTimeMaxMs: this.o.replicaLagTimeMaxMs,
        ...(this.o.clock && { clock: this.o.clock }),
        ...(this.o.onIsrChange && { onIsrChange: this.o.onIsrChange }),
        ...(this.o.leadershipWithheld && { leadershipWithheld: () => this.o.leadershipWithheld!(topic.name, index) }),
        ...(this.o.proposeIsr && { proposeIsr: this.o.proposeIsr }),
      });
      this.byLog.set(log, partition);
      if (controlled) this.transition(partition, state);
    }
    return partition;
  }

  /**
   * Applies the cluster view's current state of a partition to its replica here (cluster mode):
   * becomeLeader when it names this broker, else becomeFollower; a stale epoch is ignored.
   */
  applyState(topic: Topic, index: number): Partition | undefined {
    const existing = topic.partitions[index] && this.byLog.get(topic.partitions[index]);
    // A new replica takes its state as it is made.
    if (existing === undefined) return this.getPartition(topic, index);
    const state = this.o.cluster.partitionState(topic.name, index);
    if (state !== undefined) this.transition(existing, state);
    return existing;
  }

  private transition(partition: Partition, state: PartitionState): void {
    if (state.leaderEpoch < 0) return;
    const changed = state.leaderId === this.o.localId ? partition.becomeLeader(state) : partition.becomeFollower(state);
    if (changed) this.o.onStateApplied?.(partition);
  }

  /** The replica of a partition named by topic name; UNKNOWN_TOPIC_OR_PARTITION when there is none. */
  partition(topicName: string, index: number): Partition {
    const partition = this.getPartition(this.o.topics.get(topicName), index);
    if (partition === undefined) throw unknownPartition(topicName, index);
    return partition;
  }

  /** The replica of a partition named by topic id; UNKNOWN_TOPIC_ID for an unknown id. */
  partitionById(topicId: string, index: number): Partition {
    const topic = this.o.topics.getById(topicId);
    if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_ID, `Topic id ${topicId} is unknown`);
    const partition = this.getPartition(topic, index);
    if (partition === undefined) throw unknownPartition(topic.name, index);
    return partition;
  }

  /** The replica, which must lead in `currentLeaderEpoch` when the request carries one (Kafka's order of checks). */
  leaderPartition(topic: Topic | undefined, index: number, currentLeaderEpoch = NO_LEADER_EPOCH): Partition {
    const partition = this.getPartition(topic, index);
    if (partition === undefined) throw unknownPartition(topic?.name ?? '', index);
    partition.checkLeaderEpoch(currentLeaderEpoch);
    return partition;
  }

  /**
   * The internal-topic partition a coordinator keeps its state in: NOT_COORDINATOR when another
   * broker leads it (in a cluster), which clients answer by finding the coordinator again.
   */
  coordinatorPartition(topic: Topic, index: number): Partition {
    const partition = this.getPartition(topic, index);
    if (partition === undefined || !partition.isLeader) {
      throw new KafkaError(ErrorCode.NOT_COORDINATOR, `This broker (${this.o.localId}) does not lead ${topic.name}-${index}, so it does not coordinate what it holds`);
    }
    return partition;
  }

  /**
   * A produce append: refused up front when acks=all meets a short ISR; then `write` runs the
   * producer-state checks and the leader append (src/txn/); acks=all then waits for the ISR.
   */
  async appendRecords(topic: Topic | undefined, index: number, opts: ProduceOptions, write: (partition: Partition) => Promise<AppendResult>): Promise<AppendResult> {
    const partition = this.leaderPartition(topic, index);
    partition.checkEnoughReplicas(opts.requiredAcks);
    const result = await write(partition);
    if (opts.requiredAcks === ACKS_ALL) await partition.waitForCommit(result.lastOffset, opts.timeoutMs);
    return result;
  }

  /** Every replica here, by topic and index. */
  *partitions(): Iterable<Partition> {
    for (const topic of this.o.topics.list()) {
      for (let i = 0; i < topic.partitions.length; i++) {
        const partition = this.getPartition(topic, i);
        if (partition !== undefined) yield partition;
      }
    }
  }

  /** Partitions led here whose ISR is smaller than their replica set (Kafka's UnderReplicatedPartitions). */
  underReplicatedCount(): number {
    let count = 0;
    for (const partition of this.partitions()) if (partition.isLeader && partition.isr.length < partition.replicas.length) count++;
    return count;
  }

  /** Kafka's ISR expiration round: each partition led here drops followers that fell behind. */
  maybeShrinkIsrs(): void {
    for (const partition of this.partitions()) if (partition.isLeader && partition.replicas.length > 1) partition.maybeShrinkIsr();
  }
}

function unknownPartition(topic: string, index: number): KafkaError {
  return new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `This server does not host this topic-partition: ${topic}-${index}`);
}
