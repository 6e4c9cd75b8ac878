// What the broker's metrics are made of: counts the request path moves, request times, and the
// engines' state read at scrape time. BrokerMetrics keeps them; the Prometheus registry reads them.
import type { GroupOffsetSource } from './group-offsets.js';
import type { RequestTimes } from './request-times.js';

/** What the scrape-time gauges read: the topics and their partition logs, the replicas led here, and the groups. */
export interface MetricsSource extends GroupOffsetSource {
  topics: {
    list(): readonly { name: string; partitions: readonly { logStartOffset: number; logEndOffset: number; highWatermark: number; size: number }[] }[];
    /** The file logs' in-memory tails against their bound; none with in-memory storage. */
    readonly tailCache?: { readonly heldBytes: number; readonly maxBytes: number } | undefined;
  };
  replicas: { underReplicatedCount(): number };
}

/** Per-topic counts, kept as plain numbers: the request path adds to them, a scrape reads them. */
export interface TopicCounts {
  bytesIn: number;
  messagesIn: number;
  /** Records fetched: Kafka has no such metric, so only the console's chart shows it. */
  messagesOut: number;
  bytesOut: number;
  produceRequests: number;
  fetchRequests: number;
  failedProduce: number;
  failedFetch: number;
}

/** What the series read; `source` is undefined until the broker's engines are up. */
export interface MetricsState {
  topicCounts: ReadonlyMap<string, TopicCounts>;
  /** Requests handled, by apiKey * 65536 + version. */
  requestCounts: ReadonlyMap<number, number>;
  requestTimes: RequestTimes;
  source: () => MetricsSource | undefined;
  apiName: (apiKey: number) => string;
  /**
   * Add Node.js process metrics (prom-client's defaults). Their GC and event-loop-delay series
   * count from the first scrape, when their observers start.
   */
  processMetrics: boolean;
}
