// OffsetDelete (key 47), version 0 (KIP-496): deletes committed offsets of a group for topics no
// member is subscribed to (GROUP_SUBSCRIBED_TO_TOPIC otherwise); NON_EMPTY_GROUP for a group with
// members that does not use the consumer protocol type; GROUP_ID_NOT_FOUND for an unknown group.
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 47,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx) {
    const wanted = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
    const r = await ctx.broker.groups.deleteOffsets(req.groupId, wanted);
    if (r.errorCode !== 0) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
    let i = 0;
    return {
      errorCode: r.errorCode,
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: r.partitions[i++]! })) })),
    };
  },
});
