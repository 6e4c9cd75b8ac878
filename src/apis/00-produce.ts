// Produce (key 0), versions 3-13 (v0-2 carry legacy message sets, which Creek does not store).
// v3: transactional id, record batches (magic 2) only. v4-v6: no wire change. v5: log start
// offset in the response. v7: ZStandard allowed. v8: record errors + error message. v9: flexible.
// v10: current leader / node endpoints (tagged; KIP-951: a NOT_LEADER_OR_FOLLOWER answer names
// the partition's leader and its address). v11: no wire change (may answer TRANSACTION_ABORTABLE).
// v12: no wire change; transaction.version 2 (KIP-890 part 2, finalized by Creek): a
// transactional request adds its partitions to the producer's transaction itself, instead of the
// client's AddPartitionsToTxn. v13: topics by id (KIP-516), answered by id with an empty name; an
// unknown id is UNKNOWN_TOPIC_ID.
// As in Kafka, Produce never creates a topic (Metadata does, under auto.create.topics.enable): an
// unknown topic is UNKNOWN_TOPIC_OR_PARTITION, once WRITE on it is allowed (TOPIC_AUTHORIZATION_FAILED
// otherwise, so a caller learns nothing of topics it may not write).
import { ErrorCode } from '../../protocol/errors.js';
import { BATCH_HEADER_SIZE, OFFSET, decodeBatch, isTransactional, readBatchHeader, validateBatch, splitBatches } from '../../protocol/records/index.js';
import type {
  ProduceRequestPartitionProduceData as PartitionIn,
  ProduceResponsePartitionProduceResponse as PartitionOut,
} from '../../protocol/schema/index.js';
import { KafkaError, errorCodeOf, errorMessageOf } from '../kafka-error.js';
import type { Topic } from '../topics/topic-registry.js';
import { produceVerificationError } from '../txn/txn-verifier.js';
import type { BrokerNode } from '../cluster/cluster-view.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { NO_RESPONSE, defineApi, type RequestContext } from './api.js';
import { addLeaderEndpoint } from './leader-endpoints.js';

export default defineApi({
  apiKey: 0,
  minVersion: 3,
  maxVersion: 13,
  uses: ['replicas', 'cluster', 'topics', 'txn', 'quotaMeter', 'metrics'],
  // The log copies what it keeps of a batch (SlabPool.keep), so the request's buffer can be reused.
  keepsNoRequestBytes: true,
  async handle(req, ctx) {
    const { broker, authz } = ctx;
    // As Kafka: only a request carrying transactional batches needs WRITE on its transactional id, and
    // one without an id cannot carry them (refused even without an authorizer).
    const hasTransactionalRecords = req.topicData.some((td) => td.partitionData.some((pd) => isTransactionalBatch(pd.records)));
    const txnDenied = hasTransactionalRecords && (req.transactionalId === null || !authz.allows(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId));
    const byId = ctx.version >= 13;
    // Each topic resolved or refused first, so that a v12+ transactional request can add all its
    // partitions to the transaction in one step. Kafka's order: an unknown id, then WRITE, then
    // (per partition, in produceToPartition) existence, then acks.
    const resolved = req.topicData.map((td) => {
      const topic = byId ? broker.topics.getById(td.topicId) : broker.topics.get(td.name);
      const name = byId ? (topic?.name ?? '') : td.name;
      let topicError: number = ErrorCode.NONE;
      if (txnDenied) topicError = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
      else if (byId && !topic) topicError = ErrorCode.UNKNOWN_TOPIC_ID;
      else if (!authz.allows(AclOperation.WRITE, ResourceType.TOPIC, name)) topicError = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      return { td, topic, name, topicError };
    });
    const addError = ctx.version >= 12 && req.transactionalId !== null ? await addToTransaction(ctx, req.transactionalId, resolved) : ErrorCode.NONE;
    const responses = await Promise.all(
      resolved.map(async ({ td, topic, name, topicError }) => {
        const partitionResponses = await Promise.all(
          td.partitionData.map((pd) =>
            topicError !== ErrorCode.NONE
              ? failed(pd.index, topicError, null)
              : addError !== ErrorCode.NONE && topic && isTransactionalBatch(pd.records)
                ? failed(pd.index, addError, null)
                : produceToPartition(ctx, topic, pd, req),
          ),
        );
        // v13 answers by topic id, with the name left empty as Kafka leaves it.
        return byId ? { name: '', topicId: td.topicId, partitionResponses } : { name, partitionResponses };
      }),
    );
    if (req.acks === 0) return NO_RESPONSE;
    const nodeEndpoints: BrokerNode[] = [];
    for (const r of responses) {
      for (const p of r.partitionResponses) addLeaderEndpoint(nodeEndpoints, broker.cluster, ctx.connection.listenerName, p.currentLeader);
    }
    // producer_byte_rate (KIP-219): the answer carries the throttle time and the connection is muted for it.
    const throttleTimeMs = broker.quotaMeter.recordProduce(ctx.connection, ctx.requestBytes);
    return { responses, throttleTimeMs, ...(nodeEndpoints.length > 0 && { nodeEndpoints }) };
  },
});


/** Whether the request's records for a partition start with a transactional batch (false when too short to tell). */
function isTransactionalBatch(records: Buffer | null): boolean {
  // Read on every partition of every request: the attributes alone, not a whole header object.
  return records !== null && records.length >= BATCH_HEADER_SIZE && isTransactional(records.readInt16BE(OFFSET.attributes));
}

/**
 * Produce v12+ under transaction.version 2 (KIP-890 part 2): the transactional partitions of the
 * request join the producer's transaction (starting it) before they are written, as
 * AddPartitionsToTxn would add them (a coordinator on another broker is sent AddPartitionsToTxn
 * v5). Answers the error for those partitions, as Kafka's produce path translates it:
 * PRODUCER_FENCED as INVALID_PRODUCER_EPOCH, and retriable coordinator errors as
 * NOT_ENOUGH_REPLICAS so that every client retries.
 */
async function addToTransaction(
  ctx: RequestContext<'replicas' | 'txn'>,
  transactionalId: string,
  resolved: readonly { td: { partitionData: PartitionIn[] }; topic: Topic | undefined; topicError: number }[],
): Promise<number> {
  const partitions = new Map<string, number[]>();
  let producer: { producerId: number; producerEpoch: number } | undefined;
  for (const { td, topic, topicError } of resolved) {
    if (!topic || topicError !== ErrorCode.NONE) continue;
    for (const pd of td.partitionData) {
      if (!isTransactionalBatch(pd.records) || !ctx.broker.replicas.getPartition(topic, pd.index)) continue;
      producer ??= readBatchHeader(pd.records!);
      partitions.set(topic.name, [...(partitions.get(topic.name) ?? []), pd.index]);
    }
  }
  if (!producer) return ErrorCode.NONE;
  try {
    await ctx.broker.txn.addPartitions(transactionalId, producer.producerId, producer.producerEpoch, partitions);
    return ErrorCode.NONE;
  } catch (err) {
    const code = errorCodeOf(produceVerificationError(err));
    if (code === ErrorCode.PRODUCER_FENCED) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR) ctx.log.error({ err, transactionalId }, 'adding produced partitions to the transaction failed');
    return code;
  }
}

/** The client id Kafka's internal-topic check lets through (AdminUtils.ADMIN_CLIENT_ID). */
const ADMIN_CLIENT_ID = '__admin_client';

/**
 * Size refusals Kafka answers with the error code alone (no custom message), so clients show the
 * code's default text (RecordTooLargeException's "The request included a message larger than…").
 */
const SIZE_ERRORS: ReadonlySet<number> = new Set([ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.RECORD_LIST_TOO_LARGE]);

function failed(index: number, errorCode: number, errorMessage: string | null): PartitionOut {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage };
}

/** Kafka's LogValidator: every record of a compacted topic needs a key; one error per keyless record. */
function keylessRecordErrors(batch: Buffer, topicPartition: string): { batchIndex: number; batchIndexErrorMessage: string }[] {
  const { records } = decodeBatch(batch, { verifyCrc: false });
  return records.flatMap((r, batchIndex) =>
    r.key === null ? [{ batchIndex, batchIndexErrorMessage: `Compacted topic cannot accept message without key in topic partition ${topicPartition}` }] : [],
  );
}

/** The partition error message Kafka builds from record errors (RecordValidationException). */
function recordErrorsMessage(errors: readonly { batchIndex: number; batchIndexErrorMessage: string }[]): string {
  const shown = errors.slice(0, 3).map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${e.batchIndexErrorMessage}')`);
  return `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: [${shown.join(', ')}]`;
}

async function produceToPartition(
  ctx: RequestContext<'replicas' | 'txn' | 'metrics' | 'cluster'>,
  topic: Topic | undefined,
  pd: PartitionIn,
  req: { acks: number; timeoutMs: number; transactionalId: string | null },
): Promise<PartitionOut> {
  if (!topic || !ctx.broker.replicas.getPartition(topic, pd.index)) return failed(pd.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
  if (req.acks !== -1 && req.acks !== 0 && req.acks !== 1) return failed(pd.index, ErrorCode.INVALID_REQUIRED_ACKS, null);
  // Internal topics are written by the broker's coordinators; of clients, Kafka lets only its own
  // admin client id write them, and answers anyone else with the bare error code.
  if (topic.internal && ctx.header.clientId !== ADMIN_CLIENT_ID) return failed(pd.index, ErrorCode.INVALID_TOPIC_EXCEPTION, null);
  try {
    const records = pd.records;
    if (records === null || records.length === 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'no records');
    // v3+ carries exactly one batch per partition.
    const batches = splitBatches(records, { strict: true });
    if (batches.length !== 1) {
      throw new KafkaError(ErrorCode.INVALID_RECORD, `a produce request holds one batch per partition, got ${batches.length}`);
    }
    const { header } = validateBatch(records, { forProduce: true });
    const cfg = topic.config;
    if (cfg.messageTimestampType === 'CreateTime') {
      const now = Date.now();
      if (header.maxTimestamp - now > cfg.messageTimestampAfterMaxMs || now - header.baseTimestamp > cfg.messageTimestampBeforeMaxMs) {
        throw new KafkaError(ErrorCode.INVALID_TIMESTAMP, `timestamp out of the range allowed by message.timestamp.before/after.max.ms`);
      }
    }
    if (cfg.compact) {
      const recordErrors = keylessRecordErrors(records, `${topic.name}-${pd.index}`);
      if (recordErrors.length > 0) return { ...failed(pd.index, ErrorCode.INVALID_RECORD, recordErrorsMessage(recordErrors)), recordErrors };
    }
    const { replicas, txn } = ctx.broker;
    const options = { requiredAcks: req.acks, timeoutMs: req.timeoutMs };
    // Producer-state and transaction checks come between the ISR check and the leader append.
    const result = await replicas.appendRecords(topic, pd.index, options, (partition) => txn.append(partition, records, header, req.transactionalId));
    ctx.broker.metrics.produced(topic.name, records.length, header.recordCount);
    return {
      index: pd.index,
      errorCode: ErrorCode.NONE,
      baseOffset: result.baseOffset,
      logAppendTimeMs: result.logAppendTime,
      logStartOffset: result.logStartOffset,
      recordErrors: [],
      errorMessage: null,
    };
  } catch (err) {
    // From v11 a transactional write outside the transaction is abortable (KIP-890), as Kafka answers it.
    const refusedOutsideTxn = errorCodeOf(err) === ErrorCode.INVALID_TXN_STATE && req.transactionalId !== null && ctx.version >= 11;
    const code = refusedOutsideTxn ? ErrorCode.TRANSACTION_ABORTABLE : errorCodeOf(err);
    ctx.broker.metrics.produceFailed(topic.name);
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR) ctx.log.error({ err, topic: topic.name, partition: pd.index }, 'produce failed');
    else ctx.log.debug({ code, reason: errorMessageOf(err), topic: topic.name, partition: pd.index }, 'produce refused');
    const out = failed(pd.index, code, SIZE_ERRORS.has(code) ? null : errorMessageOf(err));
    if (code !== ErrorCode.NOT_LEADER_OR_FOLLOWER) return out;
    const state = ctx.broker.cluster.partitionState(topic.name, pd.index);
    return { ...out, currentLeader: { leaderId: state?.leaderId ?? -1, leaderEpoch: state?.leaderEpoch ?? -1 } };
  }
}
