// `node --single-threaded-gc --import tsx test/bench/gc-load.ts` (see run.ts for the flag): what a fixed end-to-end load (the latency scenario's shape:
// paced acks=1 produce of 16 KiB batches of 1 KiB records over 8 partitions, one long-polling
// consumer per partition) costs the broker, in figures that other load on a shared machine moves
// much less than wall-clock latency: V8 heap bytes allocated per MiB produced (and fetched), the
// number and pause times of scavenges and mark-compacts (`--trace-gc-nvp`), CPU ms and minor faults
// per MiB (/proc). The end-to-end percentiles of the same run are printed beside them.
//   --rate N (4000)       batches/s across the partitions
//   --seconds N (10)      measured seconds, after a warm-up of 3 s on another topic
//   --memory              a --memory broker (default: disk)
//   --broker-cores LIST   the cores the broker runs on (taskset -c list, e.g. 0-1; default 1, the generator on 0)
//   --node-arg ARG        an extra option for the broker's node (repeatable), e.g. --max-semi-space-size=16
//   --profile DIR         a V8 CPU profile of the broker (see profile-summary.ts --busy)
//   --heap-profile FILE   V8's sampling heap profile of the measured run (freed objects included), with
//                         its top allocating functions printed, and the external memory every 10 ms in --gc-log
//   --promoted            with --heap-profile: only what outlived the young generation (what fills the old
//                         generation and so brings on mark-compacts), leaving out what scavenges freed
//   --gc-log FILE         the broker's stdout over the measured run (GC traces, with --node-arg=--trace-gc also the reasons)
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { driveLatency } from './lib/drivers.js';
import { buildBroker, pinCores, startBrokerProcess } from './lib/processes.js';
import { writeBack } from './lib/page-cache.js';
import { MIB, Samples, sleep } from './lib/stats.js';
import { makeBatch } from './lib/workload.js';
import { createTopics } from './scenarios/produce.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '4000' },
    seconds: { type: 'string', default: '10' },
    memory: { type: 'boolean', default: false },
    'node-arg': { type: 'string', multiple: true, default: [] },
    profile: { type: 'string' },
    'gc-log': { type: 'string' },
    'heap-profile': { type: 'string' },
    promoted: { type: 'boolean', default: false },
    'broker-cores': { type: 'string' },
  },
});
const PARTITIONS = 8;
const rate = Number(values.rate);
const cores = pinCores(values['broker-cores']);
const batch = makeBatch({ recordSize: 1024, batchBytes: 16 * 1024 });
const heapProfile = values['heap-profile'];
if (heapProfile) process.env.CREEK_HEAP_PROFILE = resolve(heapProfile);
if (values.promoted) process.env.CREEK_HEAP_PROFILE_PROMOTED = '1';
const probe = heapProfile ? ['--import', 'tsx', '--import', join(import.meta.dirname, 'lib/heap-probe.ts')] : [];
const broker = await startBrokerProcess({
  cli: buildBroker(),
  core: cores.server,
  memory: values.memory,
  overrides: { 'num.partitions': PARTITIONS },
  nodeArgs: [...probe, ...(values['node-arg'].includes('--trace-gc') ? values['node-arg'] : ['--trace-gc-nvp', ...values['node-arg']])],
  captureStdout: true,
  ...(values.profile ? { profileDir: values.profile } : {}),
});

interface GcEvent {
  kind: string;
  pauseMs: number;
  allocated: number;
  incrementalMs: number;
}

/** The GC events in a stretch of `--trace-gc-nvp` output. */
function gcEvents(text: string): GcEvent[] {
  const events: GcEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes(' pause=')) continue;
    const field = (name: string): string => new RegExp(`[ :]${name}=(\\S+)`).exec(line)?.[1] ?? '0';
    events.push({ kind: field('gc'), pauseMs: Number(field('pause')), allocated: Number(field('allocated')), incrementalMs: Number(field('incremental.steps_took')) });
  }
  return events;
}

function describe(label: string, events: GcEvent[], seconds: number): string {
  if (events.length === 0) return `  ${label}: none`;
  const pauses = new Samples();
  let total = 0;
  let incremental = 0;
  for (const e of events) {
    pauses.add(e.pauseMs);
    total += e.pauseMs;
    incremental += e.incrementalMs;
  }
  const steps = incremental > 0 ? `, incremental marking steps ${incremental.toFixed(1)} ms` : '';
  return (
    `  ${label}: ${events.length} (${(events.length / seconds).toFixed(1)}/s), pause p50 ${pauses.percentile(50).toFixed(2)} ms, ` +
    `p99 ${pauses.percentile(99).toFixed(2)} ms, max ${pauses.max().toFixed(2)} ms, total ${total.toFixed(1)} ms (${((total / seconds / 1000) * 100).toFixed(2)}% of the run)${steps}`
  );
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}
type HeapProfile = { head: HeapNode };

/** The functions that allocated most (self), per MiB produced. */
function topAllocators(profile: HeapProfile, producedMiB: number, count = 25): string {
  const bySite = new Map<string, number>();
  let total = 0;
  const visit = (node: HeapNode): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    const site = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(src|protocol|node_modules)\//, '$1/')}:${lineNumber + 1}`;
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    total += node.selfSize;
    node.children.forEach(visit);
  };
  visit(profile.head);
  const rows = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, count);
  return [`  heap ${values.promoted ? 'promoted' : 'allocation'} by function (sampled, ${(total / producedMiB / 1024).toFixed(0)} KiB per MiB produced):`, ...rows.map(([site, bytes]) => `    ${(bytes / producedMiB / 1024).toFixed(1).padStart(7)} KiB/MiB  ${((bytes / total) * 100).toFixed(1).padStart(5)}%  ${site}`)].join('\n');
}

try {
  await createTopics(broker.port, ['warm-up', 'measured']);
  const common = { port: broker.port, partitions: PARTITIONS, batch, rate };
  await driveLatency({ ...common, topic: 'warm-up', warmupMs: 0, durationMs: 3000 });
  await writeBack();
  if (heapProfile) broker.child.kill('SIGUSR2');
  const gcFrom = broker.stdout.length;
  const before = broker.usage();
  const t0 = performance.now();
  const result = await driveLatency({ ...common, topic: 'measured', warmupMs: 0, durationMs: Number(values.seconds) * 1000 });
  const seconds = (performance.now() - t0) / 1000;
  const after = broker.usage();
  if (heapProfile) {
    broker.child.kill('SIGUSR2');
    while (!broker.stdout.includes('[probe] heap profile written')) await sleep(50);
  }
  const measuredOutput = broker.stdout.slice(gcFrom);
  if (values['gc-log']) writeFileSync(values['gc-log'], measuredOutput);
  const events = gcEvents(measuredOutput);
  const producedMiB = (result.achievedBytesPerSec * seconds) / MIB;
  const allocated = events.reduce((n, e) => n + e.allocated, 0);
  const e2e = result.endToEndMs;
  console.log(`${values.memory ? '--memory' : 'disk'} broker, ${rate} batches/s (${(result.achievedBytesPerSec / MIB).toFixed(1)} MiB/s) for ${seconds.toFixed(1)} s, node ${values['node-arg'].join(' ') || '(defaults)'}`);
  console.log(`  e2e p50 ${e2e.percentile(50).toFixed(2)} ms, p99 ${e2e.percentile(99).toFixed(2)} ms, p99.9 ${e2e.percentile(99.9).toFixed(2)} ms, max ${e2e.max().toFixed(1)} ms; ack p99 ${result.produceMs.percentile(99).toFixed(2)} ms (${e2e.count} batches)`);
  console.log(`  broker CPU ${((after.cpuMs - before.cpuMs) / producedMiB).toFixed(2)} ms/MiB produced+fetched, ${((after.faults - before.faults) / producedMiB).toFixed(1)} minor faults/MiB, RSS ${broker.rssMb().toFixed(0)} MiB`);
  console.log(`  V8 heap allocated ${(allocated / producedMiB / 1024).toFixed(0)} KiB per MiB produced (${(allocated / MIB / seconds).toFixed(1)} MiB/s)`);
  console.log(describe('scavenges', events.filter((e) => e.kind === 's'), seconds));
  console.log(describe('mark-compacts', events.filter((e) => e.kind !== 's'), seconds));
  if (heapProfile) console.log(topAllocators(JSON.parse(readFileSync(heapProfile, 'utf8')) as HeapProfile, producedMiB));
} finally {
  await broker.stop();
}
