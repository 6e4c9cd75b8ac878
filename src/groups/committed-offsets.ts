// Committed offsets of every group, in memory (the durable copy is __consumer_offsets), and the
// offsets transactional producers have written for a group whose transaction has no marker yet.
// Each offset remembers where its record sits in __consumer_offsets: when a transaction commits,
// its offsets replace only those committed by records written before them, as Kafka does.
import type { OffsetValue } from './group-records.js';

export type CommittedOffset = OffsetValue;

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: CommittedOffset;
}

interface Stored {
  offset: CommittedOffset;
  /** Offset of the record in __consumer_offsets. */
  logOffset: number;
}

/** group → topic → partition → offset. */
class OffsetTable {
  private readonly byGroup = new Map<string, Map<string, Map<number, Stored>>>();

  get(groupId: string, topic: string, partition: number): Stored | undefined {
    return this.byGroup.get(groupId)?.get(topic)?.get(partition);
  }

  set(groupId: string, topic: string, partition: number, stored: Stored): void {
    let topics = this.byGroup.get(groupId);
    if (!topics) this.byGroup.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, stored);
  }

  delete(groupId: string, topic: string, partition: number): boolean {
    const topics = this.byGroup.get(groupId);
    const partitions = topics?.get(topic);
    if (!partitions?.delete(partition)) return false;
    if (partitions.size === 0) topics!.delete(topic);
    if (topics!.size === 0) this.byGroup.delete(groupId);
    return true;
  }

  /** A group's entries, topics and partitions in order. */
  entries(groupId: string): { topic: string; partition: number; stored: Stored }[] {
    const topics = this.byGroup.get(groupId);
    if (!topics) return [];
    return [...topics.keys()].sort().flatMap((topic) => {
      const partitions = topics.get(topic)!;
      return [...partitions.keys()].sort((a, b) => a - b).map((partition) => ({ topic, partition, stored: partitions.get(partition)! }));
    });
  }

  has(groupId: string): boolean {
    return this.byGroup.has(groupId);
  }

  groups(): string[] {
    return [...this.byGroup.keys()];
  }
}

export class CommittedOffsets {
  private readonly committed = new OffsetTable();
  /** producerId → the offsets its open transaction wrote. */
  private readonly pending = new Map<number, OffsetTable>();

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.committed.get(groupId, topic, partition)?.offset;
  }

  /** Applies an offset whose record is at `logOffset`, unless one written later is already applied. */
  set(groupId: string, topic: string, partition: number, offset: CommittedOffset, logOffset: number): void {
    const current = this.committed.get(groupId, topic, partition);
    if (!current || current.logOffset < logOffset) this.committed.set(groupId, topic, partition, { offset, logOffset });
  }

  /** A tombstone: removes the committed offset and any a transaction holds for the partition. */
  delete(groupId: string, topic: string, partition: number): void {
    this.committed.delete(groupId, topic, partition);
    for (const table of this.pending.values()) table.delete(groupId, topic, partition);
  }

  /** Every committed offset of a group, topics and partitions in order. */
  all(groupId: string): TopicPartitionOffset[] {
    return this.committed.entries(groupId).map(({ topic, partition, stored }) => ({ topic, partition, offset: stored.offset }));
  }

  hasOffsets(groupId: string): boolean {
    return this.committed.has(groupId);
  }

  /** Groups with committed offsets or offsets in an open transaction. */
  groups(): Set<string> {
    return new Set([...this.committed.groups(), ...[...this.pending.values()].flatMap((t) => t.groups())]);
  }

  /** Holds an offset a producer's transaction wrote at `logOffset` until the transaction's marker. */
  stage(producerId: number, groupId: string, topic: string, partition: number, offset: CommittedOffset, logOffset: number): void {
    let table = this.pending.get(producerId);
    if (!table) this.pending.set(producerId, (table = new OffsetTable()));
    table.set(groupId, topic, partition, { offset, logOffset });
  }

  /**
   * The producer's transaction ended in the __consumer_offsets partition holding the groups
   * `inPartition` accepts: on commit their offsets apply, on abort they are dropped; offsets of
   * groups in other partitions wait for the marker in theirs. Returns the groups whose offsets applied.
   */
  completeTxn(producerId: number, commit: boolean, inPartition: (groupId: string) => boolean): string[] {
    const table = this.pending.get(producerId);
    if (!table) return [];
    const groups = table.groups().filter(inPartition);
    for (const groupId of groups) {
      const entries = table.entries(groupId);
      for (const { topic, partition, stored } of entries) {
        if (commit) this.set(groupId, topic, partition, stored.offset, stored.logOffset);
        table.delete(groupId, topic, partition);
      }
    }
    if (table.groups().length === 0) this.pending.delete(producerId);
    return commit ? groups : [];
  }

  /** A group no longer coordinated here: its committed and pending offsets are forgotten (not deleted). */
  forgetGroup(groupId: string): void {
    for (const { topic, partition } of this.committed.entries(groupId)) this.committed.delete(groupId, topic, partition);
    for (const [producerId, table] of this.pending) {
      for (const { topic, partition } of table.entries(groupId)) table.delete(groupId, topic, partition);
      if (table.groups().length === 0) this.pending.delete(producerId);
    }
  }

  /** An open transaction holds an offset for this partition (require_stable answers UNSTABLE_OFFSET_COMMIT). */
  hasPending(groupId: string, topic: string, partition: number): boolean {
    for (const table of this.pending.values()) if (table.get(groupId, topic, partition)) return true;
    return false;
  }

  hasPendingForGroup(groupId: string): boolean {
    for (const table of this.pending.values()) if (table.has(groupId)) return true;
    return false;
  }

  /** Partitions of a group with an offset in an open transaction. */
  pendingPartitions(groupId: string): { topic: string; partition: number }[] {
    const keys = new Map<string, { topic: string; partition: number }>();
    for (const table of this.pending.values()) {
      for (const { topic, partition } of table.entries(groupId)) keys.set(`${topic}\0${partition}`, { topic, partition });
    }
    return [...keys.values()];
  }
}
