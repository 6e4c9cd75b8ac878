// End-to-end latency: produce paced at half of the broker's maximum rate, measured first with the
// same request shape (acks=1, 1 KiB records, 16 KiB batches, 8 partitions, disk), consumed by long-polling fetches;
// from the produce call to the delivering fetch response.
import { driveLatency, driveProduce, partitionsOf, spreadPartitions } from '../lib/drivers.js';
import { MIB } from '../lib/stats.js';
import { makeBatch } from '../lib/workload.js';
import { createTopics } from './produce.js';
import { KIB, startBroker, timing, type BenchContext } from './context.js';

const TOPIC = 'bench';
const PARTITIONS = 8;

export async function latencyScenario(ctx: BenchContext): Promise<void> {
  const batch = makeBatch({ recordSize: KIB, batchBytes: 16 * KIB });
  const broker = await startBroker(ctx, 'latency', { memory: false, overrides: { 'num.partitions': PARTITIONS } });
  try {
    await createTopics(broker.port, [TOPIC]);
    // The maximum for the same request shape as the paced load: one connection per partition, one batch a request.
    const max = await driveProduce({ port: broker.port, connections: spreadPartitions(partitionsOf(TOPIC, PARTITIONS), PARTITIONS, batch, 1), batch, depth: 8, verify: true, ...timing(ctx) });
    const maxBytesPerSec = max.bytesPerSec;
    const rate = maxBytesPerSec / 2 / batch.bytes.length;
    const result = await driveLatency({ port: broker.port, topic: TOPIC, partitions: PARTITIONS, batch, rate, durationMs: ctx.quick ? 2000 : 5000 });
    const scenario = `end-to-end latency, disk, acks=1, 1 KiB records, 16 KiB batches, ${PARTITIONS} partitions, at ${(result.achievedBytesPerSec / MIB).toFixed(0)} MiB/s (half of max ${(maxBytesPerSec / MIB).toFixed(0)} MiB/s)`;
    const e2e = result.endToEndMs;
    ctx.results.add('latency', { scenario, metric: 'p50 produce→delivery', value: e2e.percentile(50), unit: 'ms', target: { text: '< 1 ms', met: (f) => f.value < 1 } });
    ctx.results.add('latency', { scenario, metric: 'p99 produce→delivery', value: e2e.percentile(99), unit: 'ms', target: { text: '< 3 ms', met: (f) => f.value < 3 } });
    ctx.results.add('latency', { scenario, metric: 'p99.9 produce→delivery', value: e2e.percentile(99.9), unit: 'ms' });
    ctx.results.add('latency', { scenario, metric: 'p50 produce ack', value: result.produceMs.percentile(50), unit: 'ms' });
    ctx.results.add('latency', { scenario, metric: 'p99 produce ack', value: result.produceMs.percentile(99), unit: 'ms' });
    ctx.results.add('latency', { scenario, metric: 'batches delivered', value: e2e.count, unit: 'batches' });
  } finally {
    await broker.stop();
  }
}
