// DescribeProducers (key 61), version 0 (KIP-664): the producers with state in each partition,
// their epoch, last sequence and timestamp, and the first offset of any open transaction.
import { ErrorCode } from '../../protocol/errors.js';
import { NO_SEQUENCE } from '../txn/producer-state.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 61,
  minVersion: 0,
  maxVersion: 0,
  uses: ['replicas', 'topics', 'txn'],
  handle(req, ctx) {
    const { broker } = ctx;
    const topics = req.topics.map((t) => {
      const topic = broker.topics.get(t.name);
      const readable = ctx.authz.allows(AclOperation.READ, ResourceType.TOPIC, t.name);
      return {
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          if (!readable) return { partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, activeProducers: [] };
          const partition = broker.replicas.getPartition(topic, partitionIndex);
          if (!partition) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] };
          if (!partition.isLeader) return { partitionIndex, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, errorMessage: null, activeProducers: [] };
          const activeProducers = broker.txn.producers(partition).map((p) => ({
            producerId: p.producerId,
            producerEpoch: p.epoch,
            lastSequence: p.batches.at(-1)?.lastSeq ?? NO_SEQUENCE,
            lastTimestamp: p.lastTimestamp,
            coordinatorEpoch: p.coordinatorEpoch,
            currentTxnStartOffset: p.txnFirstOffset,
          }));
          return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
        }),
      };
    });
    return { throttleTimeMs: 0, topics };
  },
});
