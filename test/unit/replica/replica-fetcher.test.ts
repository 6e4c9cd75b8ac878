// A follower's replica fetcher against a fake leader on a loopback socket, which records each Fetch
// and answers it without records once its max wait is over (at once when a partition is told to
// fail): the sizes and wait its requests carry (replica.fetch.max.bytes,
// replica.fetch.response.max.bytes, replica.fetch.min.bytes, replica.fetch.wait.max.ms), and
// replica.fetch.backoff.ms after a partition's error (its other partitions fetched meanwhile, as
// in Kafka's fetcher) and after a broken connection; and truncation on fetch: the epoch of its
// last batch in each fetch, and truncation where the leader answers that the logs diverge.
// OffsetForLeaderEpoch is answered as a leader whose log matches the follower's.
import { createServer, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRequest, encodeResponse, type RequestOf, type ResponseOf } from '../../../protocol/codec/messages.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { MemoryLog } from '../../../src/log/memory-log.js';
import { Partition } from '../../../src/replica/partition.js';
import { ReplicaFetcher, type ReplicaFetchSettings } from '../../../src/replica/replica-fetcher.js';
import { eventually } from '../../helpers/eventually.js';
import { makeBatch } from '../log/batches.js';

const LOCAL_ID = 1;
const LEADER_ID = 2;
const TOPIC = 'followed';
const FETCH = 1;
const OFFSET_FOR_LEADER_EPOCH = 23;
/** Where the fake leader's log ends, past any follower's in these tests. */
const LEADER_LOG_END = 1_000_000;

/** A Fetch as the leader received it, and when it answered. */
interface SeenFetch {
  body: RequestOf<1>;
  partitions: number[];
  receivedAt: number;
  answeredAt?: number;
}

class FakeLeader {
  readonly fetches: SeenFetch[] = [];
  /** When each connection was accepted. */
  readonly acceptedAt: number[] = [];
  /** By partition: the error codes its next fetches are answered with, in turn (then NONE). */
  readonly errors = new Map<number, number[]>();
  /** The OffsetForLeaderEpoch requests received. */
  readonly epochQueries: RequestOf<23>[] = [];
  /** By partition: the diverging epoch its next fetch is answered with (once). */
  readonly diverging = new Map<number, { epoch: number; endOffset: number }>();
  /** Closes the connection instead of answering the next Fetch. */
  dropNextFetch = false;
  droppedAt: number | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  constructor() {
    this.server = createServer((socket) => {
      this.acceptedAt.push(Date.now());
      this.sockets.add(socket);
      const timers = new Set<NodeJS.Timeout>();
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        for (const t of timers) clearTimeout(t);
      });
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 4 && buffered.length >= buffered.readInt32BE(0) + 4) {
          const { header, body } = decodeRequest(buffered.subarray(4, buffered.readInt32BE(0) + 4));
          buffered = buffered.subarray(buffered.readInt32BE(0) + 4);
          if (header.apiKey === OFFSET_FOR_LEADER_EPOCH) {
            const asked = body as RequestOf<23>;
            this.epochQueries.push(asked);
            // The leader has each epoch the follower asks about, and more of it: nothing to truncate.
            const answer: ResponseOf<23> = {
              throttleTimeMs: 0,
              topics: asked.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ errorCode: ErrorCode.NONE, partition: p.partition, leaderEpoch: p.leaderEpoch, endOffset: LEADER_LOG_END })) })),
            };
            for (const b of encodeResponse(OFFSET_FOR_LEADER_EPOCH, header.apiVersion, header.correlationId, answer)) socket.write(b);
            continue;
          }
          if (header.apiKey !== FETCH) throw new Error(`the fake leader answers Fetch and OffsetForLeaderEpoch only; the follower sent API ${header.apiKey}`);
          if (this.dropNextFetch) {
            this.dropNextFetch = false;
            this.droppedAt = Date.now();
            socket.destroy();
            return;
          }
          const seen = this.seen(body as RequestOf<1>);
          const answer = seen.body.topics.map((t) => ({ topic: t.topic, topicId: t.topicId, partitions: t.partitions.map((p) => this.answer(p.partition)) }));
          const failed = answer.some((t) => t.partitions.some((p) => p.errorCode !== ErrorCode.NONE || p.divergingEpoch !== undefined));
          const respond = (): void => {
            seen.answeredAt = Date.now();
            const response: ResponseOf<1> = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: answer };
            for (const b of encodeResponse(FETCH, header.apiVersion, header.correlationId, response)) socket.write(b);
          };
          // As a leader with nothing new: errors and divergence at once, else once the fetch's wait is over.
          if (failed) respond();
          else timers.add(setTimeout(respond, seen.body.maxWaitMs));
        }
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private answer(partitionIndex: number): PartitionAnswer {
    const out = partitionAnswer(partitionIndex, this.errors.get(partitionIndex)?.shift());
    const diverging = this.diverging.get(partitionIndex);
    this.diverging.delete(partitionIndex);
    return diverging === undefined ? out : { ...out, divergingEpoch: diverging };
  }

  private seen(body: RequestOf<1>): SeenFetch {
    const seen = { body, partitions: body.topics.flatMap((t) => t.partitions.map((p) => p.partition)), receivedAt: Date.now() };
    this.fetches.push(seen);
    return seen;
  }
}

type PartitionAnswer = ResponseOf<1>['responses'][number]['partitions'][number];

function partitionAnswer(partitionIndex: number, errorCode: number = ErrorCode.NONE): PartitionAnswer {
  return { partitionIndex, errorCode, highWatermark: 0, lastStableOffset: 0, logStartOffset: 0, abortedTransactions: null, preferredReadReplica: -1, records: null };
}

/** Kafka's defaults, but a short wait so that the fake leader answers often. */
const DEFAULTS: ReplicaFetchSettings = {
  waitMaxMs: 50,
  minBytes: 1,
  partitionMaxBytes: 1048576,
  responseMaxBytes: 10485760,
  backoffMs: 1000,
  timeouts: { requestTimeoutMs: 30_000, readyTimeoutMs: 30_000 },
  socketOptions: { apply: () => undefined },
};

let leader: FakeLeader;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await leader.close();
});

/** A partition of the followed topic that this broker follows (in epoch 0 unless `state` says otherwise). */
function followerPartition(index: number, state = { leaderId: LEADER_ID, leaderEpoch: 0, replicas: [LEADER_ID, LOCAL_ID], isr: [LEADER_ID, LOCAL_ID] }): Partition {
  return new Partition({ topic: TOPIC, partition: index, localId: LOCAL_ID, log: new MemoryLog(), state, minInsyncReplicas: () => 1, replicaLagTimeMaxMs: () => 30_000 });
}

/** A fetcher from `fake` (the test's leader from then on) following `partitions`: indexes of an empty topic's, or partitions set up already. */
async function follow(partitions: (number | Partition)[], settings: Partial<ReplicaFetchSettings>, fake = new FakeLeader()): Promise<void> {
  leader = fake;
  const port = await leader.listen();
  const fetcher = new ReplicaFetcher({
    localId: LOCAL_ID,
    throttle: { isThrottled: () => false, isExceeded: () => false, record: () => undefined },
    appender: () => ({ appendReplicated: () => Promise.reject(new Error('the fake leader sends no records')), reloadProducerState: () => Promise.resolve() }),
    leaderAddress: () => ({ nodeId: LEADER_ID, host: '127.0.0.1', port, rack: null }),
    security: { listenerName: 'PLAINTEXT' },
    settings: { ...DEFAULTS, ...settings },
    log: pino({ level: 'silent' }),
  });
  cleanups.push(() => fetcher.close());
  for (const p of partitions) fetcher.add(typeof p === 'number' ? followerPartition(p) : p);
}

describe('ReplicaFetcher', () => {
  it('asks for replica.fetch.max.bytes of each partition and replica.fetch.response.max.bytes in all, waiting up to replica.fetch.wait.max.ms for replica.fetch.min.bytes', async () => {
    await follow([0, 1], { partitionMaxBytes: 4096, responseMaxBytes: 6144, minBytes: 100, waitMaxMs: 70 });
    const first = await eventually(() => leader.fetches[0], 'a fetch');
    expect(first.body).toMatchObject({
      replicaId: LOCAL_ID,
      maxWaitMs: 70,
      minBytes: 100,
      maxBytes: 6144,
      topics: [{ topic: TOPIC, partitions: [{ partition: 0, partitionMaxBytes: 4096 }, { partition: 1, partitionMaxBytes: 4096 }] }],
    });
  });

  it('leaves a partition whose fetch failed out of its fetches for replica.fetch.backoff.ms, fetching the others meanwhile', async () => {
    const backoffMs = 600;
    await follow([0, 1], { backoffMs });
    leader.errors.set(0, [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const failed = await eventually(() => leader.fetches.find((f) => f.partitions.includes(0) && f.answeredAt !== undefined), 'the failed fetch');
    const retried = await eventually(() => leader.fetches.slice(leader.fetches.indexOf(failed) + 1).find((f) => f.partitions.includes(0)), "partition 0's next fetch");
    expect(retried.receivedAt - failed.answeredAt!).toBeGreaterThanOrEqual(backoffMs);
    // Each answered after its 50 ms wait, several fetches of partition 1 alone fit in the backoff.
    const meanwhile = leader.fetches.slice(leader.fetches.indexOf(failed) + 1, leader.fetches.indexOf(retried));
    expect(meanwhile.length).toBeGreaterThanOrEqual(5);
    for (const f of meanwhile) expect(f.partitions).toEqual([1]);
  });

  it('sends the epoch of its last batch with each fetch, and truncates where the leader answers that the logs diverge', async () => {
    // This broker led epoch 0 (offsets 0-4, a batch each) and epoch 2 (offsets 5-7), and follows
    // in epoch 3 a leader that first finds nothing to truncate, then answers its fetch that its
    // epoch 0 ends at offset 3 (its log changed in between, as after an unclean election).
    const partition = followerPartition(0, { leaderId: LOCAL_ID, leaderEpoch: 0, replicas: [LEADER_ID, LOCAL_ID], isr: [LOCAL_ID] });
    for (let i = 0; i < 5; i++) await partition.appendAsLeader(makeBatch());
    partition.becomeLeader({ leaderId: LOCAL_ID, leaderEpoch: 2, replicas: [LEADER_ID, LOCAL_ID], isr: [LOCAL_ID] });
    await partition.appendAsLeader(makeBatch({ records: 3 }));
    partition.becomeFollower({ leaderId: LEADER_ID, leaderEpoch: 3, replicas: [LEADER_ID, LOCAL_ID], isr: [LEADER_ID] });
    const fake = new FakeLeader();
    fake.diverging.set(0, { epoch: 0, endOffset: 3 });
    await follow([partition], {}, fake);
    const first = await eventually(() => leader.fetches[0], 'a fetch');
    expect(leader.epochQueries.map((q) => q.topics[0]!.partitions[0]!.leaderEpoch)).toEqual([2]);
    expect(first.body.topics[0]!.partitions[0]).toMatchObject({ fetchOffset: 8, lastFetchedEpoch: 2, currentLeaderEpoch: 3 });
    const next = await eventually(() => leader.fetches[1], 'the fetch after the truncation');
    expect(next.body.topics[0]!.partitions[0]).toMatchObject({ fetchOffset: 3, lastFetchedEpoch: 0 });
    expect(partition.logEndOffset).toBe(3);
  });

  it('forgets an epoch it led without appending when it follows again, so that its fetches name the epoch of its last batch', async () => {
    // This broker wrote offsets 0-4 in epoch 0, then led epoch 1 without appending anything (a
    // preferred election with no produce after it), and follows in epoch 2 a leader that has no
    // epoch 1. Its log keeps every batch, but the empty epoch goes when it checks its log against
    // the leader's (as Kafka's truncateTo cuts the epoch cache even when it cuts no data); kept,
    // every fetch would name epoch 1, the leader would answer that the logs diverge at this
    // broker's log end, and the follower would never fetch on (nor the leader's high watermark move).
    const partition = followerPartition(0, { leaderId: LOCAL_ID, leaderEpoch: 0, replicas: [LEADER_ID, LOCAL_ID], isr: [LOCAL_ID] });
    for (let i = 0; i < 5; i++) await partition.appendAsLeader(makeBatch());
    partition.becomeLeader({ leaderId: LOCAL_ID, leaderEpoch: 1, replicas: [LEADER_ID, LOCAL_ID], isr: [LOCAL_ID] });
    partition.becomeFollower({ leaderId: LEADER_ID, leaderEpoch: 2, replicas: [LEADER_ID, LOCAL_ID], isr: [LEADER_ID] });
    expect(partition.log.latestEpoch).toBe(1);
    const fake = new FakeLeader();
    // The leader's answer to a fetch naming epoch 1: its epoch 0 ends at this broker's log end.
    fake.diverging.set(0, { epoch: 0, endOffset: 5 });
    await follow([partition], {}, fake);
    const first = await eventually(() => leader.fetches[0], 'a fetch');
    expect(first.body.topics[0]!.partitions[0]).toMatchObject({ fetchOffset: 5, lastFetchedEpoch: 0 });
    const next = await eventually(() => leader.fetches[1], 'the next fetch');
    expect(next.body.topics[0]!.partitions[0]).toMatchObject({ fetchOffset: 5, lastFetchedEpoch: 0 });
    expect(partition.logEndOffset).toBe(5);
    expect(partition.log.latestEpoch).toBe(0);
  });

  it('waits replica.fetch.backoff.ms after its connection to the leader broke before it connects again', async () => {
    const backoffMs = 700;
    await follow([0], { backoffMs });
    leader.dropNextFetch = true;
    const reconnectedAt = await eventually(() => leader.acceptedAt[1], 'a second connection');
    // A timer may fire a millisecond early by Date.now().
    expect(reconnectedAt - leader.droppedAt!).toBeGreaterThanOrEqual(backoffMs - 1);
    await eventually(() => leader.fetches[0], 'a fetch on the new connection');
  });
});
