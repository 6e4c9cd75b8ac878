// OffsetDelete (key 47), version 0 (KIP-496): deletes committed offsets of a group for topics no
// member is subscribed to (GROUP_SUBSCRIBED_TO_TOPIC otherwise); NON_EMPTY_GROUP for a group with
// members that does not use the consumer protocol type; GROUP_ID_NOT_FOUND for an unknown group.
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 47,
  minVersion: 0,
  maxVersion: 0,
  uses: ['groups'],
  async handle(req, ctx) {
    if (!ctx.authz.allows(AclOperation.DELETE, ResourceType.GROUP, req.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    const readable = (topic: string): boolean => ctx.authz.allows(AclOperation.READ, ResourceType.TOPIC, topic);
    const wanted = req.topics.filter((t) => readable(t.name)).flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
    const r = await ctx.broker.groups.deleteOffsets(req.groupId, wanted);
    if (r.errorCode !== 0) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
    let i = 0;
    const errorOf = (topic: string): number => (readable(topic) ? r.partitions[i++]! : ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    return {
      errorCode: r.errorCode,
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errorOf(t.name) })) })),
    };
  },
});
