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
import { ACKS_ALL, NO_LEADER_EPOCH, Partition, type IsrChange } from './partition.js';

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
      partition = new Partition({
        topic: topic.name,
        partition: index,
        localId: this.o.localId,
        log,
        state,
        minInsyncReplicas: () => topic.config.minInsyncReplicas,
        replicaLagTimeMaxMs: this.o.replicaLagTimeMaxMs,
        ...(this.o.clock && { clock: this.o.clock }),
        ...(this.o.onIsrChange && { onIsrChange: this.o.onIsrChange }),
        ...(this.o.leadershipWithheld && { leadershipWithheld: () => this.o.leadershipWithheld!(topic.name, index) }),
      });
      this.byLog.set(log, partition);
    }
    return partition;
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

  /** Kafka's ISR expiration round: each partition led here drops followers that fell behind. */
  maybeShrinkIsrs(): void {
    for (const partition of this.partitions()) if (partition.isLeader && partition.replicas.length > 1) partition.maybeShrinkIsr();
  }
}

function unknownPartition(topic: string, index: number): KafkaError {
  return new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `This server does not host this topic-partition: ${topic}-${index}`);
}
