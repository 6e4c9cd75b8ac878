// Each topic as Metadata describes it (its partitions' leaders, epochs and replica sets), kept per
// listener until the cluster view's generation moves, as Kafka answers from its metadata cache's
// snapshot instead of building every answer anew. A steady Metadata load then allocates next to
// nothing per topic: at 10,000 partitions the descriptions built for each answer had been 40% of
// what outlived V8's young generation under load (test/bench/NOTES.md).
import { ErrorCode } from '../../protocol/errors.js';
import type { MetadataResponseMetadataResponseTopic as TopicOut } from '../../protocol/schema/index.js';
import { OPS_OMITTED } from '../groups/authorized-operations.js';
import { describePartition, type ClusterView } from './cluster-view.js';

/** What a description depends on of a topic besides the cluster view. */
export interface DescribedTopic {
  readonly name: string;
  readonly id: string;
  readonly internal: boolean;
  readonly partitions: readonly unknown[];
}

interface Kept {
  generation: number;
  described: TopicOut;
}

export class TopicDescriptions {
  /** By listener name, then by topic object (a topic deleted and created again is another object). */
  private readonly kept = new Map<string, WeakMap<DescribedTopic, Kept>>();

  constructor(private readonly cluster: Pick<ClusterView, 'generation' | 'partitionState' | 'broker'>) {}

  /**
   * `topic` as described to a client on `listenerName`, its authorized operations omitted.
   * Shared between answers: never modified.
   */
  of(topic: DescribedTopic, listenerName: string): TopicOut {
    let byTopic = this.kept.get(listenerName);
    if (byTopic === undefined) this.kept.set(listenerName, (byTopic = new WeakMap()));
    const generation = this.cluster.generation;
    const kept = byTopic.get(topic);
    // The count is checked too: in a cluster a topic's local partitions open after its record changed.
    if (kept !== undefined && kept.generation === generation && kept.described.partitions.length === topic.partitions.length) return kept.described;
    const described: TopicOut = {
      errorCode: ErrorCode.NONE,
      name: topic.name,
      topicId: topic.id,
      isInternal: topic.internal,
      partitions: topic.partitions.map((_, index) => ({ partitionIndex: index, ...describePartition(this.cluster, topic.name, index, listenerName) })),
      topicAuthorizedOperations: OPS_OMITTED,
    };
    byTopic.set(topic, { generation, described });
    return described;
  }
}
