// What replication costs a producer: acks=all to a topic with replication factor 3 on a
// three-broker cluster beside acks=1 on a single broker, in the same run with the same shape
// (1 KiB records, 16 KiB batches, 6 partitions, disk). The cluster is `startCluster` in one
// process, started as `npm run compat -- --cluster 3` starts it, so its three brokers (leaders and
// the followers fetching from them) share the one server core the single broker has to itself.
// Both run from the TypeScript sources (tsx), each pinned to the server core. Figures: throughput
// at full speed (the single broker's acks=1 is the ceiling), and produce ack latency p50/p99 at
// full speed and with one request in flight per connection.
import { decodeResponse } from '../../../protocol/codec/messages.js';
import type { CreateTopicsResponse, MetadataResponse } from '../../../protocol/schema/index.js';
import { startCreek } from '../../../compat/lib/creek-process.js';
import type { BrokerProcess } from '../../../compat/lib/broker-process.js';
import { driveProduce, spreadPartitions, type ProduceLoad, type Rate } from '../lib/drivers.js';
import { FrameConnection } from '../lib/frame-connection.js';
import { ROOT } from '../lib/processes.js';
import { MIB, sleep } from '../lib/stats.js';
import { CREATE_TOPICS_VERSION, METADATA_VERSION, createTopicsFrame, describeTopicsFrame, makeBatch, type Batch } from '../lib/workload.js';
import { KIB, timing, type BenchContext } from './context.js';

const TOPIC = 'replicated';
const PARTITIONS = 6;
const RECORD = KIB;
const BATCH = 16 * KIB;
/** Requests in flight per connection at full speed (as the produce group's 16 KiB points). */
const DEPTH = 16;
/** Kafka's defaults but the first-rebalance delay, as the compat suite runs them. */
const OVERRIDES = { 'group.initial.rebalance.delay.ms': '0' };

interface Target {
  label: string;
  brokers: number;
  replicationFactor: number;
  acks: number;
}

const SINGLE: Target = { label: 'single broker, replication factor 1, acks=1', brokers: 1, replicationFactor: 1, acks: 1 };
const TARGETS: Target[] = [
  SINGLE,
  { label: '3-broker cluster in one process, replication factor 3, acks=1', brokers: 3, replicationFactor: 3, acks: 1 },
  { label: '3-broker cluster in one process, replication factor 3, min.insync.replicas=2, acks=all', brokers: 3, replicationFactor: 3, acks: -1 },
];

interface Measured {
  full: Rate;
  oneInFlight: Rate;
}

export async function replicationScenario(ctx: BenchContext): Promise<void> {
  const batch = makeBatch({ recordSize: RECORD, batchBytes: BATCH });
  const measured = new Map<Target, Measured>();
  for (const target of TARGETS) measured.set(target, await measure(ctx, target, batch));
  const reference = measured.get(SINGLE)!;
  for (const target of TARGETS) {
    const { full, oneInFlight } = measured.get(target)!;
    const scenario = `produce disk, ${target.label}, 1 KiB records, 16 KiB batches, ${PARTITIONS} partitions`;
    const ceiling = target === SINGLE ? {} : { ceiling: { name: SINGLE.label, value: reference.full.bytesPerSec / MIB } };
    ctx.results.add('replication', { scenario, metric: 'throughput', value: full.bytesPerSec / MIB, unit: 'MiB/s', ...ceiling });
    ctx.results.add('replication', { scenario, metric: `p50 produce ack, ${DEPTH} in flight per connection`, value: full.requestMs.percentile(50), unit: 'ms' });
    ctx.results.add('replication', { scenario, metric: `p99 produce ack, ${DEPTH} in flight per connection`, value: full.requestMs.percentile(99), unit: 'ms' });
    ctx.results.add('replication', { scenario, metric: 'p50 produce ack, 1 in flight per connection', value: oneInFlight.requestMs.percentile(50), unit: 'ms' });
    ctx.results.add('replication', { scenario, metric: 'p99 produce ack, 1 in flight per connection', value: oneInFlight.requestMs.percentile(99), unit: 'ms' });
  }
}

async function measure(ctx: BenchContext, target: Target, batch: Batch): Promise<Measured> {
  const overrides = target.brokers > 1 ? { ...OVERRIDES, 'min.insync.replicas': '2' } : OVERRIDES;
  const creek = await startCreek(ROOT, overrides, { brokers: target.brokers, core: ctx.cores.server });
  try {
    const leaders = await createTopic(creek, target.replicationFactor);
    // One connection per leading broker, carrying the partitions it leads.
    const byLeader = new Map<number, number[]>();
    for (const [partition, port] of leaders) byLeader.set(port, [...(byLeader.get(port) ?? []), partition]);
    const ports = [...byLeader.keys()];
    const connections = ports.map((port) => spreadPartitions(byLeader.get(port)!.map((partition) => ({ topic: TOPIC, partition })), 1, batch, target.acks)[0]!);
    const load: ProduceLoad = { port: ports[0]!, ports, connections, batch, depth: DEPTH, verify: true, ...timing(ctx) };
    // A first pass is discarded (JIT warm-up, first segment files).
    await driveProduce(load);
    const full = await driveProduce(load);
    const oneInFlight = await driveProduce({ ...load, depth: 1 });
    return { full, oneInFlight };
  } finally {
    await creek.stop();
  }
}

/** Creates the topic and waits until every partition has a leader and a full ISR; returns each partition's leader port. */
async function createTopic(creek: BrokerProcess, replicationFactor: number): Promise<Map<number, number>> {
  const port = Number(creek.bootstrap.split(',')[0]!.split(':')[1]);
  const conn = await FrameConnection.open(port);
  try {
    const created = decodeResponse(19, CREATE_TOPICS_VERSION, await conn.request(createTopicsFrame([{ name: TOPIC, partitions: PARTITIONS, replicationFactor }]))) as { body: CreateTopicsResponse };
    const error = created.body.topics[0]!;
    if (error.errorCode !== 0) throw new Error(`CreateTopics ${TOPIC}: error ${error.errorCode} ${error.errorMessage ?? ''}`);
    for (let attempt = 0; attempt < 600; attempt++) {
      const { body } = decodeResponse(3, METADATA_VERSION, await conn.request(describeTopicsFrame([TOPIC]))) as { body: MetadataResponse };
      const partitions = body.topics[0]?.partitions ?? [];
      const ready = partitions.length === PARTITIONS && partitions.every((p) => p.errorCode === 0 && p.leaderId >= 0 && p.isrNodes.length === replicationFactor);
      if (ready) {
        const portOf = new Map(body.brokers.map((b) => [b.nodeId, b.port]));
        return new Map(partitions.map((p) => [p.partitionIndex, portOf.get(p.leaderId)!]));
      }
      await sleep(50);
    }
    throw new Error(`${TOPIC}: partitions without a leader or a full ISR after 30 s`);
  } finally {
    conn.close();
  }
}
