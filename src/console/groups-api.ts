// The console's consumer groups: each group's state and committed offsets with lag per
// partition; one group's members and what each is assigned (DescribeGroups for classic groups,
// the consumer protocol's assignment decoded; ConsumerGroupDescribe for KIP-848 groups); and
// resetting its offsets to the earliest or latest offset, a timestamp or an offset, as
// kafka-consumer-groups --reset-offsets does: only while the group has no members, targets found
// with ListOffsets (an offset outside the log is moved to its nearest end), committed with
// OffsetCommit as an admin client commits. Resets are refused when the console's writes are off.
import { decodeData } from '../../protocol/codec/data.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { consumerProtocolAssignment, type ConsumerProtocolAssignment } from '../../protocol/schema/index.js';
import { HttpError, jsonResponse, type HttpRequest, type Router } from '../http/router.js';
import type { GroupListing } from '../groups/group-coordinator.js';
import { groupOffsets } from '../metrics/group-offsets.js';
import { bodyInt, objectBody, requireAllowed, requireWrites, throwIfKafkaError, type ConsoleContext } from './console-context.js';
import type { KafkaCall } from './kafka-calls.js';

const EARLIEST_TIMESTAMP = -2;
const LATEST_TIMESTAMP = -1;
const READ_UNCOMMITTED = 0;
const REQUEST_TIMEOUT_MS = 30_000;
/** States in which kafka-consumer-groups resets offsets: no member can overwrite them (lower case: consumer groups name theirs so). */
const RESETTABLE_STATES = new Set(['empty', 'dead']);

export interface MemberView {
  memberId: string;
  instanceId: string | null;
  clientId: string;
  clientHost: string;
  /** A streams member's tasks show as topics named `subtopology <id>`. */
  assignment: { topic: string; partitions: number[] }[];
}

/** A partition the group has committed an offset for. */
export interface PartitionLag {
  topic: string;
  partition: number;
  committed: number;
  highWatermark: number;
  lag: number;
}

/** GET /api/groups: one a group. */
export interface GroupSummary {
  groupId: string;
  state: string;
  type: GroupListing['type'];
  protocolType: string;
  lag: number;
  partitions: PartitionLag[];
}

/** GET /api/groups/:group */
export interface GroupDetail extends GroupSummary {
  members: MemberView[];
  /** With the member each partition is assigned to, or null. */
  partitions: (PartitionLag & { memberId: string | null })[];
}

/** POST /api/groups/:group/reset-offsets */
export interface OffsetsReset {
  groupId: string;
  offsets: { topic: string; partition: number; offset: number }[];
}

export function addGroupRoutes(router: Router, ctx: ConsoleContext): void {
  const { broker } = ctx;
  const lagOf = (groupId: string): PartitionLag[] =>
    groupOffsets(broker)
      .filter((o) => o.groupId === groupId)
      .map(({ topic, partition, offset, highWatermark, lag }) => ({ topic, partition, committed: offset, highWatermark, lag }));

  // As ListGroups: the groups the user may DESCRIBE.
  router.add('GET', '/api/groups', (req) => {
    const { authz } = ctx.session(req);
    return jsonResponse(
      200,
      broker.groups
        .listGroups()
        .filter((g) => authz.allows(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId))
        .sort((a, b) => a.groupId.localeCompare(b.groupId))
        .map((g): GroupSummary => {
          const partitions = lagOf(g.groupId);
          return { groupId: g.groupId, state: g.state, type: g.type, protocolType: g.protocolType, lag: partitions.reduce((n, p) => n + p.lag, 0), partitions };
        }),
    );
  });

  router.add('GET', '/api/groups/:group', async (req) => {
    const groupId = req.params.group!;
    const { authz, kafka } = ctx.session(req);
    requireAllowed(authz.allows(AclOperation.DESCRIBE, ResourceType.GROUP, groupId), ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const listing = broker.groups.listGroups().find((g) => g.groupId === groupId);
    if (listing === undefined) throw new HttpError(404, { error_code: 404, message: `Unknown group ${groupId}` });
    const members = await describeMembers(kafka, groupId, listing.type);
    const owners = new Map(members.flatMap((m) => m.assignment.flatMap((a) => a.partitions.map((p) => [`${a.topic}-${p}`, m.memberId] as const))));
    const partitions = lagOf(groupId).map((p) => ({ ...p, memberId: owners.get(`${p.topic}-${p.partition}`) ?? null }));
    const detail: GroupDetail = { groupId, state: listing.state, type: listing.type, protocolType: listing.protocolType, members, lag: partitions.reduce((n, p) => n + p.lag, 0), partitions };
    return jsonResponse(200, detail);
  });

  router.add('POST', '/api/groups/:group/reset-offsets', async (req) => {
    requireWrites(ctx);
    return jsonResponse(200, await resetOffsets(ctx, req, req.params.group!));
  });
}

async function describeMembers(kafka: KafkaCall, groupId: string, type: 'classic' | 'consumer' | 'streams'): Promise<MemberView[]> {
  if (type === 'streams') {
    // A streams member owns tasks (subtopology, partition), not topic partitions: shown by subtopology.
    const described = (await kafka(89, { groupIds: [groupId], includeAuthorizedOperations: false, includeTopologyDescription: false })).groups[0]!;
    throwIfKafkaError(described.errorCode, described.errorMessage);
    return described.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: m.assignment.activeTasks.map((t) => ({ topic: `subtopology ${t.subtopologyId}`, partitions: [...t.partitions].sort((a, b) => a - b) })),
    }));
  }
  if (type === 'consumer') {
    const described = (await kafka(69, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0]!;
    throwIfKafkaError(described.errorCode, described.errorMessage);
    return described.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: m.assignment.topicPartitions.map((tp) => ({ topic: tp.topicName, partitions: [...tp.partitions].sort((a, b) => a - b) })),
    }));
  }
  const described = (await kafka(15, { groups: [groupId], includeAuthorizedOperations: false })).groups[0]!;
  throwIfKafkaError(described.errorCode, described.errorMessage);
  return described.members.map((m) => ({
    memberId: m.memberId,
    instanceId: m.groupInstanceId ?? null,
    clientId: m.clientId,
    clientHost: m.clientHost,
    assignment: described.protocolType === 'consumer' ? consumerAssignment(m.memberAssignment) : [],
  }));
}

/** A classic consumer's assignment bytes (ConsumerProtocolAssignment); empty before the group's first sync. */
function consumerAssignment(bytes: Buffer): { topic: string; partitions: number[] }[] {
  if (bytes.length === 0) return [];
  try {
    const { value } = decodeData<ConsumerProtocolAssignment>(consumerProtocolAssignment, bytes);
    return value.assignedPartitions.map((a) => ({ topic: a.topic, partitions: [...a.partitions].sort((x, y) => x - y) }));
  } catch {
    return [];
  }
}

async function resetOffsets(ctx: ConsoleContext, req: HttpRequest, groupId: string): Promise<OffsetsReset> {
  const body = await objectBody(req);
  const topicName = body.topic;
  if (typeof topicName !== 'string') throw new HttpError(400, { error_code: 400, message: 'topic is required' });
  const topic = ctx.broker.topics.get(topicName);
  if (topic === undefined) throw new HttpError(404, { error_code: 404, message: `Unknown topic ${topicName}` });
  const partitions = body.partitions === undefined || body.partitions === null ? topic.partitions.map((_, i) => i) : body.partitions;
  if (!Array.isArray(partitions) || partitions.some((p) => !Number.isInteger(p) || p < 0 || p >= topic.partitions.length)) {
    throw new HttpError(400, { error_code: 400, message: `partitions must list partitions of ${topicName} (0 to ${topic.partitions.length - 1})` });
  }
  const to = body.to;
  if (to !== 'earliest' && to !== 'latest' && to !== 'timestamp' && to !== 'offset') throw new HttpError(400, { error_code: 400, message: 'to must be earliest, latest, timestamp or offset' });
  const listing = ctx.broker.groups.listGroups().find((g) => g.groupId === groupId);
  if (listing !== undefined && !RESETTABLE_STATES.has(listing.state.toLowerCase())) {
    // kafka-consumer-groups' refusal: a member would overwrite the reset with its next commit.
    throw new HttpError(409, { error_code: 409, message: `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${listing.state}.` });
  }
  const { kafka } = ctx.session(req);
  const listOffsets = async (timestamp: number): Promise<number[]> => {
    const listed = await kafka(2, {
      replicaId: -1,
      isolationLevel: READ_UNCOMMITTED,
      topics: [{ name: topicName, partitions: (partitions as number[]).map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })) }],
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    return listed.topics[0]!.partitions.map((p) => {
      throwIfKafkaError(p.errorCode);
      return p.offset;
    });
  };
  let targets: number[];
  if (to === 'earliest') targets = await listOffsets(EARLIEST_TIMESTAMP);
  else if (to === 'latest') targets = await listOffsets(LATEST_TIMESTAMP);
  else if (to === 'timestamp') {
    const [found, latest] = [await listOffsets(bodyInt(body.timestamp, undefined, 'timestamp')), await listOffsets(LATEST_TIMESTAMP)];
    // No record at or after the timestamp: the log end, as kafka-consumer-groups --to-datetime does.
    targets = found.map((o, i) => (o < 0 ? latest[i]! : o));
  } else {
    const wanted = bodyInt(body.offset, undefined, 'offset');
    const [earliest, latest] = [await listOffsets(EARLIEST_TIMESTAMP), await listOffsets(LATEST_TIMESTAMP)];
    targets = earliest.map((e, i) => Math.min(Math.max(wanted, e), latest[i]!));
  }
  const committed = await kafka(8, {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [{ name: topicName, topicId: topic.id, partitions: (partitions as number[]).map((partitionIndex, i) => ({ partitionIndex, committedOffset: targets[i]!, committedLeaderEpoch: -1, committedMetadata: '' })) }],
  });
  for (const p of committed.topics[0]!.partitions) throwIfKafkaError(p.errorCode);
  return { groupId, offsets: (partitions as number[]).map((partition, i) => ({ topic: topicName, partition, offset: targets[i]! })) };
}
