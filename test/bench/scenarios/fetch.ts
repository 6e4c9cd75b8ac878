// Fetch at full speed from the beginning of a filled 8-partition topic on disk (one request in
// flight per partition, 1 MiB per partition as Kafka consumers ask), beside a server that
// answers the same requests from a prepared file of the same bytes.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkProduce, driveFetch, partitionsOf, type Rate, type TopicPartition } from '../lib/drivers.js';
import { FrameConnection } from '../lib/frame-connection.js';
import { eventLoopUse, startCeiling, tempDir, type EventLoopUse } from '../lib/processes.js';
import { MIB } from '../lib/stats.js';
import { logImage, makeBatch, produceFrame, type Batch } from '../lib/workload.js';
import { createTopics } from './produce.js';
import { KIB, startBroker, targetTiming, type BenchContext } from './context.js';

const TOPIC = 'bench';
const PARTITIONS = 8;
const CONNECTIONS = 4;

/** Appends `batchesPerPartition` batches to each of `partitions`, one request at a time per partition. */
export async function fillPartitions(port: number, partitions: readonly TopicPartition[], batch: Batch, batchesPerPartition: number): Promise<void> {
  await Promise.all(
    partitions.map(async ({ topic, partition }) => {
      const conn = await FrameConnection.open(port);
      const frame = produceFrame(1, [{ topic, partition, batch: batch.bytes }]);
      for (let i = 0; i < batchesPerPartition; i++) await conn.request(frame, (response) => checkProduce(response, 1));
      conn.close();
    }),
  );
}

export async function fetchScenario(ctx: BenchContext): Promise<void> {
  const batch = makeBatch({ recordSize: KIB, batchBytes: MIB });
  const perPartition = ctx.quick ? 8 : 32;
  const load = { partitions: partitionsOf(TOPIC, PARTITIONS), connections: CONNECTIONS, partitionMaxBytes: MIB, ...targetTiming(ctx) };

  const dir = tempDir('creek-bench-source-');
  const file = join(dir, 'image.log');
  writeFileSync(file, logImage(batch, perPartition));
  let ceiling: Rate;
  const source = await startCeiling('source', ctx.cores.server, dir, [file, String(batch.bytes.length), String(batch.records)]);
  try {
    ceiling = await driveFetch({ port: source.port, ...load });
  } finally {
    await source.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const broker = await startBroker(ctx, 'fetch', { memory: false, overrides: { 'num.partitions': PARTITIONS } });
  let rate: Rate;
  let loop: EventLoopUse;
  try {
    await createTopics(broker.port, [TOPIC]);
    await fillPartitions(broker.port, load.partitions, batch, perPartition);
    const before = broker.threadCpu();
    rate = await driveFetch({ port: broker.port, ...load });
    loop = eventLoopUse(before, broker.threadCpu());
  } finally {
    await broker.stop();
  }
  const scenario = `fetch disk, ${PARTITIONS} partitions × ${perPartition} MiB filled, 1 KiB records, 1 MiB batches`;
  ctx.results.add('fetch', {
    scenario,
    metric: 'throughput',
    value: rate.bytesPerSec / MIB,
    unit: 'MiB/s',
    ceiling: { name: 'file source ceiling', value: ceiling.bytesPerSec / MIB },
    target: { text: '>= 70% of ceiling', met: (f) => (f.ratio ?? 0) >= 0.7 },
  });
  ctx.results.add('fetch', { scenario, metric: 'event-loop share of broker CPU', value: loop.share * 100, unit: '%' });
  ctx.results.add('fetch', { scenario, metric: 'event loop busy', value: loop.busy * 100, unit: '% of wall time' });
  ctx.results.add('fetch', { scenario, metric: 'records', value: rate.recordsPerSec, unit: 'records/s', ceiling: { name: 'file source ceiling', value: ceiling.recordsPerSec } });
}
