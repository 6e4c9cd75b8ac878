// The Prometheus registry behind GET /metrics, built at the first scrape (prom-client and its
// dependencies cost ~30 ms of every start, and most brokers are never scraped). Every series reads
// state kept elsewhere: counts the request path moves (BrokerMetrics), request times (RequestTimes)
// and the engines' state (log sizes, offsets, groups, consumer lag).
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { groupOffsets, type GroupOffset } from './group-offsets.js';
import type { MetricsSource, MetricsState, TopicCounts } from './metrics-state.js';
import { LATENCY_BUCKETS_MS } from './request-times.js';

export function buildRegistry(state: MetricsState): Registry {
  const registry = new Registry();
  const registers = [registry];
  const topicCounter = (name: string, help: string, field: keyof TopicCounts): void => {
    new Counter({
      name,
      help,
      labelNames: ['topic'],
      registers,
      collect() {
        this.reset();
        for (const [topic, c] of state.topicCounts) if (c[field] > 0) this.inc({ topic }, c[field]);
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
  new Counter({
    name: 'kafka_network_requestmetrics_requests_total',
    help: 'Requests handled, per API and version (RequestsPerSec).',
    labelNames: ['request', 'version'],
    registers,
    collect() {
      this.reset();
      for (const [key, n] of state.requestCounts) this.inc({ request: state.apiName(Math.floor(key / 65536)), version: String(key % 65536) }, n);
    },
  });
  registry.registerMetric(requestTimeHistogram(state));
  stateGauges(registers, state.source);
  if (state.processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * kafka_network_requestmetrics_totaltimems as a histogram from RequestTimes' bucket counts.
 * prom-client's Histogram only counts observations itself, so this is a metric of its own: the
 * registry asks a metric for its name and, at each scrape, get() (and reset() when reset).
 */
function requestTimeHistogram(state: MetricsState): Metric {
  const name = 'kafka_network_requestmetrics_totaltimems';
  const help = 'Time from receiving a request to sending its response, in milliseconds (TotalTimeMs).';
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    collect: () => undefined,
    get: async () => {
      const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
      for (const [apiKey, times] of state.requestTimes.entries()) {
        const request = state.apiName(apiKey);
        let cumulative = 0;
        LATENCY_BUCKETS_MS.forEach((le, i) => {
          cumulative += times.buckets[i]!;
          values.push({ value: cumulative, labels: { le, request }, metricName: `${name}_bucket` });
        });
        values.push({ value: times.count, labels: { le: '+Inf', request }, metricName: `${name}_bucket` });
        values.push({ value: times.sumMs, labels: { request }, metricName: `${name}_sum` });
        values.push({ value: times.count, labels: { request }, metricName: `${name}_count` });
      }
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
    reset: () => undefined,
  };
  return metric as unknown as Metric;
}

function stateGauges(registers: Registry[], source: () => MetricsSource | undefined): void {
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
  // Creek's own: Kafka's log-end reads come from the page cache, Creek's from these tails until the
  // bound drops them (then from the files). 0 on a broker with in-memory storage, which has no tails.
  new Gauge({
    name: 'creek_log_tail_cache_bytes',
    help: 'Bytes the partitions\' in-memory tails of recent appends hold together.',
    registers,
    collect() {
      this.set(source()?.topics.tailCache?.heldBytes ?? 0);
    },
  });
  new Gauge({
    name: 'creek_log_tail_cache_max_bytes',
    help: 'The bound on what the in-memory tails hold together (creek.log.tail.cache.max.bytes).',
    registers,
    collect() {
      this.set(source()?.topics.tailCache?.maxBytes ?? 0);
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
