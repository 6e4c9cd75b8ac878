// End-to-end latency: produce paced at half of the broker's maximum rate, measured first with the
// same request shape (acks=1, 1 KiB records, 16 KiB batches, 8 partitions, disk) on a topic of its
// own, then on a fresh topic consumed by long-polling fetches: from the produce call to the
// delivering fetch response, after a warm-up; then the same at a quarter of the maximum. Each paced
// point starts once the page cache the points before it left dirty is written back (lib/page-cache.ts).
import { driveLatency, driveProduce, partitionsOf, spreadPartitions } from '../lib/drivers.js';
import { writeBack } from '../lib/page-cache.js';
import { MIB } from '../lib/stats.js';
import { makeBatch } from '../lib/workload.js';
import { createTopics } from './produce.js';
import { KIB, startBroker, timing, type BenchContext } from './context.js';

const MAX_TOPIC = 'latency-max';
const TOPIC = 'latency';
const PARTITIONS = 8;

/** The paced points: the target at half the maximum, and a lighter one to show where latency comes from. */
const POINTS = [
  { share: 1 / 2, label: 'half of max', target: true },
  { share: 1 / 4, label: 'a quarter of max', target: false },
];

export async function latencyScenario(ctx: BenchContext): Promise<void> {
  const batch = makeBatch({ recordSize: KIB, batchBytes: 16 * KIB });
  const broker = await startBroker(ctx, 'latency', { memory: false, overrides: { 'num.partitions': PARTITIONS } });
  try {
    await createTopics(broker.port, [MAX_TOPIC, ...POINTS.map((_, i) => `${TOPIC}-${i}`)]);
    // The maximum for the same request shape as the paced load: one connection per partition, one batch a request.
    const max = await driveProduce({ port: broker.port, connections: spreadPartitions(partitionsOf(MAX_TOPIC, PARTITIONS), PARTITIONS, batch, 1), batch, depth: 8, verify: true, ...timing(ctx) });
    const maxBytesPerSec = max.bytesPerSec;
    for (const [i, point] of POINTS.entries()) {
      const rate = (maxBytesPerSec * point.share) / batch.bytes.length;
      const flushed = await writeBack();
      console.log(`  ${point.label}: wrote back ${flushed.unwrittenMiB.toFixed(0)} MiB of dirty page cache first (${(flushed.ms / 1000).toFixed(1)} s)`);
      const result = await driveLatency({ port: broker.port, topic: `${TOPIC}-${i}`, partitions: PARTITIONS, batch, rate, warmupMs: 1000, durationMs: ctx.quick ? 2000 : 5000 });
      const scenario = `end-to-end latency, disk, acks=1, 1 KiB records, 16 KiB batches, ${PARTITIONS} partitions, at ${(result.achievedBytesPerSec / MIB).toFixed(0)} MiB/s (${point.label} ${(maxBytesPerSec / MIB).toFixed(0)} MiB/s)`;
      const e2e = result.endToEndMs;
      ctx.results.add('latency', { scenario, metric: 'p50 produce→delivery', value: e2e.percentile(50), unit: 'ms', ...(point.target ? { target: { text: '< 1 ms', met: (f) => f.value < 1 } } : {}) });
      ctx.results.add('latency', { scenario, metric: 'p99 produce→delivery', value: e2e.percentile(99), unit: 'ms', ...(point.target ? { target: { text: '< 3 ms', met: (f) => f.value < 3 } } : {}) });
      ctx.results.add('latency', { scenario, metric: 'p99.9 produce→delivery', value: e2e.percentile(99.9), unit: 'ms' });
      ctx.results.add('latency', { scenario, metric: 'p50 produce ack', value: result.produceMs.percentile(50), unit: 'ms' });
      ctx.results.add('latency', { scenario, metric: 'p99 produce ack', value: result.produceMs.percentile(99), unit: 'ms' });
      ctx.results.add('latency', { scenario, metric: 'batches sampled', value: e2e.count, unit: 'batches' });
    }
  } finally {
    await broker.stop();
  }
}
