// A Kafka Streams client's side of the streams group protocol (KIP-1071) over a RawClient, for
// protocol-level tests: join with a topology, heartbeat the tasks owned, leave. Requests are
// StreamsGroupHeartbeat v1 built as Kafka Streams builds them; `over` changes any field.
import type {
  StreamsGroupHeartbeatRequest,
  StreamsGroupHeartbeatRequestTopology,
  StreamsGroupHeartbeatResponse,
} from '../../protocol/schema/index.js';
import type { RawClient } from './raw-client.js';

export type TaskList = { subtopologyId: string; partitions: number[] }[];

/**
 * A word count's topology reading `input`: subtopology "0" reads it and writes the repartition
 * topic, subtopology "1" reads the repartition topic and keeps a store with a changelog.
 */
export function wordCountTopology(app: string, input: string, epoch = 0): StreamsGroupHeartbeatRequestTopology {
  return {
    epoch,
    subtopologies: [
      {
        subtopologyId: '0',
        sourceTopics: [input],
        sourceTopicRegex: [],
        stateChangelogTopics: [],
        repartitionSinkTopics: [`${app}-counts-repartition`],
        repartitionSourceTopics: [],
        copartitionGroups: [],
      },
      {
        subtopologyId: '1',
        sourceTopics: [],
        sourceTopicRegex: [],
        stateChangelogTopics: [{ name: `${app}-counts-changelog`, partitions: 0, replicationFactor: 0, topicConfigs: [{ key: 'cleanup.policy', value: 'compact' }] }],
        repartitionSinkTopics: [],
        repartitionSourceTopics: [{ name: `${app}-counts-repartition`, partitions: 0, replicationFactor: 0, topicConfigs: [] }],
        copartitionGroups: [],
      },
    ],
  };
}

export function heartbeatRequest(groupId: string, memberId: string, over: Partial<StreamsGroupHeartbeatRequest> = {}): StreamsGroupHeartbeatRequest {
  return {
    groupId,
    memberId,
    memberEpoch: 0,
    endpointInformationEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    topology: null,
    activeTasks: null,
    standbyTasks: null,
    warmupTasks: null,
    processId: null,
    userEndpoint: null,
    clientTags: null,
    taskOffsets: null,
    taskEndOffsets: null,
    shutdownApplication: false,
    ...over,
  };
}

/** One member: remembers its epoch and the tasks the coordinator gave it, and reports them as owned. */
export class StreamsMember {
  memberEpoch = 0;
  active: TaskList = [];
  standby: TaskList = [];
  warmup: TaskList = [];
  last: StreamsGroupHeartbeatResponse | undefined;

  constructor(
    private readonly client: RawClient,
    readonly groupId: string,
    readonly memberId: string,
    readonly processId = memberId,
  ) {}

  /** Joins (epoch 0) with the topology; throws nothing, the response is returned. */
  join(topology: StreamsGroupHeartbeatRequestTopology, over: Partial<StreamsGroupHeartbeatRequest> = {}): Promise<StreamsGroupHeartbeatResponse> {
    return this.send({
      memberEpoch: 0,
      rebalanceTimeoutMs: 30_000,
      topology,
      processId: this.processId,
      activeTasks: [],
      standbyTasks: [],
      warmupTasks: [],
      clientTags: [],
      ...over,
    });
  }

  /** A heartbeat reporting the tasks it owns (`owned`, by default what it was given). */
  heartbeat(owned?: { active?: TaskList; standby?: TaskList; warmup?: TaskList }, over: Partial<StreamsGroupHeartbeatRequest> = {}): Promise<StreamsGroupHeartbeatResponse> {
    return this.send({
      memberEpoch: this.memberEpoch,
      activeTasks: owned?.active ?? this.active,
      standbyTasks: owned?.standby ?? this.standby,
      warmupTasks: owned?.warmup ?? this.warmup,
      ...over,
    });
  }

  /** Leaves (-1), or with `static` (-2, the instance id given) leaves to come back under another member id. */
  leave(staticInstanceId?: string): Promise<StreamsGroupHeartbeatResponse> {
    return this.send(staticInstanceId === undefined ? { memberEpoch: -1 } : { memberEpoch: -2, instanceId: staticInstanceId });
  }

  private async send(over: Partial<StreamsGroupHeartbeatRequest>): Promise<StreamsGroupHeartbeatResponse> {
    const res = await this.client.send(88, 1, heartbeatRequest(this.groupId, this.memberId, over));
    this.last = res;
    if (res.errorCode === 0) {
      this.memberEpoch = res.memberEpoch;
      if (res.activeTasks !== null) this.active = res.activeTasks;
      if (res.standbyTasks !== null) this.standby = res.standbyTasks;
      if (res.warmupTasks !== null) this.warmup = res.warmupTasks;
    }
    return res;
  }
}

/** Number of tasks in a task list. */
export function taskTotal(tasks: TaskList): number {
  return tasks.reduce((n, t) => n + t.partitions.length, 0);
}

/** The status codes of a heartbeat response. */
export function statusCodes(res: StreamsGroupHeartbeatResponse): number[] {
  return (res.status ?? []).map((s) => s.statusCode);
}
