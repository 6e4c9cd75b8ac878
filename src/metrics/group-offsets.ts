// Every group's committed offsets beside its partitions' high watermarks: the consumer lag that
// /metrics exports and the console shows, computed in one place.
import type { FetchRequest, FetchedOffset, GroupListing } from '../groups/group-coordinator.js';

export interface GroupOffsetSource {
  topics: { list(): readonly { name: string; partitions: readonly { highWatermark: number }[] }[] };
  groups: { listGroups(): GroupListing[]; fetchOffsets(req: FetchRequest): { errorCode: number; offsets: FetchedOffset[] } };
}

export interface GroupOffset {
  groupId: string;
  topic: string;
  partition: number;
  offset: number;
  highWatermark: number;
  /** High watermark minus the committed offset, never below 0. */
  lag: number;
}

/** Committed offsets of every group on partitions that exist, in group, topic, partition order. */
export function groupOffsets(source: GroupOffsetSource): GroupOffset[] {
  const byName = new Map(source.topics.list().map((t) => [t.name, t]));
  return source.groups
    .listGroups()
    .flatMap(({ groupId }) =>
      source.groups.fetchOffsets({ groupId, partitions: null, requireStable: false, memberId: null, memberEpoch: -1 }).offsets.flatMap((o) => {
        const p = byName.get(o.topic)?.partitions[o.partition];
        if (p === undefined || o.offset < 0) return [];
        return [{ groupId, topic: o.topic, partition: o.partition, offset: o.offset, highWatermark: p.highWatermark, lag: Math.max(0, p.highWatermark - o.offset) }];
      }),
    )
    .sort((a, b) => a.groupId.localeCompare(b.groupId) || a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
