// OffsetFetch (key 9), versions 1-10 (Kafka 4 dropped v0, which read offsets from ZooKeeper).
// v1: offsets from the group coordinator. v2: null topics means every committed partition; top-level error code. v3: throttle time.
// v4: no change. v5: committed leader epoch. v6: flexible. v7: require_stable (partitions with
// offsets staged by an open transaction answer UNSTABLE_OFFSET_COMMIT). v8: several groups per
// request (KIP-709). v9: member id and epoch, checked for consumer (KIP-848) groups. v10: topics
// by id, answered by id with an empty name (KIP-848); an unknown id is UNKNOWN_TOPIC_ID, and
// "every committed partition" leaves out offsets of topics that no longer exist.
import { ErrorCode } from '../../protocol/errors.js';
import type { FetchedOffset } from '../groups/group-coordinator.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi, type RequestContext } from './api.js';

/** A topic asked for: by name, or (v10) by id, with a null name when no topic has that id. */
interface TopicQuery {
  name: string | null;
  topicId?: string;
  partitionIndexes: number[];
}

interface GroupQuery {
  groupId: string;
  topics: TopicQuery[] | null;
  memberId: string | null;
  memberEpoch: number;
}

/** A partition's answer; `topicId` is set for partitions asked for by id. */
type Answer = FetchedOffset & { topicId?: string };

function fetchGroup(ctx: RequestContext<'groups'>, q: GroupQuery, requireStable: boolean): { errorCode: number; topics: { name: string; topicId?: string; partitions: Answer[] }[] } {
  const noOffset = (o: { topic: string; partition: number; topicId?: string }, errorCode: number): Answer => ({ ...o, offset: -1, leaderEpoch: -1, metadata: '', errorCode });
  const asked = (t: TopicQuery) => t.partitionIndexes.map((partition) => ({ topic: t.name ?? '', partition, ...(t.topicId !== undefined && { topicId: t.topicId }) }));
  // DESCRIBE on the group; topics the client may not describe are refused by name and left out of "every topic".
  if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.GROUP, q.groupId)) {
    const partitions = (q.topics ?? []).flatMap((t) => asked(t).map((p) => noOffset(p, ErrorCode.GROUP_AUTHORIZATION_FAILED)));
    return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: ctx.version < 2 ? byTopic(partitions) : [] };
  }
  const describable = (topic: string): boolean => ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
  const unknownIds = (q.topics ?? []).filter((t) => t.name === null).flatMap((t) => asked(t).map((p) => noOffset(p, ErrorCode.UNKNOWN_TOPIC_ID)));
  const wanted = q.topics === null ? null : q.topics.filter((t) => t.name !== null).flatMap(asked);
  const partitions = wanted === null ? null : wanted.filter((p) => describable(p.topic)).map(({ topic, partition }) => ({ topic, partition }));
  const r = ctx.broker.groups.fetchOffsets({ groupId: q.groupId, partitions, requireStable, memberId: q.memberId, memberEpoch: q.memberEpoch });
  const refused = (wanted ?? []).filter((p) => !describable(p.topic)).map((p) => noOffset(p, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
  const offsets = [...(wanted === null ? r.offsets.filter((o) => describable(o.topic)) : r.offsets), ...refused, ...unknownIds];
  return { errorCode: r.errorCode, topics: byTopic(offsets) };
}

/** Answers grouped by topic (by id for unknown ids, which have no name), in first-seen order. */
function byTopic(offsets: Answer[]): { name: string; topicId?: string; partitions: Answer[] }[] {
  const topics = new Map<string, { name: string; topicId?: string; partitions: Answer[] }>();
  for (const o of offsets) {
    const key = o.topicId === undefined ? `name:${o.topic}` : `id:${o.topicId}`;
    const t = topics.get(key);
    if (t) t.partitions.push(o);
    else topics.set(key, { name: o.topic, ...(o.topicId !== undefined && { topicId: o.topicId }), partitions: [o] });
  }
  return [...topics.values()];
}

const partitionOut = (o: FetchedOffset, errorCode = o.errorCode) => ({
  partitionIndex: o.partition,
  committedOffset: o.offset,
  committedLeaderEpoch: o.leaderEpoch,
  metadata: o.metadata,
  errorCode,
});

export default defineApi({
  apiKey: 9,
  minVersion: 1,
  maxVersion: 10,
  uses: ['topics', 'groups'],
  handle(req, ctx) {
    if (ctx.version >= 10) {
      const { topics } = ctx.broker;
      return {
        throttleTimeMs: 0,
        topics: [],
        groups: req.groups.map((g) => {
          const query = g.topics?.map((t) => ({ name: topics.getById(t.topicId)?.name ?? null, topicId: t.topicId, partitionIndexes: t.partitionIndexes })) ?? null;
          const r = fetchGroup(ctx, { ...g, topics: query }, req.requireStable);
          // Offsets of a topic that no longer exists have no id to be named by.
          const answered = r.topics.flatMap((t) => {
            const topicId = t.topicId ?? topics.get(t.name)?.id;
            return topicId === undefined ? [] : [{ name: '', topicId, partitions: t.partitions.map((o) => partitionOut(o)) }];
          });
          return { groupId: g.groupId, errorCode: r.errorCode, topics: answered };
        }),
      };
    }
    if (ctx.version >= 8) {
      return {
        throttleTimeMs: 0,
        topics: [],
        groups: req.groups.map((g) => {
          const r = fetchGroup(ctx, g, req.requireStable);
          return { groupId: g.groupId, errorCode: r.errorCode, topics: r.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((o) => partitionOut(o)) })) };
        }),
      };
    }
    const topics = ctx.version >= 2 ? req.topics : (req.topics ?? []);
    const r = fetchGroup(ctx, { groupId: req.groupId, topics, memberId: null, memberEpoch: -1 }, req.requireStable);
    // Before v2 there is no top-level error: the group's error goes on every partition.
    const failedOld = ctx.version < 2 && r.errorCode !== 0;
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      topics: r.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((o) => partitionOut(o, failedOld ? r.errorCode : o.errorCode)) })),
    };
  },
});
