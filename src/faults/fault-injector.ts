// Fault injection for tests: makes the broker misbehave as a real cluster does — failed requests,
// slow responses, dropped connections, lost leadership, stalled disks, a coordinator still
// loading — so that tests can check how a client copes. Faults are injected through the embedded
// broker (`running.faults`) or the HTTP admin routes (fault-routes.ts), counted, and cleared by
// count, by time or by hand. The broker consults it at four narrow points: the connection's
// dispatch (intercept), the replica manager's leader lookup (isNotLeader), the partition log's
// append acknowledgment (PartitionLog.holdWrites), and, through the dispatch, group requests.
import { setTimeout as sleep } from 'node:timers/promises';
import { apiDef } from '../../protocol/codec/messages.js';
import { ErrorCode, errorInfo, type ErrorName } from '../../protocol/errors.js';
import type { ConnectionInfo } from '../apis/api.js';
import type { PartitionLog, WriteHold } from '../log/partition-log.js';
import { canBuildErrorResponse, errorResponse, FAILABLE_API_KEYS, type ClusterFacts } from './error-responses.js';
import { GROUP_API_KEYS, namesTopics, requestGroups, requestTopics } from './request-keys.js';

/** A bad fault description (HTTP 400), or fault injection being off (HTTP 403). */
export class FaultError extends Error {
  constructor(
    message: string,
    readonly disabled = false,
  ) {
    super(message);
  }
}

/** Which requests a request fault applies to. */
export interface RequestMatch {
  /** The API, by key (0) or Kafka name ("Produce"). */
  apiKey: number | string;
  /** Only requests naming this topic (APIs that name topics). */
  topic?: string;
  /** Only requests from this client id. */
  clientId?: string;
}

export interface FailRequests extends RequestMatch {
  /** The Kafka error code, by number (6) or name ("NOT_LEADER_OR_FOLLOWER"). */
  errorCode: number | string;
  /** How many requests fail (default 1). */
  count?: number;
}

export interface DelayResponses extends RequestMatch {
  delayMs: number;
  /** How many responses are delayed (default: every one until cleared). */
  count?: number;
}

export interface CloseAfterRequest extends RequestMatch {
  /** How many connections close (default 1). */
  count?: number;
}

export interface NotLeader {
  topic: string;
  /** Default: every partition of the topic. */
  partition?: number;
  /** Default: until cleared. */
  durationMs?: number;
}

export interface StallWrites {
  /** Default: every partition of every topic (internal ones included). */
  topic?: string;
  partition?: number;
  /** Default: until cleared. */
  durationMs?: number;
}

export interface PauseGroup {
  groupId: string;
  /** `wait`: the group's requests wait until the pause ends; `loading` (default): they are answered COORDINATOR_LOAD_IN_PROGRESS. */
  mode?: 'wait' | 'loading';
  /** Default: until cleared. */
  durationMs?: number;
}

export type FaultKind = 'fail' | 'delay' | 'close-after' | 'not-leader' | 'stall-writes' | 'pause-group';

/** A fault as listed (GET /admin/faults). */
export interface FaultInfo {
  id: number;
  kind: FaultKind;
  /** What it does and to what, as given (names resolved to numbers). */
  spec: Record<string, unknown>;
  /** Requests (or appends) it has affected so far. */
  hits: number;
  /** False once used up, expired or cleared (ended faults stay listed, with their hits, until cleared). */
  active: boolean;
  /** Affections left before it clears itself; null when only time or a clear ends it. */
  remaining: number | null;
  /** Milliseconds until it clears itself; null when no duration was given. */
  expiresInMs: number | null;
}

/** What the dispatch does with one request. */
export interface Intercept {
  /** Answer this instead of running the handler (the request takes no effect). */
  response?: unknown;
  /** Settles when the response may be written: `delayMs` after the request arrived, or sooner when the fault is cleared or the connection closes. */
  delay?: Promise<void>;
  /** Close the connection instead of writing the response. */
  close?: boolean;
}

/** A connection the injector may close. */
export interface OpenConnection {
  readonly info: ConnectionInfo;
  destroy(): void;
}

export interface FaultInjectorDeps {
  enabled: boolean;
  /** Topic name by id (Fetch v13+ names topics by id). */
  topicName(id: string): string | undefined;
  /** The partition logs of a topic, by index; undefined for an unknown topic. */
  topicLogs(topic: string): readonly PartitionLog[] | undefined;
  /** Every topic name. */
  topicNames(): string[];
  clusterFacts(listenerName: string): ClusterFacts;
  /** The broker's open client connections. */
  connections(): Iterable<OpenConnection>;
  /** Whether the broker serves this API key. */
  serves(apiKey: number): boolean;
  clock?: () => number;
}

interface Rule {
  readonly id: number;
  readonly kind: FaultKind;
  readonly spec: Record<string, unknown>;
  hits: number;
  remaining: number | null;
  readonly expiresAt: number | null;
  readonly timer: NodeJS.Timeout | undefined;
  /** Settles when the rule ends (waiting group requests and held appends go on). */
  readonly ended: Promise<void>;
  end(): void;
  /** Aborted when the rule is cleared (not when used up): delays in progress end early. */
  readonly cleared: AbortController;
}

/** The handle of an injected fault. */
export class Fault {
  constructor(
    private readonly rule: Rule,
    private readonly owner: FaultInjector,
  ) {}

  get id(): number {
    return this.rule.id;
  }

  get kind(): FaultKind {
    return this.rule.kind;
  }

  /** Requests (or appends) it has affected so far. */
  get hits(): number {
    return this.rule.hits;
  }

  /** Whether it still applies (not used up, expired or cleared). */
  get active(): boolean {
    return this.owner.isActive(this.rule.id);
  }

  /** Settles when the fault stops applying. */
  get ended(): Promise<void> {
    return this.rule.ended;
  }

  clear(): void {
    this.owner.clear(this.rule.id);
  }
}

export class FaultInjector {
  private readonly rules = new Map<number, Rule>();
  /** Faults that ended, kept for their hit counts (the latest MAX_ENDED) until cleared. */
  private readonly endedRules = new Map<number, Rule>();
  private nextId = 1;
  private readonly clock: () => number;

  constructor(private readonly deps: FaultInjectorDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  get enabled(): boolean {
    return this.deps.enabled;
  }

  /** Whether any fault is in place (the dispatch skips intercept otherwise). */
  get active(): boolean {
    return this.rules.size > 0;
  }

  /** Fails the next `count` matching requests with `errorCode`: the response of the API with the code in its places; the request takes no effect. */
  failRequests(spec: FailRequests): Fault {
    const apiKey = this.apiKey(spec);
    if (!canBuildErrorResponse(apiKey)) {
      throw new FaultError(`requests of api ${apiKey} cannot be failed; supported: ${FAILABLE_API_KEYS.join(', ')}`);
    }
    const errorCode = toErrorCode(spec.errorCode);
    return this.add('fail', { ...this.match(spec, apiKey), errorCode }, positive(spec.count ?? 1, 'count'));
  }

  /** Delays the responses of matching requests by `delayMs` (the request is served; its answer waits). */
  delayResponses(spec: DelayResponses): Fault {
    const apiKey = this.apiKey(spec);
    const delayMs = nonNegative(spec.delayMs, 'delayMs');
    return this.add('delay', { ...this.match(spec, apiKey), delayMs }, spec.count === undefined ? null : positive(spec.count, 'count'));
  }

  /** Closes the connection of the next `count` matching requests after serving them, instead of answering: the client cannot tell whether they took effect. */
  closeAfterRequest(spec: CloseAfterRequest): Fault {
    const apiKey = this.apiKey(spec);
    return this.add('close-after', this.match(spec, apiKey), positive(spec.count ?? 1, 'count'));
  }

  /** Closes the open connections of `clientId` (all when omitted) now; returns how many. */
  closeConnections(spec: { clientId?: string } = {}): number {
    this.checkEnabled();
    let closed = 0;
    for (const conn of [...this.deps.connections()]) {
      if (spec.clientId !== undefined && conn.info.clientId !== spec.clientId) continue;
      conn.destroy();
      closed++;
    }
    return closed;
  }

  /** The topic's partitions (or one) answer NOT_LEADER_OR_FOLLOWER to produce, fetch and offset lookups. */
  notLeader(spec: NotLeader): Fault {
    this.partitionsOf(spec.topic, spec.partition);
    return this.add('not-leader', { topic: spec.topic, ...(spec.partition !== undefined && { partition: spec.partition }) }, null, duration(spec.durationMs));
  }

  /** Appends to the partitions wait for their disk writes to be acknowledged until the fault ends; reads of what was committed before go on. */
  stallWrites(spec: StallWrites = {}): Fault {
    this.checkEnabled();
    if (spec.topic === undefined && spec.partition !== undefined) throw new FaultError('a partition needs its topic');
    const logs = spec.topic === undefined ? this.deps.topicNames().flatMap((t) => this.deps.topicLogs(t) ?? []) : this.partitionsOf(spec.topic, spec.partition);
    const fault = this.add(
      'stall-writes',
      { ...(spec.topic !== undefined && { topic: spec.topic }), ...(spec.partition !== undefined && { partition: spec.partition }) },
      null,
      duration(spec.durationMs),
    );
    const rule = this.rules.get(fault.id)!;
    const hold: WriteHold = {
      wait: () => {
        rule.hits++;
        return rule.ended;
      },
    };
    const releases = logs.map((log) => log.holdWrites(hold));
    void rule.ended.then(() => releases.forEach((release) => release()));
    return fault;
  }

  /** The group's coordinator behaves as one still loading the group: its requests wait, or get COORDINATOR_LOAD_IN_PROGRESS. */
  pauseGroup(spec: PauseGroup): Fault {
    if (typeof spec.groupId !== 'string' || spec.groupId === '') throw new FaultError('groupId is required');
    const mode = spec.mode ?? 'loading';
    if (mode !== 'wait' && mode !== 'loading') throw new FaultError(`mode must be "wait" or "loading", not ${String(mode)}`);
    return this.add('pause-group', { groupId: spec.groupId, mode }, null, duration(spec.durationMs));
  }

  /** Every fault in place, then those that ended (until cleared), in the order they were injected. */
  list(): FaultInfo[] {
    this.expire();
    const now = this.clock();
    return [...this.rules.values(), ...this.endedRules.values()]
      .sort((a, b) => a.id - b.id)
      .map((r) => ({
        id: r.id,
        kind: r.kind,
        spec: r.spec,
        hits: r.hits,
        active: this.rules.has(r.id),
        remaining: r.remaining,
        expiresInMs: r.expiresAt === null || !this.rules.has(r.id) ? null : Math.max(0, r.expiresAt - now),
      }));
  }

  isActive(id: number): boolean {
    this.expire();
    return this.rules.has(id);
  }

  /** Ends one fault, or forgets one that ended; false when there is none by that id. */
  clear(id: number): boolean {
    const rule = this.rules.get(id);
    if (rule !== undefined) {
      rule.cleared.abort();
      this.end(rule);
    }
    return rule !== undefined || this.endedRules.delete(id);
  }

  /** Ends every fault and forgets the ended ones; returns how many were in place. */
  clearAll(): number {
    const n = this.rules.size;
    for (const rule of [...this.rules.values(), ...this.endedRules.values()]) {
      rule.cleared.abort();
      this.end(rule);
    }
    this.endedRules.clear();
    return n;
  }

  /** The dispatch's hook: what to do with a request, after waiting out a paused group. Undefined: serve it normally. */
  async intercept(apiKey: number, version: number, request: unknown, conn: ConnectionInfo): Promise<Intercept | undefined> {
    this.expire();
    const paused = this.pausedGroup(apiKey, request);
    if (paused !== undefined) {
      paused.hits++;
      if (paused.spec.mode === 'loading') return { response: this.errorFor(apiKey, request, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, version, conn) };
      await waitUnlessClosed(paused.ended, conn.closed);
      this.expire();
    }
    const result: Intercept = {};
    const fail = this.take('fail', apiKey, request, conn);
    if (fail !== undefined) {
      result.response = this.errorFor(apiKey, request, fail.spec.errorCode as number, version, conn);
      // As Kafka: a failed acks=0 produce has no response to carry the error, so the connection closes.
      if (apiKey === 0 && (request as { acks: number }).acks === 0) return { ...result, close: true };
    }
    const delay = this.take('delay', apiKey, request, conn);
    if (delay !== undefined) {
      const slept = sleep(delay.spec.delayMs as number, undefined, { signal: delay.cleared.signal, ref: false }).catch(() => undefined);
      result.delay = waitUnlessClosed(slept, conn.closed);
    }
    if (this.take('close-after', apiKey, request, conn) !== undefined) result.close = true;
    return result.response === undefined && result.delay === undefined && result.close === undefined ? undefined : result;
  }

  /** The replica manager's hook: whether this partition must answer NOT_LEADER_OR_FOLLOWER now. */
  isNotLeader(topic: string, partition: number): boolean {
    if (this.rules.size === 0) return false;
    this.expire();
    for (const rule of this.rules.values()) {
      if (rule.kind !== 'not-leader' || rule.spec.topic !== topic) continue;
      if (rule.spec.partition !== undefined && rule.spec.partition !== partition) continue;
      rule.hits++;
      return true;
    }
    return false;
  }

  private pausedGroup(apiKey: number, request: unknown): Rule | undefined {
    if (!GROUP_API_KEYS.includes(apiKey)) return undefined;
    const groups = requestGroups(apiKey, request);
    for (const rule of this.rules.values()) {
      if (rule.kind === 'pause-group' && groups.includes(rule.spec.groupId as string)) return rule;
    }
    return undefined;
  }

  /** The first live rule of `kind` matching the request, with one use taken from it. */
  private take(kind: FaultKind, apiKey: number, request: unknown, conn: ConnectionInfo): Rule | undefined {
    let topics: string[] | undefined;
    for (const rule of this.rules.values()) {
      if (rule.kind !== kind || rule.spec.apiKey !== apiKey) continue;
      if (rule.spec.clientId !== undefined && rule.spec.clientId !== conn.clientId) continue;
      if (rule.spec.topic !== undefined) {
        topics ??= requestTopics(apiKey, request, (id) => this.deps.topicName(id));
        if (!topics.includes(rule.spec.topic as string)) continue;
      }
      rule.hits++;
      if (rule.remaining !== null && --rule.remaining === 0) this.end(rule);
      return rule;
    }
    return undefined;
  }

  private errorFor(apiKey: number, request: unknown, errorCode: number, version: number, conn: ConnectionInfo): unknown {
    return errorResponse(apiKey, request, errorCode, version, this.deps.clusterFacts(conn.listenerName));
  }

  private add(kind: FaultKind, spec: Record<string, unknown>, remaining: number | null, durationMs?: number): Fault {
    this.checkEnabled();
    const id = this.nextId++;
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    let timer: NodeJS.Timeout | undefined;
    if (durationMs !== undefined) {
      timer = setTimeout(() => this.clear(id), durationMs);
      timer.unref();
    }
    const expiresAt = durationMs === undefined ? null : this.clock() + durationMs;
    const rule: Rule = { id, kind, spec, hits: 0, remaining, expiresAt, timer, ended, end, cleared: new AbortController() };
    this.rules.set(id, rule);
    return new Fault(rule, this);
  }

  private end(rule: Rule): void {
    this.rules.delete(rule.id);
    clearTimeout(rule.timer);
    rule.end();
    this.endedRules.set(rule.id, rule);
    if (this.endedRules.size > MAX_ENDED) this.endedRules.delete(this.endedRules.keys().next().value!);
  }

  /** Ends the rules whose time is up (the timers do too; this keeps an injected clock honest). */
  private expire(): void {
    if (this.rules.size === 0) return;
    const now = this.clock();
    for (const rule of [...this.rules.values()]) if (rule.expiresAt !== null && rule.expiresAt <= now) this.end(rule);
  }

  private match(spec: RequestMatch, apiKey: number): Record<string, unknown> {
    if (spec.topic !== undefined) {
      if (typeof spec.topic !== 'string' || spec.topic === '') throw new FaultError('topic must be a non-empty string');
      if (!namesTopics(apiKey)) throw new FaultError(`requests of api ${apiKey} name no topics: a topic cannot match them`);
    }
    if (spec.clientId !== undefined && typeof spec.clientId !== 'string') throw new FaultError('clientId must be a string');
    return { apiKey, ...(spec.topic !== undefined && { topic: spec.topic }), ...(spec.clientId !== undefined && { clientId: spec.clientId }) };
  }

  private apiKey(spec: RequestMatch): number {
    this.checkEnabled();
    const key = toApiKey(spec.apiKey);
    if (!this.deps.serves(key)) throw new FaultError(`this broker does not serve api ${key}`);
    return key;
  }

  private partitionsOf(topic: string, partition: number | undefined): readonly PartitionLog[] {
    this.checkEnabled();
    if (typeof topic !== 'string' || topic === '') throw new FaultError('topic is required');
    const logs = this.deps.topicLogs(topic);
    if (logs === undefined) throw new FaultError(`unknown topic ${topic}`);
    if (partition === undefined) return logs;
    const log = Number.isInteger(partition) ? logs[partition] : undefined;
    if (log === undefined) throw new FaultError(`topic ${topic} has no partition ${String(partition)}`);
    return [log];
  }

  private checkEnabled(): void {
    if (!this.deps.enabled) throw new FaultError('fault injection is off (creek.faults.enable=false)', true);
  }
}

/** How many ended faults stay listed. */
const MAX_ENDED = 1000;

function toApiKey(value: number | string): number {
  if (typeof value === 'number' && Number.isInteger(value) && apiDef(value) !== undefined) return value;
  if (typeof value === 'string') {
    for (let key = 0; key < 100; key++) if (apiDef(key)?.name === value) return key;
  }
  throw new FaultError(`unknown api key ${String(value)}`);
}

function toErrorCode(value: number | string): number {
  if (typeof value === 'string' && value in ErrorCode) return ErrorCode[value as ErrorName];
  if (typeof value === 'number' && Number.isInteger(value) && value !== 0 && errorInfo(value).code === value) return value;
  throw new FaultError(`unknown error code ${String(value)}`);
}

function positive(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new FaultError(`${name} must be a positive integer`);
  return n;
}

function nonNegative(n: number, name: string): number {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new FaultError(`${name} must be a non-negative number`);
  return n;
}

function duration(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : nonNegative(ms, 'durationMs');
}

/** Waits for `ended`, or less when the connection closes meanwhile. */
function waitUnlessClosed(ended: Promise<unknown>, closed: AbortSignal): Promise<void> {
  if (closed.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      closed.removeEventListener('abort', done);
      resolve();
    };
    closed.addEventListener('abort', done);
    void ended.then(done);
  });
}
