// ListTransactions (key 66), versions 0-1 (KIP-664).
// v0: transactional ids with their producer id and state, filtered by state names and producer
// ids (unknown state names are echoed back). v1: duration filter (KIP-994): only transactions
// running for at least that many milliseconds.
import { ErrorCode } from '../../protocol/errors.js';
import { TxnState, txnStateByName, txnStateName, type TxnStateId } from '../txn/txn-metadata.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 66,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const unknownStateFilters: string[] = [];
    const states = new Set<TxnStateId>();
    for (const name of req.stateFilters) {
      const state = txnStateByName(name);
      if (state === undefined) unknownStateFilters.push(name);
      else states.add(state);
    }
    const producerIds = new Set(req.producerIdFilters);
    const now = Date.now();
    const transactionStates = [];
    for (const meta of ctx.broker.txn.coordinator.all()) {
      if (meta.state === TxnState.Dead) continue;
      if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, meta.transactionalId)) continue;
      if (producerIds.size > 0 && !producerIds.has(meta.producerId)) continue;
      if (req.stateFilters.length > 0 && !states.has(meta.state)) continue;
      if (req.durationFilter >= 0 && now - meta.startTimestamp < req.durationFilter) continue;
      transactionStates.push({ transactionalId: meta.transactionalId, producerId: meta.producerId, transactionState: txnStateName(meta.state) });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
  },
});
