// TxnOffsetCommit (key 28), versions 0-4.
// v0: a transactional producer commits a group's offsets as part of its transaction (after
// AddOffsetsToTxn): they are written to __consumer_offsets as a transactional batch of the
// producer and become the group's committed offsets when the transaction's COMMIT marker reaches
// that partition (an ABORT marker drops them). v1: no change. v2: committed leader epoch.
// v3: flexible; generation id, member id and group instance id so the group coordinator can
// fence zombie members (KIP-447). v4: no wire change (TRANSACTION_ABORTABLE may be returned).
// The group member is checked first, then the producer (current epoch, group partition in its
// open transaction), as Kafka does.
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 28,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    // WRITE on the transactional id, READ on the group, then READ on each topic; refused partitions are not committed.
    const refusal = !ctx.authz.allows(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)
      ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      : !ctx.authz.allows(AclOperation.READ, ResourceType.GROUP, req.groupId)
        ? ErrorCode.GROUP_AUTHORIZATION_FAILED
        : ErrorCode.NONE;
    const refused = req.topics.flatMap((t) => {
      const code = refusal !== ErrorCode.NONE || ctx.authz.allows(AclOperation.READ, ResourceType.TOPIC, t.name) ? refusal : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      return t.partitions.map(() => code);
    });
    const allowed = req.topics.filter((t) => refusal === ErrorCode.NONE && ctx.authz.allows(AclOperation.READ, ResourceType.TOPIC, t.name));
    const committed = allowed.length === 0 ? [] : await ctx.broker.groups.commitTxnOffsets({
      groupId: req.groupId,
      transactionalId: req.transactionalId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      generationIdOrMemberEpoch: req.generationIdOrMemberEpoch,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      retentionTimeMs: -1,
      offsets: allowed.flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata,
        })),
      ),
    });
    let next = 0;
    const errors = refused.map((code) => (code !== ErrorCode.NONE ? code : committed[next++]!));
    let i = 0;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors[i++]! })) })),
    };
  },
});
