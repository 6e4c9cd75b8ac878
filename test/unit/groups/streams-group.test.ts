// The streams group state machine alone (fake clock): session and rebalance timeouts, the initial
// rebalance delay, epochs and group states.
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GroupConfig } from '../../../src/groups/group-config.js';
import { emptyTasks, taskCount, type TasksTuple } from '../../../src/groups/streams-assignor.js';
import { StreamsGroup, type StreamsHeartbeat } from '../../../src/groups/streams-group.js';
import type { StreamsTopology } from '../../../src/groups/streams-topology.js';
import { Timers } from '../../../src/timers.js';

const topology: StreamsTopology = {
  epoch: 0,
  subtopologies: [{ subtopologyId: '0', sourceTopics: ['in'], repartitionSinkTopics: [], stateChangelogTopics: [], repartitionSourceTopics: [], copartitionGroups: [] }],
};

function config(over: Partial<GroupConfig> = {}): GroupConfig {
  return {
    streamsSessionTimeoutMs: 45_000,
    streamsHeartbeatIntervalMs: 5000,
    streamsMaxSize: 100,
    streamsNumStandbyReplicas: 0,
    streamsInitialRebalanceDelayMs: 0,
    streamsAcceptableRecoveryLag: 10_000,
    streamsTaskOffsetIntervalMs: 60_000,
    ...over,
  } as GroupConfig;
}

let timers: Timers;
beforeEach(() => {
  vi.useFakeTimers();
  timers = new Timers();
});
afterEach(() => {
  timers.stop();
  vi.useRealTimers();
});

function group(over: Partial<GroupConfig> = {}): StreamsGroup {
  return new StreamsGroup('g', { config: config(over), timers, log: pino({ level: 'silent' }), partitionCount: (t) => (t === 'in' ? 4 : undefined), persist: () => undefined });
}

function hb(memberId: string, memberEpoch: number, owned: TasksTuple | null = null, over: Partial<StreamsHeartbeat> = {}): StreamsHeartbeat {
  return {
    memberId,
    memberEpoch,
    endpointInformationEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: memberEpoch === 0 ? 10_000 : -1,
    topology: memberEpoch === 0 ? topology : null,
    owned: memberEpoch === 0 ? emptyTasks() : owned,
    processId: memberEpoch === 0 ? memberId : null,
    userEndpoint: null,
    clientTags: null,
    taskOffsets: null,
    taskEndOffsets: null,
    shutdownApplication: false,
    clientId: 'c',
    clientHost: '/127.0.0.1',
    ...over,
  };
}

describe('StreamsGroup', () => {
  it('removes a member whose session times out, and gives its tasks to the others', () => {
    const g = group();
    const a = g.heartbeat(hb('a', 0));
    expect(taskCount(a.assignment!.active)).toBe(4);
    g.heartbeat(hb('b', 0));
    expect(g.state).toBe('Reconciling');
    vi.advanceTimersByTime(44_000);
    // b keeps heartbeating; a falls silent.
    g.heartbeat(hb('b', g.members.get('b')!.memberEpoch, emptyTasks()));
    vi.advanceTimersByTime(2000);
    expect([...g.members.keys()]).toEqual(['b']);
    const r = g.heartbeat(hb('b', g.members.get('b')!.memberEpoch, emptyTasks()));
    expect(taskCount(r.assignment!.active)).toBe(4);
    expect(g.state).toBe('Stable');
  });

  it('fences a member that does not revoke its tasks within its rebalance timeout', () => {
    const g = group();
    const a = g.heartbeat(hb('a', 0));
    const owned = a.assignment!;
    g.heartbeat(hb('b', 0));
    const revoking = g.heartbeat(hb('a', a.memberEpoch, owned));
    expect(taskCount(revoking.assignment!.active)).toBe(2);
    expect(g.members.get('a')!.state).toBe('unrevoked_tasks');
    // a keeps heartbeating but still reports every task: after 10 s it is removed.
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(3000);
      if (g.members.has('a')) g.heartbeat(hb('a', a.memberEpoch, owned));
    }
    expect(g.members.has('a')).toBe(false);
  });

  it('waits group.streams.initial.rebalance.delay.ms before the first assignment, for every member that joins meanwhile', () => {
    const g = group({ streamsInitialRebalanceDelayMs: 3000 });
    const a = g.heartbeat(hb('a', 0));
    const b = g.heartbeat(hb('b', 0));
    for (const r of [a, b]) {
      expect(r.status.map((s) => s.code)).toEqual([5]);
      expect(taskCount(r.assignment!.active)).toBe(0);
      expect(r.memberEpoch).toBe(1);
    }
    expect(g.state).toBe('Assigning');
    vi.advanceTimersByTime(3000);
    const ra = g.heartbeat(hb('a', 1, emptyTasks()));
    const rb = g.heartbeat(hb('b', 1, emptyTasks()));
    expect(taskCount(ra.assignment!.active) + taskCount(rb.assignment!.active)).toBe(4);
    expect(ra.status).toEqual([]);
    expect(g.state).toBe('Stable');
  });

  it('stops its timers when it is marked dead', () => {
    const g = group();
    g.heartbeat(hb('a', 0));
    g.markDead();
    vi.advanceTimersByTime(60_000);
    expect(g.members.has('a')).toBe(true);
    expect(g.state).toBe('Dead');
  });
});
