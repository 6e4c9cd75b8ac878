// Streams groups (KIP-1071) at the protocol level, over real sockets with a raw client playing
// Kafka Streams: Kafka's request checks and error codes, internal topic creation, task
// assignment with revocation before reassignment, standbys, status codes, describe, the other
// group APIs on a streams group, and the group surviving a broker restart.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import type { RunningBroker } from '../../src/broker.js';
import { StreamsStatus } from '../../src/groups/streams-topology.js';
import { tempDir, withBroker } from '../helpers/broker.js';
import { eventually } from '../helpers/eventually.js';
import { RawClient } from '../helpers/raw-client.js';
import { heartbeatRequest, statusCodes, StreamsMember, taskTotal, wordCountTopology } from '../helpers/streams-member.js';

const NO_DELAY = { 'group.streams.initial.rebalance.delay.ms': 0 };

let broker: RunningBroker;
const clients: RawClient[] = [];

async function client(b = broker): Promise<RawClient> {
  const c = await RawClient.connect(b.host, b.port);
  clients.push(c);
  return c;
}

async function member(groupId: string, memberId: string, processId = memberId, b = broker): Promise<StreamsMember> {
  return new StreamsMember(await client(b), groupId, memberId, processId);
}

/** Joins, then heartbeats until the internal topics exist and the member has its tasks. */
async function joinAndSettle(m: StreamsMember, app: string, input: string, over: Parameters<StreamsMember['join']>[1] = {}): Promise<void> {
  await m.join(wordCountTopology(app, input), over);
  await eventually(async () => {
    const res = await m.heartbeat();
    return res.errorCode === 0 && res.status === null && m.active.length > 0;
  }, `${m.memberId} gets its tasks`);
}

beforeAll(async () => {
  broker = await withBroker({ properties: NO_DELAY });
  for (const t of ['sg-in', 'sg-in2', 'sg-in3', 'sg-in4', 'sg-in5', 'sg-in6']) await broker.broker.topics.create(t, { numPartitions: 4 });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await broker.stop();
});

describe('ApiVersions', () => {
  it('advertises StreamsGroupHeartbeat and StreamsGroupDescribe v0-1, and above 75 only them and the voter changes', async () => {
    const c = await client();
    const res = await c.send(18, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
    const high = res.apiKeys.filter((k) => k.apiKey > 75);
    expect(high).toEqual([
      { apiKey: 80, minVersion: 0, maxVersion: 1 },
      { apiKey: 81, minVersion: 0, maxVersion: 0 },
      { apiKey: 88, minVersion: 0, maxVersion: 1 },
      { apiKey: 89, minVersion: 0, maxVersion: 1 },
    ]);
  });
});

describe('request checks', () => {
  const topology = wordCountTopology('checks', 'sg-in');
  const join = { memberEpoch: 0, rebalanceTimeoutMs: 1000, topology, activeTasks: [], standbyTasks: [], warmupTasks: [] };
  const cases: [string, Parameters<typeof heartbeatRequest>, number, string][] = [
    ['an empty group id', ['', 'm', join], ErrorCode.INVALID_REQUEST, "GroupId can't be empty."],
    ['an empty member id', ['g', '', join], ErrorCode.INVALID_REQUEST, "MemberId can't be empty."],
    ['an empty instance id', ['g', 'm', { ...join, instanceId: '' }], ErrorCode.INVALID_REQUEST, "InstanceId can't be empty."],
    ['a join without rebalance timeout', ['g', 'm', { ...join, rebalanceTimeoutMs: -1 }], ErrorCode.INVALID_REQUEST, 'RebalanceTimeoutMs must be provided in first request.'],
    ['a join owning tasks', ['g', 'm', { ...join, activeTasks: [{ subtopologyId: '0', partitions: [0] }] }], ErrorCode.INVALID_REQUEST, 'ActiveTasks must be empty when (re-)joining.'],
    ['a join without topology', ['g', 'm', { ...join, topology: null }], ErrorCode.INVALID_REQUEST, 'Topology must be non-null when (re-)joining.'],
    ['a topology on a heartbeat', ['g', 'm', { ...join, memberEpoch: 3 }], ErrorCode.INVALID_REQUEST, 'Topology can only be provided when (re-)joining.'],
    ['an epoch below -2', ['g', 'm', { memberEpoch: -3 }], ErrorCode.INVALID_REQUEST, 'MemberEpoch is -3, but must be greater than or equal to -2.'],
    ['a static leave without instance id', ['g', 'm', { memberEpoch: -2 }], ErrorCode.INVALID_REQUEST, "InstanceId can't be null."],
    ['one task list without the others', ['g', 'm', { memberEpoch: 1, activeTasks: [] }], ErrorCode.INVALID_REQUEST, 'If one task-type is non-null, all must be non-null.'],
    [
      'a source topic regex',
      ['g', 'm', { ...join, topology: { epoch: 0, subtopologies: [{ ...topology.subtopologies[0]!, sourceTopicRegex: ['sg-.*'] }] } }],
      ErrorCode.INVALID_REQUEST,
      'Regular expressions for source topics are not supported yet.',
    ],
    [
      'a changelog topic with a partition count',
      ['g', 'm', { ...join, topology: { epoch: 0, subtopologies: [{ ...topology.subtopologies[1]!, stateChangelogTopics: [{ name: 'c', partitions: 3, replicationFactor: 0, topicConfigs: [] }] }] } }],
      ErrorCode.STREAMS_INVALID_TOPOLOGY,
      'Changelog topic c must have an undefined partition count, but it is set to 3.',
    ],
  ];
  it.each(cases)('refuses %s', async (_, args, errorCode, errorMessage) => {
    const c = await client();
    const res = await c.send(88, 1, heartbeatRequest(...args));
    expect(res).toMatchObject({ errorCode, errorMessage, memberEpoch: 0, activeTasks: null });
  });

  it('answers GROUP_ID_NOT_FOUND for a heartbeat to an unknown group or to a consumer group', async () => {
    const c = await client();
    const unknown = await c.send(88, 1, heartbeatRequest('sg-nobody', 'm', { memberEpoch: 1 }));
    expect(unknown).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Streams group sg-nobody not found.' });
    const consumer = await c.send(68, 0, { groupId: 'sg-consumer', memberId: 'c1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 5000, subscribedTopicNames: ['sg-in'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] });
    expect(consumer.errorCode).toBe(ErrorCode.NONE);
    const join = await (await member('sg-consumer', 'm')).join(wordCountTopology('x', 'sg-in'));
    expect(join).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group sg-consumer is not a streams group.' });
    // And the other way round: the consumer protocol does not join a streams group.
    await joinAndSettle(await member('sg-streams', 's1'), 'sgs', 'sg-in6');
    const wrong = await c.send(68, 0, { groupId: 'sg-streams', memberId: 'c1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 5000, subscribedTopicNames: ['sg-in'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] });
    expect(wrong).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group sg-streams is not a consumer group.' });
  });
});

describe('one member', () => {
  it('creates the internal topics, then assigns every task; fences wrong epochs and unknown members', async () => {
    const m = await member('sg-one', 'one-1');
    const first = await m.join(wordCountTopology('one', 'sg-in'));
    expect(first.errorCode).toBe(ErrorCode.NONE);
    expect(first.memberId).toBe('one-1');
    expect(first.memberEpoch).toBeGreaterThan(0);
    expect(first.heartbeatIntervalMs).toBe(5000);
    expect(first.acceptableRecoveryLag).toBe(10_000);
    expect(first.taskOffsetIntervalMs).toBe(60_000);
    expect(first.activeTasks).toEqual([]);
    expect(first.status).toEqual([{ statusCode: StreamsStatus.MISSING_INTERNAL_TOPICS, statusDetail: 'Internal topics are missing: one-counts-repartition, one-counts-changelog' }]);

    // The repartition topic gets the partitions of the topic written into it, the changelog those of its subtopology.
    const repartition = await eventually(() => broker.broker.topics.get('one-counts-repartition'), 'the repartition topic');
    const changelog = await eventually(() => broker.broker.topics.get('one-counts-changelog'), 'the changelog topic');
    expect(repartition.partitions.length).toBe(4);
    expect(changelog.partitions.length).toBe(4);
    expect(changelog.overrides.get('cleanup.policy')).toBe('compact');

    const res = await m.heartbeat();
    expect(res.status).toBeNull();
    expect(res.memberEpoch).toBeGreaterThan(first.memberEpoch);
    expect(res.activeTasks).toEqual([
      { subtopologyId: '0', partitions: [0, 1, 2, 3] },
      { subtopologyId: '1', partitions: [0, 1, 2, 3] },
    ]);
    expect(res.standbyTasks).toEqual([]);
    // Nothing changed: no assignment is sent.
    const again = await m.heartbeat();
    expect(again).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: res.memberEpoch, activeTasks: null, standbyTasks: null, warmupTasks: null, status: null });

    const c = await client();
    const ahead = await c.send(88, 1, heartbeatRequest('sg-one', 'one-1', { memberEpoch: res.memberEpoch + 1 }));
    expect(ahead.errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    const stranger = await c.send(88, 1, heartbeatRequest('sg-one', 'nobody', { memberEpoch: 1 }));
    expect(stranger).toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, errorMessage: 'Member nobody is not a member of group sg-one.' });
    const badTask = await c.send(88, 1, heartbeatRequest('sg-one', 'one-1', { memberEpoch: res.memberEpoch, activeTasks: [{ subtopologyId: '7', partitions: [0] }], standbyTasks: [], warmupTasks: [] }));
    expect(badTask).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Subtopology 7 does not exist in the topology.' });
    const otherTopology = await c.send(88, 1, heartbeatRequest('sg-one', 'one-2', { memberEpoch: 0, rebalanceTimeoutMs: 1000, topology: wordCountTopology('one', 'sg-in2'), activeTasks: [], standbyTasks: [], warmupTasks: [] }));
    expect(otherTopology).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Topology updates are not supported yet.' });
  });

  it('reports missing source topics and keeps the group NotReady', async () => {
    const m = await member('sg-missing', 'missing-1');
    const res = await m.join(wordCountTopology('missing', 'sg-no-such-topic'));
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.status).toEqual([{ statusCode: StreamsStatus.MISSING_SOURCE_TOPICS, statusDetail: 'Source topics sg-no-such-topic are missing.' }]);
    expect(res.activeTasks).toEqual([]);
    const described = await (await client()).send(89, 1, { groupIds: ['sg-missing'], includeAuthorizedOperations: false, includeTopologyDescription: false });
    expect(described.groups[0]).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'NotReady' });
    expect(broker.broker.topics.get('missing-counts-repartition')).toBeUndefined();
  });

  it('tells every member when one asks the application to shut down', async () => {
    const a = await member('sg-shutdown', 'shutdown-a');
    const b = await member('sg-shutdown', 'shutdown-b');
    await joinAndSettle(a, 'shutdown', 'sg-in5');
    await b.join(wordCountTopology('shutdown', 'sg-in5'));
    await a.heartbeat(undefined, { shutdownApplication: true });
    const res = await b.heartbeat();
    expect(statusCodes(res)).toContain(StreamsStatus.SHUTDOWN_APPLICATION);
    expect(res.status!.find((s) => s.statusCode === StreamsStatus.SHUTDOWN_APPLICATION)!.statusDetail).toContain('shutdown-a');
  });
});

describe('two members', () => {
  it('revokes tasks from the first member before the second gets them, and balances them', async () => {
    const a = await member('sg-two', 'two-a');
    const b = await member('sg-two', 'two-b');
    await joinAndSettle(a, 'two', 'sg-in2');
    expect(taskTotal(a.active)).toBe(8);
    const epochA = a.memberEpoch;

    const joined = await b.join(wordCountTopology('two', 'sg-in2'));
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    // a still owns everything: b's tasks are withheld.
    expect(joined.activeTasks).toEqual([]);

    const ownedByA = a.active;
    const revoke = await a.heartbeat({ active: ownedByA });
    // a is asked to give up half of its tasks and stays at its epoch until it has.
    expect(revoke.memberEpoch).toBe(epochA);
    expect(taskTotal(a.active)).toBe(4);
    const still = await b.heartbeat();
    expect(taskTotal(b.active)).toBe(0);
    expect(still.activeTasks).toBeNull();

    // a reports the revocation done: it moves to the new epoch, and b gets the freed tasks.
    const done = await a.heartbeat();
    expect(done.memberEpoch).toBeGreaterThan(epochA);
    // A heartbeat at the previous epoch is accepted only while it owns no more than it is assigned now.
    const late = await (await client()).send(88, 1, heartbeatRequest('sg-two', 'two-a', { memberEpoch: epochA, activeTasks: ownedByA, standbyTasks: [], warmupTasks: [] }));
    expect(late.errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    const given = await b.heartbeat();
    expect(given.memberEpoch).toBe(done.memberEpoch);
    expect(taskTotal(b.active)).toBe(4);
    const all = [...a.active, ...b.active].flatMap((t) => t.partitions.map((p) => `${t.subtopologyId}-${p}`)).sort();
    expect(all).toEqual(['0-0', '0-1', '0-2', '0-3', '1-0', '1-1', '1-2', '1-3']);

    const described = await (await client()).send(89, 1, { groupIds: ['sg-two', 'sg-nope', 'sg-consumer'], includeAuthorizedOperations: false, includeTopologyDescription: true });
    const [group, unknown, consumer] = described.groups;
    expect(group).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Stable', groupEpoch: done.memberEpoch, assignmentEpoch: done.memberEpoch, assignorName: 'sticky', topologyDescriptionStatus: 1 });
    expect(group!.topology!.subtopologies!.map((s) => s.subtopologyId)).toEqual(['0', '1']);
    expect(group!.topology!.subtopologies![1]!.stateChangelogTopics[0]!.name).toBe('two-counts-changelog');
    expect(group!.members.map((m) => m.memberId).sort()).toEqual(['two-a', 'two-b']);
    for (const m of group!.members) {
      expect(m.memberEpoch).toBe(done.memberEpoch);
      expect(m.assignment).toEqual(m.targetAssignment);
      expect(m.processId).toBe(m.memberId);
    }
    expect(unknown).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group sg-nope not found.' });
    expect(consumer).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group sg-consumer is not a streams group.' });

    // The leaving member's tasks go to the one that stays.
    await b.leave();
    const rest = await a.heartbeat();
    expect(rest.errorCode).toBe(ErrorCode.NONE);
    await a.heartbeat();
    expect(taskTotal(a.active)).toBe(8);
  });

  it('places standbys of stateful tasks on the other process when group.streams.num.standby.replicas is 1', async () => {
    const b2 = await withBroker({ properties: { ...NO_DELAY, 'group.streams.num.standby.replicas': 1 } });
    try {
      await b2.broker.topics.create('sb-in', { numPartitions: 2 });
      const x = await member('sg-standby', 'sb-x', 'process-x', b2);
      const y = await member('sg-standby', 'sb-y', 'process-y', b2);
      await joinAndSettle(x, 'sb', 'sb-in');
      await y.join(wordCountTopology('sb', 'sb-in'));
      const holders = (tasks: 'active' | 'standby', p: number): string[] =>
        [x, y].filter((m) => m[tasks].some((t) => t.subtopologyId === '1' && t.partitions.includes(p))).map((m) => m.processId);
      await eventually(async () => {
        await x.heartbeat();
        await y.heartbeat();
        return taskTotal(x.active) === 2 && taskTotal(y.active) === 2 && taskTotal(x.standby) + taskTotal(y.standby) === 2;
      }, 'two active tasks each and two standbys');
      // Only subtopology 1 has state: each of its tasks has one standby, never on the process running it.
      expect(new Set([...x.standby, ...y.standby].map((t) => t.subtopologyId))).toEqual(new Set(['1']));
      for (const p of [0, 1]) {
        expect(holders('active', p)).toHaveLength(1);
        expect(holders('standby', p)).toHaveLength(1);
        expect(holders('standby', p)[0]).not.toBe(holders('active', p)[0]);
      }
    } finally {
      await b2.stop();
    }
  });
});

describe('interactive queries', () => {
  it('tells members which partitions each user endpoint serves, when their endpoint information is behind', async () => {
    const m = await member('sg-iq', 'iq-1');
    await joinAndSettle(m, 'iq', 'sg-in', { userEndpoint: { host: 'app-host', port: 8001 } });
    const behind = await m.heartbeat(undefined, { endpointInformationEpoch: 0 });
    expect(behind.endpointInformationEpoch).toBeGreaterThan(0);
    expect(behind.partitionsByUserEndpoint).toHaveLength(1);
    const [entry] = behind.partitionsByUserEndpoint!;
    expect(entry!.userEndpoint).toEqual({ host: 'app-host', port: 8001 });
    expect(entry!.activePartitions).toContainEqual({ topic: 'sg-in', partitions: [0, 1, 2, 3] });
    expect(entry!.activePartitions).toContainEqual({ topic: 'iq-counts-repartition', partitions: [0, 1, 2, 3] });
    expect(entry!.standbyPartitions).toEqual([]);
    const current = await m.heartbeat(undefined, { endpointInformationEpoch: behind.endpointInformationEpoch });
    expect(current.partitionsByUserEndpoint).toBeNull();
  });
});

describe('static members', () => {
  it('keep their instance id until they leave with epoch -2, and take their tasks back without a new group epoch', async () => {
    const first = await member('sg-static', 'static-1', 'static-process');
    await joinAndSettle(first, 'static', 'sg-in4');
    await first.heartbeat(undefined, { instanceId: 'instance-a' });
    const c = await client();
    const describe = async () => (await c.send(89, 0, { groupIds: ['sg-static'], includeAuthorizedOperations: false, includeTopologyDescription: false })).groups[0]!;
    const epoch = (await describe()).groupEpoch;

    const second = await member('sg-static', 'static-2', 'static-process');
    const refused = await second.join(wordCountTopology('static', 'sg-in4'), { instanceId: 'instance-a' });
    expect(refused).toMatchObject({ errorCode: ErrorCode.UNRELEASED_INSTANCE_ID, errorMessage: 'Static member static-2 with instance id instance-a cannot join the group because the instance id is owned by static-1 member.' });

    const left = await first.leave('instance-a');
    expect(left).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: -2 });
    const back = await second.join(wordCountTopology('static', 'sg-in4'), { instanceId: 'instance-a' });
    expect(back.errorCode).toBe(ErrorCode.NONE);
    expect(taskTotal(second.active)).toBe(8);
    const group = await describe();
    expect(group.groupEpoch).toBe(epoch);
    expect(group.members.map((m) => [m.memberId, m.instanceId])).toEqual([['static-2', 'instance-a']]);
  });
});

describe('other group APIs on a streams group', () => {
  it('lists it as a streams group, checks commits against member epochs, and deletes it only when empty', async () => {
    const m = await member('sg-apis', 'apis-1');
    await joinAndSettle(m, 'apis', 'sg-in3');
    const c = await client();
    const listed = await c.send(16, 5, { statesFilter: [], typesFilter: ['streams'] });
    expect(listed.groups).toContainEqual({ groupId: 'sg-apis', protocolType: 'streams', groupState: 'Stable', groupType: 'streams' });
    expect(listed.groups.every((g) => g.groupType === 'streams')).toBe(true);

    const commit = (epoch: number, memberId = 'apis-1') =>
      c.send(8, 9, { groupId: 'sg-apis', generationIdOrMemberEpoch: epoch, memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 'sg-in3', topicId: '', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    expect((await commit(m.memberEpoch)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((await commit(m.memberEpoch - 1)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect((await commit(m.memberEpoch, 'stranger')).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    const nonEmpty = await c.send(42, 2, { groupsNames: ['sg-apis'] });
    expect(nonEmpty.results[0]!.errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
    const left = await m.leave();
    expect(left).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: -1 });
    const described = await c.send(89, 0, { groupIds: ['sg-apis'], includeAuthorizedOperations: false, includeTopologyDescription: false });
    expect(described.groups[0]).toMatchObject({ groupState: 'Empty', members: [] });
    const deleted = await c.send(42, 2, { groupsNames: ['sg-apis'] });
    expect(deleted.results[0]!.errorCode).toBe(ErrorCode.NONE);
    const gone = await c.send(89, 0, { groupIds: ['sg-apis'], includeAuthorizedOperations: false, includeTopologyDescription: false });
    expect(gone.groups[0]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });
});

describe('initial rebalance delay', () => {
  it('holds back the first assignment of a new group with ASSIGNMENT_DELAYED, then assigns', async () => {
    const b2 = await withBroker({ properties: { 'group.streams.initial.rebalance.delay.ms': 300 } });
    try {
      await b2.broker.topics.create('delay-in', { numPartitions: 1 });
      for (const t of ['delay-counts-repartition', 'delay-counts-changelog']) await b2.broker.topics.create(t, { numPartitions: 1 });
      const m = await member('sg-delay', 'delay-1', 'delay-1', b2);
      const first = await m.join(wordCountTopology('delay', 'delay-in'));
      expect(statusCodes(first)).toEqual([StreamsStatus.ASSIGNMENT_DELAYED]);
      expect(first.activeTasks).toEqual([]);
      expect(first.memberEpoch).toBeGreaterThan(0);
      await eventually(async () => (await m.heartbeat()).status === null && taskTotal(m.active) === 2, 'the tasks after the delay');
    } finally {
      await b2.stop();
    }
  });
});

describe('restart', () => {
  it('keeps the group, its epoch and topology across a broker restart; members rejoin', async () => {
    const dir = tempDir();
    try {
      let b = await withBroker({ dataDir: dir.path, properties: NO_DELAY });
      await b.broker.topics.create('restart-in', { numPartitions: 2 });
      const m = await member('sg-restart', 'restart-1', 'restart-1', b);
      await joinAndSettle(m, 'restart', 'restart-in');
      const epoch = m.memberEpoch;
      for (const c of clients.splice(0)) c.close();
      await b.stop();

      b = await withBroker({ dataDir: dir.path, properties: NO_DELAY });
      try {
        const c = await client(b);
        const listed = await c.send(16, 5, { statesFilter: [], typesFilter: [] });
        expect(listed.groups).toContainEqual({ groupId: 'sg-restart', protocolType: 'streams', groupState: 'Empty', groupType: 'streams' });
        const described = await c.send(89, 1, { groupIds: ['sg-restart'], includeAuthorizedOperations: false, includeTopologyDescription: false });
        expect(described.groups[0]).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Empty', groupEpoch: epoch });
        expect(described.groups[0]!.topology!.subtopologies!.map((s) => s.sourceTopics)).toEqual([['restart-in'], []]);
        // The member is gone with the old broker: it is told so, and joins again at a higher epoch.
        const stale = await c.send(88, 1, heartbeatRequest('sg-restart', 'restart-1', { memberEpoch: epoch }));
        expect(stale.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
        const again = new StreamsMember(c, 'sg-restart', 'restart-1');
        await joinAndSettle(again, 'restart', 'restart-in');
        expect(again.memberEpoch).toBeGreaterThan(epoch);
      } finally {
        for (const c of clients.splice(0)) c.close();
        await b.stop();
      }
    } finally {
      dir.remove();
    }
  });
});
