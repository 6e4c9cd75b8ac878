// DescribeTransactions (key 65), version 0 (KIP-664): each transactional id's state, producer id
// and epoch, timeout, start time and the partitions of its transaction. An id this broker does not
// coordinate (now) gets NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS.
import { ErrorCode } from '../../protocol/errors.js';
import { txnStateName } from '../txn/txn-metadata.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 65,
  minVersion: 0,
  maxVersion: 0,
  uses: ['txn'],
  handle(req, ctx) {
    const transactionStates = req.transactionalIds.map((transactionalId) => {
      if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
        return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] };
      }
      const { coordinator } = ctx.broker.txn;
      const owner = coordinator.ownerError(transactionalId);
      if (owner !== ErrorCode.NONE) {
        return { errorCode: owner, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] };
      }
      const meta = coordinator.get(transactionalId);
      if (!meta) {
        return { errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] };
      }
      return {
        errorCode: ErrorCode.NONE,
        transactionalId,
        transactionState: txnStateName(meta.state),
        transactionTimeoutMs: meta.timeoutMs,
        transactionStartTimeMs: meta.startTimestamp,
        producerId: meta.producerId,
        producerEpoch: meta.producerEpoch,
        // Only the topics the client may describe are named.
        topics: [...meta.partitions].filter(([topic]) => ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, topic)).map(([topic, parts]) => ({ topic, partitions: [...parts].sort((a, b) => a - b) })),
      };
    });
    return { throttleTimeMs: 0, transactionStates };
  },
});
