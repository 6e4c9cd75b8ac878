// The group coordinator at the protocol level, over real sockets: FindCoordinator, the classic
// join/sync/heartbeat/leave state machine with its error codes, static membership, offsets
// (generation checks, multi-group fetch, require_stable with staged transactional offsets),
// admin APIs, the consumer protocol (KIP-848), and group state surviving a restart.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { JoinGroupRequest, OffsetCommitRequest } from '../../protocol/schema/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { tempDir, withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

const FAST = { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 100 };

let broker: RunningBroker;
const clients: RawClient[] = [];

async function client(b = broker): Promise<RawClient> {
  const c = await RawClient.connect(b.host, b.port);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  broker = await withBroker({ properties: FAST });
  await broker.broker.topics.create('wire-a', { numPartitions: 4 });
  await broker.broker.topics.create('wire-b', { numPartitions: 2 });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await broker.stop();
});

function joinReq(groupId: string, over: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('m') }],
    reason: null,
    ...over,
  };
}

function commitReq(groupId: string, generation: number, memberId: string, offset: number, topic = 'wire-a'): OffsetCommitRequest {
  return {
    groupId,
    generationIdOrMemberEpoch: generation,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [{ name: topic, topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: 'meta' }] }],
  };
}

/** Joins a new dynamic member (KIP-394 two-step join) and completes the rebalance alone. */
async function joinAlone(c: RawClient, groupId: string): Promise<{ memberId: string; generationId: number }> {
  const first = await c.send(11, 7, joinReq(groupId));
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  const joined = await c.send(11, 7, joinReq(groupId, { memberId: first.memberId }));
  expect(joined.errorCode).toBe(ErrorCode.NONE);
  const sync = await c.send(14, 5, { groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: joined.memberId, assignment: Buffer.from('all') }] });
  expect(sync.errorCode).toBe(ErrorCode.NONE);
  return { memberId: joined.memberId, generationId: joined.generationId };
}

async function describeState(c: RawClient, groupId: string): Promise<string> {
  const r = await c.send(15, 5, { groups: [groupId], includeAuthorizedOperations: false });
  return r.groups[0]!.groupState;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached');
}

describe('FindCoordinator', () => {
  it('answers this broker for group and transaction keys, single and batched', async () => {
    const c = await client();
    const v0 = await c.send(10, 0, { key: 'g', keyType: 0, coordinatorKeys: [] });
    expect(v0).toMatchObject({ errorCode: 0, nodeId: broker.broker.nodeId, port: broker.port });
    const txn = await c.send(10, 3, { key: 'tx', keyType: 1, coordinatorKeys: [] });
    expect(txn).toMatchObject({ errorCode: 0, nodeId: broker.broker.nodeId, errorMessage: null });
    const batched = await c.send(10, 4, { key: '', keyType: 0, coordinatorKeys: ['a', 'b'] });
    expect(batched.coordinators!.map((x) => [x.key, x.errorCode, x.port])).toEqual([['a', 0, broker.port], ['b', 0, broker.port]]);
    const bad = await c.send(10, 4, { key: '', keyType: 5, coordinatorKeys: ['a'] });
    expect(bad.coordinators![0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('classic group protocol', () => {
  it('requires a member id on first join (v4+), elects a leader and hands out the assignment', async () => {
    const c = await client();
    const first = await c.send(11, 5, joinReq('g-join'));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^raw-client-/);
    const joined = await c.send(11, 5, joinReq('g-join', { memberId: first.memberId }));
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, leader: first.memberId, memberId: first.memberId, protocolName: 'range' });
    expect(joined.members.map((m) => [m.memberId, m.metadata.toString()])).toEqual([[first.memberId, 'm']]);
    const sync = await c.send(14, 3, { groupId: 'g-join', generationId: 1, memberId: first.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId: first.memberId, assignment: Buffer.from('mine') }] });
    expect(sync.errorCode).toBe(0);
    expect(sync.assignment.toString()).toBe('mine');
    expect(await describeState(c, 'g-join')).toBe('Stable');
    // v0-3 joins are admitted directly.
    const old = await c.send(11, 3, joinReq('g-join-v3'));
    expect(old).toMatchObject({ errorCode: 0, generationId: 1 });
  });

  it('rebalances when a member joins: REBALANCE_IN_PROGRESS, a new generation, stale commits refused', async () => {
    const a = await client();
    const b = await client();
    const m1 = await joinAlone(a, 'g-rebalance');
    expect((await a.send(12, 4, { groupId: 'g-rebalance', generationId: 1, memberId: m1.memberId, groupInstanceId: null })).errorCode).toBe(0);

    const bFirst = await b.send(11, 7, joinReq('g-rebalance'));
    const bJoin = b.send(11, 7, joinReq('g-rebalance', { memberId: bFirst.memberId }));
    const hb = await a.send(12, 4, { groupId: 'g-rebalance', generationId: 1, memberId: m1.memberId, groupInstanceId: null });
    expect(hb.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    // Commits with the current generation are still accepted while preparing a rebalance.
    const during = await a.send(8, 8, commitReq('g-rebalance', 1, m1.memberId, 5));
    expect(during.topics[0]!.partitions[0]!.errorCode).toBe(0);

    const aJoin = await a.send(11, 7, joinReq('g-rebalance', { memberId: m1.memberId }));
    const bJoined = await bJoin;
    expect(aJoin.generationId).toBe(2);
    expect(bJoined.generationId).toBe(2);
    expect(aJoin.leader).toBe(m1.memberId);
    expect(aJoin.members).toHaveLength(2);
    expect(bJoined.members).toHaveLength(0);

    const stale = await a.send(8, 8, commitReq('g-rebalance', 1, m1.memberId, 7));
    expect(stale.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    // Before the leader's SyncGroup the group is completing its rebalance.
    const early = await a.send(8, 8, commitReq('g-rebalance', 2, m1.memberId, 7));
    expect(early.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);

    const bSync = b.send(14, 5, { groupId: 'g-rebalance', generationId: 2, memberId: bJoined.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] });
    const aSync = await a.send(14, 5, {
      groupId: 'g-rebalance', generationId: 2, memberId: m1.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range',
      assignments: [{ memberId: m1.memberId, assignment: Buffer.from('A') }, { memberId: bJoined.memberId, assignment: Buffer.from('B') }],
    });
    expect(aSync.assignment.toString()).toBe('A');
    expect((await bSync).assignment.toString()).toBe('B');

    const ok = await a.send(8, 8, commitReq('g-rebalance', 2, m1.memberId, 9));
    expect(ok.topics[0]!.partitions[0]!.errorCode).toBe(0);
    const unknown = await a.send(8, 8, commitReq('g-rebalance', 2, 'nobody', 9));
    expect(unknown.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const fetched = await a.send(9, 7, { groupId: 'g-rebalance', topics: [{ name: 'wire-a', partitionIndexes: [0, 1] }], groups: [], requireStable: false });
    expect(fetched.topics[0]!.partitions.map((p) => [p.committedOffset, p.metadata, p.errorCode])).toEqual([[9, 'meta', 0], [-1, '', 0]]);

    expect((await a.send(12, 4, { groupId: 'g-rebalance', generationId: 1, memberId: m1.memberId, groupInstanceId: null })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await a.send(12, 4, { groupId: 'g-rebalance', generationId: 2, memberId: 'ghost', groupInstanceId: null })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await a.send(14, 5, { groupId: 'g-rebalance', generationId: 2, memberId: m1.memberId, groupInstanceId: null, protocolType: 'other', protocolName: null, assignments: [] })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await a.send(11, 7, joinReq('g-rebalance', { protocolType: 'connect' }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);

    // Batched leave (v3+): one known member, one unknown.
    const left = await a.send(13, 5, { groupId: 'g-rebalance', memberId: '', members: [{ memberId: bJoined.memberId, groupInstanceId: null, reason: 'bye' }, { memberId: 'ghost', groupInstanceId: null, reason: null }] });
    expect(left.errorCode).toBe(0);
    expect(left.members!.map((m) => m.errorCode)).toEqual([0, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect((await a.send(12, 4, { groupId: 'g-rebalance', generationId: 2, memberId: m1.memberId, groupInstanceId: null })).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    // v0 leave: the member's error is the response's.
    expect((await a.send(13, 0, { groupId: 'g-rebalance', memberId: 'ghost', members: [] })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('rejects session timeouts outside the broker bounds and empty group ids', async () => {
    const c = await client();
    expect((await c.send(11, 5, joinReq('g-bounds', { sessionTimeoutMs: 50 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await c.send(11, 5, joinReq(''))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await c.send(11, 5, joinReq('g-none', { memberId: 'someone' }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('removes a member whose session expires', async () => {
    const c = await client();
    const first = await c.send(11, 5, joinReq('g-expire', { sessionTimeoutMs: 200 }));
    const joined = await c.send(11, 5, joinReq('g-expire', { memberId: first.memberId, sessionTimeoutMs: 200 }));
    await c.send(14, 3, { groupId: 'g-expire', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    await until(async () => (await describeState(c, 'g-expire')) === 'Empty');
    expect((await c.send(12, 4, { groupId: 'g-expire', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('lets a static member rejoin under a new member id without a rebalance and fences the old id', async () => {
    const a = await client();
    const b = await client();
    const static1 = joinReq('g-static', { groupInstanceId: 'instance-a' });
    const static2 = joinReq('g-static', { groupInstanceId: 'instance-b' });
    // Static members are admitted without MEMBER_ID_REQUIRED; both land in generation 1.
    const [ja, jb] = await Promise.all([a.send(11, 9, static1), b.send(11, 9, static2)]);
    expect(ja.errorCode).toBe(0);
    expect(ja.memberId).toMatch(/^instance-a-/);
    expect(ja.generationId).toBe(jb.generationId);
    const leaderIsA = ja.leader === ja.memberId;
    const leader = leaderIsA ? { c: a, j: ja } : { c: b, j: jb };
    const follower = leaderIsA ? { c: b, j: jb } : { c: a, j: ja };
    const followerSync = follower.c.send(14, 5, { groupId: 'g-static', generationId: ja.generationId, memberId: follower.j.memberId, groupInstanceId: follower.j === ja ? 'instance-a' : 'instance-b', protocolType: 'consumer', protocolName: 'range', assignments: [] });
    await leader.c.send(14, 5, {
      groupId: 'g-static', generationId: ja.generationId, memberId: leader.j.memberId, groupInstanceId: leader.j === ja ? 'instance-a' : 'instance-b', protocolType: 'consumer', protocolName: 'range',
      assignments: [{ memberId: ja.memberId, assignment: Buffer.from('for-a') }, { memberId: jb.memberId, assignment: Buffer.from('for-b') }],
    });
    await followerSync;
    const generation = ja.generationId;

    // instance-a restarts: a new connection, no member id.
    const a2 = await client();
    const rejoin = await a2.send(11, 9, static1);
    expect(rejoin.errorCode).toBe(0);
    expect(rejoin.memberId).not.toBe(ja.memberId);
    expect(rejoin.generationId).toBe(generation);
    expect(rejoin.skipAssignment).toBe(leaderIsA);
    expect(await describeState(a2, 'g-static')).toBe('Stable');
    const again = await a2.send(14, 5, { groupId: 'g-static', generationId: generation, memberId: rejoin.memberId, groupInstanceId: 'instance-a', protocolType: 'consumer', protocolName: 'range', assignments: [] });
    expect(again.assignment.toString()).toBe('for-a');
    expect((await b.send(12, 4, { groupId: 'g-static', generationId: generation, memberId: jb.memberId, groupInstanceId: 'instance-b' })).errorCode).toBe(0);
    expect((await a.send(12, 4, { groupId: 'g-static', generationId: generation, memberId: ja.memberId, groupInstanceId: 'instance-a' })).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);

    // Admin removal by instance id alone.
    const removed = await a2.send(13, 4, { groupId: 'g-static', memberId: '', members: [{ memberId: '', groupInstanceId: 'instance-b', reason: null }] });
    expect(removed.members![0]!.errorCode).toBe(0);
    expect((await b.send(12, 4, { groupId: 'g-static', generationId: generation, memberId: jb.memberId, groupInstanceId: 'instance-b' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('offsets', () => {
  it('accepts simple commits without a group generation and fetches several groups at once (v8)', async () => {
    const c = await client();
    const r = await c.send(8, 2, { ...commitReq('g-simple', -1, '', 42), retentionTimeMs: -1 });
    expect(r.topics[0]!.partitions[0]!.errorCode).toBe(0);
    const unknownTopic = await c.send(8, 8, commitReq('g-simple', -1, '', 1, 'no-such-topic'));
    expect(unknownTopic.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const tooBig = await c.send(8, 8, { ...commitReq('g-simple', -1, '', 1), topics: [{ name: 'wire-a', topicId: ZERO_UUID, partitions: [{ partitionIndex: 1, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: 'x'.repeat(5000) }] }] });
    expect(tooBig.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
    const gen = await c.send(8, 8, commitReq('g-nonexistent', 3, 'm', 1));
    expect(gen.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    const v9 = await c.send(8, 9, commitReq('g-nonexistent', 3, 'm', 1));
    expect(v9.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);

    const multi = await c.send(9, 8, {
      groupId: '', topics: [], requireStable: false,
      groups: [
        { groupId: 'g-simple', memberId: null, memberEpoch: -1, topics: null },
        { groupId: 'g-unknown', memberId: null, memberEpoch: -1, topics: [{ name: 'wire-a', topicId: ZERO_UUID, partitionIndexes: [0] }] },
      ],
    });
    expect(multi.groups!.map((g) => [g.groupId, g.errorCode, g.topics!.map((t) => [t.name, t.partitions!.map((p) => p.committedOffset)])])).toEqual([
      ['g-simple', 0, [['wire-a', [42]]]],
      ['g-unknown', 0, [['wire-a', [-1]]]],
    ]);
  });

  it('reports UNSTABLE_OFFSET_COMMIT to require_stable fetches while a transaction holds offsets', async () => {
    const c = await client();
    const init = await c.send(22, 4, { transactionalId: 'g-txn-producer', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false });
    const producer = { transactionalId: 'g-txn-producer', producerId: init.producerId, producerEpoch: init.producerEpoch };
    const stage = async (offset: number): Promise<number> => {
      expect((await c.send(25, 3, { ...producer, groupId: 'g-txn' })).errorCode).toBe(ErrorCode.NONE);
      const r = await c.send(28, 3, { ...producer, groupId: 'g-txn', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'wire-a', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }] });
      return r.topics[0]!.partitions[0]!.errorCode;
    };
    const end = async (committed: boolean) => expect((await c.send(26, 3, { ...producer, committed })).errorCode).toBe(ErrorCode.NONE);
    expect(await stage(10)).toBe(ErrorCode.NONE);
    const fetch = (requireStable: boolean) => c.send(9, 7, { groupId: 'g-txn', topics: [{ name: 'wire-a', partitionIndexes: [0] }], groups: [], requireStable });
    expect((await fetch(true)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    expect((await fetch(false)).topics[0]!.partitions[0]!.committedOffset).toBe(-1);
    await end(true);
    const after = (await fetch(true)).topics[0]!.partitions[0]!;
    expect([after.errorCode, after.committedOffset]).toEqual([0, 10]);
    expect(await stage(99)).toBe(ErrorCode.NONE);
    await end(false);
    expect((await fetch(true)).topics[0]!.partitions[0]!.committedOffset).toBe(10);
  });

  it('expires offsets of empty groups after offsets.retention.minutes and removes the group', async () => {
    const c = await client();
    await c.send(8, 8, commitReq('g-expiring', -1, '', 3));
    await broker.broker.groups.expireOffsets(Date.now() + broker.broker.groups.config.offsetsRetentionMs + 1000);
    const r = await c.send(9, 7, { groupId: 'g-expiring', topics: null, groups: [], requireStable: false });
    expect(r.topics).toEqual([]);
    expect(broker.broker.groups.group('g-expiring')).toBeUndefined();
  });
});

describe('group admin', () => {
  it('lists groups with state (v4) and type (v5) filters, describes, deletes, and deletes offsets', async () => {
    const c = await client();
    const member = await joinAlone(c, 'g-admin');
    await c.send(8, 8, commitReq('g-admin', member.generationId, member.memberId, 1));
    await c.send(8, 8, commitReq('g-admin-empty', -1, '', 1));

    const all = await c.send(16, 5, { statesFilter: [], typesFilter: [] });
    const admin = all.groups.find((g) => g.groupId === 'g-admin');
    expect(admin).toMatchObject({ protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' });
    const empty = await c.send(16, 4, { statesFilter: ['empty'], typesFilter: [] });
    expect(empty.groups.map((g) => g.groupId)).toContain('g-admin-empty');
    expect(empty.groups.map((g) => g.groupId)).not.toContain('g-admin');
    expect((await c.send(16, 5, { statesFilter: [], typesFilter: ['consumer'] })).groups.map((g) => g.groupId)).not.toContain('g-admin');

    const described = await c.send(15, 5, { groups: ['g-admin', 'g-missing'], includeAuthorizedOperations: true });
    expect(described.groups[0]).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range', errorCode: 0 });
    expect(described.groups[0]!.members.map((m) => [m.memberId, m.clientId, m.clientHost, m.memberAssignment.toString()])).toEqual([[member.memberId, 'raw-client', '/127.0.0.1', 'all']]);
    expect(described.groups[0]!.authorizedOperations).toBeGreaterThan(0);
    expect(described.groups[1]).toMatchObject({ groupId: 'g-missing', groupState: 'Dead', errorCode: 0, members: [] });

    const od = await c.send(47, 0, { groupId: 'g-admin-empty', topics: [{ name: 'wire-a', partitions: [{ partitionIndex: 0 }] }] });
    expect(od.errorCode).toBe(0);
    expect(od.topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect((await c.send(47, 0, { groupId: 'g-nope', topics: [] })).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);

    const del = await c.send(42, 2, { groupsNames: ['g-admin', 'g-admin-empty', 'g-nope'] });
    expect(del.results.map((r) => [r.groupId, r.errorCode])).toEqual([
      ['g-admin', ErrorCode.NON_EMPTY_GROUP],
      ['g-admin-empty', 0],
      ['g-nope', ErrorCode.GROUP_ID_NOT_FOUND],
    ]);
    await c.send(13, 4, { groupId: 'g-admin', memberId: '', members: [{ memberId: member.memberId, groupInstanceId: null, reason: null }] });
    await until(async () => (await describeState(c, 'g-admin')) === 'Empty');
    expect((await c.send(42, 2, { groupsNames: ['g-admin'] })).results[0]!.errorCode).toBe(0);
    const gone = await c.send(9, 7, { groupId: 'g-admin', topics: null, groups: [], requireStable: false });
    expect(gone.topics).toEqual([]);
  });
});

describe('consumer group protocol (KIP-848)', () => {
  const hb = (c: RawClient, over: Partial<Parameters<typeof c.send<68>>[2]>) =>
    c.send(68, 0, { groupId: 'g-848', memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null, ...over });

  it('assigns partitions server-side, revokes before reassigning, and checks member epochs on commit', async () => {
    const c = await client();
    const topicId = broker.broker.topics.get('wire-a')!.id;
    const parts = (r: { assignment: { topicPartitions: { partitions: number[] }[] } | null }) => r.assignment?.topicPartitions.flatMap((t) => t.partitions) ?? null;

    const m1 = await hb(c, { rebalanceTimeoutMs: 5000, subscribedTopicNames: ['wire-a'], topicPartitions: [] });
    expect(m1.errorCode).toBe(0);
    expect(m1.memberEpoch).toBe(1);
    expect(parts(m1)).toEqual([0, 1, 2, 3]);

    const m2 = await hb(c, { rebalanceTimeoutMs: 5000, subscribedTopicNames: ['wire-a'], topicPartitions: [] });
    expect(m2.memberEpoch).toBe(2);
    expect(parts(m2)).toEqual([]); // m1 still owns everything

    // m1 is asked to give up two partitions while keeping its epoch.
    const revoke = await hb(c, { memberId: m1.memberId!, memberEpoch: 1, topicPartitions: [{ topicId, partitions: [0, 1, 2, 3] }] });
    expect(revoke.memberEpoch).toBe(1);
    const kept = parts(revoke)!;
    expect(kept).toHaveLength(2);
    const done = await hb(c, { memberId: m1.memberId!, memberEpoch: 1, topicPartitions: [{ topicId, partitions: kept }] });
    expect(done.memberEpoch).toBe(2);

    const m2Next = await hb(c, { memberId: m2.memberId!, memberEpoch: 2, topicPartitions: [] });
    expect([...kept, ...parts(m2Next)!].sort()).toEqual([0, 1, 2, 3]);

    const described = await c.send(69, 0, { groupIds: ['g-848', 'g-rebalance-none'], includeAuthorizedOperations: false });
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupState: 'Stable', groupEpoch: 2, assignmentEpoch: 2, assignorName: 'uniform' });
    expect(described.groups[0]!.members).toHaveLength(2);
    expect(described.groups[1]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);

    const stale = await c.send(8, 9, commitReq('g-848', 1, m1.memberId!, 5));
    expect(stale.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    const ok = await c.send(8, 9, commitReq('g-848', 2, m1.memberId!, 5));
    expect(ok.topics[0]!.partitions[0]!.errorCode).toBe(0);
    const fenced = await hb(c, { memberId: m1.memberId!, memberEpoch: 7 });
    expect(fenced.errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);

    // A classic join cannot take over a group used by the consumer protocol.
    expect((await c.send(11, 7, joinReq('g-848'))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const listed = await c.send(16, 5, { statesFilter: [], typesFilter: ['consumer'] });
    expect(listed.groups.map((g) => [g.groupId, g.groupType, g.protocolType])).toContainEqual(['g-848', 'consumer', 'consumer']);

    const left = await hb(c, { memberId: m2.memberId!, memberEpoch: -1 });
    expect(left).toMatchObject({ errorCode: 0, memberEpoch: -1 });
    const grows = await hb(c, { memberId: m1.memberId!, memberEpoch: 2, topicPartitions: [{ topicId, partitions: kept }] });
    expect(grows.memberEpoch).toBe(3);
    expect(parts(grows)).toEqual([0, 1, 2, 3]);

    expect((await hb(c, { rebalanceTimeoutMs: 5000, subscribedTopicNames: ['wire-a'], topicPartitions: [], serverAssignor: 'nope' })).errorCode).toBe(ErrorCode.UNSUPPORTED_ASSIGNOR);
    expect((await hb(c, { subscribedTopicNames: ['wire-a'], topicPartitions: [] })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('restart', () => {
  it('keeps committed offsets and group metadata across a broker restart', async () => {
    const dir = tempDir();
    try {
      let b = await withBroker({ dataDir: dir.path, properties: FAST });
      await b.broker.topics.create('durable', { numPartitions: 1 });
      let c = await client(b);
      const m = await joinAlone(c, 'g-durable');
      expect((await c.send(8, 8, commitReq('g-durable', m.generationId, m.memberId, 17, 'durable'))).topics[0]!.partitions[0]!.errorCode).toBe(0);
      await c.send(8, 8, commitReq('g-durable-simple', -1, '', 4, 'durable'));
      c.close();
      await b.stop();

      b = await withBroker({ dataDir: dir.path, properties: FAST });
      try {
        c = await client(b);
        const r = await c.send(9, 7, { groupId: 'g-durable', topics: null, groups: [], requireStable: false });
        expect(r.topics.map((t) => [t.name, t.partitions.map((p) => [p.committedOffset, p.metadata])])).toEqual([['durable', [[17, 'meta']]]]);
        const simple = await c.send(9, 7, { groupId: 'g-durable-simple', topics: null, groups: [], requireStable: false });
        expect(simple.topics[0]!.partitions[0]!.committedOffset).toBe(4);
        // The member carries on in its generation after the restart.
        expect((await c.send(12, 4, { groupId: 'g-durable', generationId: m.generationId, memberId: m.memberId, groupInstanceId: null })).errorCode).toBe(0);
        const sync = await c.send(14, 5, { groupId: 'g-durable', generationId: m.generationId, memberId: m.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] });
        expect(sync.assignment.toString()).toBe('all');
        c.close();
      } finally {
        await b.stop();
      }
    } finally {
      dir.remove();
    }
  });
});
