// Replicated produce: acks=all to a partition with replication factor 3 led by one of three
// `creek --etcd` processes (the other two fetch it over Kafka's replication protocol; the high
// watermark, and so each answer, waits for both), beside acks=1 to a single broker, same shape and
// same run. All brokers run the built CLI pinned to the server core, so the three replicas share
// the one core the single broker has to itself: the ratio is what replication costs on that budget.
import { Kafka, logLevel } from 'kafkajs';
import { requireEtcd } from '../../helpers/etcd.js';
import { startProcessCluster } from '../../helpers/process-cluster.js';
import { driveProduce, partitionsOf, spreadPartitions, type Rate } from '../lib/drivers.js';
import { createTopicsAndWait } from '../lib/topics.js';
import { makeBatch } from '../lib/workload.js';
import { KIB, sizeLabel, startBroker, timing, type BenchContext } from './context.js';

const TOPIC = 'replicated';
const SHAPE = { recordSize: KIB, batchBytes: 64 * KIB };
const CONNECTIONS = 2;
const DEPTH = 8;

export async function replicatedProduceScenario(ctx: BenchContext): Promise<void> {
  if (requireEtcd()) {
    ctx.results.note('replicated', 'replicated', 'skipped: etcd is not installed (apt-get install etcd-server)');
    return;
  }
  const single = await measureSingle(ctx);
  const replicated = await measureReplicated(ctx);
  const scenario = `produce ${sizeLabel(SHAPE.recordSize)} records, ${sizeLabel(SHAPE.batchBytes)} batches, 1 partition, ${CONNECTIONS}×${DEPTH} in flight`;
  ctx.results.add('replicated', { scenario, metric: 'acks=1, single broker', value: single.bytesPerSec / (1024 * 1024), unit: 'MiB/s' });
  addLatency(ctx, scenario, 'acks=1, single broker', single);
  ctx.results.add('replicated', {
    scenario,
    metric: 'acks=all, replication factor 3 over three processes, min.insync.replicas=2',
    value: replicated.bytesPerSec / (1024 * 1024),
    unit: 'MiB/s',
    ceiling: { name: 'acks=1 single broker', value: single.bytesPerSec / (1024 * 1024) },
  });
  addLatency(ctx, scenario, 'acks=all, RF 3', replicated);
}

function addLatency(ctx: BenchContext, scenario: string, what: string, rate: Rate): void {
  for (const p of [50, 99]) ctx.results.add('replicated', { scenario, metric: `${what}: request p${p}`, value: rate.requestMs.percentile(p), unit: 'ms' });
}

function load(port: number, acks: number, ctx: BenchContext) {
  const batch = makeBatch(SHAPE);
  return { port, connections: spreadPartitions(partitionsOf(TOPIC, 1), CONNECTIONS, batch, acks), batch, depth: DEPTH, ...timing(ctx), verify: true };
}

async function measureSingle(ctx: BenchContext): Promise<Rate> {
  const broker = await startBroker(ctx, 'replicated-single', { memory: false });
  try {
    await createTopicsAndWait(broker.port, [{ name: TOPIC, partitions: 1 }]);
    return await driveProduce(load(broker.port, 1, ctx));
  } finally {
    await broker.stop();
  }
}

async function measureReplicated(ctx: BenchContext): Promise<Rate> {
  const cluster = await startProcessCluster({ brokers: 3, command: ['taskset', '-c', String(ctx.cores.server), process.execPath, ctx.cli] });
  try {
    const admin = new Kafka({ clientId: 'bench-replicated', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    await admin.disconnect();
    const { leaderId } = await cluster.waitFor(TOPIC, 0, (p) => p.leaderId >= 0 && p.isr.length === 3, 'all three replicas in sync');
    return await driveProduce(load(cluster.port(leaderId), -1, ctx));
  } finally {
    await cluster.close();
  }
}
