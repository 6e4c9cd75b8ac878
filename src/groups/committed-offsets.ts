// Committed offsets of every group, in memory (the durable copy is __consumer_offsets), and the
// offsets transactional producers have staged for a group until their transaction ends.
import type { OffsetValue } from './group-records.js';

export type CommittedOffset = OffsetValue;

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: CommittedOffset;
}

type ByTopic = Map<string, Map<number, CommittedOffset>>;

export class CommittedOffsets {
  private readonly byGroup = new Map<string, ByTopic>();
  /** producerId → group → "topic\0partition" → staged offset. */
  private readonly pending = new Map<number, Map<string, Map<string, TopicPartitionOffset>>>();

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.byGroup.get(groupId)?.get(topic)?.get(partition);
  }

  set(groupId: string, topic: string, partition: number, offset: CommittedOffset): void {
    let topics = this.byGroup.get(groupId);
    if (!topics) this.byGroup.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, offset);
  }

  delete(groupId: string, topic: string, partition: number): boolean {
    const topics = this.byGroup.get(groupId);
    const partitions = topics?.get(topic);
    if (!partitions?.delete(partition)) return false;
    if (partitions.size === 0) topics!.delete(topic);
    if (topics!.size === 0) this.byGroup.delete(groupId);
    return true;
  }

  /** Every committed offset of a group, topics and partitions in order. */
  all(groupId: string): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    const topics = this.byGroup.get(groupId);
    if (!topics) return out;
    for (const topic of [...topics.keys()].sort()) {
      const partitions = topics.get(topic)!;
      for (const partition of [...partitions.keys()].sort((a, b) => a - b)) out.push({ topic, partition, offset: partitions.get(partition)! });
    }
    return out;
  }

  hasOffsets(groupId: string): boolean {
    return this.byGroup.has(groupId);
  }

  groups(): string[] {
    return [...this.byGroup.keys()];
  }

  stage(groupId: string, producerId: number, offsets: TopicPartitionOffset[]): void {
    let groups = this.pending.get(producerId);
    if (!groups) this.pending.set(producerId, (groups = new Map()));
    let staged = groups.get(groupId);
    if (!staged) groups.set(groupId, (staged = new Map()));
    for (const o of offsets) staged.set(`${o.topic}\0${o.partition}`, o);
  }

  /** Removes and returns what a producer staged, by group. */
  takeStaged(producerId: number): Map<string, TopicPartitionOffset[]> {
    const groups = this.pending.get(producerId);
    this.pending.delete(producerId);
    return new Map([...(groups ?? [])].map(([groupId, staged]) => [groupId, [...staged.values()]]));
  }

  /** A transaction not yet ended has staged an offset for this partition (require_stable). */
  hasPending(groupId: string, topic: string, partition: number): boolean {
    for (const groups of this.pending.values()) {
      if (groups.get(groupId)?.has(`${topic}\0${partition}`)) return true;
    }
    return false;
  }

  hasPendingForGroup(groupId: string): boolean {
    for (const groups of this.pending.values()) if (groups.has(groupId)) return true;
    return false;
  }
}
