// Scale: 1,000 topics × 10 partitions on disk, 500 idle connections, 100 consumer groups (when
// the broker has them), then produce across all 10,000 partitions (100 partitions per request)
// while Metadata and Fetch requests for many partitions are timed; the broker's RSS at the end.
import { decodeResponse } from '../../../protocol/codec/messages.js';
import type { ApiVersionsResponse } from '../../../protocol/schema/index.js';
import { driveProduce, spreadPartitions, type TopicPartition } from '../lib/drivers.js';
import { FrameConnection } from '../lib/frame-connection.js';
import { MIB, Samples } from '../lib/stats.js';
import { apiVersionsFrame, fetchFrame, makeBatch, metadataFrame } from '../lib/workload.js';
import { createTopics } from './produce.js';
import { startBroker, timing, type BenchContext } from './context.js';

const PARTITIONS_PER_TOPIC = 10;
const JOIN_GROUP = 11;

async function timed(samples: Samples, conn: FrameConnection, frame: Buffer): Promise<void> {
  const t0 = performance.now();
  await conn.request(frame);
  samples.add(performance.now() - t0);
}

export async function scaleScenario(ctx: BenchContext): Promise<void> {
  const topicCount = ctx.quick ? 100 : 1000;
  const idleCount = ctx.quick ? 100 : 500;
  const topics = Array.from({ length: topicCount }, (_, i) => `scale-${String(i).padStart(4, '0')}`);
  const parts: TopicPartition[] = topics.flatMap((topic) => Array.from({ length: PARTITIONS_PER_TOPIC }, (_, partition) => ({ topic, partition })));
  const scenario = `scale, disk: ${topicCount} topics × ${PARTITIONS_PER_TOPIC} partitions, ${idleCount} idle connections`;
  const broker = await startBroker(ctx, 'scale', { memory: false, overrides: { 'num.partitions': PARTITIONS_PER_TOPIC } });
  const idle: FrameConnection[] = [];
  try {
    const created = performance.now();
    await createTopics(broker.port, topics);
    ctx.results.add('scale', { scenario, metric: `create ${parts.length} partitions (Metadata auto-create, 100 topics a request)`, value: performance.now() - created, unit: 'ms' });

    let groupsAvailable = false;
    for (let i = 0; i < idleCount; i++) {
      const conn = await FrameConnection.open(broker.port);
      const { body } = decodeResponse(18, 3, await conn.request(apiVersionsFrame())) as { body: ApiVersionsResponse };
      groupsAvailable = body.apiKeys.some((k) => k.apiKey === JOIN_GROUP);
      idle.push(conn);
    }
    if (!groupsAvailable) ctx.results.note('scale', scenario, '100 consumer groups skipped: groups not available (JoinGroup is not registered)');

    const batch = makeBatch({ recordSize: 100, batchBytes: 1024 });
    const metadataMs = new Samples();
    const fetchMs = new Samples();
    const side = await FrameConnection.open(broker.port);
    let producing = true;
    const sideLoad = (async () => {
      for (let i = 0; producing; i++) {
        await timed(metadataMs, side, metadataFrame(topics.slice((i * 100) % topicCount, ((i * 100) % topicCount) + 100)));
        const from = (i * 100) % parts.length;
        await timed(fetchMs, side, fetchFrame(parts.slice(from, from + 100).map((p) => ({ ...p, offset: 0 })), { maxWaitMs: 0, minBytes: 1, partitionMaxBytes: 64 * 1024 }));
      }
    })();
    const rate = await driveProduce({ port: broker.port, connections: spreadPartitions(parts, 4, batch, 1, 100), batch, depth: 2, verify: true, ...timing(ctx) });
    producing = false;
    await sideLoad;
    side.close();
    const rss = broker.rssMb();

    ctx.results.add('scale', { scenario, metric: 'produce throughput (100 partitions a request)', value: rate.bytesPerSec / MIB, unit: 'MiB/s' });
    ctx.results.add('scale', { scenario, metric: 'produce records', value: rate.recordsPerSec, unit: 'records/s' });
    for (const [name, samples] of [['produce', rate.requestMs], ['metadata (100 topics)', metadataMs], ['fetch (100 partitions)', fetchMs]] as const) {
      ctx.results.add('scale', { scenario, metric: `${name} request p50`, value: samples.percentile(50), unit: 'ms' });
      ctx.results.add('scale', { scenario, metric: `${name} request p99`, value: samples.percentile(99), unit: 'ms', target: { text: '< 100 ms', met: (f) => f.value < 100 } });
    }
    ctx.results.add('scale', { scenario, metric: 'broker RSS after load', value: rss, unit: 'MiB', target: { text: '< 1 GB', met: (f) => f.value * 1.048576 < 1000 } });
  } finally {
    for (const c of idle) c.close();
    await broker.stop();
  }
}
