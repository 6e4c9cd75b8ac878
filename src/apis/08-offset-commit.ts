// OffsetCommit (key 8), versions 2-10 (Kafka 4 dropped v0 and v1).
// v2: generation id, member id, retention_time_ms. v3: throttle time. v4: no change. v5: retention_time_ms dropped (the
// broker's offsets.retention.minutes applies). v6: committed leader epoch. v7:
// group_instance_id. v8: flexible. v9: generation_id_or_member_epoch also carries consumer
// group (KIP-848) member epochs; unknown groups answer GROUP_ID_NOT_FOUND. v10: topics by id
// (KIP-848), answered by id with an empty name; an unknown id is UNKNOWN_TOPIC_ID.
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 8,
  minVersion: 2,
  maxVersion: 10,
  uses: ['topics', 'groups'],
  async handle(req, ctx) {
    // READ on the group, then READ on each topic; refused partitions are not committed.
    const groupAllowed = ctx.authz.allows(AclOperation.READ, ResourceType.GROUP, req.groupId);
    const byId = ctx.version >= 10;
    // The topic each entry names: by id from v10 (null when no topic has that id).
    const names = req.topics.map((t) => (byId ? (ctx.broker.topics.getById(t.topicId)?.name ?? null) : t.name));
    const refusal = (topic: string | null): number =>
      !groupAllowed
        ? ErrorCode.GROUP_AUTHORIZATION_FAILED
        : topic === null
          ? ErrorCode.UNKNOWN_TOPIC_ID
          : ctx.authz.allows(AclOperation.READ, ResourceType.TOPIC, topic)
            ? ErrorCode.NONE
            : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    const refused = req.topics.flatMap((t, i) => t.partitions.map(() => refusal(names[i]!)));
    const allOffsets = req.topics.flatMap((t, i) =>
      t.partitions.map((p) => ({
        topic: names[i] ?? '',
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch,
        metadata: p.committedMetadata,
      })),
    );
    const offsets = allOffsets.filter((_, i) => refused[i] === ErrorCode.NONE);
    const committed = offsets.length === 0 ? [] : await ctx.broker.groups.commitOffsets(
      {
        groupId: req.groupId,
        generationIdOrMemberEpoch: req.generationIdOrMemberEpoch,
        memberId: req.memberId,
        groupInstanceId: req.groupInstanceId,
        retentionTimeMs: ctx.version <= 4 ? req.retentionTimeMs : -1,
        offsets,
      },
      ctx.version,
    );
    let next = 0;
    const errors = refused.map((code) => (code !== ErrorCode.NONE ? code : committed[next++]!));
    let i = 0;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const partitions = t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors[i++]! }));
        return byId ? { name: '', topicId: t.topicId, partitions } : { name: t.name, partitions };
      }),
    };
  },
});
