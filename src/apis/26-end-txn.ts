// EndTxn (key 26), versions 0-5.
// v0: commit or abort the producer's transaction: the coordinator records the decision, writes
// COMMIT/ABORT markers to every partition of the transaction (a group's __consumer_offsets
// partition too, which applies or drops the offsets the transaction committed for the group) and
// answers once the transaction is complete. v1: no change. v2: PRODUCER_FENCED instead of
// INVALID_PRODUCER_EPOCH. v3: flexible. v4: no wire change (TRANSACTION_ABORTABLE may be returned).
// v5: transaction.version 2 (KIP-890 part 2): the end moves the producer to its next epoch (a new
// producer id once epochs run out), named in the answer; a retry of an end that completed gets the
// same answer, and an abort with no transaction open only moves the epoch.
import { ErrorCode } from '../../protocol/errors.js';
import { txnErrorCode } from '../txn/version-errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

const NO_PRODUCER = { producerId: -1, producerEpoch: -1 };

export default defineApi({
  apiKey: 26,
  minVersion: 0,
  maxVersion: 5,
  uses: ['txn'],
  async handle(req, ctx) {
    if (!ctx.authz.allows(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ...NO_PRODUCER };
    }
    const { coordinator } = ctx.broker.txn;
    try {
      if (ctx.version >= 5) {
        const next = await coordinator.endTxnBumpingEpoch(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, ...next };
      }
      await coordinator.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, ...NO_PRODUCER };
    } catch (err) {
      return { throttleTimeMs: 0, errorCode: txnErrorCode(err, ctx, 2), ...NO_PRODUCER };
    }
  },
});
