// Scale: 1,000 topics × 10 partitions on disk, 500 idle connections, 100 consumer groups (one
// raw-protocol member each, on 100 of those connections, heartbeating every 3 s), then produce
// across all 10,000 partitions (100 partitions per request) while Metadata and Fetch requests for
// many partitions are timed; the groups must still be stable afterwards; the broker's RSS at the end,
// and how long its clean stop takes.
import { checkProduce, driveProduce, spreadPartitions, type TopicPartition } from '../lib/drivers.js';
import { discard, FrameConnection } from '../lib/frame-connection.js';
import { GroupMember } from '../lib/group-member.js';
import { MIB, Samples, sleep } from '../lib/stats.js';
import { timedStop } from '../lib/processes.js';
import { apiVersionsFrame, fetchFrame, makeBatch, metadataFrame } from '../lib/workload.js';
import { createTopics } from './produce.js';
import { startBroker, timing, type BenchContext } from './context.js';

const PARTITIONS_PER_TOPIC = 10;
const GROUPS = 100;
/** Generous, so that a slow moment under load cannot expire a member; heartbeats still run. */
const SESSION_TIMEOUT_MS = 300_000;
const HEARTBEAT_INTERVAL_MS = 3000;

async function timed(samples: Samples, conn: FrameConnection, frame: Buffer): Promise<void> {
  const t0 = performance.now();
  await conn.request(frame, discard);
  samples.add(performance.now() - t0);
}

export async function scaleScenario(ctx: BenchContext): Promise<void> {
  const topicCount = ctx.quick ? 100 : 1000;
  const idleCount = ctx.quick ? 100 : 500;
  const topics = Array.from({ length: topicCount }, (_, i) => `scale-${String(i).padStart(4, '0')}`);
  const parts: TopicPartition[] = topics.flatMap((topic) => Array.from({ length: PARTITIONS_PER_TOPIC }, (_, partition) => ({ topic, partition })));
  const scenario = `scale, disk: ${topicCount} topics × ${PARTITIONS_PER_TOPIC} partitions, ${idleCount} idle connections, ${GROUPS} consumer groups`;
  const broker = await startBroker(ctx, 'scale', { memory: false, overrides: { 'num.partitions': PARTITIONS_PER_TOPIC } });
  const idle: FrameConnection[] = [];
  let stopped = false;
  try {
    const created = performance.now();
    await createTopics(broker.port, topics);
    ctx.results.add('scale', { scenario, metric: `create ${parts.length} partitions (Metadata auto-create, 100 topics a request)`, value: performance.now() - created, unit: 'ms' });

    for (let i = 0; i < idleCount; i++) {
      const conn = await FrameConnection.open(broker.port);
      await conn.request(apiVersionsFrame(), discard);
      idle.push(conn);
    }
    const joined = performance.now();
    const members = await Promise.all(
      Array.from({ length: GROUPS }, (_, i) => GroupMember.join(idle[i]!, `scale-group-${i}`, topics[i % topicCount]!, PARTITIONS_PER_TOPIC, SESSION_TIMEOUT_MS)),
    );
    ctx.results.add('scale', { scenario, metric: `${GROUPS} consumer groups joined and synced (concurrently, group.initial.rebalance.delay.ms 3000)`, value: performance.now() - joined, unit: 'ms' });

    const batch = makeBatch({ recordSize: 100, batchBytes: 1024 });
    const load = spreadPartitions(parts, 4, batch, 1, 100);
    // The first append to a partition does one-time work (its leader-epoch checkpoint): one pass
    // over every partition first, reported on its own, so the timed load measures the steady state.
    const firstPass = performance.now();
    await Promise.all(load.map(async (frames) => {
      const conn = await FrameConnection.open(broker.port);
      for (const f of frames) checkProduce(await conn.request(f.frame), f.batches);
      conn.close();
    }));
    ctx.results.add('scale', { scenario, metric: `first produce to each of the ${parts.length} partitions (4 connections, 100 partitions a request)`, value: performance.now() - firstPass, unit: 'ms' });
    const metadataMs = new Samples();
    const fetchMs = new Samples();
    const side = await FrameConnection.open(broker.port);
    let producing = true;
    const heartbeatMs = new Samples();
    const heartbeats = Promise.all(
      members.map(async (m) => {
        while (producing) {
          const t0 = performance.now();
          const code = await m.heartbeat();
          if (code !== 0) throw new Error(`heartbeat of ${m.groupId} failed during the load: error ${code}`);
          heartbeatMs.add(performance.now() - t0);
          await sleep(HEARTBEAT_INTERVAL_MS);
        }
      }),
    );
    heartbeats.catch(() => undefined); // awaited after the load; a failure must not go unhandled meanwhile
    const sideLoad = (async () => {
      for (let i = 0; producing; i++) {
        await timed(metadataMs, side, metadataFrame(topics.slice((i * 100) % topicCount, ((i * 100) % topicCount) + 100)));
        const from = (i * 100) % parts.length;
        await timed(fetchMs, side, fetchFrame(parts.slice(from, from + 100).map((p) => ({ ...p, offset: 0 })), { maxWaitMs: 0, minBytes: 1, partitionMaxBytes: 64 * 1024 }));
      }
    })();
    const rate = await driveProduce({ port: broker.port, connections: load, batch, depth: 2, verify: true, ...timing(ctx) });
    producing = false;
    await sideLoad;
    await heartbeats;
    const stable = (await Promise.all(members.map((m) => m.heartbeat()))).filter((code) => code === 0).length;
    side.close();
    const rss = broker.rssMb();

    ctx.results.add('scale', { scenario, metric: 'produce throughput (100 partitions a request)', value: rate.bytesPerSec / MIB, unit: 'MiB/s' });
    ctx.results.add('scale', { scenario, metric: 'produce records', value: rate.recordsPerSec, unit: 'records/s' });
    for (const [name, samples] of [['produce', rate.requestMs], ['metadata (100 topics)', metadataMs], ['fetch (100 partitions)', fetchMs], ['heartbeat', heartbeatMs]] as const) {
      ctx.results.add('scale', { scenario, metric: `${name} request p50`, value: samples.percentile(50), unit: 'ms' });
      ctx.results.add('scale', { scenario, metric: `${name} request p99`, value: samples.percentile(99), unit: 'ms', target: { text: '< 100 ms', met: (f) => f.value < 100 } });
    }
    ctx.results.add('scale', { scenario, metric: 'consumer groups still stable after the load (Heartbeat answers NONE)', value: stable, unit: 'groups', target: { text: `${GROUPS} groups`, met: (f) => f.value === GROUPS } });
    ctx.results.add('scale', { scenario, metric: 'broker RSS after load', value: rss, unit: 'MiB', target: { text: '< 1 GB', met: (f) => f.value * 1.048576 < 1000 } });
    for (const c of idle.splice(0)) c.close();
    stopped = true;
    ctx.results.add('scale', { scenario, metric: 'clean stop after the load (SIGTERM until the process exits)', value: await timedStop(broker), unit: 'ms' });
  } finally {
    for (const c of idle) c.close();
    if (!stopped) await broker.stop();
  }
}
