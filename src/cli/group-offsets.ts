// Writes an inactive group's committed offsets as Kafka's AdminClient (alterConsumerGroupOffsets)
// does: one OffsetCommit to the group's coordinator with generation -1 and no member id, which the
// coordinator accepts only while the group has no members (UNKNOWN_MEMBER_ID otherwise).
// kafkajs's admin has no such call: its setOffsets joins the group as a consumer and waits for a
// rebalance, seconds per reset. So this borrows the cluster kafkajs builds for its own admin and
// consumers (reached through the Kafka object's createCluster symbol; kafkajs 2.2.4 is its final
// release) and sends the commit through it: the same connections, security, version negotiation
// and Kafka errors as every other subcommand.
import type { Broker, Cluster, Kafka } from 'kafkajs';
import { kafkaErrorName } from './failure.js';

type CreateCluster = (options: Record<string, never>) => Cluster;

/** Coordinator errors after which Kafka's admin client looks the coordinator up again and retries. */
const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);
const ATTEMPTS = 3;

function clusterOf(kafka: Kafka): Cluster {
  const key = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = key === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[key];
  if (typeof create !== 'function') throw new Error('this kafkajs version does not expose its cluster: cannot commit offsets for a group');
  return (create as CreateCluster).call(kafka, {});
}

export interface PartitionOffset {
  partition: number;
  offset: number;
}

/** Commits `partitions`' offsets of `topic` for `groupId`; rejects with the Kafka error the coordinator answers. */
export async function commitGroupOffsets(kafka: Kafka, groupId: string, topic: string, partitions: readonly PartitionOffset[]): Promise<void> {
  const cluster = clusterOf(kafka);
  await cluster.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      const coordinator: Broker = await cluster.findGroupCoordinator({ groupId });
      try {
        await coordinator.offsetCommit({
          groupId,
          groupGenerationId: -1,
          memberId: '',
          topics: [{ topic, partitions: partitions.map((p) => ({ partition: p.partition, offset: String(p.offset) })) }],
        });
        return;
      } catch (err) {
        if (attempt >= ATTEMPTS || !COORDINATOR_MOVED.has(kafkaErrorName(err) ?? '')) throw err;
      }
    }
  } finally {
    await cluster.disconnect();
  }
}
