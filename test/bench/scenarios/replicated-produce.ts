// Replicated produce, what replication costs a producer: acks=all to a partition with replication
// factor 3 led by one of three `creek --etcd` processes (the other two fetch it over Kafka's
// replication protocol; the high watermark, and so each answer, waits for them), beside acks=1 to a
// single broker, same shape and same run. acks=1 on the same cluster separates the work of
// replicating from the wait for the ISR. All brokers run the built CLI pinned to the server core,
// so the three replicas share the one core the single broker has to itself: the ratio is what
// replication costs on that budget. Each target is driven at full speed (CONNECTIONS × DEPTH
// requests in flight), then with one request in flight per connection, where the ack latency
// shows the followers' fetch round trip instead of the queue.
import { Kafka, logLevel } from 'kafkajs';
import { requireEtcd } from '../../helpers/etcd.js';
import { startProcessCluster } from '../../helpers/process-cluster.js';
import { driveProduce, partitionsOf, spreadPartitions, type Rate } from '../lib/drivers.js';
import { createTopicsAndWait } from '../lib/topics.js';
import { makeBatch } from '../lib/workload.js';
import { KIB, MIB, sizeLabel, startBroker, timing, type BenchContext } from './context.js';

const TOPIC = 'replicated';
const SHAPE = { recordSize: KIB, batchBytes: 64 * KIB };
const CONNECTIONS = 2;
const DEPTH = 8;

interface Measured {
  full: Rate;
  oneInFlight: Rate;
}

export async function replicatedProduceScenario(ctx: BenchContext): Promise<void> {
  if (requireEtcd()) {
    ctx.results.note('replicated', 'replicated', 'skipped: etcd is not installed (apt-get install etcd-server)');
    return;
  }
  const single = await measureSingle(ctx);
  const cluster = await measureCluster(ctx);
  const scenario = `produce ${sizeLabel(SHAPE.recordSize)} records, ${sizeLabel(SHAPE.batchBytes)} batches, 1 partition, ${CONNECTIONS}×${DEPTH} in flight`;
  const ceiling = { name: 'acks=1 single broker', value: single.full.bytesPerSec / MIB };
  report(ctx, scenario, 'acks=1, single broker', single);
  report(ctx, scenario, 'acks=all, replication factor 3 over three processes, min.insync.replicas=2', cluster.acksAll, ceiling);
  report(ctx, scenario, 'acks=1, replication factor 3 over three processes', cluster.acksOne, ceiling);
}

function report(ctx: BenchContext, scenario: string, target: string, { full, oneInFlight }: Measured, ceiling?: { name: string; value: number }): void {
  ctx.results.add('replicated', { scenario, metric: target, value: full.bytesPerSec / MIB, unit: 'MiB/s', ...(ceiling && { ceiling }) });
  for (const p of [50, 99]) ctx.results.add('replicated', { scenario, metric: `${target}: request p${p}`, value: full.requestMs.percentile(p), unit: 'ms' });
  for (const p of [50, 99]) ctx.results.add('replicated', { scenario, metric: `${target}: request p${p}, 1 in flight per connection`, value: oneInFlight.requestMs.percentile(p), unit: 'ms' });
}

async function measure(port: number, acks: number, ctx: BenchContext): Promise<Measured> {
  const batch = makeBatch(SHAPE);
  const load = { port, connections: spreadPartitions(partitionsOf(TOPIC, 1), CONNECTIONS, batch, acks), batch, depth: DEPTH, ...timing(ctx), verify: true };
  const full = await driveProduce(load);
  const oneInFlight = await driveProduce({ ...load, depth: 1 });
  return { full, oneInFlight };
}

async function measureSingle(ctx: BenchContext): Promise<Measured> {
  const broker = await startBroker(ctx, 'replicated-single', { memory: false });
  try {
    await createTopicsAndWait(broker.port, [{ name: TOPIC, partitions: 1 }]);
    return await measure(broker.port, 1, ctx);
  } finally {
    await broker.stop();
  }
}

/** acks=all first: acks=1 lets the leader run ahead of its followers, whose catching up would weigh on what follows. */
async function measureCluster(ctx: BenchContext): Promise<{ acksAll: Measured; acksOne: Measured }> {
  const cluster = await startProcessCluster({ brokers: 3, command: ['taskset', '-c', String(ctx.cores.server), process.execPath, ctx.cli] });
  try {
    const admin = new Kafka({ clientId: 'bench-replicated', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    await admin.disconnect();
    const { leaderId } = await cluster.waitFor(TOPIC, 0, (p) => p.leaderId >= 0 && p.isr.length === 3, 'all three replicas in sync');
    const acksAll = await measure(cluster.port(leaderId), -1, ctx);
    const acksOne = await measure(cluster.port(leaderId), 1, ctx);
    return { acksAll, acksOne };
  } finally {
    await cluster.close();
  }
}
