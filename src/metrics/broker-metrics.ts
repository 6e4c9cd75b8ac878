// The broker's Prometheus metrics, named as the Prometheus JMX exporter's Kafka rules name Kafka's
// own MBeans (kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=T →
// kafka_server_brokertopicmetrics_bytesin_total{topic="T"}), so dashboards built for Kafka read
// them unchanged. Counts are plain numbers moved by a few hook calls (the connection after each
// request, the produce handler after an append, the fetch handler per response) and handed to
// prom-client at scrape time, which keeps a label hash off the request path; state (log sizes,
// offsets, groups, consumer lag) is read from the engines at scrape time. Consumer lag has no Kafka MBean:
// it uses kafka_exporter's names (kafka_consumergroup_lag), which Kafka dashboards expect.
// prom-client itself is loaded at the first scrape (src/metrics/prometheus-registry.ts).
import type { Registry } from 'prom-client';
import { apiDef } from '../../protocol/codec/messages.js';
import type { MetricsSource, MetricsState, TopicCounts } from './metrics-state.js';
import { RequestTimes } from './request-times.js';

export class BrokerMetrics {
  private readonly topicCounts = new Map<string, TopicCounts>();
  /** Requests handled, by apiKey * 65536 + version. */
  private readonly requestCounts = new Map<number, number>();
  private readonly requestTimes = new RequestTimes();
  private processMetrics = false;
  private registry: Promise<Registry> | undefined;

  constructor(private readonly source: () => MetricsSource | undefined) {}

  /** Adds Node.js process metrics (prom-client's defaults) to /metrics: this broker serves it. */
  collectProcessMetrics(): void {
    this.processMetrics = true;
  }

  /** Counts a request whose response is written; `startedMs` is `performance.now()` when it started. */
  requestDone(apiKey: number, version: number, startedMs: number): void {
    const key = apiKey * 65536 + version;
    this.requestCounts.set(key, (this.requestCounts.get(key) ?? 0) + 1);
    this.requestTimes.observe(apiKey, performance.now() - startedMs);
  }

  /** A produce batch appended to a partition of `topic`. */
  produced(topic: string, bytes: number, records: number): void {
    const c = this.countsOf(topic);
    c.produceRequests++;
    c.bytesIn += bytes;
    c.messagesIn += records;
  }

  produceFailed(topic: string): void {
    const c = this.countsOf(topic);
    c.produceRequests++;
    c.failedProduce++;
  }

  /** One partition of a fetch response: `bytes` and `records` sent, or a failure. */
  fetched(topic: string, bytes: number, records: number, failed: boolean): void {
    const c = this.countsOf(topic);
    c.fetchRequests++;
    if (failed) c.failedFetch++;
    else {
      c.bytesOut += bytes;
      c.messagesOut += records;
    }
  }

  /** Counts since start summed over topics, and requests per API name: what the console's charts turn into rates. */
  totals(): { bytesIn: number; bytesOut: number; messagesIn: number; messagesOut: number; requests: Record<string, number> } {
    const totals = { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0, requests: {} as Record<string, number> };
    for (const c of this.topicCounts.values()) {
      totals.bytesIn += c.bytesIn;
      totals.bytesOut += c.bytesOut;
      totals.messagesIn += c.messagesIn;
      totals.messagesOut += c.messagesOut;
    }
    for (const [key, n] of this.requestCounts) {
      const name = apiName(Math.floor(key / 65536));
      totals.requests[name] = (totals.requests[name] ?? 0) + n;
    }
    return totals;
  }

  /** The Prometheus text of every series, and its content type. */
  async metrics(): Promise<{ contentType: string; body: string }> {
    // Counts of deleted topics go, as Kafka removes a deleted topic's metrics.
    const topics = this.source()?.topics.list();
    if (topics !== undefined) {
      const live = new Set(topics.map((t) => t.name));
      for (const name of this.topicCounts.keys()) if (!live.has(name)) this.topicCounts.delete(name);
    }
    const registry = await (this.registry ??= this.buildRegistry());
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  private async buildRegistry(): Promise<Registry> {
    const { buildRegistry } = await import('./prometheus-registry.js');
    const state: MetricsState = {
      topicCounts: this.topicCounts,
      requestCounts: this.requestCounts,
      requestTimes: this.requestTimes,
      source: this.source,
      apiName,
      processMetrics: this.processMetrics,
    };
    return buildRegistry(state);
  }

  private countsOf(topic: string): TopicCounts {
    let c = this.topicCounts.get(topic);
    if (c === undefined) {
      c = { bytesIn: 0, messagesIn: 0, messagesOut: 0, bytesOut: 0, produceRequests: 0, fetchRequests: 0, failedProduce: 0, failedFetch: 0 };
      this.topicCounts.set(topic, c);
    }
    return c;
  }
}

/** Kafka's name of an API (Produce, Fetch, ...), as the request label of Kafka's request metrics. */
function apiName(apiKey: number): string {
  return apiDef(apiKey)?.name ?? String(apiKey);
}
