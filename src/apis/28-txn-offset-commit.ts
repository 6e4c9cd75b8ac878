// TxnOffsetCommit (key 28), versions 0-4.
// v0: a transactional producer commits a group's offsets as part of its transaction (after
// AddOffsetsToTxn): they are written to __consumer_offsets as a transactional batch of the
// producer and become the group's committed offsets when the transaction's COMMIT marker reaches
// that partition (an ABORT marker drops them). v1: no change. v2: committed leader epoch.
// v3: flexible; generation id, member id and group instance id so the group coordinator can
// fence zombie members (KIP-447). v4: no wire change (TRANSACTION_ABORTABLE may be returned).
// The group member is checked first, then the producer (current epoch, group partition in its
// open transaction), as Kafka does.
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 28,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    const errors = await ctx.broker.groups.commitTxnOffsets({
      groupId: req.groupId,
      transactionalId: req.transactionalId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      generationIdOrMemberEpoch: req.generationIdOrMemberEpoch,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      retentionTimeMs: -1,
      offsets: req.topics.flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata,
        })),
      ),
    });
    let i = 0;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors[i++]! })) })),
    };
  },
});
