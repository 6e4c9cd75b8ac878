// Produce at full speed over 4 pipelined connections: every combination of acks, record size,
// batch size and partition count against a disk broker, beside the append-to-file ceiling (the
// target points also beside the per-partition-files ceiling, which judges them); and
// acks=1 / 1 KiB records against a --memory broker, beside the discard ceiling, each point also
// with the broker started as the README advises on one CPU (node --single-threaded-gc).
import { rmSync } from 'node:fs';
import { driveProduce, partitionsOf, spreadPartitions, type Rate } from '../lib/drivers.js';
import { eventLoopUse, startCeiling, tempDir, type CeilingMode, type EventLoopUse } from '../lib/processes.js';
import { MIB } from '../lib/stats.js';
import { makeBatch, metadataFrame, type Batch } from '../lib/workload.js';
import { discard, FrameConnection } from '../lib/frame-connection.js';
import { KIB, sizeLabel, startBroker, targetTiming, timing, type BenchContext } from './context.js';

export interface ProducePoint {
  acks: number;
  recordSize: number;
  batchBytes: number;
  partitions: number;
}

const CONNECTIONS = 4;
const TOPIC = 'bench';
/** The README's advice for a broker on one CPU: V8's GC helper threads would share its core (NOTES.md, "Dec 6, night"). */
const ONE_CPU_NODE_ARGS = ['--single-threaded-gc'];

export function pointLabel(p: ProducePoint): string {
  return `acks=${p.acks} ${sizeLabel(p.recordSize)} records, ${sizeLabel(p.batchBytes)} batches, ${p.partitions} partition${p.partitions > 1 ? 's' : ''}`;
}

/** The points the targets judge (acks=1, 1 KiB records, 1 MiB batches). */
function isTargetPoint(p: ProducePoint): boolean {
  return p.acks === 1 && p.recordSize === KIB && p.batchBytes === MIB;
}

/** Target points are measured on a server warmed by bytes, the others after a short warm-up by time. */
function pointTiming(ctx: BenchContext, point: ProducePoint): { warmupMs: number; warmupBytes?: number; durationMs: number } {
  return isTargetPoint(point) ? targetTiming(ctx) : timing(ctx);
}

/** Requests in flight per connection: fewer of the large batches. */
export function depthFor(batchBytes: number): number {
  return batchBytes >= MIB ? 4 : 16;
}

function diskPoints(quick: boolean): ProducePoint[] {
  if (quick) {
    return [
      { acks: 1, recordSize: KIB, batchBytes: MIB, partitions: 8 },
      { acks: -1, recordSize: 100, batchBytes: 16 * KIB, partitions: 1 },
    ];
  }
  const points: ProducePoint[] = [];
  for (const acks of [1, -1]) {
    for (const recordSize of [100, KIB, 10 * KIB]) {
      for (const batchBytes of [16 * KIB, MIB]) {
        for (const partitions of [1, 8, 64]) points.push({ acks, recordSize, batchBytes, partitions });
      }
    }
  }
  return points;
}

function memoryPoints(quick: boolean): ProducePoint[] {
  const partitions = quick ? [8] : [1, 8, 64];
  const batches = quick ? [MIB] : [16 * KIB, MIB];
  return batches.flatMap((batchBytes) => partitions.map((p) => ({ acks: 1, recordSize: KIB, batchBytes, partitions: p })));
}

/** Throughput against a ceiling server, with the same batches, partitions and connections as the point. */
async function ceilingRate(ctx: BenchContext, mode: CeilingMode, batch: Batch, point: ProducePoint): Promise<Rate> {
  const dir = tempDir('creek-bench-ceiling-');
  const server = await startCeiling(mode, ctx.cores.server, dir);
  try {
    return await driveProduce({ port: server.port, connections: spreadPartitions(partitionsOf(TOPIC, point.partitions), CONNECTIONS, batch, point.acks), batch, depth: depthFor(point.batchBytes), verify: false, ...pointTiming(ctx, point) });
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function createTopics(port: number, topics: string[]): Promise<void> {
  const conn = await FrameConnection.open(port);
  try {
    for (let i = 0; i < topics.length; i += 100) await conn.request(metadataFrame(topics.slice(i, i + 100)), discard);
  } finally {
    conn.close();
  }
}

/** The broker's rate, and how it used its event loop meanwhile. */
async function brokerRate(ctx: BenchContext, memory: boolean, batch: Batch, point: ProducePoint, nodeArgs?: readonly string[]): Promise<{ rate: Rate; loop: EventLoopUse }> {
  // Memory runs keep ~256 MiB per partition at most, so a long run cannot exhaust RAM.
  const overrides = { 'num.partitions': point.partitions, ...(memory ? { 'log.retention.bytes': 256 * MIB, 'log.segment.bytes': 64 * MIB, 'log.retention.check.interval.ms': 1000 } : {}) };
  const name = `produce-${memory ? 'memory' : 'disk'}-${point.acks}-${point.recordSize}-${point.batchBytes}-${point.partitions}${nodeArgs ? '-one-cpu' : ''}`;
  const broker = await startBroker(ctx, name, { memory, overrides, nodeArgs });
  try {
    await createTopics(broker.port, [TOPIC]);
    const before = broker.threadCpu();
    const rate = await driveProduce({ port: broker.port, connections: spreadPartitions(partitionsOf(TOPIC, point.partitions), CONNECTIONS, batch, point.acks), batch, depth: depthFor(point.batchBytes), verify: true, ...pointTiming(ctx, point) });
    return { rate, loop: eventLoopUse(before, broker.threadCpu()) };
  } finally {
    await broker.stop();
  }
}

export async function produceScenario(ctx: BenchContext, memory: boolean): Promise<void> {
  const group = memory ? 'produce-memory' : 'produce';
  const mode: CeilingMode = memory ? 'discard' : 'sink';
  const ceilingName = memory ? 'discard ceiling' : 'append-to-file ceiling';
  const batches = new Map<string, Batch>();
  for (const point of memory ? memoryPoints(ctx.quick) : diskPoints(ctx.quick)) {
    const batchKey = `${point.recordSize}/${point.batchBytes}`;
    const batch = batches.get(batchKey) ?? makeBatch(point);
    batches.set(batchKey, batch);
    const isTarget = isTargetPoint(point);
    // The ceiling is measured right before each point, not reused from an earlier one: on a
    // shared machine the load of other processes (and the disk's state) drifts within minutes.
    const ceiling = await ceilingRate(ctx, mode, batch, point);
    // Disk targets are judged against one file per partition, as the broker writes them; the
    // one-file ceiling is still printed beside it (see NOTES.md).
    const filesCeiling = !memory && isTarget ? await ceilingRate(ctx, 'files', batch, point) : undefined;
    const { rate, loop } = await brokerRate(ctx, memory, batch, point);
    const share = memory ? 0.5 : 0.7;
    const scenario = `produce ${memory ? 'memory' : 'disk'}, ${pointLabel(point)}`;
    const target = { text: `>= ${share * 100}% of ceiling`, met: (f: { ratio: number | null }) => (f.ratio ?? 0) >= share };
    const judged = filesCeiling ? { name: 'per-partition-files ceiling', rate: filesCeiling } : { name: ceilingName, rate: ceiling };
    ctx.results.add(group, {
      scenario,
      metric: 'throughput',
      value: rate.bytesPerSec / MIB,
      unit: 'MiB/s',
      ceiling: { name: judged.name, value: judged.rate.bytesPerSec / MIB },
      ...(isTarget ? { target } : {}),
    });
    if (filesCeiling) {
      ctx.results.add(group, { scenario, metric: 'throughput', value: rate.bytesPerSec / MIB, unit: 'MiB/s', ceiling: { name: ceilingName, value: ceiling.bytesPerSec / MIB } });
    }
    if (memory) {
      const oneCpu = await brokerRate(ctx, memory, batch, point, ONE_CPU_NODE_ARGS);
      ctx.results.add(group, { scenario, metric: `throughput, broker started with node ${ONE_CPU_NODE_ARGS.join(' ')}`, value: oneCpu.rate.bytesPerSec / MIB, unit: 'MiB/s', ceiling: { name: ceilingName, value: ceiling.bytesPerSec / MIB } });
    }
    // What of the broker's work a second core could take without any change (everything off the
    // event loop), and whether the one thread limited this point (see NOTES.md, "Every core").
    ctx.results.add(group, { scenario, metric: 'event-loop share of broker CPU', value: loop.share * 100, unit: '%' });
    ctx.results.add(group, { scenario, metric: 'event loop busy', value: loop.busy * 100, unit: '% of wall time' });
    if (isTarget) {
      ctx.results.add(group, { scenario, metric: 'records', value: rate.recordsPerSec, unit: 'records/s', ceiling: { name: judged.name, value: judged.rate.recordsPerSec } });
    }
  }
}
