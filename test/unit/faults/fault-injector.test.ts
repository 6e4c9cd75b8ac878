// The fault injector's bookkeeping (counts, expiry, matching, validation) and the error
// responses it builds, encoded and decoded at every version of every API it can fail.
import { describe, expect, it } from 'vitest';
import { apiDef, decodeRequest, decodeResponse, encodeRequest, encodeResponse, type AnyApiKey, type RequestOf } from '../../../protocol/codec/messages.js';
import { ZERO_UUID } from '../../../protocol/codec/reader.js';
import { inRange, type FieldDef } from '../../../protocol/codec/schema-types.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { ConnectionInfo } from '../../../src/apis/api.js';
import { FAILABLE_API_KEYS } from '../../../src/faults/error-responses.js';
import { FaultError, FaultInjector, type OpenConnection } from '../../../src/faults/fault-injector.js';
import type { PartitionLog, WriteHold } from '../../../src/log/partition-log.js';
import { produceRequest } from '../../helpers/raw-requests.js';

/** A stand-in for a partition log: only the write holds matter here. */
function fakeLog(): PartitionLog & { holds: Set<WriteHold> } {
  const holds = new Set<WriteHold>();
  return {
    holds,
    holdWrites(hold: WriteHold) {
      holds.add(hold);
      return () => holds.delete(hold);
    },
  } as unknown as PartitionLog & { holds: Set<WriteHold> };
}

function setup(opts: { enabled?: boolean; connections?: OpenConnection[] } = {}) {
  let now = 1_000;
  const logs = new Map([['orders', [fakeLog(), fakeLog()]]]);
  const faults = new FaultInjector({
    enabled: opts.enabled ?? true,
    topicName: (id) => (id === 'id-orders' ? 'orders' : undefined),
    topicLogs: (name) => logs.get(name),
    topicNames: () => [...logs.keys()],
    clusterFacts: () => ({ clusterId: 'c', controllerId: 1, brokers: [{ nodeId: 1, host: 'h', port: 9092, rack: null }] }),
    connections: () => opts.connections ?? [],
    serves: (apiKey) => apiDef(apiKey) !== undefined,
    clock: () => now,
  });
  return { faults, logs, advance: (ms: number) => (now += ms) };
}

function conn(clientId: string | null = 'app'): ConnectionInfo {
  return { id: 1, remoteAddress: '127.0.0.1:1', listenerName: 'PLAINTEXT', clientId, closed: new AbortController().signal, principal: 'User:ANONYMOUS' };
}

const produce = (topic: string, acks = -1): RequestOf<0> => produceRequest({ topic, records: null }, { acks });
const heartbeat = (groupId: string): RequestOf<12> => ({ groupId, generationId: 1, memberId: 'm', groupInstanceId: null });

describe('FaultInjector bookkeeping', () => {
  it('fails exactly `count` matching requests, then clears itself', async () => {
    const { faults } = setup();
    const fault = faults.failRequests({ apiKey: 'Produce', errorCode: 'NOT_LEADER_OR_FOLLOWER', count: 2 });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await faults.intercept(0, 9, produce('orders'), conn()));
    const codes = answers.map((a) => (a?.response as { responses: { partitionResponses: { errorCode: number }[] }[] } | undefined)?.responses[0]!.partitionResponses[0]!.errorCode);
    expect(codes).toEqual([ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_LEADER_OR_FOLLOWER, undefined]);
    expect(fault.hits).toBe(2);
    expect(fault.active).toBe(false);
    expect(faults.active).toBe(false);
    expect(faults.list()).toMatchObject([{ id: fault.id, kind: 'fail', active: false, hits: 2, remaining: 0, spec: { apiKey: 0, errorCode: 6 } }]);
    expect(faults.clear(fault.id)).toBe(true);
    expect(faults.list()).toEqual([]);
  });

  it('matches by topic and client id without using up the fault on other requests', async () => {
    const { faults } = setup();
    const fault = faults.failRequests({ apiKey: 0, errorCode: 6, topic: 'orders', clientId: 'app' });
    expect(await faults.intercept(0, 9, produce('other'), conn())).toBeUndefined();
    expect(await faults.intercept(0, 9, produce('orders'), conn('someone-else'))).toBeUndefined();
    expect(await faults.intercept(1, 12, { topics: [] } as unknown as RequestOf<1>, conn())).toBeUndefined();
    expect(fault.hits).toBe(0);
    expect((await faults.intercept(0, 9, produce('orders'), conn()))?.response).toBeDefined();
    expect(fault.hits).toBe(1);
  });

  it('matches Fetch v13+ requests, which name topics by id', async () => {
    const { faults } = setup();
    faults.failRequests({ apiKey: 'Fetch', errorCode: 'UNKNOWN_SERVER_ERROR', topic: 'orders' });
    const fetch = { topics: [{ topic: '', topicId: 'id-orders', partitions: [] }] } as unknown as RequestOf<1>;
    expect((await faults.intercept(1, 13, fetch, conn()))?.response).toMatchObject({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, responses: [] });
  });

  it('refuses what it cannot do, with the reason', () => {
    const { faults } = setup();
    const reason = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(FaultError);
        return (err as Error).message;
      }
      throw new Error('not refused');
    };
    expect(reason(() => faults.failRequests({ apiKey: 'AlterConfigs', errorCode: 6 }))).toMatch(/cannot be failed/);
    expect(reason(() => faults.failRequests({ apiKey: 'Produce', errorCode: 'NO_SUCH_ERROR' }))).toMatch(/unknown error code/);
    expect(reason(() => faults.failRequests({ apiKey: 'Produce', errorCode: 0 }))).toMatch(/unknown error code/);
    expect(reason(() => faults.failRequests({ apiKey: 'Nope', errorCode: 6 }))).toMatch(/unknown api key/);
    expect(reason(() => faults.failRequests({ apiKey: 'Heartbeat', errorCode: 6, topic: 'orders' }))).toMatch(/name no topics/);
    expect(reason(() => faults.failRequests({ apiKey: 'Produce', errorCode: 6, count: 0 }))).toMatch(/count/);
    expect(reason(() => faults.delayResponses({ apiKey: 'Produce', delayMs: -1 }))).toMatch(/delayMs/);
    expect(reason(() => faults.notLeader({ topic: 'missing' }))).toMatch(/unknown topic/);
    expect(reason(() => faults.notLeader({ topic: 'orders', partition: 7 }))).toMatch(/no partition 7/);
    expect(reason(() => faults.pauseGroup({ groupId: 'g', mode: 'later' as 'wait' }))).toMatch(/mode/);
    expect(faults.list()).toEqual([]);
    expect(faults.clear(1)).toBe(false);
  });

  it('refuses everything when off', () => {
    const { faults } = setup({ enabled: false });
    expect(() => faults.failRequests({ apiKey: 0, errorCode: 6 })).toThrow(/creek.faults.enable/);
    expect(() => faults.stallWrites()).toThrow(/creek.faults.enable/);
    expect(() => faults.closeConnections()).toThrow(/creek.faults.enable/);
  });

  it('delays until cleared when no count is given, and `count` times when one is', async () => {
    const { faults } = setup();
    const always = faults.delayResponses({ apiKey: 'Metadata', delayMs: 50 });
    const twice = faults.delayResponses({ apiKey: 'Produce', delayMs: 20, count: 2 });
    for (let i = 0; i < 3; i++) expect((await faults.intercept(3, 12, { topics: null } as RequestOf<3>, conn()))?.delay).toBeInstanceOf(Promise);
    const produces = [];
    for (let i = 0; i < 3; i++) produces.push(await faults.intercept(0, 9, produce('orders'), conn()));
    expect(produces.map((p) => p?.delay instanceof Promise)).toEqual([true, true, false]);
    expect([always.hits, twice.hits]).toEqual([3, 2]);
    expect(faults.list().map((f) => [f.id, f.active])).toEqual([
      [always.id, true],
      [twice.id, false],
    ]);
    always.clear();
    expect(faults.active).toBe(false);
  });

  it('cuts delays in progress short when their fault is cleared, or when the connection closes', async () => {
    const { faults } = setup();
    const slow = faults.delayResponses({ apiKey: 'Metadata', delayMs: 3_600_000 });
    const delayed = (await faults.intercept(3, 12, { topics: null } as RequestOf<3>, conn()))!.delay!;
    slow.clear();
    await delayed;
    faults.delayResponses({ apiKey: 'Metadata', delayMs: 3_600_000 });
    const closing = new AbortController();
    const onClosedConnection = (await faults.intercept(3, 12, { topics: null } as RequestOf<3>, { ...conn(), closed: closing.signal }))!.delay!;
    closing.abort();
    await onClosedConnection;
    const lastOne = faults.delayResponses({ apiKey: 'Produce', delayMs: 3_600_000, count: 1 });
    const beforeStop = (await faults.intercept(0, 9, produce('orders'), conn()))!.delay!;
    expect(lastOne.active).toBe(false);
    faults.clearAll();
    await beforeStop;
  });

  it('combines a failure with a delay and a close, and closes a failed acks=0 produce', async () => {
    const { faults } = setup();
    faults.failRequests({ apiKey: 0, errorCode: 'REQUEST_TIMED_OUT', count: 2 });
    faults.delayResponses({ apiKey: 0, delayMs: 5, count: 1 });
    faults.closeAfterRequest({ apiKey: 0 });
    const first = await faults.intercept(0, 9, produce('orders'), conn());
    expect(first).toMatchObject({ close: true });
    expect(first?.delay).toBeInstanceOf(Promise);
    expect(first?.response).toBeDefined();
    expect(await faults.intercept(0, 9, produce('orders', 0), conn())).toMatchObject({ close: true });
  });

  it('withholds leadership of the chosen partitions until the duration passes', () => {
    const { faults, advance } = setup();
    const fault = faults.notLeader({ topic: 'orders', partition: 1, durationMs: 500 });
    expect(faults.isNotLeader('orders', 0)).toBe(false);
    expect(faults.isNotLeader('orders', 1)).toBe(true);
    expect(faults.list()[0]).toMatchObject({ kind: 'not-leader', active: true, expiresInMs: 500, hits: 1, remaining: null });
    advance(499);
    expect(faults.isNotLeader('orders', 1)).toBe(true);
    advance(1);
    expect(faults.isNotLeader('orders', 1)).toBe(false);
    expect(fault.hits).toBe(2);
    expect(fault.active).toBe(false);
  });

  it('holds the chosen logs\' writes and lets them go when cleared', async () => {
    const { faults, logs } = setup();
    const [p0, p1] = logs.get('orders')!;
    const fault = faults.stallWrites({ topic: 'orders', partition: 1 });
    expect(p0!.holds.size).toBe(0);
    expect(p1!.holds.size).toBe(1);
    let released = false;
    const waiting = [...p1!.holds][0]!.wait().then(() => (released = true));
    await Promise.resolve();
    expect([released, fault.hits]).toEqual([false, 1]);
    fault.clear();
    await waiting;
    expect(p1!.holds.size).toBe(0);
    const all = faults.stallWrites();
    expect([p0!.holds.size, p1!.holds.size]).toEqual([1, 1]);
    expect(faults.clearAll()).toBe(1);
    await all.ended;
    expect([p0!.holds.size, p1!.holds.size]).toEqual([0, 0]);
  });

  it('answers a paused group\'s requests COORDINATOR_LOAD_IN_PROGRESS, or holds them until the pause ends', async () => {
    const { faults } = setup();
    const loading = faults.pauseGroup({ groupId: 'g1' });
    expect((await faults.intercept(12, 4, heartbeat('g1'), conn()))?.response).toEqual({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS });
    expect(await faults.intercept(12, 4, heartbeat('g2'), conn())).toBeUndefined();
    expect(loading.hits).toBe(1);
    loading.clear();

    const waiting = faults.pauseGroup({ groupId: 'g2', mode: 'wait' });
    let served = false;
    const held = faults.intercept(12, 4, heartbeat('g2'), conn()).then((r) => {
      served = true;
      return r;
    });
    await new Promise((r) => setImmediate(r));
    expect([served, waiting.hits]).toEqual([false, 1]);
    waiting.clear();
    expect(await held).toBeUndefined();
  });

  it('closes the connections of one client id, or all', () => {
    const closed: number[] = [];
    const open = (id: number, clientId: string): OpenConnection => ({ info: { ...conn(clientId), id }, destroy: () => closed.push(id) });
    const { faults } = setup({ connections: [open(1, 'a'), open(2, 'b'), open(3, 'a')] });
    expect(faults.closeConnections({ clientId: 'a' })).toBe(2);
    expect(closed).toEqual([1, 3]);
    expect(faults.closeConnections()).toBe(3);
  });
});

/** A request of each failable API, as a client would send it (fields a version lacks are dropped). */
const SAMPLES: { [K in AnyApiKey]?: Partial<RequestOf<K>> } = {
  0: produce('orders'),
  1: { topics: [{ topic: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partition: 0, fetchOffset: 0 } as RequestOf<1>['topics'][0]['partitions'][0]] }] },
  2: { topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] },
  3: { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'orders' }] },
  8: { groupId: 'g', topics: [{ name: 'orders', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] },
  9: { groupId: 'g', topics: [{ name: 'orders', partitionIndexes: [0] }], groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ name: 'orders', topicId: ZERO_UUID, partitionIndexes: [0] }] }] },
  10: { key: 'g', keyType: 0, coordinatorKeys: ['g'] },
  11: { groupId: 'g', memberId: '', protocolType: 'consumer', protocols: [] },
  12: heartbeat('g'),
  13: { groupId: 'g', memberId: 'm', members: [{ memberId: 'm', groupInstanceId: null, reason: null }] },
  14: { groupId: 'g', memberId: 'm', assignments: [] },
  15: { groups: ['g'] },
  19: { topics: [{ name: 'orders', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }] },
  22: { transactionalId: 't', transactionTimeoutMs: 1000, producerId: -1, producerEpoch: -1 },
  32: { resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false },
  24: {
    v3AndBelowTransactionalId: 't',
    v3AndBelowTopics: [{ name: 'orders', partitions: [0] }],
    transactions: [{ transactionalId: 't', producerId: 1, producerEpoch: 0, verifyOnly: false, topics: [{ name: 'orders', partitions: [0] }] }],
  },
  25: { transactionalId: 't', groupId: 'g' },
  26: { transactionalId: 't', committed: true },
  28: { transactionalId: 't', groupId: 'g', memberId: '', groupInstanceId: null, topics: [{ name: 'orders', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] },
};

/** Every error code a decoded response carries at `version`, wherever it sits (fields the version lacks are skipped). */
function errorCodes(fields: readonly FieldDef[], value: unknown, version: number, out: number[] = []): number[] {
  if (Array.isArray(value)) {
    for (const v of value) errorCodes(fields, v, version, out);
    return out;
  }
  if (value === null || typeof value !== 'object') return out;
  for (const f of fields) {
    if (!inRange(f.versions, version)) continue;
    const v = (value as Record<string, unknown>)[f.name];
    // topicConfigErrorCode is about DescribeConfigs access, not the request's outcome.
    if (f.name === 'topicConfigErrorCode') continue;
    if (/errorCode$/i.test(f.name) && typeof v === 'number') out.push(v);
    else if (f.fields !== undefined) errorCodes(f.fields, v, version, out);
  }
  return out;
}

describe('error responses', () => {
  it('has a sample request for every API it can fail', () => {
    expect(Object.keys(SAMPLES).map(Number).sort((a, b) => a - b)).toEqual([...FAILABLE_API_KEYS].sort((a, b) => a - b));
  });

  for (const apiKey of FAILABLE_API_KEYS) {
    const def = apiDef(apiKey)!;
    it(`${def.name}: a well-formed response carrying the error at every version`, async () => {
      const { faults } = setup();
      for (let version = def.minVersion; version <= def.maxVersion; version++) {
        faults.failRequests({ apiKey, errorCode: 'COORDINATOR_NOT_AVAILABLE' });
        const frame = encodeRequest(apiKey as AnyApiKey, version, 7, 'app', SAMPLES[apiKey as AnyApiKey] as never);
        const request = decodeRequest(frame.subarray(4)).body;
        const fault = await faults.intercept(apiKey, version, request, conn());
        const chunks = encodeResponse(apiKey, version, 7, fault!.response);
        const decoded = decodeResponse(apiKey as AnyApiKey, version, Buffer.concat(chunks).subarray(4));
        expect(decoded.correlationId).toBe(7);
        const codes = errorCodes(def.response.fields, decoded.body, version);
        expect(codes.length, `${def.name} v${version}`).toBeGreaterThan(0);
        expect(new Set(codes), `${def.name} v${version}`).toEqual(new Set([ErrorCode.COORDINATOR_NOT_AVAILABLE]));
      }
    });
  }
});
