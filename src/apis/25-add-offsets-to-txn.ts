// AddOffsetsToTxn (key 25), versions 0-4.
// v0: adds the __consumer_offsets partition of a consumer group to the transaction, so a
// TxnOffsetCommit for the group can follow; the transaction's COMMIT/ABORT marker is written
// there like to every other partition of the transaction. v1: no change. v2: PRODUCER_FENCED
// instead of INVALID_PRODUCER_EPOCH. v3: flexible. v4: no wire change (TRANSACTION_ABORTABLE may
// be returned).
import { ErrorCode } from '../../protocol/errors.js';
import { OFFSETS_TOPIC } from '../groups/offsets-topic.js';
import { txnErrorCode } from '../txn/version-errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 25,
  minVersion: 0,
  maxVersion: 4,
  uses: ['txn', 'groups'],
  async handle(req, ctx) {
    const { txn, groups } = ctx.broker;
    if (!ctx.authz.allows(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    if (!ctx.authz.allows(AclOperation.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    try {
      const partitions = new Map([[OFFSETS_TOPIC, [groups.offsetsPartitionFor(req.groupId)]]]);
      await txn.coordinator.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, partitions);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE };
    } catch (err) {
      return { throttleTimeMs: 0, errorCode: txnErrorCode(err, ctx, 2) };
    }
  },
});
