// InitProducerId (key 22), versions 0-5.
// v0: transactional id (null for an idempotent producer) and transaction timeout. v1: no change.
// v2: flexible. v3: producer id and epoch of the producer being re-initialized (KIP-360 epoch
// bump). v4: PRODUCER_FENCED instead of INVALID_PRODUCER_EPOCH. v5: no wire change (KIP-890).
import { ErrorCode } from '../../protocol/errors.js';
import { txnErrorCode } from '../txn/version-errors.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 22,
  minVersion: 0,
  maxVersion: 5,
  uses: ['txn'],
  async handle(req, ctx) {
    const { txn } = ctx.broker;
    const refused = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });
    // A transactional producer needs WRITE on its transactional id; an idempotent one
    // IDEMPOTENT_WRITE on the cluster or WRITE on some topic (KIP-679).
    if (req.transactionalId !== null && !ctx.authz.allows(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) {
      return refused(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    if (req.transactionalId === null && !ctx.authz.allows(AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, CLUSTER_NAME) && !ctx.authz.allowsAny(AclOperation.WRITE, ResourceType.TOPIC)) {
      return refused(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    try {
      if (req.transactionalId === null) {
        // An idempotent producer gets a fresh id every time, whatever id it names.
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: await txn.coordinator.newProducerId(), producerEpoch: 0 };
      }
      const expected = req.producerId >= 0 ? { producerId: req.producerId, producerEpoch: req.producerEpoch } : null;
      const { producerId, producerEpoch } = await txn.coordinator.initProducerId(req.transactionalId, req.transactionTimeoutMs, expected);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch };
    } catch (err) {
      return { throttleTimeMs: 0, errorCode: txnErrorCode(err, ctx, 4), producerId: -1, producerEpoch: -1 };
    }
  },
});
