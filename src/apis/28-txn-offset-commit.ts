// TxnOffsetCommit (key 28), versions 0-4.
// v0: a transactional producer commits a group's offsets as part of its transaction (after
// AddOffsetsToTxn); they stay staged and become the group's committed offsets only when the
// transaction commits (discarded on abort). v1: no change. v2: committed leader epoch.
// v3: flexible; generation id, member id and group instance id so the group coordinator can
// fence zombie members (KIP-447). v4: no wire change (TRANSACTION_ABORTABLE may be returned).
import { OFFSETS_TOPIC } from '../txn/txn-engine.js';
import { txnErrorCode } from '../txn/version-errors.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 28,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const { txn, groups } = ctx.broker;
    const respond = (errorFor: (i: number) => number) => {
      let i = 0;
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errorFor(i++) })) })),
      };
    };
    try {
      txn.coordinator.checkInTransaction(req.transactionalId, req.producerId, req.producerEpoch, OFFSETS_TOPIC, txn.offsetsPartitionFor(req.groupId));
    } catch (err) {
      const code = txnErrorCode(err, ctx, 0);
      return respond(() => code);
    }
    const errors = groups.stageTxnOffsets({
      groupId: req.groupId,
      producerId: req.producerId,
      generationIdOrMemberEpoch: req.generationId,
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
          commitTimestamp: -1,
        })),
      ),
    });
    return respond((i) => errors[i]!);
  },
});
