// ListTransactions (key 66), versions 0-2 (KIP-664).
// v0: transactional ids with their producer id and state, filtered by state names and producer
// ids (unknown state names are echoed back). v1: duration filter (KIP-994): only transactions
// running for at least that many milliseconds. v2: transactional_id_pattern (KIP-1152): a regular
// expression the whole id must match (src/full-match-regex.ts); null or empty means no filter, an
// invalid one INVALID_REGULAR_EXPRESSION.
import { ErrorCode } from '../../protocol/errors.js';
import { fullMatchRegex } from '../full-match-regex.js';
import { TxnState, txnStateByName, txnStateName, type TxnStateId } from '../txn/txn-metadata.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 66,
  minVersion: 0,
  maxVersion: 2,
  uses: ['txn'],
  handle(req, ctx) {
    const unknownStateFilters: string[] = [];
    const states = new Set<TxnStateId>();
    for (const name of req.stateFilters) {
      const state = txnStateByName(name);
      if (state === undefined) unknownStateFilters.push(name);
      else states.add(state);
    }
    const idPattern = req.transactionalIdPattern ? fullMatchRegex(req.transactionalIdPattern) : null;
    if (idPattern === undefined) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, unknownStateFilters, transactionStates: [] };
    const producerIds = new Set(req.producerIdFilters);
    const now = Date.now();
    const transactionStates = [];
    for (const meta of ctx.broker.txn.coordinator.all()) {
      if (meta.state === TxnState.Dead) continue;
      if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, meta.transactionalId)) continue;
      if (producerIds.size > 0 && !producerIds.has(meta.producerId)) continue;
      if (req.stateFilters.length > 0 && !states.has(meta.state)) continue;
      if (req.durationFilter >= 0 && now - meta.startTimestamp < req.durationFilter) continue;
      if (idPattern && !idPattern.test(meta.transactionalId)) continue;
      transactionStates.push({ transactionalId: meta.transactionalId, producerId: meta.producerId, transactionState: txnStateName(meta.state) });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
  },
});
