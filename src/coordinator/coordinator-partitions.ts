// Which partitions of a coordinator's internal topic (__consumer_offsets for the group
// coordinator, __transaction_state for the transaction coordinator) this broker owns, as Kafka's
// coordinators do: a partition is loaded (its log replayed into the coordinator's memory) when
// this broker becomes its leader and unloaded when it stops being the leader. Loads and unloads
// run one at a time in the order leadership changed, so an unload always follows the load it
// undoes. Requests for a key in a partition being loaded get COORDINATOR_LOAD_IN_PROGRESS, for one
// not owned NOT_COORDINATOR; clients answer both by finding the coordinator again and retrying.
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';

/** What a coordinator needs to know of one replica of its internal topic. */
export interface CoordinatorReplica {
  readonly topic: string;
  readonly index: number;
  readonly isLeader: boolean;
  readonly leaderEpoch: number;
}

/** The coordinator's side: fill its memory from a partition it now leads, or forget one it no longer does. */
export interface PartitionLoader<P extends CoordinatorReplica> {
  load(partition: P): Promise<void>;
  unload(index: number): void;
}

interface Ownership {
  loaded: boolean;
  /** The internal partition's leader epoch when the load began (Kafka's coordinator epoch). */
  epoch: number;
}

export class CoordinatorPartitions<P extends CoordinatorReplica> {
  private readonly owned = new Map<number, Ownership>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly topic: string,
    private readonly loader: PartitionLoader<P>,
    private readonly log: Logger,
  ) {}

  /**
   * A replica of the internal topic took a new state: load it when this broker now leads it, unload
   * it when it did and no longer does. Other topics' replicas are ignored, and so is a repeated
   * state (still leading a partition already loaded or loading).
   */
  leadershipChanged(partition: P): void {
    if (partition.topic !== this.topic) return;
    const current = this.owned.get(partition.index);
    if (partition.isLeader) {
      if (current !== undefined) return;
      const ownership: Ownership = { loaded: false, epoch: partition.leaderEpoch };
      this.owned.set(partition.index, ownership);
      this.enqueue(async () => {
        // Leadership moved on before its turn came: the unload queued after it undoes nothing.
        if (this.owned.get(partition.index) !== ownership) return;
        const started = Date.now();
        await this.loader.load(partition);
        if (this.owned.get(partition.index) === ownership) ownership.loaded = true;
        this.log.info({ topic: this.topic, partition: partition.index, epoch: ownership.epoch, ms: Date.now() - started }, 'loaded coordinator partition');
      }, partition.index);
      return;
    }
    if (current === undefined) return;
    this.owned.delete(partition.index);
    this.enqueue(async () => {
      this.loader.unload(partition.index);
      this.log.info({ topic: this.topic, partition: partition.index }, 'unloaded coordinator partition');
    }, partition.index);
  }

  /** A partition this broker just created and leads: empty, so it is owned without a load. */
  adoptEmpty(partition: P): void {
    if (partition.topic === this.topic && partition.isLeader && !this.owned.has(partition.index)) {
      this.owned.set(partition.index, { loaded: true, epoch: partition.leaderEpoch });
    }
  }

  /** Throws NOT_COORDINATOR when this broker does not own the partition, COORDINATOR_LOAD_IN_PROGRESS while it loads it. */
  check(index: number): void {
    const ownership = this.owned.get(index);
    if (ownership === undefined) {
      throw new KafkaError(ErrorCode.NOT_COORDINATOR, `This broker does not lead ${this.topic}-${index}, so it is not the coordinator of what it holds`);
    }
    if (!ownership.loaded) throw new KafkaError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, `${this.topic}-${index} is being loaded`);
  }

  /** The error code check() would throw, NONE when owned and loaded. */
  errorCode(index: number): number {
    const ownership = this.owned.get(index);
    if (ownership === undefined) return ErrorCode.NOT_COORDINATOR;
    return ownership.loaded ? ErrorCode.NONE : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  /** Owned and loaded. */
  owns(index: number): boolean {
    return this.owned.get(index)?.loaded === true;
  }

  /** The leader epoch of the internal partition when this broker began to own it; -1 when it does not. */
  epochOf(index: number): number {
    return this.owned.get(index)?.epoch ?? -1;
  }

  /** Resolves once every load and unload queued so far is done. */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(step: () => Promise<void>, index: number): void {
    this.queue = this.queue.then(step).catch((err: unknown) => {
      // A load that failed leaves the partition unowned; the next leadership change tries again.
      this.owned.delete(index);
      this.loader.unload(index);
      this.log.error({ err, topic: this.topic, partition: index }, 'loading coordinator partition failed');
    });
  }
}
