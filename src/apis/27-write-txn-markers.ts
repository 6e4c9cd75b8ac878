// WriteTxnMarkers (key 27), versions 1-2: a transaction coordinator on another broker asks this
// one, as leader, to end a producer's transaction in some of its partitions. v1: flexible (v0,
// removed in Kafka 4.0, is not served). v2: transaction_version (KIP-890 part 2; markers are
// written the same). The sender needs CLUSTER_ACTION on the cluster, as in Kafka; each marker is
// written as a COMMIT/ABORT control batch through the partition layer as leader and answered once
// the ISR has it (acks=all); a marker in __consumer_offsets settles the offsets the transaction
// committed for its groups. Per partition: UNKNOWN_TOPIC_OR_PARTITION for one not hosted here,
// NOT_LEADER_OR_FOLLOWER for one led elsewhere (the coordinator retries at the new leader).
import { ErrorCode } from '../../protocol/errors.js';
import { errorCodeOf } from '../kafka-error.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 27,
  minVersion: 1,
  maxVersion: 2,
  uses: ['txn'],
  async handle(req, ctx) {
    const allowed = ctx.authz.allows(AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME);
    const markers = await Promise.all(
      req.markers.map(async (m) => ({
        producerId: m.producerId,
        topics: await Promise.all(
          m.topics.map(async (t) => ({
            name: t.name,
            partitions: await Promise.all(
              t.partitionIndexes.map(async (partitionIndex) => {
                if (!allowed) return { partitionIndex, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED };
                try {
                  const marker = { producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch };
                  await ctx.broker.txn.writeMarkerAsLeader(t.name, partitionIndex, marker);
                  return { partitionIndex, errorCode: ErrorCode.NONE };
                } catch (err) {
                  return { partitionIndex, errorCode: errorCodeOf(err) };
                }
              }),
            ),
          })),
        ),
      })),
    );
    return { markers };
  },
});
