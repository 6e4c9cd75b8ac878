// One topic-partition as a replica on this broker (Kafka's cluster/Partition): its log, who leads
// it in which leader epoch, its replicas and in-sync replicas (ISR), the fetch positions of the
// followers when this broker leads, and the high watermark, which it moves — the log never does.
// As leader: appends stamp the leader epoch; the high watermark is the smallest log end offset
// among the ISR; a follower leaves the ISR when it has not caught up for replica.lag.time.max.ms
// and joins it when it reaches the high watermark; an acks=all append completes once the high
// watermark passes it. As follower: appends keep the leader's offsets and epochs, and the high
// watermark follows the leader's. A single node leads with replicas = ISR = [itself], so the
// high watermark reaches the log end as soon as each append is written.
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';
import { ListenerList } from '../listener-list.js';
import type { EpochEndOffset } from '../log/leader-epochs.js';
import type { AppendResult, PartitionLog, ReadResult } from '../log/partition-log.js';

/** A partition's leadership and replica sets as the controller assigns them. */
export interface PartitionState {
  leaderId: number;
  leaderEpoch: number;
  replicas: readonly number[];
  isr: readonly number[];
}

/** An ISR this leader shrank or expanded, for whoever persists partition state. */
export interface IsrChange {
  topic: string;
  partition: number;
  leaderEpoch: number;
  isr: readonly number[];
}

/** acks=-1: the leader waits for the ISR. */
export const ACKS_ALL = -1;
/** A request that carries no leader epoch (Kafka's -1): no fencing. */
export const NO_LEADER_EPOCH = -1;

export interface PartitionOptions {
  topic: string;
  partition: number;
  /** This broker's node id. */
  localId: number;
  log: PartitionLog;
  state: PartitionState;
  /** The topic's min.insync.replicas (read at each acks=all append: configs change). */
  minInsyncReplicas: () => number;
  /** replica.lag.time.max.ms. */
  replicaLagTimeMaxMs: () => number;
  /** Injected for tests; Date.now by default. */
  clock?: () => number;
  /** A single node's ISR changes take effect at once and are reported here. */
  onIsrChange?: (change: IsrChange) => void;
  /** Fault injection (src/faults/): while true, this leader answers as if leadership had moved. */
  leadershipWithheld?: () => boolean;
  /**
   * In a cluster the controller decides: an ISR change is proposed here and takes effect when
   * the controller's new state arrives (becomeLeader); meanwhile the high watermark counts the
   * union of the current and the proposed ISR (Kafka's maximal ISR), and no other change is proposed.
   */
  proposeIsr?: (change: IsrChange) => void;
}

export interface LeaderAppendOptions {
  /** The produce request's acks: -1 checks min.insync.replicas first. Default 1. */
  requiredAcks?: number;
  /** The epoch the client believes current, where the request carries one. */
  currentLeaderEpoch?: number;
  crcVerified?: boolean;
  now?: number;
}

export interface ConsumerReadOptions {
  /** Exclusive bound on what is returned, at most the high watermark (read_committed passes the last stable offset). */
  maxOffset?: number;
  minOneBatch?: boolean;
  currentLeaderEpoch?: number;
  /** See ReadOptions.buffer. */
  buffer?: (bytes: number) => Buffer;
}

/** Where the follower stands, as the leader sees it. */
interface FollowerState {
  /** -1 until its first fetch under this leader. */
  logEndOffset: number;
  lastCaughtUpTime: number;
  /** The leader's log end and the time of the follower's previous fetch (Kafka's catch-up rule). */
  lastFetchLeaderLogEndOffset: number;
  lastFetchTime: number;
}

interface CommitWaiter {
  /** Resolves once the high watermark is above it. */
  lastOffset: number;
  resolve: () => void;
  reject: (err: KafkaError) => void;
  timer: NodeJS.Timeout;
}

export class Partition {
  readonly topic: string;
  readonly index: number;
  readonly log: PartitionLog;
  private readonly localId: number;
  private leader: number;
  private epoch: number;
  private replicaIds: readonly number[];
  private isrIds: readonly number[];
  /** Where this leader's epoch started in the log (a follower joins the ISR only past it). */
  private epochStartOffset: number;
  private readonly followers = new Map<number, FollowerState>();
  /** Everything below it is written locally (offsets are assigned before their write ends). */
  private writtenEnd: number;
  private readonly waiters = new Set<CommitWaiter>();
  private readonly clock: () => number;
  /** An ISR change proposed to the controller and not yet decided. */
  private pendingIsr: readonly number[] | undefined;
  private readonly writtenListeners = new ListenerList<void>();

  constructor(private readonly o: PartitionOptions) {
    this.topic = o.topic;
    this.index = o.partition;
    this.log = o.log;
    this.localId = o.localId;
    this.clock = o.clock ?? Date.now;
    this.leader = o.state.leaderId;
    this.epoch = o.state.leaderEpoch;
    this.replicaIds = [...o.state.replicas];
    this.isrIds = [...o.state.isr];
    this.writtenEnd = o.log.logEndOffset;
    this.epochStartOffset = this.writtenEnd;
    if (this.isLeader) this.resetFollowers();
  }

  get isLeader(): boolean {
    return this.leader === this.localId;
  }

  get leaderId(): number {
    return this.leader;
  }

  get leaderEpoch(): number {
    return this.epoch;
  }

  get replicas(): readonly number[] {
    return this.replicaIds;
  }

  get isr(): readonly number[] {
    return this.isrIds;
  }

  get highWatermark(): number {
    return this.log.highWatermark;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  /**
   * Kafka's checks of a request against this replica, in its order: the client's leader epoch
   * (older: FENCED_LEADER_EPOCH, newer: UNKNOWN_LEADER_EPOCH), then leadership (NOT_LEADER_OR_FOLLOWER).
   */
  checkLeaderEpoch(currentLeaderEpoch: number = NO_LEADER_EPOCH): void {
    if (currentLeaderEpoch !== NO_LEADER_EPOCH) {
      if (currentLeaderEpoch < this.epoch) {
        throw new KafkaError(ErrorCode.FENCED_LEADER_EPOCH, `The leader epoch in the request ${currentLeaderEpoch} is older than the current leader epoch ${this.epoch} of ${this.name}`);
      }
      if (currentLeaderEpoch > this.epoch) {
        throw new KafkaError(ErrorCode.UNKNOWN_LEADER_EPOCH, `The leader epoch in the request ${currentLeaderEpoch} is newer than the current leader epoch ${this.epoch} of ${this.name}`);
      }
    }
    if (!this.isLeader || this.o.leadershipWithheld?.() === true) throw this.notLeader();
  }

  /** acks=all is refused before anything is written while the ISR is smaller than min.insync.replicas. */
  checkEnoughReplicas(requiredAcks: number): void {
    const minIsr = this.o.minInsyncReplicas();
    if (requiredAcks === ACKS_ALL && this.isrIds.length < minIsr) {
      throw new KafkaError(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `The size of the current ISR [${this.isrIds.join(', ')}] is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${this.name}`,
      );
    }
  }

  /** Appends produced (or broker-written) batches as leader, stamping the leader epoch into each. */
  async appendAsLeader(records: Buffer, opts: LeaderAppendOptions = {}): Promise<AppendResult> {
    this.checkLeaderEpoch(opts.currentLeaderEpoch);
    this.checkEnoughReplicas(opts.requiredAcks ?? 1);
    const epoch = this.epoch;
    const result = await this.log.append(records, {
      leaderEpoch: epoch,
      ...(opts.crcVerified !== undefined && { crcVerified: opts.crcVerified }),
      ...(opts.now !== undefined && { now: opts.now }),
    });
    this.noteWritten(result.lastOffset + 1);
    if (this.isLeader && this.epoch === epoch) this.maybeIncrementHighWatermark();
    return result;
  }

  /**
   * Resolves once the high watermark passes `lastOffset` (acks=all), with
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR is then smaller than min.insync.replicas,
   * NOT_LEADER_OR_FOLLOWER when leadership moves first, REQUEST_TIMED_OUT after `timeoutMs`.
   */
  waitForCommit(lastOffset: number, timeoutMs: number): Promise<void> {
    if (!this.isLeader) return Promise.reject(this.notLeader());
    if (this.highWatermark > lastOffset) return this.checkCommittedIsr();
    return new Promise<void>((resolve, reject) => {
      const waiter: CommitWaiter = {
        lastOffset,
        resolve: () => this.checkCommittedIsr().then(resolve, reject),
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `Timed out after ${timeoutMs} ms waiting for the in-sync replicas of ${this.name} to reach offset ${lastOffset}`));
        }, Math.max(0, timeoutMs)),
      };
      this.waiters.add(waiter);
    });
  }

  /** Appends batches fetched from the leader as they are: their offsets and leader epochs are kept. */
  async appendAsFollower(records: Buffer): Promise<AppendResult> {
    if (this.isLeader) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `${this.name} is led by this broker; it takes no replicated batches`);
    const result = await this.log.append(records, { leaderEpoch: this.epoch, asFollower: true });
    this.noteWritten(result.lastOffset + 1);
    return result;
  }

  /** A follower learns the leader's high watermark from each fetch response; its own cannot pass its log end. */
  updateFollowerHighWatermark(leaderHighWatermark: number): void {
    if (!this.isLeader) this.log.advanceHighWatermark(Math.min(leaderHighWatermark, this.writtenEnd));
  }

  /**
   * Where a fetch's reads stop: a follower's at the log end; a consumer's at the high watermark, or
   * at a lower bound given (read_committed's last stable offset). What a waiting fetch counts as
   * available and what the read answering it returns both end here.
   */
  readEnd(follower: boolean, maxOffset?: number): number {
    if (follower) return this.log.logEndOffset;
    return Math.min(maxOffset ?? this.highWatermark, this.highWatermark);
  }

  /**
   * Kafka's Partition.readRecords check of a fetch naming the epoch of the last batch it fetched
   * (Fetch v12+; negative for none): where this log parts from the fetcher's — the end here of
   * that epoch, or of the latest one before it — when that end is below the fetch offset or the
   * epoch is not this log's; undefined when the fetch may read. OFFSET_OUT_OF_RANGE when this log
   * knows no end for the epoch (it is newer than any here), or the fetch offset is below the log start.
   */
  divergingEpoch(fetchOffset: number, lastFetchedEpoch: number): EpochEndOffset | undefined {
    if (lastFetchedEpoch < 0) return undefined;
    const end = this.log.endOffsetForEpoch(lastFetchedEpoch);
    if (end.epoch < 0 || end.endOffset < 0) {
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `Could not determine the end offset of the last fetched epoch ${lastFetchedEpoch} of ${this.name}`);
    }
    if (fetchOffset < this.logStartOffset) {
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${fetchOffset} of ${this.name} is below the log start offset ${this.logStartOffset}`);
    }
    return end.epoch < lastFetchedEpoch || end.endOffset < fetchOffset ? end : undefined;
  }

  /** A consumer's read: only the leader serves it, up to `readEnd`. */
  async read(fetchOffset: number, maxBytes: number, opts: ConsumerReadOptions = {}): Promise<ReadResult> {
    this.checkLeaderEpoch(opts.currentLeaderEpoch);
    return this.log.read(fetchOffset, maxBytes, { maxOffset: this.readEnd(false, opts.maxOffset), minOneBatch: opts.minOneBatch, buffer: opts.buffer });
  }

  /**
   * A follower's fetch: reads up to the log end, then records that `replicaId` has everything
   * below `fetchOffset` (which may move the ISR and the high watermark).
   */
  async readForFollower(replicaId: number, fetchOffset: number, maxBytes: number, opts: Pick<ConsumerReadOptions, 'currentLeaderEpoch' | 'minOneBatch'> = {}): Promise<ReadResult> {
    this.checkLeaderEpoch(opts.currentLeaderEpoch);
    const leaderEnd = this.readEnd(true);
    const read = await this.log.read(fetchOffset, maxBytes, { maxOffset: leaderEnd, minOneBatch: opts.minOneBatch });
    this.updateFollowerFetchState(replicaId, fetchOffset, leaderEnd);
    return { ...read, highWatermark: this.highWatermark };
  }

  /**
   * Records a follower's fetch position (its log end offset). A follower that fetched from the
   * leader's log end is caught up; one that reached the leader's log end of its previous fetch
   * was caught up at that fetch's time (Kafka's rule, so a busy partition does not drop it).
   */
  updateFollowerFetchState(replicaId: number, followerEndOffset: number, leaderEndOffset = this.log.logEndOffset, now = this.clock()): void {
    if (!this.isLeader) throw this.notLeader();
    const f = this.followers.get(replicaId);
    if (f === undefined) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Replica ${replicaId} is not a replica of ${this.name}`);
    if (followerEndOffset >= leaderEndOffset) f.lastCaughtUpTime = Math.max(f.lastCaughtUpTime, now);
    else if (followerEndOffset >= f.lastFetchLeaderLogEndOffset) f.lastCaughtUpTime = Math.max(f.lastCaughtUpTime, f.lastFetchTime);
    f.logEndOffset = followerEndOffset;
    f.lastFetchLeaderLogEndOffset = leaderEndOffset;
    f.lastFetchTime = now;
    this.maybeExpandIsr(replicaId, f);
    this.maybeIncrementHighWatermark();
  }

  /** Drops from the ISR the followers not caught up within replica.lag.time.max.ms (the leader stays). */
  maybeShrinkIsr(now = this.clock()): void {
    if (!this.isLeader || this.pendingIsr !== undefined) return;
    const lag = this.o.replicaLagTimeMaxMs();
    const leaderEnd = this.writtenEnd;
    const outOfSync = this.isrIds.filter((id) => {
      const f = this.followers.get(id);
      return id !== this.localId && f !== undefined && f.logEndOffset !== leaderEnd && now - f.lastCaughtUpTime > lag;
    });
    if (outOfSync.length === 0) return;
    this.setIsr(this.isrIds.filter((id) => !outOfSync.includes(id)));
    // A smaller ISR may let the high watermark move, and waiting acks=all appends complete or fail.
    this.maybeIncrementHighWatermark();
    this.completeWaiters();
  }

  /**
   * Leads `state.leaderEpoch` from now on: a new epoch starts at the log end; every follower's
   * position is unknown until it fetches (ISR members count as caught up now, as in Kafka).
   * Returns false for an older epoch than the current one (a stale request, ignored).
   */
  becomeLeader(state: PartitionState): boolean {
    if (state.leaderId !== this.localId) throw new Error(`becomeLeader for ${this.name} names leader ${state.leaderId}, not this broker`);
    if (state.leaderEpoch < this.epoch) return false;
    const newEpoch = state.leaderEpoch > this.epoch || !this.isLeader;
    this.applyState(state);
    if (newEpoch) {
      this.log.assignLeaderEpoch(state.leaderEpoch);
      this.writtenEnd = this.log.logEndOffset;
      this.epochStartOffset = this.writtenEnd;
      this.resetFollowers();
    } else {
      this.syncFollowers();
    }
    this.maybeIncrementHighWatermark();
    return true;
  }

  /** Follows `state.leaderId` in `state.leaderEpoch`; acks=all appends still waiting fail with NOT_LEADER_OR_FOLLOWER. */
  becomeFollower(state: PartitionState): boolean {
    if (state.leaderId === this.localId) throw new Error(`becomeFollower for ${this.name} names this broker as leader`);
    if (state.leaderEpoch < this.epoch) return false;
    this.applyState(state);
    this.followers.clear();
    for (const w of this.waiters) this.failWaiter(w, this.notLeader());
    return true;
  }

  /**
   * A follower's truncation after asking the leader for the end of its latest epoch
   * (OffsetForLeaderEpoch; Kafka's AbstractFetcherThread rules). Returns the offset truncated to
   * and whether the follower must ask again for an earlier epoch (it has none matching).
   */
  async truncateByLeaderEpoch(leader: EpochEndOffset): Promise<{ offset: number; complete: boolean }> {
    const end = this.log.logEndOffset;
    let target: number;
    let complete = true;
    if (leader.endOffset < 0) {
      target = this.highWatermark;
    } else if (leader.epoch < 0) {
      target = Math.min(leader.endOffset, end);
    } else {
      const local = this.log.endOffsetForEpoch(leader.epoch);
      if (local.endOffset < 0) {
        target = Math.min(leader.endOffset, end);
      } else if (local.epoch !== leader.epoch) {
        target = Math.min(local.endOffset, end);
        complete = false;
      } else {
        target = Math.min(leader.endOffset, local.endOffset, end);
      }
    }
    await this.truncateTo(target);
    return { offset: this.log.logEndOffset, complete };
  }

  /** Removes everything from `offset` on (a follower diverging from its leader). */
  async truncateTo(offset: number): Promise<void> {
    await this.log.truncateTo(offset);
    this.writtenEnd = Math.min(this.writtenEnd, this.log.logEndOffset);
  }

  /** Subscribes to local writes moving the log end (new data for followers); returns the unsubscribe function. */
  onWritten(listener: () => void): () => void {
    return this.writtenListeners.add(listener);
  }

  /** The controller refused or dropped this leader's proposed ISR: it may propose again. */
  clearPendingIsr(): void {
    this.pendingIsr = undefined;
  }

  /** Subscribes to high watermark advances (new data for consumers); returns the unsubscribe function. */
  onHighWatermark(listener: (highWatermark: number) => void): () => void {
    return this.log.onAppend(listener);
  }

  private get name(): string {
    return `${this.topic}-${this.index}`;
  }

  private notLeader(): KafkaError {
    return new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `This broker (${this.localId}) is not the leader of ${this.name}; the leader is ${this.leader}`);
  }

  private applyState(state: PartitionState): void {
    this.pendingIsr = undefined;
    this.leader = state.leaderId;
    this.epoch = state.leaderEpoch;
    this.replicaIds = [...state.replicas];
    this.isrIds = [...state.isr];
  }

  private noteWritten(end: number): void {
    if (end <= this.writtenEnd) return;
    this.writtenEnd = end;
    this.writtenListeners.emit();
  }

  private resetFollowers(): void {
    this.followers.clear();
    this.syncFollowers();
  }

  /** Keeps a state for every other replica: new ones start unknown; ISR members count as caught up now. */
  private syncFollowers(): void {
    const now = this.clock();
    for (const id of this.followers.keys()) if (!this.replicaIds.includes(id)) this.followers.delete(id);
    for (const id of this.replicaIds) {
      if (id === this.localId || this.followers.has(id)) continue;
      const caughtUp = this.isrIds.includes(id) ? now : 0;
      this.followers.set(id, { logEndOffset: -1, lastCaughtUpTime: caughtUp, lastFetchLeaderLogEndOffset: -1, lastFetchTime: 0 });
    }
  }

  /** Kafka's rule: a follower rejoins once it has the high watermark and everything of the current epoch before it. */
  private maybeExpandIsr(replicaId: number, f: FollowerState): void {
    if (this.isrIds.includes(replicaId) || this.pendingIsr !== undefined) return;
    if (f.logEndOffset >= this.highWatermark && f.logEndOffset >= this.epochStartOffset) this.setIsr([...this.isrIds, replicaId]);
  }

  private setIsr(isr: number[]): void {
    const change = { topic: this.topic, partition: this.index, leaderEpoch: this.epoch, isr };
    if (this.o.proposeIsr) {
      this.pendingIsr = isr;
      this.o.proposeIsr(change);
      return;
    }
    this.isrIds = isr;
    this.o.onIsrChange?.(change);
  }

  /** The high watermark: the smallest log end offset among the ISR (this leader's own included). */
  private maybeIncrementHighWatermark(): void {
    if (!this.isLeader) return;
    let hw = this.writtenEnd;
    const maximalIsr = this.pendingIsr === undefined ? this.isrIds : new Set([...this.isrIds, ...this.pendingIsr]);
    for (const id of maximalIsr) {
      if (id === this.localId) continue;
      const f = this.followers.get(id);
      hw = Math.min(hw, f === undefined ? -1 : f.logEndOffset);
    }
    if (hw > this.log.highWatermark) {
      this.log.advanceHighWatermark(hw);
      this.completeWaiters();
    }
  }

  private completeWaiters(): void {
    for (const w of this.waiters) {
      if (this.highWatermark > w.lastOffset) {
        this.waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve();
      }
    }
  }

  private failWaiter(w: CommitWaiter, err: KafkaError): void {
    this.waiters.delete(w);
    clearTimeout(w.timer);
    w.reject(err);
  }

  private checkCommittedIsr(): Promise<void> {
    const minIsr = this.o.minInsyncReplicas();
    if (this.isrIds.length >= minIsr) return Promise.resolve();
    return Promise.reject(
      new KafkaError(
        ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
        `The size of the current ISR [${this.isrIds.join(', ')}] is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${this.name}`,
      ),
    );
  }
}
