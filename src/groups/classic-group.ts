// A classic-protocol consumer group (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) with Kafka's state
// machine: Empty → PreparingRebalance → CompletingRebalance → Stable (Dead once deleted).
// A rebalance waits for every member to rejoin (bounded by the largest rebalance timeout, after
// which members that did not rejoin are removed); the first rebalance of an empty group waits
// group.initial.rebalance.delay.ms, extended while new members keep arriving, up to the
// rebalance timeout. Members are removed when their session times out; new members are given
// an id first (MEMBER_ID_REQUIRED, KIP-394) unless they are static (group.instance.id, KIP-345),
// in which case a rejoin with a new member id replaces the old one without a rebalance.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';
import type { GroupConfig } from './group-config.js';
import type { GroupValue } from './group-records.js';
import type { Timers } from '../timers.js';

export type ClassicState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface JoinMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: JoinMember[];
  skipAssignment: boolean;
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface JoinRequest {
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  clientId: string;
  clientHost: string;
  /** JoinGroup version: v4+ must rejoin with a given member id, v9+ can skip the assignment. */
  version: number;
}

export interface SyncRequest {
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
}

export interface GroupEnv {
  readonly config: GroupConfig;
  readonly timers: Timers;
  readonly log: Logger;
  /** Writes the group's metadata (members and assignments) to the offsets topic. */
  persist(group: ClassicGroup): Promise<void>;
}

/** Kafka's group.new.member.join.timeout: a new member whose JoinGroup response is lost is dropped after it. */
const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60_000;
const EMPTY = Buffer.alloc(0);

export class ClassicMember {
  assignment: Buffer = EMPTY;
  awaitingJoin: ((r: JoinResult) => void) | null = null;
  awaitingSync: ((r: SyncResult) => void) | null = null;
  /** Joined but has not yet received a JoinGroup response. */
  isNew = false;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public protocols: Protocol[],
  ) {}

  metadataFor(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }

  /** Same protocols with the same metadata, in the same order. */
  matches(protocols: Protocol[]): boolean {
    return protocols.length === this.protocols.length && protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata));
  }

  completeJoin(result: JoinResult): void {
    const callback = this.awaitingJoin;
    this.awaitingJoin = null;
    callback?.(result);
  }

  completeSync(result: SyncResult): void {
    const callback = this.awaitingSync;
    this.awaitingSync = null;
    callback?.(result);
  }
}

function joinError(errorCode: number, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [], skipAssignment: false };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export class ClassicGroup {
  state: ClassicState = 'Empty';
  private previousState: ClassicState = 'Empty';
  /** When the group entered its current state (offsets of an empty group expire from here). */
  stateTimestamp = Date.now();
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, ClassicMember>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not yet joined. */
  private readonly pendingMembers = new Set<string>();
  /** group.instance.id → member id. */
  private readonly staticMembers = new Map<string, string>();
  /** Members of the current generation that have not sent SyncGroup yet. */
  private readonly pendingSync = new Set<string>();
  private newMemberAdded = false;

  constructor(
    readonly groupId: string,
    private readonly env: GroupEnv,
  ) {}

  // ---- JoinGroup ----

  join(req: JoinRequest): Promise<JoinResult> {
    if (this.state === 'Dead') return Promise.resolve(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId));
    if (!this.supportsProtocols(req.protocolType, req.protocols)) return Promise.resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    let result: Promise<JoinResult>;
    if (req.memberId === '') {
      result = req.groupInstanceId !== null ? this.joinNewStaticMember(req) : this.joinNewDynamicMember(req);
    } else if (this.pendingMembers.has(req.memberId)) {
      result = this.addMemberAndRebalance(req, req.memberId);
    } else {
      result = this.joinExistingMember(req);
    }
    this.maybeCompleteJoinPhase();
    return result;
  }

  private acceptsJoiningMember(memberId: string): boolean {
    const max = this.env.config.maxSize;
    switch (this.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (this.members.get(memberId)?.awaitingJoin != null) || this.awaitingJoinCount() < max;
      default:
        return this.members.has(memberId) || this.members.size < max;
    }
  }

  private joinNewDynamicMember(req: JoinRequest): Promise<JoinResult> {
    const memberId = `${req.clientId}-${randomUUID()}`;
    if (!this.acceptsJoiningMember(memberId)) return Promise.resolve(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED));
    if (req.version >= 4) {
      this.pendingMembers.add(memberId);
      this.env.timers.schedule(this.sessionKey(memberId), req.sessionTimeoutMs, () => this.expireMember(memberId));
      return Promise.resolve(joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
    }
    return this.addMemberAndRebalance(req, memberId);
  }

  private joinNewStaticMember(req: JoinRequest): Promise<JoinResult> {
    const instanceId = req.groupInstanceId!;
    const newMemberId = `${instanceId}-${randomUUID()}`;
    const oldMemberId = this.staticMembers.get(instanceId);
    if (oldMemberId === undefined) {
      if (!this.acceptsJoiningMember(newMemberId)) return Promise.resolve(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED));
      return this.addMemberAndRebalance(req, newMemberId);
    }
    return this.replaceStaticMember(req, oldMemberId, newMemberId);
  }

  private replaceStaticMember(req: JoinRequest, oldMemberId: string, newMemberId: string): Promise<JoinResult> {
    const previousLeader = this.leaderId;
    const member = this.members.get(oldMemberId)!;
    // Fence whoever still waits with the old id.
    member.completeJoin(joinError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId));
    member.completeSync(syncError(ErrorCode.FENCED_INSTANCE_ID));
    this.env.timers.cancel(this.sessionKey(oldMemberId));
    this.members.delete(oldMemberId);
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    this.staticMembers.set(req.groupInstanceId!, newMemberId);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    if (this.pendingSync.delete(oldMemberId)) this.pendingSync.add(newMemberId);
    this.scheduleSession(member);
    const result = this.awaitJoin(member, req);

    if (this.state === 'Stable' && this.protocolName === this.selectProtocol()) {
      // Same protocol for the next generation: no rebalance; the member gets the current
      // generation back (a leader is told to skip the assignment, or is named by its old id).
      this.env.log.info({ group: this.groupId, memberId: newMemberId, instanceId: req.groupInstanceId }, 'static member rejoined without rebalance');
      const isLeader = this.leaderId === newMemberId;
      void this.env.persist(this).then(
        () =>
          member.completeJoin({
            ...this.generationInfo(newMemberId),
            members: isLeader ? this.currentMembers() : [],
            leader: req.version >= 9 ? this.leaderId ?? '' : previousLeader ?? '',
            skipAssignment: isLeader,
          }),
        (err: unknown) => {
          this.env.log.error({ err, group: this.groupId }, 'could not store static member replacement');
          member.completeJoin(joinError(ErrorCode.UNKNOWN_SERVER_ERROR, newMemberId));
        },
      );
    } else if (this.state === 'Stable') {
      this.prepareRebalance(`static member ${req.groupInstanceId} joined with a change of protocol`);
    } else if (this.state === 'CompletingRebalance') {
      this.prepareRebalance(`static member ${req.groupInstanceId} rejoined while the group was completing a rebalance`);
    }
    return result;
  }

  private joinExistingMember(req: JoinRequest): Promise<JoinResult> {
    const error = this.validateMember(req.memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return Promise.resolve(joinError(error, req.memberId));
    const member = this.members.get(req.memberId)!;
    switch (this.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(member, req);
      case 'CompletingRebalance':
        if (member.matches(req.protocols)) {
          // A retry of a JoinGroup whose response was lost: the current generation again.
          return Promise.resolve({ ...this.generationInfo(member.memberId), members: this.leaderId === member.memberId ? this.currentMembers() : [] });
        }
        return this.updateMemberAndRebalance(member, req);
      case 'Stable':
        // The leader rejoining forces a rebalance (it may have seen topic metadata change).
        if (this.leaderId === member.memberId || !member.matches(req.protocols)) return this.updateMemberAndRebalance(member, req);
        return Promise.resolve({ ...this.generationInfo(member.memberId), members: [] });
      default:
        return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId));
    }
  }

  private addMemberAndRebalance(req: JoinRequest, memberId: string): Promise<JoinResult> {
    const member = new ClassicMember(memberId, req.groupInstanceId, req.clientId, req.clientHost, req.rebalanceTimeoutMs, req.sessionTimeoutMs, req.protocols);
    member.isNew = true;
    if (this.state === 'PreparingRebalance' && this.previousState === 'Empty') this.newMemberAdded = true;
    this.pendingMembers.delete(memberId);
    if (this.members.size === 0) this.protocolType = req.protocolType;
    this.members.set(memberId, member);
    if (req.groupInstanceId !== null) this.staticMembers.set(req.groupInstanceId, memberId);
    this.leaderId ??= memberId;
    const result = this.awaitJoin(member, req);
    this.env.timers.schedule(this.sessionKey(memberId), NEW_MEMBER_JOIN_TIMEOUT_MS, () => this.expireMember(memberId));
    this.maybePrepareRebalance(`member ${memberId} joined`);
    return result;
  }

  private updateMemberAndRebalance(member: ClassicMember, req: JoinRequest): Promise<JoinResult> {
    const result = this.awaitJoin(member, req);
    this.maybePrepareRebalance(`member ${member.memberId} rejoined`);
    return result;
  }

  /** Takes the member's new protocols and timeouts and parks its JoinGroup until the join phase completes. */
  private awaitJoin(member: ClassicMember, req: JoinRequest): Promise<JoinResult> {
    member.protocols = req.protocols;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.completeJoin(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
    return new Promise((resolve) => {
      member.awaitingJoin = (r) => resolve(r.skipAssignment && req.version < 9 ? { ...r, skipAssignment: false } : r);
    });
  }

  private maybePrepareRebalance(reason: string): void {
    if (this.state === 'Stable' || this.state === 'CompletingRebalance' || this.state === 'Empty') this.prepareRebalance(reason);
  }

  private prepareRebalance(reason: string): void {
    if (this.state === 'CompletingRebalance') this.resetAssignments(ErrorCode.REBALANCE_IN_PROGRESS);
    this.env.timers.cancel(this.syncKey());
    const initial = this.state === 'Empty';
    if (initial) {
      const delay = this.env.config.initialRebalanceDelayMs;
      this.scheduleInitialJoin(delay, Math.max(this.rebalanceTimeoutMs() - delay, 0));
    } else {
      this.env.timers.schedule(this.joinKey(), this.rebalanceTimeoutMs(), () => this.completeJoin());
    }
    this.transitionTo('PreparingRebalance');
    this.env.log.info({ group: this.groupId, generation: this.generationId, reason }, 'preparing to rebalance group');
  }

  /** The first rebalance of an empty group waits for more members, longer while new ones keep coming. */
  private scheduleInitialJoin(delayMs: number, remainingMs: number): void {
    this.env.timers.schedule(this.joinKey(), delayMs, () => {
      if (this.newMemberAdded && remainingMs > 0) {
        this.newMemberAdded = false;
        const next = Math.min(this.env.config.initialRebalanceDelayMs, remainingMs);
        this.scheduleInitialJoin(next, Math.max(remainingMs - delayMs, 0));
      } else {
        this.completeJoin();
      }
    });
  }

  private maybeCompleteJoinPhase(): void {
    if (this.state === 'PreparingRebalance' && this.allMembersJoined() && this.previousState !== 'Empty') this.completeJoin();
  }

  private allMembersJoined(): boolean {
    return this.pendingMembers.size === 0 && this.awaitingJoinCount() === this.members.size;
  }

  private awaitingJoinCount(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.awaitingJoin) n++;
    return n;
  }

  private completeJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    this.env.timers.cancel(this.joinKey());
    for (const m of [...this.members.values()]) {
      if (!m.awaitingJoin) {
        this.env.log.info({ group: this.groupId, memberId: m.memberId }, 'removing member that did not rejoin in time');
        this.removeMember(m);
      }
    }
    this.generationId++;
    this.pendingSync.clear();
    if (this.members.size === 0) {
      this.protocolName = null;
      this.leaderId = null;
      this.transitionTo('Empty');
      this.persistInBackground();
      return;
    }
    this.protocolName = this.selectProtocol();
    this.transitionTo('CompletingRebalance');
    this.env.log.info({ group: this.groupId, generation: this.generationId, members: this.members.size, protocol: this.protocolName }, 'rebalance: join phase complete');
    for (const m of this.members.values()) {
      this.pendingSync.add(m.memberId);
      m.isNew = false;
      m.completeJoin({ ...this.generationInfo(m.memberId), members: this.leaderId === m.memberId ? this.currentMembers() : [] });
      this.scheduleSession(m);
    }
    const generation = this.generationId;
    this.env.timers.schedule(this.syncKey(), this.rebalanceTimeoutMs(), () => this.expirePendingSync(generation));
  }

  private expirePendingSync(generation: number): void {
    if (generation !== this.generationId || (this.state !== 'CompletingRebalance' && this.state !== 'Stable') || this.pendingSync.size === 0) return;
    const missing = [...this.pendingSync];
    for (const id of missing) {
      const m = this.members.get(id);
      if (m) this.removeMember(m);
    }
    this.prepareRebalance(`members ${missing.join(', ')} did not send SyncGroup in time`);
  }

  // ---- SyncGroup ----

  sync(req: SyncRequest): Promise<SyncResult> {
    if (this.state === 'Dead') return Promise.resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    const error = this.validateMember(req.memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return Promise.resolve(syncError(error));
    if (req.generationId !== this.generationId) return Promise.resolve(syncError(ErrorCode.ILLEGAL_GENERATION));
    const inconsistent = (asked: string | null, actual: string | null): boolean => asked !== null && actual !== null && asked !== actual;
    if (inconsistent(req.protocolType, this.protocolType) || inconsistent(req.protocolName, this.protocolName)) {
      return Promise.resolve(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const member = this.members.get(req.memberId)!;
    switch (this.state) {
      case 'Empty':
        return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      case 'PreparingRebalance':
        return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'Stable':
        this.syncReceived(member);
        return Promise.resolve({ errorCode: ErrorCode.NONE, protocolType: this.protocolType, protocolName: this.protocolName, assignment: member.assignment });
      default: {
        member.completeSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        const result = new Promise<SyncResult>((resolve) => {
          member.awaitingSync = resolve;
        });
        this.syncReceived(member);
        if (this.leaderId === member.memberId) this.applyLeaderAssignment(req);
        return result;
      }
    }
  }

  private syncReceived(member: ClassicMember): void {
    this.scheduleSession(member);
    this.pendingSync.delete(member.memberId);
    if (this.pendingSync.size === 0) this.env.timers.cancel(this.syncKey());
  }

  private applyLeaderAssignment(req: SyncRequest): void {
    const assignments = new Map(req.assignments.map((a) => [a.memberId, Buffer.from(a.assignment)]));
    const generation = this.generationId;
    for (const m of this.members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY;
    this.env.persist(this).then(
      () => {
        if (this.state !== 'CompletingRebalance' || this.generationId !== generation) return;
        this.transitionTo('Stable');
        this.env.log.info({ group: this.groupId, generation }, 'rebalance complete: group stable');
        for (const m of this.members.values()) {
          m.completeSync({ errorCode: ErrorCode.NONE, protocolType: this.protocolType, protocolName: this.protocolName, assignment: m.assignment });
        }
      },
      (err: unknown) => {
        this.env.log.error({ err, group: this.groupId }, 'could not store group assignment');
        if (this.state !== 'CompletingRebalance' || this.generationId !== generation) return;
        this.resetAssignments(ErrorCode.COORDINATOR_NOT_AVAILABLE);
        this.maybePrepareRebalance('the assignment could not be stored');
      },
    );
  }

  /** Answers every parked SyncGroup with `errorCode` and forgets all assignments. */
  private resetAssignments(errorCode: number): void {
    for (const m of this.members.values()) {
      m.completeSync(syncError(errorCode));
      m.assignment = EMPTY;
    }
  }

  // ---- Heartbeat ----

  heartbeat(memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.validateMember(memberId, groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (this.state === 'Empty') return ErrorCode.UNKNOWN_MEMBER_ID;
    this.scheduleSession(this.members.get(memberId)!);
    return this.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  // ---- LeaveGroup ----

  /** Removes members (by member id, or by instance id alone); returns an error code per member. */
  leave(members: MemberIdentity[]): number[] {
    let removed = false;
    const results = members.map((who) => {
      if (who.memberId === '') {
        const id = who.groupInstanceId === null ? undefined : this.staticMembers.get(who.groupInstanceId);
        if (id === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
        this.removeMember(this.members.get(id)!);
        removed = true;
        return ErrorCode.NONE;
      }
      if (this.pendingMembers.delete(who.memberId)) {
        this.env.timers.cancel(this.sessionKey(who.memberId));
        return ErrorCode.NONE;
      }
      const error = this.validateMember(who.memberId, who.groupInstanceId);
      if (error !== ErrorCode.NONE) return error;
      this.removeMember(this.members.get(who.memberId)!);
      removed = true;
      return ErrorCode.NONE;
    });
    if (removed) {
      this.env.log.info({ group: this.groupId, members: members.map((m) => m.memberId || m.groupInstanceId) }, 'members left group');
      this.afterMembershipChange('members left the group');
    } else {
      this.maybeCompleteJoinPhase();
    }
    return results;
  }

  private afterMembershipChange(reason: string): void {
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') this.prepareRebalance(reason);
    this.maybeCompleteJoinPhase();
  }

  private expireMember(memberId: string): void {
    if (this.state === 'Dead') return;
    if (this.pendingMembers.delete(memberId)) {
      this.maybeCompleteJoinPhase();
      return;
    }
    const m = this.members.get(memberId);
    if (!m) return;
    if (!m.isNew && (m.awaitingJoin || m.awaitingSync)) return;
    this.env.log.info({ group: this.groupId, memberId, sessionTimeoutMs: m.sessionTimeoutMs }, 'member session expired; removing it from the group');
    this.removeMember(m);
    this.afterMembershipChange(`member ${memberId} session expired`);
  }

  private removeMember(m: ClassicMember): void {
    m.completeJoin(joinError(ErrorCode.UNKNOWN_MEMBER_ID));
    m.completeSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    this.env.timers.cancel(this.sessionKey(m.memberId));
    this.members.delete(m.memberId);
    if (m.groupInstanceId !== null) this.staticMembers.delete(m.groupInstanceId);
    this.pendingSync.delete(m.memberId);
    if (this.leaderId === m.memberId) {
      const next = [...this.members.values()].find((x) => x.awaitingJoin) ?? this.members.values().next().value;
      this.leaderId = next?.memberId ?? null;
    }
  }

  // ---- offsets and admin ----

  /** Kafka's checks before an offset commit (transactional or not) from this group is accepted. */
  validateOffsetCommit(generationId: number, memberId: string, groupInstanceId: string | null, transactional: boolean): void {
    if (this.state === 'Dead') throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    // Without a generation the commit comes from an admin client or a consumer that assigns
    // partitions itself: accepted while the group is empty.
    if (generationId < 0 && this.state === 'Empty') return;
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      const error = this.validateMember(memberId, groupInstanceId);
      if (error !== ErrorCode.NONE) throw new KafkaError(error, `member ${memberId} is not part of group ${this.groupId}`);
      if (generationId !== this.generationId) {
        throw new KafkaError(ErrorCode.ILLEGAL_GENERATION, `generation ${generationId} is not the group's current generation ${this.generationId}`);
      }
      this.scheduleSession(this.members.get(memberId)!);
    } else if (!transactional && this.state !== 'Empty') {
      throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, 'commits without a member id are only accepted while the group is empty');
    }
    if (!transactional && this.state === 'CompletingRebalance') throw new KafkaError(ErrorCode.REBALANCE_IN_PROGRESS);
  }

  /** Current members' metadata of the selected protocol, as the leader gets them. */
  currentMembers(): JoinMember[] {
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(this.protocolName) }));
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.pendingMembers.size === 0;
  }

  /** DeleteGroups / offset expiry: the group is gone. */
  markDead(): void {
    this.transitionTo('Dead');
    this.env.timers.cancelPrefix(this.timerPrefix());
  }

  /** Broker shutdown: parked requests are told to find the coordinator again. */
  shutdown(): void {
    for (const m of this.members.values()) {
      m.completeJoin(joinError(ErrorCode.NOT_COORDINATOR, m.memberId));
      m.completeSync(syncError(ErrorCode.NOT_COORDINATOR));
    }
  }

  /** Another broker coordinates the group from now on: parked requests go there, and no timer of it fires here. */
  unload(): void {
    this.shutdown();
    this.env.timers.cancelPrefix(this.timerPrefix());
  }

  // ---- persistence ----

  toValue(): GroupValue {
    return {
      protocolType: this.protocolType ?? '',
      generation: this.generationId,
      protocol: this.protocolName,
      leader: this.leaderId,
      currentStateTimestamp: this.stateTimestamp,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: m.metadataFor(this.protocolName),
        assignment: m.assignment,
      })),
    };
  }

  /** Restores a stored group: Stable with its members (whose sessions start now), or Empty. */
  static fromValue(groupId: string, v: GroupValue, env: GroupEnv): ClassicGroup {
    const g = new ClassicGroup(groupId, env);
    g.protocolType = v.protocolType === '' ? null : v.protocolType;
    g.generationId = v.generation;
    g.protocolName = v.protocol;
    g.leaderId = v.leader;
    g.stateTimestamp = v.currentStateTimestamp;
    for (const s of v.members) {
      const m = new ClassicMember(s.memberId, s.groupInstanceId, s.clientId, s.clientHost, s.rebalanceTimeoutMs, s.sessionTimeoutMs, [{ name: v.protocol ?? '', metadata: s.subscription }]);
      m.assignment = s.assignment;
      g.members.set(m.memberId, m);
      if (m.groupInstanceId !== null) g.staticMembers.set(m.groupInstanceId, m.memberId);
      g.scheduleSession(m);
    }
    g.state = g.previousState = g.members.size > 0 ? 'Stable' : 'Empty';
    return g;
  }

  // ---- helpers ----

  private persistInBackground(): void {
    this.env.persist(this).catch((err: unknown) => this.env.log.error({ err, group: this.groupId }, 'could not store group metadata'));
  }

  private validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId);
      if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      return existing === memberId ? ErrorCode.NONE : ErrorCode.FENCED_INSTANCE_ID;
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  private supportsProtocols(protocolType: string, protocols: Protocol[]): boolean {
    if (this.state === 'Empty' || this.members.size === 0) return protocolType !== '' && protocols.length > 0;
    return protocolType === this.protocolType && protocols.some((p) => [...this.members.values()].every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  /** The protocol every member supports that gets the most first-choice votes (ties: earliest listed). */
  selectProtocol(): string {
    const members = [...this.members.values()];
    const candidates = members[0]!.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    const votes = new Map(candidates.map((c) => [c, 0]));
    for (const m of members) {
      const choice = m.protocols.find((p) => votes.has(p.name))!;
      votes.set(choice.name, votes.get(choice.name)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  private generationInfo(memberId: string): Omit<JoinResult, 'members'> {
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? '',
      memberId,
      skipAssignment: false,
    };
  }

  private rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  private transitionTo(state: ClassicState): void {
    this.previousState = this.state;
    this.state = state;
    this.stateTimestamp = Date.now();
  }

  private scheduleSession(m: ClassicMember): void {
    const memberId = m.memberId;
    this.env.timers.schedule(this.sessionKey(memberId), m.sessionTimeoutMs, () => this.expireMember(memberId));
  }

  private timerPrefix(): string {
    return `classic\0${this.groupId}\0`;
  }
  private sessionKey(memberId: string): string {
    return `${this.timerPrefix()}session\0${memberId}`;
  }
  private joinKey(): string {
    return `${this.timerPrefix()}join`;
  }
  private syncKey(): string {
    return `${this.timerPrefix()}sync`;
  }
}
