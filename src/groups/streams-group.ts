// A streams group (KIP-1071): Kafka Streams clients heartbeat with their topology and the tasks
// they own; the coordinator configures the topology against the existing topics (telling the
// handler which internal topics to create), computes the target task assignment whenever the group
// epoch moves, and reconciles each member towards it the way consumer groups are reconciled:
// tasks a member must give up are revoked first (its epoch stays until it reports them gone), tasks
// another member still holds are withheld until released, then the member moves to the new epoch.
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';
import type { GroupConfig } from './group-config.js';
import { checkOffsetCommit, checkOffsetFetch, MemberTimers } from './member-epochs.js';
import { addTask, assignTasks, emptyTasks, hasTask, STREAMS_ASSIGNOR_NAME, taskCount, type Tasks, type TasksTuple } from './streams-assignor.js';
import {
  checkTopology,
  configureTopology,
  StreamsStatus,
  topologyKey,
  topologyTopics,
  type ConfiguredTopology,
  type InternalTopicToCreate,
  type PartitionCount,
  type StreamsStatusEntry,
  type StreamsTopology,
} from './streams-topology.js';
import type { Timers } from '../timers.js';

export type StreamsMemberState = 'stable' | 'unrevoked_tasks' | 'unreleased_tasks';
export type StreamsGroupState = 'Empty' | 'NotReady' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';

export interface Endpoint {
  host: string;
  port: number;
}

export interface TaskOffset {
  subtopologyId: string;
  partition: number;
  offset: number;
}

export class StreamsMember {
  memberEpoch = 0;
  previousMemberEpoch = 0;
  state: StreamsMemberState = 'stable';
  assigned: TasksTuple = emptyTasks();
  pendingRevocation: TasksTuple = emptyTasks();
  rebalanceTimeoutMs = 0;
  topologyEpoch = 0;
  processId = '';
  userEndpoint: Endpoint | null = null;
  clientTags: [string, string][] = [];
  rackId: string | null = null;
  taskOffsets: TaskOffset[] = [];
  taskEndOffsets: TaskOffset[] = [];

  constructor(
    readonly memberId: string,
    public instanceId: string | null,
    public clientId: string,
    public clientHost: string,
  ) {}

  /** What the group's epoch depends on: a change of it moves the group to a new epoch. */
  metadataKey(): string {
    return JSON.stringify([this.instanceId, this.rackId, this.topologyEpoch, this.processId, this.userEndpoint, this.clientTags]);
  }
}

export interface StreamsHeartbeat {
  memberId: string;
  memberEpoch: number;
  endpointInformationEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  topology: StreamsTopology | null;
  /** The tasks the member owns now; null when unchanged since the last heartbeat. */
  owned: TasksTuple | null;
  processId: string | null;
  userEndpoint: Endpoint | null;
  clientTags: [string, string][] | null;
  taskOffsets: TaskOffset[] | null;
  taskEndOffsets: TaskOffset[] | null;
  shutdownApplication: boolean;
  clientId: string;
  clientHost: string;
}

export interface EndpointPartitions {
  endpoint: Endpoint;
  /** topic → partitions read by the member's active tasks. */
  active: Map<string, number[]>;
  /** topic → partitions read by the member's standby and warm-up tasks. */
  standby: Map<string, number[]>;
}

export interface StreamsHeartbeatResult {
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  acceptableRecoveryLag: number;
  taskOffsetIntervalMs: number;
  status: StreamsStatusEntry[];
  /** Sent on join and when it changed; else null. */
  assignment: TasksTuple | null;
  endpointInformationEpoch: number;
  /** Sent when the member's endpoint information epoch is behind the group's; else null. */
  partitionsByUserEndpoint: EndpointPartitions[] | null;
  /** Internal topics the topology needs and that do not exist: the handler creates them. */
  internalTopicsToCreate: InternalTopicToCreate[];
}

export interface StreamsGroupEnv {
  readonly config: GroupConfig;
  readonly timers: Timers;
  readonly log: Logger;
  readonly partitionCount: PartitionCount;
  /** Stores the group epoch and topology. */
  persist(group: StreamsGroup): void;
}

export const LEAVE_GROUP_MEMBER_EPOCH = -1;
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

const TASK_TYPES = ['active', 'standby', 'warmup'] as const;

function copyTasks(t: TasksTuple): TasksTuple {
  const copy = (m: Tasks): Tasks => new Map([...m].map(([s, ps]) => [s, new Set(ps)]));
  return { active: copy(t.active), standby: copy(t.standby), warmup: copy(t.warmup) };
}

function sameTasks(a: Tasks, b: Tasks): boolean {
  if (taskCount(a) !== taskCount(b)) return false;
  for (const [s, ps] of a) for (const p of ps) if (!hasTask(b, s, p)) return false;
  return true;
}

function sameTuple(a: TasksTuple, b: TasksTuple): boolean {
  return TASK_TYPES.every((k) => sameTasks(a[k], b[k]));
}

function containsAny(owned: TasksTuple, wanted: TasksTuple): boolean {
  return TASK_TYPES.some((k) => [...wanted[k]].some(([s, ps]) => [...ps].some((p) => hasTask(owned[k], s, p))));
}

function isEmptyTuple(t: TasksTuple): boolean {
  return TASK_TYPES.every((k) => taskCount(t[k]) === 0);
}

export class StreamsGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  topology: StreamsTopology | null = null;
  configured: ConfiguredTopology | null = null;
  readonly members = new Map<string, StreamsMember>();
  /** member id → its tasks in the current target assignment. */
  private target = new Map<string, TasksTuple>();
  /** Partition counts of the topology's topics the configuration was computed from. */
  private metadataSignature = '';
  private validatedTopologyEpoch = -1;
  endpointInformationEpoch = 0;
  private shutdownRequestedBy: string | null = null;
  dead = false;
  private readonly memberTimers: MemberTimers;
  /** Scheduled while a group that got its first member waits for more (group.streams.initial.rebalance.delay.ms). */
  private readonly initialDelayKey: string;

  constructor(
    readonly groupId: string,
    private readonly env: StreamsGroupEnv,
  ) {
    this.memberTimers = new MemberTimers(env.timers, `streams\0${groupId}`, (id, why) => this.expire(id, why));
    this.initialDelayKey = this.memberTimers.key('initial-delay');
  }

  get state(): StreamsGroupState {
    if (this.dead) return 'Dead';
    if (this.members.size === 0) return 'Empty';
    if (!this.configured?.ready) return 'NotReady';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (m.memberEpoch !== this.assignmentEpoch || m.state !== 'stable') return 'Reconciling';
    return 'Stable';
  }

  get assignorName(): string {
    return STREAMS_ASSIGNOR_NAME;
  }

  targetOf(memberId: string): TasksTuple {
    return this.target.get(memberId) ?? emptyTasks();
  }

  heartbeat(req: StreamsHeartbeat): StreamsHeartbeatResult {
    if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) return this.leave(req);
    const joining = req.memberEpoch === 0;
    let member = this.members.get(req.memberId);
    // Everything that can refuse the request is checked before anything changes.
    if (!member && !joining) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${this.groupId}.`);
    if (!member && this.members.size >= this.env.config.streamsMaxSize && !(req.instanceId !== null && this.staticMember(req.instanceId))) {
      throw new KafkaError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The streams group has reached its maximum capacity of ${this.env.config.streamsMaxSize} members.`);
    }
    if (member && !joining) this.checkEpoch(member, req.memberEpoch, req.owned);
    const holder = !member && req.instanceId !== null ? this.staticMember(req.instanceId) : undefined;
    if (holder && holder.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      throw new KafkaError(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${req.memberId} with instance id ${req.instanceId} cannot join the group because the instance id is owned by ${holder.memberId} member.`);
    }
    let topology = this.topology;
    let topologyInitialized = false;
    if (req.topology !== null) {
      checkTopology(req.topology);
      if (topology === null) {
        topology = req.topology;
        topologyInitialized = true;
      } else if (topology.epoch <= req.topology.epoch && topologyKey(topology) !== topologyKey(req.topology)) {
        throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Topology updates are not supported yet.');
      }
    }
    if (topology === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'The topology of the group is not initialized.');
    const configured = configureTopology(topology, this.env.partitionCount);
    if (configured.ready && req.owned !== null) this.checkOwnedTasks(configured, req.owned);

    let bump = false;
    if (topologyInitialized) {
      this.topology = topology;
      this.env.log.info({ group: this.groupId, memberId: req.memberId, topologyEpoch: topology.epoch }, 'streams group: topology initialized');
    }
    const wasEmpty = this.members.size === 0;
    if (!member) {
      member = this.join(req, holder);
      // A static member taking its place back changes nothing unless its metadata did.
      bump = holder === undefined;
    }
    const before = holder?.metadataKey() ?? member.metadataKey();
    const assignedBefore = copyTasks(member.assigned);
    this.updateMember(member, req);
    if (member.metadataKey() !== before) bump = true;

    const signature = this.signatureOf(topology, configured);
    if (signature !== this.metadataSignature) {
      this.metadataSignature = signature;
      bump = true;
    }
    this.configured = configured;
    const validated = configured.ready ? topology.epoch : -1;
    if (validated !== this.validatedTopologyEpoch) {
      this.validatedTopologyEpoch = validated;
      bump = true;
    }
    const status: StreamsStatusEntry[] = [];
    if (member.topologyEpoch < topology.epoch) {
      status.push({ code: StreamsStatus.STALE_TOPOLOGY, detail: `The member's topology epoch ${member.topologyEpoch} is behind the group's topology epoch ${topology.epoch}.` });
    }
    if (bump && wasEmpty && this.env.config.streamsInitialRebalanceDelayMs > 0 && !this.env.timers.has(this.initialDelayKey)) {
      // A group that gets its first member waits for more before its first assignment.
      this.env.timers.schedule(this.initialDelayKey, this.env.config.streamsInitialRebalanceDelayMs, () => this.endInitialDelay());
    }
    if (bump) this.bumpEpoch(`member ${member.memberId} joined or changed its metadata, or the topology's topics changed`);

    let targetEpoch = this.assignmentEpoch;
    let target = this.targetOf(member.memberId);
    if (this.groupEpoch > this.assignmentEpoch) {
      if (this.env.timers.has(this.initialDelayKey)) {
        // Members wait at a non-zero epoch with no tasks (epoch 0 would mean "join again").
        targetEpoch = Math.max(1, this.assignmentEpoch);
        target = emptyTasks();
        status.push({ code: StreamsStatus.ASSIGNMENT_DELAYED, detail: 'Assignment delayed due to the configured initial rebalance delay.' });
      } else {
        this.computeTarget();
        targetEpoch = this.assignmentEpoch;
        target = this.targetOf(member.memberId);
      }
    }
    this.reconcile(member, targetEpoch, target, req.owned);
    this.scheduleTimers(member);
    if (req.shutdownApplication) this.shutdownRequestedBy = member.memberId;

    const changed = !sameTuple(assignedBefore, member.assigned);
    if ((joining || changed) && member.userEndpoint !== null) this.endpointInformationEpoch++;
    if (configured.status) status.push(configured.status);
    if (this.shutdownRequestedBy !== null) {
      status.push({ code: StreamsStatus.SHUTDOWN_APPLICATION, detail: `Streams group member ${this.shutdownRequestedBy} encountered a fatal error and requested a shutdown for the entire application.` });
    }
    return {
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.env.config.streamsHeartbeatIntervalMs,
      acceptableRecoveryLag: this.env.config.streamsAcceptableRecoveryLag,
      taskOffsetIntervalMs: this.env.config.streamsTaskOffsetIntervalMs,
      status,
      assignment: joining || changed ? copyTasks(member.assigned) : null,
      endpointInformationEpoch: this.endpointInformationEpoch,
      partitionsByUserEndpoint: req.endpointInformationEpoch !== this.endpointInformationEpoch ? this.endpointPartitions() : null,
      internalTopicsToCreate: configured.internalTopicsToCreate,
    };
  }

  private staticMember(instanceId: string): StreamsMember | undefined {
    return [...this.members.values()].find((m) => m.instanceId === instanceId);
  }

  /** A new member; a static one whose instance left with epoch -2 takes over its tasks and target. */
  private join(req: StreamsHeartbeat, holder: StreamsMember | undefined): StreamsMember {
    const member = new StreamsMember(req.memberId, req.instanceId, req.clientId, req.clientHost);
    if (holder) {
      member.assigned = holder.assigned;
      member.pendingRevocation = holder.pendingRevocation;
      member.state = holder.state;
      member.rebalanceTimeoutMs = holder.rebalanceTimeoutMs;
      member.topologyEpoch = holder.topologyEpoch;
      member.processId = holder.processId;
      member.userEndpoint = holder.userEndpoint;
      member.clientTags = holder.clientTags;
      member.rackId = holder.rackId;
      this.target.set(member.memberId, this.targetOf(holder.memberId));
      this.removeMember(holder);
    }
    this.members.set(member.memberId, member);
    return member;
  }

  private updateMember(member: StreamsMember, req: StreamsHeartbeat): void {
    if (req.instanceId !== null) member.instanceId = req.instanceId;
    if (req.rackId !== null) member.rackId = req.rackId;
    if (req.rebalanceTimeoutMs !== -1) member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if (req.topology !== null) member.topologyEpoch = req.topology.epoch;
    if (req.processId !== null) member.processId = req.processId;
    if (req.userEndpoint !== null) member.userEndpoint = req.userEndpoint;
    if (req.clientTags !== null) member.clientTags = [...req.clientTags].sort(([a], [b]) => (a < b ? -1 : 1));
    if (req.taskOffsets !== null) member.taskOffsets = req.taskOffsets;
    if (req.taskEndOffsets !== null) member.taskEndOffsets = req.taskEndOffsets;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
  }

  private leave(req: StreamsHeartbeat): StreamsHeartbeatResult {
    const member = this.members.get(req.memberId);
    if (!member) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${this.groupId}.`);
    if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH && member.instanceId !== null) {
      // A static member leaving for a restart keeps its tasks until its session times out.
      member.memberEpoch = LEAVE_GROUP_STATIC_MEMBER_EPOCH;
      this.memberTimers.away(member.memberId, this.env.config.streamsSessionTimeoutMs);
    } else {
      this.removeMember(member);
      this.bumpEpoch(`member ${member.memberId} left`);
    }
    return {
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      heartbeatIntervalMs: 0,
      acceptableRecoveryLag: this.env.config.streamsAcceptableRecoveryLag,
      taskOffsetIntervalMs: this.env.config.streamsTaskOffsetIntervalMs,
      status: [],
      assignment: null,
      endpointInformationEpoch: this.endpointInformationEpoch,
      partitionsByUserEndpoint: null,
      internalTopicsToCreate: [],
    };
  }

  /** Kafka accepts the current epoch, or the previous one while the member owns nothing new (a lost response). */
  private checkEpoch(member: StreamsMember, epoch: number, owned: TasksTuple | null): void {
    if (epoch > member.memberEpoch) {
      throw new KafkaError(ErrorCode.FENCED_MEMBER_EPOCH, `The streams group member has a greater member epoch (${epoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`);
    }
    if (epoch < member.memberEpoch) {
      const subset = owned === null || TASK_TYPES.every((k) => [...owned[k]].every(([s, ps]) => [...ps].every((p) => hasTask(member.assigned[k], s, p))));
      if (epoch !== member.previousMemberEpoch || !subset) {
        throw new KafkaError(ErrorCode.FENCED_MEMBER_EPOCH, `The streams group member has a smaller member epoch (${epoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`);
      }
    }
  }

  private checkOwnedTasks(configured: ConfiguredTopology, owned: TasksTuple): void {
    for (const k of TASK_TYPES) {
      for (const [subtopologyId, ps] of owned[k]) {
        const n = configured.tasks.get(subtopologyId);
        if (n === undefined) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Subtopology ${subtopologyId} does not exist in the topology.`);
        for (const p of ps) {
          if (p < 0 || p >= n) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Task ${p} for subtopology ${subtopologyId} is invalid. Number of tasks for this subtopology: ${n}`);
        }
      }
    }
  }

  private signatureOf(topology: StreamsTopology, configured: ConfiguredTopology): string {
    const counts = topologyTopics(topology).map((t) => `${t}:${this.env.partitionCount(t) ?? -1}`);
    return `${topologyKey(topology)}|${counts.join(',')}|${configured.ready}`;
  }

  private bumpEpoch(reason: string): void {
    this.groupEpoch++;
    this.env.persist(this);
    this.env.log.info({ group: this.groupId, epoch: this.groupEpoch, members: this.members.size, reason }, 'streams group: new group epoch');
    if (!this.env.timers.has(this.initialDelayKey)) this.computeTarget();
  }

  /** The initial rebalance delay is over: a new epoch with the first assignment, which the waiting members reconcile to. */
  private endInitialDelay(): void {
    if (this.dead || this.members.size === 0) return;
    this.bumpEpoch('the initial rebalance delay is over');
  }

  private computeTarget(): void {
    const ready = this.configured?.ready === true && this.topology !== null;
    const tasks = ready ? this.configured!.tasks : new Map<string, number>();
    const stateful = new Set((this.topology?.subtopologies ?? []).filter((s) => s.stateChangelogTopics.length > 0).map((s) => s.subtopologyId));
    this.target = assignTasks({
      members: [...this.members.values()].map((m) => ({ memberId: m.memberId, processId: m.processId, previous: this.targetOf(m.memberId) })),
      tasks,
      stateful,
      numStandbyReplicas: this.env.config.streamsNumStandbyReplicas,
    });
    this.assignmentEpoch = this.groupEpoch;
    this.env.log.info({ group: this.groupId, epoch: this.assignmentEpoch, members: this.members.size, ready }, 'streams group: new target assignment');
  }

  /** Moves a member towards its target (Kafka's CurrentAssignmentBuilder for streams groups). */
  private reconcile(member: StreamsMember, targetEpoch: number, target: TasksTuple, owned: TasksTuple | null): void {
    switch (member.state) {
      case 'stable':
        if (member.memberEpoch !== targetEpoch) this.nextAssignment(member, member.memberEpoch, targetEpoch, target, owned);
        return;
      case 'unrevoked_tasks':
        if (owned === null || containsAny(owned, member.pendingRevocation)) return;
        this.nextAssignment(member, member.memberEpoch + 1, targetEpoch, target, owned);
        return;
      case 'unreleased_tasks':
        this.nextAssignment(member, member.memberEpoch, targetEpoch, target, owned);
    }
  }

  private nextAssignment(member: StreamsMember, epoch: number, targetEpoch: number, target: TasksTuple, owned: TasksTuple | null): void {
    const owners = this.currentOwners(member.memberId);
    const process = member.processId;
    const unreleased = {
      active: (s: string, p: number): boolean => owners.active.has(`${s}\0${p}`) || (owners.standby.get(`${s}\0${p}`)?.has(process) ?? false) || (owners.warmup.get(`${s}\0${p}`)?.has(process) ?? false),
      standby: (s: string, p: number): boolean => owners.activeProcess.get(`${s}\0${p}`) === process || (owners.standby.get(`${s}\0${p}`)?.has(process) ?? false) || (owners.warmup.get(`${s}\0${p}`)?.has(process) ?? false),
    };
    const assigned = emptyTasks();
    const revoke = emptyTasks();
    const toAssign = emptyTasks();
    let hasUnreleased = false;
    for (const k of TASK_TYPES) {
      const isUnreleased = k === 'active' ? unreleased.active : unreleased.standby;
      for (const [s, ps] of member.assigned[k]) for (const p of ps) addTask(hasTask(target[k], s, p) ? assigned[k] : revoke[k], s, p);
      for (const [s, ps] of target[k]) {
        for (const p of ps) {
          if (hasTask(assigned[k], s, p)) continue;
          if (isUnreleased(s, p)) hasUnreleased = true;
          else addTask(toAssign[k], s, p);
        }
      }
    }
    const setEpoch = (e: number): void => {
      member.previousMemberEpoch = member.memberEpoch;
      member.memberEpoch = e;
    };
    if (!isEmptyTuple(revoke) && (owned === null || containsAny(owned, revoke))) {
      member.state = 'unrevoked_tasks';
      setEpoch(epoch);
      member.assigned = assigned;
      member.pendingRevocation = revoke;
      return;
    }
    for (const k of TASK_TYPES) for (const [s, ps] of toAssign[k]) for (const p of ps) addTask(assigned[k], s, p);
    member.state = hasUnreleased ? 'unreleased_tasks' : 'stable';
    setEpoch(targetEpoch);
    member.assigned = assigned;
    member.pendingRevocation = emptyTasks();
  }

  /** Who holds each task now, other members' assigned and pending-revocation tasks together. */
  private currentOwners(exceptMemberId: string): { active: Set<string>; activeProcess: Map<string, string>; standby: Map<string, Set<string>>; warmup: Map<string, Set<string>> } {
    const active = new Set<string>();
    const activeProcess = new Map<string, string>();
    const standby = new Map<string, Set<string>>();
    const warmup = new Map<string, Set<string>>();
    const note = (into: Map<string, Set<string>>, key: string, process: string): void => {
      let set = into.get(key);
      if (!set) into.set(key, (set = new Set()));
      set.add(process);
    };
    for (const m of this.members.values()) {
      for (const tuple of [m.assigned, m.pendingRevocation]) {
        for (const [s, ps] of tuple.active) {
          for (const p of ps) {
            if (m.memberId !== exceptMemberId) active.add(`${s}\0${p}`);
            activeProcess.set(`${s}\0${p}`, m.processId);
          }
        }
        for (const [s, ps] of tuple.standby) for (const p of ps) note(standby, `${s}\0${p}`, m.processId);
        for (const [s, ps] of tuple.warmup) for (const p of ps) note(warmup, `${s}\0${p}`, m.processId);
      }
    }
    return { active, activeProcess, standby, warmup };
  }

  /** The partitions each member with a user endpoint serves (Interactive Queries). */
  private endpointPartitions(): EndpointPartitions[] {
    const out: EndpointPartitions[] = [];
    const inputs = new Map((this.topology?.subtopologies ?? []).map((s) => [s.subtopologyId, [...s.sourceTopics, ...s.repartitionSourceTopics.map((r) => r.name)]]));
    const partitionsOf = (tasks: Tasks[]): Map<string, number[]> => {
      const byTopic = new Map<string, Set<number>>();
      for (const t of tasks) {
        for (const [s, ps] of t) {
          for (const topic of inputs.get(s) ?? []) {
            const n = this.env.partitionCount(topic) ?? 0;
            for (const p of ps) {
              if (p >= n) continue;
              let set = byTopic.get(topic);
              if (!set) byTopic.set(topic, (set = new Set()));
              set.add(p);
            }
          }
        }
      }
      return new Map([...byTopic].map(([topic, ps]) => [topic, [...ps].sort((a, b) => a - b)]));
    };
    for (const m of this.members.values()) {
      if (m.userEndpoint === null) continue;
      out.push({ endpoint: m.userEndpoint, active: partitionsOf([m.assigned.active]), standby: partitionsOf([m.assigned.standby, m.assigned.warmup]) });
    }
    return out;
  }

  private scheduleTimers(member: StreamsMember): void {
    this.memberTimers.heartbeat(member.memberId, this.env.config.streamsSessionTimeoutMs, member.state === 'unrevoked_tasks', member.rebalanceTimeoutMs, 'tasks');
  }

  private expire(memberId: string, why: string): void {
    const member = this.members.get(memberId);
    if (!member || this.dead) return;
    this.env.log.info({ group: this.groupId, memberId }, `streams group member removed: ${why}`);
    this.removeMember(member);
    this.bumpEpoch(`member ${memberId} ${why}`);
  }

  private removeMember(member: StreamsMember): void {
    this.members.delete(member.memberId);
    this.target.delete(member.memberId);
    this.memberTimers.remove(member.memberId);
    if (this.members.size === 0) this.shutdownRequestedBy = null;
  }

  /** The topics the group reads while it has members (OffsetDelete refuses them). */
  subscribedTopics(): Set<string> {
    if (this.members.size === 0 || this.topology === null) return new Set();
    return new Set(this.topology.subtopologies.flatMap((s) => [...s.sourceTopics, ...s.repartitionSourceTopics.map((r) => r.name)]));
  }

  /** OffsetCommit / TxnOffsetCommit checks for this group. */
  validateOffsetCommit(memberId: string, memberEpoch: number, transactional: boolean, version: number): void {
    checkOffsetCommit(this, 'streams', memberId, memberEpoch, transactional, version);
  }

  /** OffsetFetch v9 checks: an admin fetch (epoch -1) is always accepted. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): void {
    checkOffsetFetch(this, memberId, memberEpoch);
  }

  /** Restores what __consumer_offsets kept of the group: its epoch and topology (members rejoin). */
  restore(epoch: number, topology: StreamsTopology | null): void {
    this.groupEpoch = this.assignmentEpoch = epoch;
    this.topology = topology;
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
