// EndTxn (key 26), versions 0-4 (v5, KIP-890 part 2, is unstable in Kafka and not advertised).
// v0: commit or abort the producer's transaction: the coordinator records the decision, writes
// COMMIT/ABORT markers to every partition of the transaction (a group's __consumer_offsets
// partition too, which applies or drops the offsets the transaction committed for the group) and
// answers once the transaction is complete. v1: no change. v2: PRODUCER_FENCED instead of
// INVALID_PRODUCER_EPOCH. v3: flexible. v4: no wire change (TRANSACTION_ABORTABLE may be returned).
import { ErrorCode } from '../../protocol/errors.js';
import { txnErrorCode } from '../txn/version-errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 26,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    if (!ctx.authz.allows(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    try {
      await ctx.broker.txn.coordinator.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE };
    } catch (err) {
      return { throttleTimeMs: 0, errorCode: txnErrorCode(err, ctx, 2) };
    }
  },
});
