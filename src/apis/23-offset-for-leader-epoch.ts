// OffsetForLeaderEpoch (key 23), versions 2-4 (Kafka 4 removed v0-1).
// v2: current_leader_epoch (fencing), throttle time. v3: replica_id (-1 for consumers).
// v4: flexible. Answers the end offset of the requested leader epoch: the start offset of the next
// higher epoch, or the log end offset for the latest one. Requests are fenced by the partition's
// current leader epoch (a single node leads every partition at epoch 0).
import { ErrorCode } from '../../protocol/errors.js';
import type { OffsetForLeaderEpochResponseEpochEndOffset as PartitionOut } from '../../protocol/schema/index.js';
import { errorCodeOf } from '../kafka-error.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

const NO_EPOCH = -1;

export default defineApi({
  apiKey: 23,
  minVersion: 2,
  maxVersion: 4,
  uses: ['replicas', 'topics'],
  handle(req, ctx) {
    const { broker } = ctx;
    // A follower (replica id >= 0, v3+) needs CLUSTER_ACTION; a consumer DESCRIBE on each topic.
    const follower = ctx.version >= 3 && req.replicaId >= 0;
    const clusterAction = follower && ctx.authz.allows(AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME);
    const topics = req.topics.map((t) => {
      const permitted = follower ? clusterAction : ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic);
      const topic = broker.topics.get(t.topic);
      const partitions = t.partitions.map((p): PartitionOut => {
        const out = (errorCode: number, leaderEpoch = NO_EPOCH, endOffset = -1): PartitionOut => ({ errorCode, partition: p.partition, leaderEpoch, endOffset });
        if (!permitted) return out(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        try {
          const partition = broker.replicas.leaderPartition(topic, p.partition, p.currentLeaderEpoch);
          const end = partition.log.endOffsetForEpoch(p.leaderEpoch);
          return out(ErrorCode.NONE, end.epoch, end.endOffset);
        } catch (err) {
          return out(errorCodeOf(err));
        }
      });
      return { topic: t.topic, partitions };
    });
    return { throttleTimeMs: 0, topics };
  },
});
