// What a broker does with a replica it no longer hosts (a reassignment moved the partition away):
// its records go, so the broker's log dir stops holding the partition's data and a later
// reassignment back starts the replica from the leader's log as a new follower would.
// The (empty) log itself stays open with the topic registry, which keeps one per partition.
import type { Partition } from './partition.js';
import type { FollowerAppender } from './replica-fetcher.js';

export async function discardReplica(partition: Partition, appender: FollowerAppender): Promise<void> {
  await partition.log.truncateTo(partition.log.logStartOffset);
  await appender.reloadProducerState(partition);
}
