// TxnOffsetCommit (key 28), versions 0-6.
// v0: a transactional producer commits a group's offsets as part of its transaction (after
// AddOffsetsToTxn): they are written to __consumer_offsets as a transactional batch of the
// producer and become the group's committed offsets when the transaction's COMMIT marker reaches
// that partition (an ABORT marker drops them). v1: no change. v2: committed leader epoch.
// v3: flexible; generation id, member id and group instance id so the group coordinator can
// fence zombie members (KIP-447). v4: no wire change (TRANSACTION_ABORTABLE may be returned).
// v5: transaction.version 2 (KIP-890 part 2): the request adds the group's offsets partition to
// the transaction itself, as AddOffsetsToTxn would (a stale epoch is INVALID_PRODUCER_EPOCH).
// v6: topics by id (KIP-1319), answered by id with an empty name; an unknown id is UNKNOWN_TOPIC_ID.
// The transaction is checked before the group member, as Kafka's group coordinator does: the
// producer must be current, with the group's partition in its open transaction, at the
// transaction coordinator wherever it is (KIP-890 verification, AddPartitionsToTxn `verify_only`
// to another broker, when transaction.partition.verification.enable). A partition outside the
// transaction is INVALID_TXN_STATE, from v4 TRANSACTION_ABORTABLE.
import { ErrorCode } from '../../protocol/errors.js';
import { commitWriteError } from '../groups/group-coordinator.js';
import { OFFSETS_TOPIC } from '../groups/offsets-topic.js';
import { errorCodeOf } from '../kafka-error.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi, type RequestContext } from './api.js';

export default defineApi({
  apiKey: 28,
  minVersion: 0,
  maxVersion: 6,
  uses: ['topics', 'txn', 'groups'],
  async handle(req, ctx) {
    const byId = ctx.version >= 6;
    // The topic each entry names: by id from v6 (null when no topic has that id).
    const names = req.topics.map((t) => (byId ? (ctx.broker.topics.getById(t.topicId)?.name ?? null) : t.name));
    // WRITE on the transactional id, READ on the group, then READ on each topic; refused partitions are not committed.
    const refusal = !ctx.authz.allows(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)
      ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      : !ctx.authz.allows(AclOperation.READ, ResourceType.GROUP, req.groupId)
        ? ErrorCode.GROUP_AUTHORIZATION_FAILED
        : ErrorCode.NONE;
    const topicRefusal = (name: string | null): number =>
      refusal !== ErrorCode.NONE ? refusal : name === null ? ErrorCode.UNKNOWN_TOPIC_ID : ctx.authz.allows(AclOperation.READ, ResourceType.TOPIC, name) ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    const refusals = names.map(topicRefusal);
    const refused = req.topics.flatMap((t, i) => t.partitions.map(() => refusals[i]!));
    const allowed = req.topics.flatMap((t, i) => (refusals[i] === ErrorCode.NONE ? [{ name: names[i]!, partitions: t.partitions }] : []));
    // Only the group's coordinator asks the transaction coordinator; elsewhere the commit answers NOT_COORDINATOR (or loading).
    const coordinatesGroup = ctx.broker.groups.ownerError(req.groupId) === ErrorCode.NONE;
    const txnError = allowed.length > 0 && coordinatesGroup ? await inTransaction(ctx, req) : ErrorCode.NONE;
    const committed =
      allowed.length === 0
        ? []
        : txnError !== ErrorCode.NONE
          ? allowed.flatMap((t) => t.partitions.map(() => txnError))
          : (await ctx.broker.groups.commitTxnOffsets({
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
            })).map((code) => outsideTransaction(code, ctx.version));
    let next = 0;
    const errors = refused.map((code) => (code !== ErrorCode.NONE ? code : committed[next++]!));
    let i = 0;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const partitions = t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors[i++]! }));
        return byId ? { name: '', topicId: t.topicId, partitions } : { name: t.name, partitions };
      }),
    };
  },
});

interface TxnRequest {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
}

/**
 * The group's __consumer_offsets partition must be in the producer's transaction before its
 * offsets are written: v5+ adds it (transaction.version 2), then every version has it verified.
 * The error for the request's partitions, or NONE.
 */
async function inTransaction(ctx: RequestContext<'txn' | 'groups'>, req: TxnRequest): Promise<number> {
  const { txn, groups } = ctx.broker;
  const partition = groups.offsetsPartitionFor(req.groupId);
  if (ctx.version >= 5) {
    const addError = await addOffsetsPartition(ctx, req, partition);
    if (addError !== ErrorCode.NONE) return addError;
  }
  try {
    await txn.verifyForProducer(OFFSETS_TOPIC, partition, req.transactionalId, req);
    return ErrorCode.NONE;
  } catch (err) {
    if (errorCodeOf(err) === ErrorCode.UNKNOWN_SERVER_ERROR) ctx.log.error({ err, transactionalId: req.transactionalId }, 'verifying the offsets partition in the transaction failed');
    return outsideTransaction(commitWriteError(err), ctx.version);
  }
}

/** v5+: the group's __consumer_offsets partition joins the producer's transaction; the error for the request's partitions, or NONE. */
async function addOffsetsPartition(ctx: RequestContext<'txn' | 'groups'>, req: TxnRequest, partition: number): Promise<number> {
  try {
    await ctx.broker.txn.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, new Map([[OFFSETS_TOPIC, [partition]]]));
    return ErrorCode.NONE;
  } catch (err) {
    const code = errorCodeOf(err);
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR) ctx.log.error({ err, transactionalId: req.transactionalId }, 'adding the offsets partition to the transaction failed');
    // A transaction coordinator out of reach (NETWORK_EXCEPTION) is mapped as for verification.
    return code === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : commitWriteError(err);
  }
}

/** From v4 a commit for a transaction without the group's partition is abortable (KIP-890), as Kafka answers it. */
function outsideTransaction(code: number, version: number): number {
  return code === ErrorCode.INVALID_TXN_STATE && version >= 4 ? ErrorCode.TRANSACTION_ABORTABLE : code;
}
