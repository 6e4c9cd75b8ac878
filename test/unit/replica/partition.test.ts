// The partition layer without sockets: leader appends and acks=all, the high watermark as the
// smallest log end offset of the ISR, ISR shrink and expand on an injected clock, leader-epoch
// fencing, follower appends and truncation by leader epoch, leadership changes.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { readBatchHeader } from '../../../protocol/records/batch-header.js';
import { MemoryLog } from '../../../src/log/memory-log.js';
import { Partition, type IsrChange, type PartitionState } from '../../../src/replica/partition.js';
import { errorCodeOf } from '../../helpers/error-code.js';
import { makeBatch, splitBatches } from '../log/batches.js';

const LAG_MS = 10_000;

interface Setup {
  partition: Partition;
  changes: IsrChange[];
  clock: { now: number };
  minIsr: { value: number };
}

function setup(localId: number, state: PartitionState): Setup {
  const clock = { now: 1_000_000 };
  const minIsr = { value: 1 };
  const changes: IsrChange[] = [];
  const partition = new Partition({
    topic: 't',
    partition: 0,
    localId,
    log: new MemoryLog(),
    state,
    minInsyncReplicas: () => minIsr.value,
    replicaLagTimeMaxMs: () => LAG_MS,
    clock: () => clock.now,
    onIsrChange: (c) => changes.push(c),
  });
  return { partition, changes, clock, minIsr };
}

const leaderOf3 = (isr: number[] = [1, 2, 3], leaderEpoch = 0): PartitionState => ({ leaderId: 1, leaderEpoch, replicas: [1, 2, 3], isr });

/** Settles after pending promise callbacks, to see whether a waiter resolved. */
const settled = async (p: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> => {
  let state: 'resolved' | 'rejected' | 'pending' = 'pending';
  p.then(() => (state = 'resolved'), () => (state = 'rejected'));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return state;
};

describe('Partition', () => {
  it('as a single node (replicas = ISR = itself) moves the high watermark to the log end after each append', async () => {
    const { partition } = setup(0, { leaderId: 0, leaderEpoch: 0, replicas: [0], isr: [0] });
    const a = await partition.appendAsLeader(makeBatch({ records: 3 }), { requiredAcks: -1 });
    expect(a).toMatchObject({ baseOffset: 0, lastOffset: 2 });
    expect(partition.highWatermark).toBe(3);
    await partition.waitForCommit(a.lastOffset, 1000);
    await partition.appendAsLeader(makeBatch({ records: 2 }));
    expect(partition.highWatermark).toBe(5);
    expect(partition.logEndOffset).toBe(5);
  });

  it('stamps the leader epoch into each appended batch', async () => {
    const { partition } = setup(1, leaderOf3([1], 7));
    await partition.appendAsLeader(makeBatch());
    const read = await partition.read(0, 1 << 20);
    expect(splitBatches(Buffer.concat(read.chunks)).map((b) => readBatchHeader(b).partitionLeaderEpoch)).toEqual([7]);
  });

  it('advances the high watermark to the smallest log end offset among the ISR', async () => {
    const { partition } = setup(1, leaderOf3());
    await partition.appendAsLeader(makeBatch({ records: 10 }));
    expect(partition.highWatermark).toBe(0);
    partition.updateFollowerFetchState(2, 6);
    expect(partition.highWatermark).toBe(0);
    partition.updateFollowerFetchState(3, 4);
    expect(partition.highWatermark).toBe(4);
    partition.updateFollowerFetchState(3, 10);
    expect(partition.highWatermark).toBe(6);
    partition.updateFollowerFetchState(2, 10);
    expect(partition.highWatermark).toBe(10);
    // Consumers see only what is committed.
    expect((await partition.read(0, 1 << 20)).highWatermark).toBe(10);
  });

  it('serves consumers up to the high watermark and followers up to the log end', async () => {
    const { partition } = setup(1, leaderOf3([1, 2]));
    await partition.appendAsLeader(makeBatch({ records: 2 }));
    await partition.appendAsLeader(makeBatch({ records: 2 }));
    partition.updateFollowerFetchState(2, 2);
    expect(partition.highWatermark).toBe(2);
    expect(splitBatches(Buffer.concat((await partition.read(0, 1 << 20)).chunks))).toHaveLength(1);
    const forFollower = await partition.readForFollower(2, 2, 1 << 20);
    expect(splitBatches(Buffer.concat(forFollower.chunks)).map((b) => readBatchHeader(b).baseOffset)).toEqual([2]);
    expect(forFollower.logEndOffset).toBe(4);
  });

  it('resolves an acks=all append only once the high watermark passes its last offset', async () => {
    const { partition } = setup(1, leaderOf3([1, 2]));
    const result = await partition.appendAsLeader(makeBatch({ records: 5 }), { requiredAcks: -1 });
    const commit = partition.waitForCommit(result.lastOffset, 60_000);
    partition.updateFollowerFetchState(2, 3);
    expect(await settled(commit)).toBe('pending');
    partition.updateFollowerFetchState(2, 5);
    expect(await settled(commit)).toBe('resolved');
  });

  it('times out an acks=all append the ISR does not reach (REQUEST_TIMED_OUT)', async () => {
    const { partition } = setup(1, leaderOf3([1, 2]));
    const result = await partition.appendAsLeader(makeBatch(), { requiredAcks: -1 });
    expect(await errorCodeOf(partition.waitForCommit(result.lastOffset, 0))).toBe(ErrorCode.REQUEST_TIMED_OUT);
  });

  it('refuses acks=all before appending when the ISR is smaller than min.insync.replicas (NOT_ENOUGH_REPLICAS)', async () => {
    const { partition, minIsr } = setup(1, leaderOf3([1]));
    minIsr.value = 2;
    expect(await errorCodeOf(partition.appendAsLeader(makeBatch(), { requiredAcks: -1 }))).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(partition.logEndOffset).toBe(0);
    // acks=1 is not held to min.insync.replicas.
    await partition.appendAsLeader(makeBatch(), { requiredAcks: 1 });
    expect(partition.logEndOffset).toBe(1);
  });

  it('answers NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrinks below min.insync.replicas while an acks=all append waits', async () => {
    const { partition, clock, minIsr, changes } = setup(1, leaderOf3([1, 2]));
    minIsr.value = 2;
    const result = await partition.appendAsLeader(makeBatch({ records: 2 }), { requiredAcks: -1 });
    const commit = partition.waitForCommit(result.lastOffset, 60_000);
    clock.now += LAG_MS + 1;
    partition.maybeShrinkIsr();
    expect(changes).toEqual([{ topic: 't', partition: 0, leaderEpoch: 0, isr: [1] }]);
    // The smaller ISR lets the high watermark reach the leader's log end, but below min.insync.replicas.
    expect(partition.highWatermark).toBe(2);
    expect(await errorCodeOf(commit)).toBe(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
  });

  it('shrinks the ISR by replica.lag.time.max.ms since a follower last caught up, and expands it once the follower reaches the high watermark', async () => {
    const { partition, clock, changes } = setup(1, leaderOf3());
    await partition.appendAsLeader(makeBatch({ records: 4 }));
    partition.updateFollowerFetchState(2, 4);
    partition.updateFollowerFetchState(3, 1);
    clock.now += LAG_MS;
    partition.maybeShrinkIsr();
    expect(partition.isr).toEqual([1, 2, 3]);
    clock.now += 1;
    partition.maybeShrinkIsr();
    // Follower 2 has the whole log, so it stays however long ago it fetched.
    expect(partition.isr).toEqual([1, 2]);
    expect(partition.highWatermark).toBe(4);
    partition.updateFollowerFetchState(3, 3);
    expect(partition.isr).toEqual([1, 2]);
    partition.updateFollowerFetchState(3, 4);
    expect(partition.isr).toEqual([1, 2, 3]);
    expect(changes.map((c) => c.isr)).toEqual([[1, 2], [1, 2, 3]]);
  });

  it('in a cluster proposes ISR changes to the controller: the high watermark counts the proposed and the current ISR until the decision arrives', async () => {
    const clock = { now: 1_000_000 };
    const proposed: IsrChange[] = [];
    const partition = new Partition({
      topic: 't',
      partition: 0,
      localId: 1,
      log: new MemoryLog(),
      state: leaderOf3(),
      minInsyncReplicas: () => 1,
      replicaLagTimeMaxMs: () => LAG_MS,
      clock: () => clock.now,
      proposeIsr: (c) => proposed.push(c),
    });
    await partition.appendAsLeader(makeBatch({ records: 4 }));
    partition.updateFollowerFetchState(2, 4);
    clock.now += LAG_MS + 1;
    partition.maybeShrinkIsr();
    expect(proposed).toEqual([{ topic: 't', partition: 0, leaderEpoch: 0, isr: [1, 2] }]);
    // Not yet decided: broker 3 still counts, and no second proposal goes out.
    expect(partition.isr).toEqual([1, 2, 3]);
    expect(partition.highWatermark).toBe(0);
    partition.maybeShrinkIsr();
    expect(proposed).toHaveLength(1);
    // The controller's decision arrives as the new state of the same epoch.
    partition.becomeLeader(leaderOf3([1, 2]));
    expect(partition.isr).toEqual([1, 2]);
    expect(partition.highWatermark).toBe(4);
    // A follower that catches up is proposed back; a refused proposal may be made again.
    partition.updateFollowerFetchState(3, 4);
    expect(proposed.at(-1)).toMatchObject({ isr: [1, 2, 3] });
    partition.clearPendingIsr();
    partition.updateFollowerFetchState(3, 4);
    expect(proposed).toHaveLength(3);
  });

  it('counts a follower caught up at its previous fetch when it reaches the log end that fetch saw', async () => {
    const { partition, clock } = setup(1, leaderOf3([1, 2]));
    await partition.appendAsLeader(makeBatch({ records: 2 }));
    partition.updateFollowerFetchState(2, 0); // fetch at T0 sees leader end 2
    await partition.appendAsLeader(makeBatch({ records: 2 }));
    clock.now += LAG_MS - 1;
    partition.updateFollowerFetchState(2, 2); // reached 2: caught up as of T0
    clock.now += 2;
    partition.maybeShrinkIsr();
    expect(partition.isr).toEqual([1]);
  });

  it('fences requests by leader epoch: older FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH', async () => {
    const { partition } = setup(1, leaderOf3([1], 5));
    expect(await errorCodeOf(partition.appendAsLeader(makeBatch(), { currentLeaderEpoch: 4 }))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(await errorCodeOf(partition.appendAsLeader(makeBatch(), { currentLeaderEpoch: 6 }))).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(await errorCodeOf(partition.read(0, 100, { currentLeaderEpoch: 4 }))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    await partition.appendAsLeader(makeBatch(), { currentLeaderEpoch: 5 });
    await partition.appendAsLeader(makeBatch(), { currentLeaderEpoch: -1 });
    expect(partition.logEndOffset).toBe(2);
  });

  it('answers NOT_LEADER_OR_FOLLOWER to produce and consumer fetch on a follower', async () => {
    const { partition } = setup(2, leaderOf3());
    expect(partition.isLeader).toBe(false);
    expect(await errorCodeOf(partition.appendAsLeader(makeBatch()))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(await errorCodeOf(partition.read(0, 100))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('replicates: a follower appends the leader batches as they are and follows its high watermark', async () => {
    const leader = setup(1, leaderOf3([1, 2], 3)).partition;
    const follower = setup(2, leaderOf3([1, 2], 3)).partition;
    await leader.appendAsLeader(makeBatch({ records: 2 }));
    await leader.appendAsLeader(makeBatch({ records: 3 }));
    const fetched = await leader.readForFollower(2, follower.logEndOffset, 1 << 20);
    await follower.appendAsFollower(Buffer.concat(fetched.chunks));
    follower.updateFollowerHighWatermark(fetched.highWatermark);
    expect(follower.logEndOffset).toBe(5);
    expect(follower.highWatermark).toBe(0);
    // The next fetch tells the leader the follower has everything: the high watermark moves on both.
    const next = await leader.readForFollower(2, follower.logEndOffset, 1 << 20);
    expect(leader.highWatermark).toBe(5);
    follower.updateFollowerHighWatermark(next.highWatermark);
    expect(follower.highWatermark).toBe(5);
    const stored = splitBatches(Buffer.concat((await follower.log.read(0, 1 << 20, { maxOffset: 5 })).chunks));
    expect(stored.map((b) => [readBatchHeader(b).baseOffset, readBatchHeader(b).partitionLeaderEpoch])).toEqual([[0, 3], [2, 3]]);
    expect(follower.log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 5 });
    // A leader takes no replicated batches.
    expect(await errorCodeOf(leader.appendAsFollower(Buffer.concat(fetched.chunks)))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('becomes leader in a new epoch (epoch starts at the log end) and becomes follower, failing waiting acks=all appends', async () => {
    const { partition } = setup(2, leaderOf3([1, 2, 3], 0));
    expect(partition.becomeLeader({ leaderId: 2, leaderEpoch: 1, replicas: [1, 2, 3], isr: [2, 3] })).toBe(true);
    expect(partition).toMatchObject({ isLeader: true, leaderId: 2, leaderEpoch: 1, isr: [2, 3] });
    const result = await partition.appendAsLeader(makeBatch({ records: 2 }), { requiredAcks: -1 });
    expect(partition.log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 2 });
    const commit = partition.waitForCommit(result.lastOffset, 60_000);
    // A stale epoch is ignored.
    expect(partition.becomeFollower({ leaderId: 1, leaderEpoch: 0, replicas: [1, 2, 3], isr: [1] })).toBe(false);
    expect(partition.isLeader).toBe(true);
    expect(partition.becomeFollower({ leaderId: 3, leaderEpoch: 2, replicas: [1, 2, 3], isr: [3] })).toBe(true);
    expect(await errorCodeOf(commit)).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(partition).toMatchObject({ isLeader: false, leaderId: 3, leaderEpoch: 2 });
  });

  it('answers where its log parts from a fetcher\'s last fetched epoch, as Kafka\'s Partition.readRecords', async () => {
    // Epoch 0 holds offsets 0-4, epoch 2 offsets 5-8; epoch 1 never wrote here.
    const { partition } = setup(1, { leaderId: 1, leaderEpoch: 0, replicas: [1], isr: [1] });
    await partition.appendAsLeader(makeBatch({ records: 5 }));
    partition.becomeLeader({ leaderId: 1, leaderEpoch: 2, replicas: [1], isr: [1] });
    await partition.appendAsLeader(makeBatch({ records: 4 }));
    // No last fetched epoch (-1), or one whose end here is at or past the fetch offset: the fetch reads.
    expect(partition.divergingEpoch(7, -1)).toBeUndefined();
    expect(partition.divergingEpoch(4, 0)).toBeUndefined();
    expect(partition.divergingEpoch(5, 0)).toBeUndefined();
    expect(partition.divergingEpoch(9, 2)).toBeUndefined();
    // Past the end of its epoch here: truncate there.
    expect(partition.divergingEpoch(6, 0)).toEqual({ epoch: 0, endOffset: 5 });
    expect(partition.divergingEpoch(10, 2)).toEqual({ epoch: 2, endOffset: 9 });
    // An epoch this log never had: the latest before it, ending where the next one starts.
    expect(partition.divergingEpoch(5, 1)).toEqual({ epoch: 0, endOffset: 5 });
    // An epoch newer than any here has no end: OFFSET_OUT_OF_RANGE.
    expect(await errorCodeOf(() => partition.divergingEpoch(3, 3))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    // So is a fetch offset below the log start, diverging or not.
    await partition.log.deleteRecordsBefore(3);
    expect(await errorCodeOf(() => partition.divergingEpoch(2, 2))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(partition.divergingEpoch(3, 2)).toBeUndefined();
  });

  it('truncates as a follower by the leader epoch end offset the leader answers', async () => {
    // The follower wrote epochs 1 (offsets 0-1) and 2 (offsets 2-4) while leading; the new leader
    // has epoch 1 up to offset 3 and never saw epoch 2.
    const { partition } = setup(2, { leaderId: 2, leaderEpoch: 1, replicas: [1, 2], isr: [2] });
    await partition.appendAsLeader(makeBatch({ records: 2 }));
    partition.becomeLeader({ leaderId: 2, leaderEpoch: 2, replicas: [1, 2], isr: [2] });
    await partition.appendAsLeader(makeBatch({ records: 3 }));
    partition.becomeFollower({ leaderId: 1, leaderEpoch: 3, replicas: [1, 2], isr: [1] });
    // Asked for epoch 2, the leader answers its largest epoch at or below it: 1, ending at 3.
    // The follower's epoch 1 ends at 2, so it truncates there.
    expect(await partition.truncateByLeaderEpoch({ epoch: 1, endOffset: 3 })).toEqual({ offset: 2, complete: true });
    expect(partition.logEndOffset).toBe(2);
    expect(partition.highWatermark).toBe(2);
    expect(partition.log.latestEpoch).toBe(1);
  });

  it('truncates to the leader end offset of the same epoch when the follower has more of it', async () => {
    const { partition } = setup(2, { leaderId: 2, leaderEpoch: 4, replicas: [1, 2], isr: [2] });
    for (let i = 0; i < 3; i++) await partition.appendAsLeader(makeBatch({ records: 2 }));
    partition.becomeFollower({ leaderId: 1, leaderEpoch: 5, replicas: [1, 2], isr: [1] });
    expect(await partition.truncateByLeaderEpoch({ epoch: 4, endOffset: 6 })).toEqual({ offset: 6, complete: true });
    expect(await partition.truncateByLeaderEpoch({ epoch: -1, endOffset: -1 })).toEqual({ offset: 6, complete: true });
    await partition.truncateTo(2);
    expect(partition.logEndOffset).toBe(2);
  });
});
