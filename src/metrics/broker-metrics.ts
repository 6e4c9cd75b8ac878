// The broker's Prometheus metrics, named as the Prometheus JMX exporter's Kafka rules name Kafka's
// own MBeans (kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=T →
// kafka_server_brokertopicmetrics_bytesin_total{topic="T"}), so dashboards built for Kafka read
// them unchanged. Counts are plain numbers moved by a few hook calls (the connection after each
// request, the produce handler after an append, the fetch handler per response) and handed to
// prom-client at scrape time, which keeps a label hash off the request path; state (log sizes,
// offsets, groups, consumer lag) is read from the engines at scrape time. Consumer lag has no Kafka MBean:
// it uses kafka_exporter's names (kafka_consumergroup_lag), which Kafka dashboards expect.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { apiDef } from '../../protocol/codec/messages.js';
import { groupOffsets, type GroupOffset, type GroupOffsetSource } from './group-offsets.js';

/** What the scrape-time gauges read: the topics and their partition logs, the replicas led here, and the groups. */
export interface MetricsSource extends GroupOffsetSource {
  topics: { list(): readonly { name: string; partitions: readonly { logStartOffset: number; logEndOffset: number; highWatermark: number; size: number }[] }[] };
  replicas: { underReplicatedCount(): number };
}

const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** Per-topic counts, kept as plain numbers: the request path adds to them, a scrape reads them. */
interface TopicCounts {
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

export class BrokerMetrics {
  readonly registry = new Registry();
  private defaultsCollected = false;
  private readonly topicCounts = new Map<string, TopicCounts>();
  /** Requests handled, by apiKey * 65536 + version. */
  private readonly requestCounts = new Map<number, number>();
  private readonly requestTime: Histogram<'request'>;
  /** requestTime's observer per API key, made once: observing through labels objects allocates per request. */
  private readonly requestTimeByApi = new Map<number, { observe(value: number): void }>();

  constructor(private readonly source: () => MetricsSource | undefined) {
    const registers = [this.registry];
    const counts = this.topicCounts;
    const topicCounter = (name: string, help: string, field: keyof TopicCounts): void => {
      new Counter({
        name,
        help,
        labelNames: ['topic'],
        registers,
        collect() {
          this.reset();
          for (const [topic, c] of counts) if (c[field] > 0) this.inc({ topic }, c[field]);
        },
      });
    };
    topicCounter('kafka_server_brokertopicmetrics_bytesin_total', 'Bytes produced to the topic (BytesInPerSec).', 'bytesIn');
    topicCounter('kafka_server_brokertopicmetrics_messagesin_total', 'Records produced to the topic (MessagesInPerSec).', 'messagesIn');
    topicCounter('kafka_server_brokertopicmetrics_bytesout_total', 'Bytes fetched from the topic (BytesOutPerSec).', 'bytesOut');
    topicCounter('kafka_server_brokertopicmetrics_totalproducerequests_total', 'Produce requests per topic (TotalProduceRequestsPerSec).', 'produceRequests');
    topicCounter('kafka_server_brokertopicmetrics_totalfetchrequests_total', 'Fetch requests per topic (TotalFetchRequestsPerSec).', 'fetchRequests');
    topicCounter('kafka_server_brokertopicmetrics_failedproducerequests_total', 'Produce requests that failed (FailedProduceRequestsPerSec).', 'failedProduce');
    topicCounter('kafka_server_brokertopicmetrics_failedfetchrequests_total', 'Fetch requests that failed (FailedFetchRequestsPerSec).', 'failedFetch');
    const requestCounts = this.requestCounts;
    new Counter({
      name: 'kafka_network_requestmetrics_requests_total',
      help: 'Requests handled, per API and version (RequestsPerSec).',
      labelNames: ['request', 'version'],
      registers,
      collect() {
        this.reset();
        for (const [key, n] of requestCounts) this.inc({ request: apiName(Math.floor(key / 65536)), version: String(key % 65536) }, n);
      },
    });
    this.requestTime = new Histogram({
      name: 'kafka_network_requestmetrics_totaltimems',
      help: 'Time from receiving a request to sending its response, in milliseconds (TotalTimeMs).',
      labelNames: ['request'],
      buckets: LATENCY_BUCKETS_MS,
      registers,
    });
    this.stateGauges(source);
  }

  /** Adds Node.js process metrics (prom-client's defaults) once, when the broker serves /metrics. */
  collectProcessMetrics(): void {
    if (this.defaultsCollected) return;
    this.defaultsCollected = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts a request whose response is written; `startedMs` is `performance.now()` when it started. */
  requestDone(apiKey: number, version: number, startedMs: number): void {
    const key = apiKey * 65536 + version;
    this.requestCounts.set(key, (this.requestCounts.get(key) ?? 0) + 1);
    let observer = this.requestTimeByApi.get(apiKey);
    if (observer === undefined) {
      observer = this.requestTime.labels(apiName(apiKey));
      this.requestTimeByApi.set(apiKey, observer);
    }
    observer.observe(performance.now() - startedMs);
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

  async metrics(): Promise<string> {
    // Counts of deleted topics go, as Kafka removes a deleted topic's metrics.
    const topics = this.source()?.topics.list();
    if (topics !== undefined) {
      const live = new Set(topics.map((t) => t.name));
      for (const name of this.topicCounts.keys()) if (!live.has(name)) this.topicCounts.delete(name);
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private countsOf(topic: string): TopicCounts {
    let c = this.topicCounts.get(topic);
    if (c === undefined) {
      c = { bytesIn: 0, messagesIn: 0, messagesOut: 0, bytesOut: 0, produceRequests: 0, fetchRequests: 0, failedProduce: 0, failedFetch: 0 };
      this.topicCounts.set(topic, c);
    }
    return c;
  }

  private stateGauges(source: () => MetricsSource | undefined): void {
    const registers = [this.registry];
    const partitionGauge = (name: string, help: string, read: (p: { logStartOffset: number; logEndOffset: number; size: number }) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['topic', 'partition'],
        registers,
        collect() {
          this.reset();
          for (const t of source()?.topics.list() ?? []) {
            for (const [partition, p] of t.partitions.entries()) this.set({ topic: t.name, partition: String(partition) }, read(p));
          }
        },
      });
    };
    partitionGauge('kafka_log_log_size', 'Bytes stored for the partition (kafka.log:type=Log,name=Size).', (p) => p.size);
    partitionGauge('kafka_log_log_logstartoffset', 'First offset of the partition (LogStartOffset).', (p) => p.logStartOffset);
    partitionGauge('kafka_log_log_logendoffset', 'Next offset of the partition (LogEndOffset).', (p) => p.logEndOffset);
    new Gauge({
      name: 'kafka_server_replicamanager_partitioncount',
      help: 'Partitions on this broker (PartitionCount).',
      registers,
      collect() {
        this.set((source()?.topics.list() ?? []).reduce((n, t) => n + t.partitions.length, 0));
      },
    });
    new Gauge({
      name: 'kafka_server_replicamanager_underreplicatedpartitions',
      help: 'Partitions led by this broker whose ISR is smaller than their replica set (UnderReplicatedPartitions).',
      registers,
      collect() {
        this.set(source()?.replicas.underReplicatedCount() ?? 0);
      },
    });
    new Gauge({
      name: 'kafka_coordinator_group_groupmetadatamanager_numgroups',
      help: 'Consumer groups known to the coordinator (NumGroups).',
      registers,
      collect() {
        this.set(source()?.groups.listGroups().length ?? 0);
      },
    });
    new Gauge({
      name: 'kafka_coordinator_group_groupmetadatamanager_numgroupsstate',
      help: 'Consumer groups per state (NumGroupsStable, NumGroupsEmpty, ...).',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const g of source()?.groups.listGroups() ?? []) this.inc({ state: g.state.toLowerCase() });
      },
    });
    const offsetGauge = (name: string, help: string, read: (row: GroupOffset) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['consumergroup', 'topic', 'partition'],
        registers,
        collect() {
          this.reset();
          const s = source();
          for (const row of s === undefined ? [] : groupOffsets(s)) {
            this.set({ consumergroup: row.groupId, topic: row.topic, partition: String(row.partition) }, read(row));
          }
        },
      });
    };
    offsetGauge('kafka_consumergroup_current_offset', 'Committed offset of the group on the partition.', (r) => r.offset);
    offsetGauge('kafka_consumergroup_lag', 'High watermark of the partition minus the group\'s committed offset.', (r) => r.lag);
  }
}

/** Kafka's name of an API (Produce, Fetch, ...), as the request label of Kafka's request metrics. */
function apiName(apiKey: number): string {
  return apiDef(apiKey)?.name ?? String(apiKey);
}
