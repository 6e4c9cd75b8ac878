// A consumer group of the next-generation protocol (KIP-848): members heartbeat their
// subscription, the coordinator computes the target assignment with a server-side assignor
// whenever the group epoch moves (members join or leave, subscriptions or subscribed topics'
// partition counts change), and each member is reconciled towards its target: partitions it
// must give up are revoked first (its epoch stays until it reports them gone), partitions still
// owned by another member are withheld until released, then the member moves to the new epoch.
// A member subscribes by topic names, by a regular expression over the topic names (v1,
// resolved against the current topics at every heartbeat, so a new matching topic moves the group
// epoch), or both.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { fullMatchRegex } from '../full-match-regex.js';
import { KafkaError } from '../kafka-error.js';
import { ASSIGNORS, type Assignor } from './assignors.js';
import type { GroupConfig } from './group-config.js';
import { checkOffsetCommit, checkOffsetFetch, MemberTimers } from './member-epochs.js';
import type { Timers } from '../timers.js';

/** topic name → partitions. */
export type TopicPartitions = Map<string, Set<number>>;

export interface TopicLookup {
  partitionCount(topic: string): number | undefined;
  /** Every topic a regular expression subscription may match (internal topics excluded). */
  names(): string[];
}

/** A subscription's regular expression, matching whole topic names; throws INVALID_REGULAR_EXPRESSION when it does not compile. */
export function compileTopicRegex(regex: string): RegExp {
  const compiled = fullMatchRegex(regex);
  if (!compiled) throw new KafkaError(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex \`${regex}\` is not a valid regular expression.`);
  return compiled;
}

export type ConsumerMemberState = 'stable' | 'unrevoked_partitions' | 'unreleased_partitions';
/** As Kafka names them in ConsumerGroupDescribe and ListGroups. */
export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';

export class ConsumerMember {
  memberEpoch = 0;
  previousMemberEpoch = 0;
  state: ConsumerMemberState = 'stable';
  assigned: TopicPartitions = new Map();
  pendingRevocation: TopicPartitions = new Map();
  rebalanceTimeoutMs = 0;
  subscribedTopicNames: string[] = [];
  /** The subscription's regular expression as sent, null for none; compiled in `topicRegex`. */
  subscribedTopicRegex: string | null = null;
  topicRegex: RegExp | null = null;
  serverAssignor: string | null = null;
  rackId: string | null = null;

  constructor(
    readonly memberId: string,
    readonly instanceId: string | null,
    public clientId: string,
    public clientHost: string,
  ) {}
}

export interface ConsumerHeartbeat {
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  /** v1; null when unchanged. */
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  /** What the member owns now, by topic name; null when unchanged since the last heartbeat. */
  owned: TopicPartitions | null;
  clientId: string;
  clientHost: string;
}

export interface ConsumerHeartbeatResult {
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** Sent when it changed, on (re)join, and to full requests; else null. */
  assignment: TopicPartitions | null;
}

export interface ConsumerGroupEnv {
  readonly config: GroupConfig;
  readonly timers: Timers;
  readonly log: Logger;
  readonly topics: TopicLookup;
  /** Stores the group epoch. */
  persist(group: ConsumerGroup): void;
}

export const LEAVE_GROUP_MEMBER_EPOCH = -1;
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

function count(tps: TopicPartitions): number {
  let n = 0;
  for (const ps of tps.values()) n += ps.size;
  return n;
}

function has(tps: TopicPartitions, topic: string, partition: number): boolean {
  return tps.get(topic)?.has(partition) ?? false;
}

function add(tps: TopicPartitions, topic: string, partition: number): void {
  let ps = tps.get(topic);
  if (!ps) tps.set(topic, (ps = new Set()));
  ps.add(partition);
}

function sameAssignment(a: TopicPartitions, b: TopicPartitions): boolean {
  if (count(a) !== count(b)) return false;
  for (const [topic, ps] of a) for (const p of ps) if (!has(b, topic, p)) return false;
  return true;
}

function isSubset(a: TopicPartitions, b: TopicPartitions): boolean {
  for (const [topic, ps] of a) for (const p of ps) if (!has(b, topic, p)) return false;
  return true;
}

export class ConsumerGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerMember>();
  /** member id → target partitions of the current assignment epoch. */
  private target = new Map<string, TopicPartitions>();
  /** Partition counts of the subscribed topics the target was computed from. */
  private subscriptionMetadata = '';
  dead = false;
  private readonly memberTimers: MemberTimers;

  constructor(
    readonly groupId: string,
    private readonly env: ConsumerGroupEnv,
  ) {
    this.memberTimers = new MemberTimers(env.timers, `consumer\0${groupId}`, (id, why) => this.expire(id, why));
  }

  get state(): ConsumerGroupState {
    if (this.dead) return 'Dead';
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (m.memberEpoch !== this.assignmentEpoch || m.state !== 'stable') return 'Reconciling';
    return 'Stable';
  }

  /** The assignor used: the one most members asked for, else the first configured (uniform). */
  get assignor(): Assignor {
    const votes = new Map<string, number>();
    for (const m of this.members.values()) if (m.serverAssignor) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    let best: string | undefined;
    for (const [name, n] of votes) if (best === undefined || n > votes.get(best)!) best = name;
    return ASSIGNORS.find((a) => a.name === best) ?? ASSIGNORS[0]!;
  }

  targetOf(memberId: string): TopicPartitions {
    return this.target.get(memberId) ?? new Map();
  }

  heartbeat(req: ConsumerHeartbeat): ConsumerHeartbeatResult {
    if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) return this.leave(req);
    if (req.serverAssignor !== null && !ASSIGNORS.some((a) => a.name === req.serverAssignor)) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${ASSIGNORS.map((a) => a.name).join(', ')}.`);
    }
    let member: ConsumerMember;
    let joined = false;
    let bump = false;
    if (req.memberEpoch === 0) {
      member = this.join(req);
      joined = true;
      bump = true;
    } else {
      const found = this.members.get(req.memberId);
      if (!found) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${this.groupId}.`);
      member = found;
      this.checkEpoch(member, req.memberEpoch, req.owned);
    }
    if (req.rebalanceTimeoutMs !== -1) member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if (req.rackId !== null) member.rackId = req.rackId;
    if (req.serverAssignor !== null && req.serverAssignor !== member.serverAssignor) {
      member.serverAssignor = req.serverAssignor;
      bump = true;
    }
    if (req.subscribedTopicNames !== null) {
      const next = [...new Set(req.subscribedTopicNames)].sort();
      if (next.join('\0') !== member.subscribedTopicNames.join('\0')) {
        member.subscribedTopicNames = next;
        bump = true;
      }
    }
    if (req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== member.subscribedTopicRegex) {
      member.topicRegex = req.subscribedTopicRegex === '' ? null : compileTopicRegex(req.subscribedTopicRegex);
      member.subscribedTopicRegex = req.subscribedTopicRegex;
      bump = true;
    }
    if (this.metadataSignature() !== this.subscriptionMetadata) bump = true;
    if (bump) this.bumpEpoch(joined ? `member ${member.memberId} joined` : `member ${member.memberId} changed its subscription`);

    const before = new Map([...member.assigned].map(([t, ps]) => [t, new Set(ps)]));
    this.reconcile(member, req.owned);
    this.scheduleTimers(member);
    const full = req.rebalanceTimeoutMs !== -1 && (req.subscribedTopicNames !== null || req.subscribedTopicRegex !== null) && req.owned !== null;
    const changed = !sameAssignment(before, member.assigned);
    return {
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.env.config.consumerHeartbeatIntervalMs,
      assignment: joined || changed || full ? member.assigned : null,
    };
  }

  private join(req: ConsumerHeartbeat): ConsumerMember {
    if (req.instanceId !== null) {
      const holder = [...this.members.values()].find((m) => m.instanceId === req.instanceId);
      if (holder && holder.memberId !== req.memberId) {
        // A static member coming back under a new member id takes over the old one's place.
        this.removeMember(holder);
      }
    }
    const existing = this.members.get(req.memberId);
    if (existing) {
      // Rejoin (epoch 0) of a known member: it starts over, owning nothing.
      existing.memberEpoch = existing.previousMemberEpoch = 0;
      existing.state = 'stable';
      existing.assigned = new Map();
      existing.pendingRevocation = new Map();
      return existing;
    }
    if (this.members.size >= this.env.config.consumerMaxSize) {
      throw new KafkaError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.env.config.consumerMaxSize} members.`);
    }
    const memberId = req.memberId === '' ? randomBytes(16).toString('base64url') : req.memberId;
    const member = new ConsumerMember(memberId, req.instanceId, req.clientId, req.clientHost);
    this.members.set(memberId, member);
    return member;
  }

  private leave(req: ConsumerHeartbeat): ConsumerHeartbeatResult {
    const member = this.members.get(req.memberId);
    if (!member) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${this.groupId}.`);
    this.removeMember(member);
    this.bumpEpoch(`member ${member.memberId} left`);
    return { memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
  }

  /** Kafka accepts the current epoch, or the previous one while the member owns nothing new (a lost response). */
  private checkEpoch(member: ConsumerMember, epoch: number, owned: TopicPartitions | null): void {
    if (epoch > member.memberEpoch) {
      throw new KafkaError(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a greater member epoch (${epoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`);
    }
    if (epoch < member.memberEpoch && (epoch !== member.previousMemberEpoch || (owned !== null && !isSubset(owned, member.assigned)))) {
      throw new KafkaError(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a smaller member epoch (${epoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`);
    }
  }

  /** Recomputes the target assignment for a new group epoch. */
  private bumpEpoch(reason: string): void {
    this.groupEpoch++;
    this.subscriptionMetadata = this.metadataSignature();
    const counts = new Map<string, number>();
    const subscribed = new Map([...this.members.values()].map((m) => [m, this.topicsOf(m)]));
    for (const topics of subscribed.values()) {
      for (const t of topics) {
        const n = this.env.topics.partitionCount(t);
        if (n !== undefined) counts.set(t, n);
      }
    }
    const assignment = this.assignor.assign(
      [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        subscribedTopics: subscribed.get(m)!.filter((t) => counts.has(t)),
        current: new Map([...this.targetOf(m.memberId)].map(([t, ps]) => [t, [...ps]])),
      })),
      counts,
    );
    this.target = new Map([...assignment].map(([id, topics]) => [id, new Map([...topics].map(([t, ps]) => [t, new Set(ps)]))]));
    this.assignmentEpoch = this.groupEpoch;
    this.env.persist(this);
    this.env.log.info({ group: this.groupId, epoch: this.groupEpoch, members: this.members.size, assignor: this.assignor.name, reason }, 'consumer group: new target assignment');
  }

  /** A member's subscribed topics: its names and the topics its regular expression matches now. */
  private topicsOf(member: ConsumerMember): string[] {
    const regex = member.topicRegex;
    if (regex === null) return member.subscribedTopicNames;
    return [...new Set([...member.subscribedTopicNames, ...this.env.topics.names().filter((t) => regex.test(t))])].sort();
  }

  private metadataSignature(): string {
    const topics = [...new Set([...this.members.values()].flatMap((m) => this.topicsOf(m)))].sort();
    return topics.map((t) => `${t}:${this.env.topics.partitionCount(t) ?? -1}`).join(',');
  }

  /** Moves a member towards its target: revoke first, then take what is free, then the new epoch. */
  private reconcile(member: ConsumerMember, owned: TopicPartitions | null): void {
    if (member.state === 'unrevoked_partitions') {
      const stillOwned = owned === null || [...member.pendingRevocation].some(([t, ps]) => [...ps].some((p) => has(owned, t, p)));
      if (stillOwned) return;
      member.pendingRevocation = new Map();
      member.state = 'stable';
    }
    if (member.memberEpoch === this.assignmentEpoch && member.state === 'stable') return;
    const target = this.targetOf(member.memberId);
    const keep: TopicPartitions = new Map();
    const revoke: TopicPartitions = new Map();
    for (const [t, ps] of member.assigned) for (const p of ps) add(has(target, t, p) ? keep : revoke, t, p);
    if (count(revoke) > 0) {
      member.assigned = keep;
      member.pendingRevocation = revoke;
      member.state = 'unrevoked_partitions';
      return;
    }
    let unreleased = false;
    for (const [t, ps] of target) {
      for (const p of ps) {
        if (has(keep, t, p)) continue;
        if (this.ownedByOther(member.memberId, t, p)) unreleased = true;
        else add(keep, t, p);
      }
    }
    member.assigned = keep;
    if (member.memberEpoch !== this.assignmentEpoch) {
      member.previousMemberEpoch = member.memberEpoch;
      member.memberEpoch = this.assignmentEpoch;
    }
    member.state = unreleased ? 'unreleased_partitions' : 'stable';
  }

  private ownedByOther(memberId: string, topic: string, partition: number): boolean {
    for (const m of this.members.values()) {
      if (m.memberId !== memberId && (has(m.assigned, topic, partition) || has(m.pendingRevocation, topic, partition))) return true;
    }
    return false;
  }

  private scheduleTimers(member: ConsumerMember): void {
    this.memberTimers.heartbeat(member.memberId, this.env.config.consumerSessionTimeoutMs, member.state === 'unrevoked_partitions', member.rebalanceTimeoutMs, 'partitions');
  }

  private expire(memberId: string, why: string): void {
    const member = this.members.get(memberId);
    if (!member || this.dead) return;
    this.env.log.info({ group: this.groupId, memberId }, `consumer group member removed: ${why}`);
    this.removeMember(member);
    this.bumpEpoch(`member ${memberId} ${why}`);
  }

  private removeMember(member: ConsumerMember): void {
    this.members.delete(member.memberId);
    this.target.delete(member.memberId);
    this.memberTimers.remove(member.memberId);
  }

  /** OffsetCommit / TxnOffsetCommit checks for this group. */
  validateOffsetCommit(memberId: string, memberEpoch: number, transactional: boolean, version: number): void {
    checkOffsetCommit(this, 'consumer', memberId, memberEpoch, transactional, version);
  }

  /** OffsetFetch v9 checks: an admin fetch (epoch -1) is always accepted. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): void {
    checkOffsetFetch(this, memberId, memberEpoch);
  }

  subscribedTopics(): Set<string> {
    return new Set([...this.members.values()].flatMap((m) => this.topicsOf(m)));
  }

  markDead(): void {
    this.dead = true;
    this.memberTimers.stopAll();
  }

  /** Another broker coordinates the group from now on: no timer of it fires here. */
  unload(): void {
    this.memberTimers.stopAll();
  }
}
