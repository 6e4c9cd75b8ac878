// AddPartitionsToTxn (key 24), versions 0-5.
// v0: one transactional id and its topic partitions. v1: no change. v2: PRODUCER_FENCED instead
// of INVALID_PRODUCER_EPOCH. v3: flexible. v4: batched broker form (KIP-890): many transactions
// per request, each optionally verifyOnly (check the partitions are in the transaction, add
// nothing), a top-level error code. v5: no wire change (TRANSACTION_ABORTABLE may be returned).
// Unknown topics or partitions fail with UNKNOWN_TOPIC_OR_PARTITION and the rest of that
// transaction's partitions with OPERATION_NOT_ATTEMPTED, as Kafka answers.
import { ErrorCode } from '../../protocol/errors.js';
import type {
  AddPartitionsToTxnRequestAddPartitionsToTxnTopic as TopicIn,
  AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult as TopicOut,
} from '../../protocol/schema/index.js';
import { txnErrorCode } from '../txn/version-errors.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi, type RequestContext } from './api.js';

interface TxnIn {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: TopicIn[];
}

export default defineApi({
  apiKey: 24,
  minVersion: 0,
  maxVersion: 5,
  uses: ['topics', 'txn'],
  async handle(req, ctx) {
    if (ctx.version < 4) {
      const resultsByTopicV3AndBelow = await addOrVerify(ctx, {
        transactionalId: req.v3AndBelowTransactionalId,
        producerId: req.v3AndBelowProducerId,
        producerEpoch: req.v3AndBelowProducerEpoch,
        verifyOnly: false,
        topics: req.v3AndBelowTopics,
      });
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow };
    }
    // The batched form is the brokers' own (KIP-890): it needs CLUSTER_ACTION.
    if (!ctx.authz.allows(AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: [], resultsByTopicV3AndBelow: [] };
    }
    const resultsByTransaction = await Promise.all(req.transactions.map(async (t) => ({ transactionalId: t.transactionalId, topicResults: await addOrVerify(ctx, t) })));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction, resultsByTopicV3AndBelow: [] };
  },
});

async function addOrVerify(ctx: RequestContext<'topics' | 'txn'>, t: TxnIn): Promise<TopicOut[]> {
  const { broker } = ctx;
  const unknown = (name: string, p: number): boolean => {
    const topic = broker.topics.get(name);
    return !topic || p < 0 || p >= topic.partitions.length;
  };
  const respond = (errorFor: (name: string, p: number) => number): TopicOut[] =>
    t.topics.map((topic) => ({
      name: topic.name,
      resultsByPartition: topic.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: errorFor(topic.name, p) })),
    }));
  if (!ctx.authz.allows(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, t.transactionalId)) return respond(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const unwritable = (name: string): boolean => !ctx.authz.allows(AclOperation.WRITE, ResourceType.TOPIC, name);
  if (t.topics.some((topic) => unwritable(topic.name))) {
    return respond((name, p) => (unwritable(name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : unknown(name, p) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED));
  }
  if (t.topics.some((topic) => topic.partitions.some((p) => unknown(topic.name, p)))) {
    return respond((name, p) => (unknown(name, p) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED));
  }
  const { coordinator } = broker.txn;
  if (t.verifyOnly) return respond((name, p) => coordinator.verifyPartitions(t.transactionalId, t.producerId, t.producerEpoch, name, [p])[0]!);
  const partitions = new Map<string, number[]>();
  for (const topic of t.topics) partitions.set(topic.name, [...(partitions.get(topic.name) ?? []), ...topic.partitions]);
  let code: number = ErrorCode.NONE;
  try {
    await coordinator.addPartitions(t.transactionalId, t.producerId, t.producerEpoch, partitions);
  } catch (err) {
    code = txnErrorCode(err, ctx, 2);
  }
  return respond(() => code);
}
