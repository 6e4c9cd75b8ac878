// StreamsGroupHeartbeat (key 88), versions 0-1 (KIP-1071, the Kafka Streams rebalance protocol).
// v1: the response carries acceptable_recovery_lag as int64 (v0: an int32 field) and
// topology_description_required (KIP-1331; always false here, as in Kafka without a topology
// description plugin: Creek stores no descriptions and does not serve key 93). Members join (epoch 0, with their topology), heartbeat the tasks they own, and leave (epoch
// -1, or -2 for a static member); the coordinator assigns active and standby tasks. Internal topics
// the topology needs are created here, as Kafka's request handler does, while the member is told
// MISSING_INTERNAL_TOPICS.
import { ErrorCode } from '../../protocol/errors.js';
import type {
  StreamsGroupHeartbeatRequest,
  StreamsGroupHeartbeatRequestTaskIds as TaskIdsIn,
  StreamsGroupHeartbeatRequestTopology as TopologyIn,
  StreamsGroupHeartbeatResponse,
  StreamsGroupHeartbeatResponseTaskIds as TaskIdsOut,
} from '../../protocol/schema/index.js';
import { assignReplicas } from '../admin/replica-assignment.js';
import { clientInfoOf } from '../groups/client-info.js';
import { addTask, type Tasks, type TasksTuple } from '../groups/streams-assignor.js';
import { LEAVE_GROUP_STATIC_MEMBER_EPOCH } from '../groups/streams-group.js';
import { StreamsStatus, topologyTopics, type InternalTopicToCreate, type StreamsTopology } from '../groups/streams-topology.js';
import { KafkaError, errorCodeOf, errorMessageOf } from '../kafka-error.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { mayCreateTopic } from '../security/authorizer/request-authorization.js';
import { defineApi, type RequestContext } from './api.js';

function failed(errorCode: number, errorMessage: string | null): StreamsGroupHeartbeatResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    memberId: '',
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    acceptableRecoveryLagLegacy: 0,
    taskOffsetIntervalMs: 0,
    status: null,
    activeTasks: null,
    standbyTasks: null,
    warmupTasks: null,
    endpointInformationEpoch: 0,
    partitionsByUserEndpoint: null,
  };
}

/** Kafka's request checks before the coordinator sees the request (INVALID_REQUEST, STREAMS_INVALID_TOPOLOGY). */
function checkRequest(req: StreamsGroupHeartbeatRequest): void {
  const invalid = (message: string): never => {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, message);
  };
  if (req.topology?.subtopologies.some((s) => s.sourceTopicRegex.length > 0)) invalid('Regular expressions for source topics are not supported yet.');
  if (req.memberId === '') invalid('MemberId can\'t be empty.');
  if (req.groupId === '') invalid('GroupId can\'t be empty.');
  if (req.instanceId === '') invalid('InstanceId can\'t be empty.');
  if (req.rackId === '') invalid('RackId can\'t be empty.');
  const tasks = [req.activeTasks, req.standbyTasks, req.warmupTasks];
  if (req.memberEpoch === 0) {
    if (req.rebalanceTimeoutMs === -1) invalid('RebalanceTimeoutMs must be provided in first request.');
    if ((req.activeTasks?.length ?? 0) > 0) invalid('ActiveTasks must be empty when (re-)joining.');
    if ((req.standbyTasks?.length ?? 0) > 0) invalid('StandbyTasks must be empty when (re-)joining.');
    if ((req.warmupTasks?.length ?? 0) > 0) invalid('WarmupTasks must be empty when (re-)joining.');
    if (req.topology === null) invalid('Topology must be non-null when (re-)joining.');
  } else if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (req.instanceId === null) invalid('InstanceId can\'t be null.');
  } else if (req.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    invalid(`MemberEpoch is ${req.memberEpoch}, but must be greater than or equal to -2.`);
  }
  if (tasks.some((t) => t !== null) && tasks.some((t) => t === null)) invalid('If one task-type is non-null, all must be non-null.');
  if (req.memberEpoch !== 0 && req.topology !== null) invalid('Topology can only be provided when (re-)joining.');
}

function topologyOf(t: TopologyIn): StreamsTopology {
  const info = (i: { name: string; partitions: number; replicationFactor: number; topicConfigs: { key: string; value: string }[] }) => ({
    name: i.name,
    partitions: i.partitions,
    replicationFactor: i.replicationFactor,
    configs: i.topicConfigs.map((c): [string, string] => [c.key, c.value]),
  });
  return {
    epoch: t.epoch,
    subtopologies: t.subtopologies.map((s) => ({
      subtopologyId: s.subtopologyId,
      sourceTopics: s.sourceTopics,
      repartitionSinkTopics: s.repartitionSinkTopics,
      stateChangelogTopics: s.stateChangelogTopics.map(info),
      repartitionSourceTopics: s.repartitionSourceTopics.map(info),
      copartitionGroups: s.copartitionGroups.map((g) => ({ sourceTopics: g.sourceTopics, repartitionSourceTopics: g.repartitionSourceTopics })),
    })),
  };
}

function tasksOf(list: TaskIdsIn[]): Tasks {
  const tasks: Tasks = new Map();
  for (const t of list) for (const p of t.partitions) addTask(tasks, t.subtopologyId, p);
  return tasks;
}

function taskIds(tasks: Tasks): TaskIdsOut[] {
  return [...tasks]
    .filter(([, ps]) => ps.size > 0)
    .map(([subtopologyId, ps]) => ({ subtopologyId, partitions: [...ps].sort((a, b) => a - b) }));
}

const topicPartitions = (m: Map<string, number[]>) => [...m].map(([topic, partitions]) => ({ topic, partitions }));

/** Creates the missing internal topics in the background; the members see them on a later heartbeat. */
function createInternalTopics(ctx: RequestContext<'config' | 'cluster' | 'topics'>, topics: InternalTopicToCreate[]): void {
  const { broker } = ctx;
  for (const t of topics) {
    const replicationFactor = t.replicationFactor > 0 ? t.replicationFactor : broker.config.defaultReplicationFactor;
    const brokerIds = broker.cluster.brokerIds();
    const replicas = assignReplicas(brokerIds, t.partitions, Math.min(replicationFactor, brokerIds.length));
    broker.topics.create(t.name, { numPartitions: t.partitions, replicas, overrides: new Map(t.configs) }).then(
      () => ctx.log.info({ topic: t.name, partitions: t.partitions }, 'created internal topic of a streams group'),
      (err: unknown) => {
        if (errorCodeOf(err) !== ErrorCode.TOPIC_ALREADY_EXISTS) ctx.log.warn({ err, topic: t.name }, 'could not create internal topic of a streams group');
      },
    );
  }
}

export default defineApi({
  apiKey: 88,
  minVersion: 0,
  maxVersion: 1,
  uses: ['config', 'cluster', 'topics', 'groups'],
  handle(req, ctx) {
    if (!ctx.authz.allows(AclOperation.READ, ResourceType.GROUP, req.groupId)) return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED, null);
    try {
      checkRequest(req);
      const topology = req.topology === null ? null : topologyOf(req.topology);
      if (topology) {
        const unauthorized = topologyTopics(topology).filter((t) => !ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, t));
        if (unauthorized.length > 0) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `Unauthorized to describe topics: ${unauthorized.join(', ')}`);
      }
      const owned: TasksTuple | null =
        req.activeTasks === null || req.standbyTasks === null || req.warmupTasks === null
          ? null
          : { active: tasksOf(req.activeTasks), standby: tasksOf(req.standbyTasks), warmup: tasksOf(req.warmupTasks) };
      const r = ctx.broker.groups.streamsGroupHeartbeat(req.groupId, {
        memberId: req.memberId,
        memberEpoch: req.memberEpoch,
        endpointInformationEpoch: req.endpointInformationEpoch,
        instanceId: req.instanceId,
        rackId: req.rackId,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs,
        topology,
        owned,
        processId: req.processId,
        userEndpoint: req.userEndpoint,
        clientTags: req.clientTags?.map((kv): [string, string] => [kv.key, kv.value]) ?? null,
        taskOffsets: req.taskOffsets,
        taskEndOffsets: req.taskEndOffsets,
        shutdownApplication: req.shutdownApplication,
        ...clientInfoOf(ctx),
      });
      const status = r.status.map((s) => ({ statusCode: s.code, statusDetail: s.detail }));
      if (r.internalTopicsToCreate.length > 0) {
        const denied = r.internalTopicsToCreate.filter((t) => !mayCreateTopic(ctx.authz, t.name));
        if (denied.length > 0) status.push({ statusCode: StreamsStatus.MISSING_INTERNAL_TOPICS, statusDetail: `Unauthorized to CREATE on topics ${denied.map((t) => t.name).join(', ')}.` });
        else createInternalTopics(ctx, r.internalTopicsToCreate);
      }
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        memberId: r.memberId,
        memberEpoch: r.memberEpoch,
        heartbeatIntervalMs: r.heartbeatIntervalMs,
        acceptableRecoveryLagLegacy: Math.min(r.acceptableRecoveryLag, 2 ** 31 - 1),
        acceptableRecoveryLag: r.acceptableRecoveryLag,
        taskOffsetIntervalMs: r.taskOffsetIntervalMs,
        status: status.length > 0 ? status : null,
        activeTasks: r.assignment && taskIds(r.assignment.active),
        standbyTasks: r.assignment && taskIds(r.assignment.standby),
        warmupTasks: r.assignment && taskIds(r.assignment.warmup),
        topologyDescriptionRequired: false,
        endpointInformationEpoch: r.endpointInformationEpoch,
        partitionsByUserEndpoint:
          r.partitionsByUserEndpoint?.map((e) => ({ userEndpoint: e.endpoint, activePartitions: topicPartitions(e.active), standbyPartitions: topicPartitions(e.standby) })) ?? null,
      };
    } catch (err) {
      const errorCode = errorCodeOf(err);
      if (errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) ctx.log.error({ err }, 'streams group heartbeat failed');
      return failed(errorCode, errorMessageOf(err));
    }
  },
});
