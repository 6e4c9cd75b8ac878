// OffsetFetch (key 9), versions 1-9 (Kafka 4 dropped v0, which read offsets from ZooKeeper).
// v1: offsets from the group coordinator. v2: null topics means every committed partition; top-level error code. v3: throttle time.
// v4: no change. v5: committed leader epoch. v6: flexible. v7: require_stable (partitions with
// offsets staged by an open transaction answer UNSTABLE_OFFSET_COMMIT). v8: several groups per
// request (KIP-709). v9: member id and epoch, checked for consumer (KIP-848) groups.
import { ErrorCode } from '../../protocol/errors.js';
import type { OffsetFetchRequestOffsetFetchRequestTopic as TopicIn } from '../../protocol/schema/index.js';
import type { FetchedOffset } from '../groups/group-coordinator.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi, type RequestContext } from './api.js';

interface GroupQuery {
  groupId: string;
  topics: TopicIn[] | null;
  memberId: string | null;
  memberEpoch: number;
}

function fetchGroup(ctx: RequestContext, q: GroupQuery, requireStable: boolean): { errorCode: number; topics: { name: string; partitions: FetchedOffset[] }[] } {
  const noOffset = (o: { topic: string; partition: number }, errorCode: number): FetchedOffset => ({ ...o, offset: -1, leaderEpoch: -1, metadata: '', errorCode });
  // DESCRIBE on the group; topics the client may not describe are refused by name and left out of "every topic".
  if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.GROUP, q.groupId)) {
    const partitions = (q.topics ?? []).flatMap((t) => t.partitionIndexes.map((partition) => noOffset({ topic: t.name, partition }, ErrorCode.GROUP_AUTHORIZATION_FAILED)));
    return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: ctx.version < 2 ? byName(partitions) : [] };
  }
  const describable = (topic: string): boolean => ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
  const wanted = q.topics === null ? null : q.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
  const partitions = wanted === null ? null : wanted.filter((p) => describable(p.topic));
  const r = ctx.broker.groups.fetchOffsets({ groupId: q.groupId, partitions, requireStable, memberId: q.memberId, memberEpoch: q.memberEpoch });
  const refused = (wanted ?? []).filter((p) => !describable(p.topic)).map((p) => noOffset(p, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
  const offsets = [...(wanted === null ? r.offsets.filter((o) => describable(o.topic)) : r.offsets), ...refused];
  return { errorCode: r.errorCode, topics: byName(offsets) };
}

function byName(offsets: FetchedOffset[]): { name: string; partitions: FetchedOffset[] }[] {
  const byTopic = new Map<string, FetchedOffset[]>();
  for (const o of offsets) {
    const list = byTopic.get(o.topic);
    if (list) list.push(o);
    else byTopic.set(o.topic, [o]);
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
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
  maxVersion: 9,
  handle(req, ctx) {
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
