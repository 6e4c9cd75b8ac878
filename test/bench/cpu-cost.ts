// `npx tsx test/bench/cpu-cost.ts`: what produced bytes cost the server process itself — CPU time
// per GiB (split between the event loop and the process's other threads: the libuv pool's file
// I/O, V8's GC helpers) and minor page faults per MiB (from /proc), step by step on one process,
// with its RSS, and what the load generator (this process) spent per GiB.
// Less sensitive to other load on a shared machine than throughput, and it shows start-up
// transients that a short bench point measures alone (see NOTES.md, "The Dec 2 VM").
//   --target broker|sink|files|discard   the Creek broker (built from this tree) or a ceiling server
//   --memory                             a --memory broker (default: disk)
//   --partitions N (8)  --batch-kib N (1024)  --step-mib N (256)  --steps N (6)  --acks=1|--acks=-1 (1)
//   --record-bytes N (1024)              record value size
//   --profile DIR                        the broker writes a V8 CPU profile there (`--cpu-prof`)
//   --broker-cores LIST                  the cores (taskset -c list) the server runs on (default 1; this process stays on 0)
//   --fetch                              fetch instead (the fetch bench's shape): fill every partition
//                                        with --fill-mib N (32) of --batch-kib batches, then fetch it
//                                        from the start over and over, --fetch-seconds N (3) a step
// 4 pipelined connections, as the produce bench.
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkProduce, driveFetch, partitionsOf, spreadPartitions, type ProduceRequestFrame } from './lib/drivers.js';
import { FrameConnection } from './lib/frame-connection.js';
import { buildBroker, pinCores, startBrokerProcess, startCeiling, tempDir, type CeilingMode } from './lib/processes.js';
import { MIB } from './lib/stats.js';
import { makeBatch } from './lib/workload.js';
import { fillPartitions } from './scenarios/fetch.js';
import { createTopics } from './scenarios/produce.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'broker' },
    memory: { type: 'boolean', default: false },
    partitions: { type: 'string', default: '8' },
    'batch-kib': { type: 'string', default: '1024' },
    'step-mib': { type: 'string', default: '256' },
    steps: { type: 'string', default: '6' },
    acks: { type: 'string', default: '1' },
    'record-bytes': { type: 'string', default: '1024' },
    profile: { type: 'string' },
    fetch: { type: 'boolean', default: false },
    'fill-mib': { type: 'string', default: '32' },
    'fetch-seconds': { type: 'string', default: '3' },
    'broker-cores': { type: 'string' },
  },
});
const target = values.target!;
if (!['broker', 'sink', 'files', 'discard'].includes(target)) throw new Error(`unknown --target ${target}`);
const partitions = Number(values.partitions);
const batchBytes = Number(values['batch-kib']) * 1024;
const stepBytes = Number(values['step-mib']) * MIB;
const acks = Number(values.acks);
if (acks !== 1 && acks !== -1) throw new Error(`--acks takes 1 or -1, not ${values.acks}`);
const cores = pinCores(values['broker-cores']);
const batch = makeBatch({ recordSize: Number(values['record-bytes']), batchBytes });

const ceilingDir = target === 'broker' ? null : tempDir('creek-cpu-cost-');
const server =
  ceilingDir !== null
    ? await startCeiling(target as CeilingMode, cores.server, ceilingDir)
    : await startBrokerProcess({
        cli: buildBroker(),
        core: cores.server,
        memory: values.memory,
        profileDir: values.profile,
        overrides: { 'num.partitions': partitions, ...(values.memory ? { 'log.retention.bytes': 256 * MIB, 'log.segment.bytes': 64 * MIB, 'log.retention.check.interval.ms': 1000 } : {}) },
      });

try {
  if (values.fetch) {
    if (target !== 'broker') throw new Error('--fetch measures the broker only');
    await measureFetch(server);
  } else {
    await measureProduce();
  }
} finally {
  await server.stop();
  if (ceilingDir !== null) rmSync(ceilingDir, { recursive: true, force: true });
}

/** CPU per GiB produced, in steps of --step-mib. */
async function measureProduce(): Promise<void> {
  if (target === 'broker') await createTopics(server.port, ['bench']);
  const frames = spreadPartitions(partitionsOf('bench', partitions), 4, batch, acks);
  const conns = await Promise.all(frames.map(() => FrameConnection.open(server.port)));
  const depth = batchBytes >= MIB ? 4 : 16;
  console.log(`${target}${values.memory ? ' --memory' : ''}, ${partitions} partitions, ${values['record-bytes']} B records, ${batchBytes / 1024} KiB batches, acks=${acks === -1 ? 'all' : acks}, steps of ${stepBytes / MIB} MiB`);
  for (let step = 1; step <= Number(values.steps); step++) {
    let sent = 0;
    const loop = async (conn: FrameConnection, mine: ProduceRequestFrame[], start: number): Promise<void> => {
      for (let i = start; sent < stepBytes; i++) {
        const f = mine[i % mine.length]!;
        sent += f.batches * batch.bytes.length;
        const response = await conn.request(f.frame);
        if (target === 'broker') checkProduce(response, f.batches);
      }
    };
    const before = server.usage();
    const threadsBefore = server.threadCpu();
    const generatorBefore = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(conns.flatMap((c, ci) => Array.from({ length: depth }, (_, d) => loop(c, frames[ci]!, d))));
    const seconds = (performance.now() - t0) / 1000;
    const generator = process.cpuUsage(generatorBefore);
    const after = server.usage();
    const threadsAfter = server.threadCpu();
    const mib = sent / MIB;
    const perGib = (ms: number): string => (ms / (mib / 1024)).toFixed(0);
    console.log(
      `  step ${step}: ${perGib(after.cpuMs - before.cpuMs)} CPU ms/GiB (event loop ${perGib(threadsAfter.eventLoopMs - threadsBefore.eventLoopMs)}, ` +
        `other threads ${perGib(threadsAfter.otherMs - threadsBefore.otherMs)}), ` +
        `${((after.faults - before.faults) / mib).toFixed(0)} minor faults/MiB, RSS ${server.rssMb().toFixed(0)} MiB, ${(mib / seconds).toFixed(0)} MiB/s; ` +
        `generator ${perGib((generator.user + generator.system) / 1000)} CPU ms/GiB`,
    );
  }
  for (const c of conns) c.close();
}

/** CPU per GiB fetched: every partition filled once, then read from its start in steps of a fixed time. */
async function measureFetch(broker: typeof server): Promise<void> {
  await createTopics(broker.port, ['bench']);
  await fillPartitions(broker.port, partitionsOf('bench', partitions), batch, Math.max(1, Math.round((Number(values['fill-mib']) * MIB) / batch.bytes.length)));
  const durationMs = Number(values['fetch-seconds']) * 1000;
  console.log(`broker, fetch, ${partitions} partitions × ${values['fill-mib']} MiB of ${batchBytes / 1024} KiB batches, steps of ${durationMs / 1000} s`);
  for (let step = 1; step <= Number(values.steps); step++) {
    const before = broker.usage();
    const threadsBefore = broker.threadCpu();
    const rate = await driveFetch({ port: broker.port, partitions: partitionsOf('bench', partitions), connections: 4, partitionMaxBytes: MIB, warmupMs: 0, durationMs });
    const after = broker.usage();
    const threadsAfter = broker.threadCpu();
    const gib = (rate.bytesPerSec * (durationMs / 1000)) / (1024 * MIB);
    const perGib = (ms: number): string => (ms / gib).toFixed(0);
    console.log(
      `  step ${step}: ${perGib(after.cpuMs - before.cpuMs)} CPU ms/GiB (event loop ${perGib(threadsAfter.eventLoopMs - threadsBefore.eventLoopMs)}, ` +
        `other threads ${perGib(threadsAfter.otherMs - threadsBefore.otherMs)}), RSS ${broker.rssMb().toFixed(0)} MiB, ${(rate.bytesPerSec / MIB).toFixed(0)} MiB/s`,
    );
  }
}
