// Each topic's partition descriptions as Metadata answers them, kept per listener until the
// cluster view's generation moves, as Kafka answers from its metadata cache's snapshot instead of
// building every answer anew. A steady Metadata load then makes an object per topic rather than
// several per partition: at 10,000 partitions those, answered between scavenges, were what V8's
// young generation copied most.
import { describePartition, type ClusterView, type PartitionDescription } from './cluster-view.js';

export interface IndexedPartitionDescription extends PartitionDescription {
  partitionIndex: number;
}

/** What a description depends on of a topic besides the cluster view: its name and partition count. */
export interface DescribedTopic {
  readonly name: string;
  readonly partitions: readonly unknown[];
}

interface Kept {
  generation: number;
  partitions: IndexedPartitionDescription[];
}

export class PartitionDescriptions {
  /** By listener name, then by topic object (a topic deleted and created again is another object). */
  private readonly kept = new Map<string, WeakMap<DescribedTopic, Kept>>();

  constructor(private readonly cluster: Pick<ClusterView, 'generation' | 'partitionState' | 'broker'>) {}

  /** `topic`'s partitions as described to a client on `listenerName`. Shared between answers: never modified. */
  of(topic: DescribedTopic, listenerName: string): IndexedPartitionDescription[] {
    let byTopic = this.kept.get(listenerName);
    if (byTopic === undefined) this.kept.set(listenerName, (byTopic = new WeakMap()));
    const generation = this.cluster.generation;
    const kept = byTopic.get(topic);
    // The count is checked too: in a cluster a topic's local partitions open after its record changed.
    if (kept !== undefined && kept.generation === generation && kept.partitions.length === topic.partitions.length) return kept.partitions;
    const partitions = topic.partitions.map((_, index) => ({ partitionIndex: index, ...describePartition(this.cluster, topic.name, index, listenerName) }));
    byTopic.set(topic, { generation, partitions });
    return partitions;
  }
}
