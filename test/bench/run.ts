// `npm run bench`: Creek under load from its own generator (raw protocol, pre-encoded batches,
// pipelined connections), each figure beside the ceiling this machine allows, measured in the
// same run; plus real clients. The broker and ceiling servers run on one core, this process on
// the other. `npm run bench` runs it with V8's single-threaded GC: pinned to one core, parallel GC
// helper threads only take turns with the main thread, and the resulting pauses (4–10 ms, several a
// second at 13,000 batches/s; about one in 10 s without helpers) delayed the generator's reading of
// responses, which the latency figures then counted as the broker's.
//   --quick               a reduced set, under a minute
//   --only a,b            only these groups: startup, restart, produce, produce-memory, produce-tls, fetch, latency, scale, clients, compaction, quotas, failover, replicated, console,
//                         cores (throughput on one core and on two: one broker, and two brokers as threads of one process)
//   --json FILE           every figure as JSON (scenario, metric, value, unit, ceiling, ratio)
//   --write-results       the table into test/bench/RESULTS.md
//   --profile DIR         a V8 CPU profile of every broker started (summarise: tsx test/bench/profile-summary.ts FILE)
//   --broker-cores LIST   the cores (taskset -c list, e.g. 0-1) the brokers and ceiling servers run on; default the one
//                         core the generator leaves (1)
//   --against kafka       Creek beside Apache Kafka 4.4.0 (needs java; Maven the first time) on the same shapes,
//                         alternating; groups: startup, produce, fetch, latency, sustained (a minute of produce, once
//                         writeback runs), partitions, tools (Kafka's perf tools),
//                         cores (the cores group with Kafka on each core set too);
//                         with --write-results, the table goes into a section of RESULTS.md of its own
//   --compare-cores A/B   with --against kafka: the produce and fetch groups measure both brokers on each core set
//                         (e.g. 1/0-1: one core, then two), alternating, and print each broker's gain
//   --two-cores LIST      the cores group's two-core set (taskset -c list); default the broker core and the generator's
//                         (0,1); its one-core set is the broker core
//   --broker-node-args A  Node flags for every Creek broker started (one string, e.g. "--single-threaded-gc", the
//                         README's advice on one CPU); default none, as `npx creek` starts
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, buildBroker, pinCores } from './lib/processes.js';
import { Results, pct } from './lib/results.js';
import type { BenchContext } from './scenarios/context.js';
import { clientsScenario } from './scenarios/clients.js';
import { compactionScenario } from './scenarios/compaction.js';
import { fetchScenario } from './scenarios/fetch.js';
import { latencyScenario } from './scenarios/latency.js';
import { produceScenario } from './scenarios/produce.js';
import { produceTlsScenario } from './scenarios/produce-tls.js';
import { scaleScenario } from './scenarios/scale.js';
import { startupScenario } from './scenarios/startup.js';
import { restartScenario } from './scenarios/restart.js';
import { quotasScenario } from './scenarios/quotas.js';
import { failoverScenario } from './scenarios/failover.js';
import { replicatedProduceScenario } from './scenarios/replicated-produce.js';
import { consoleScenario } from './scenarios/console.js';
import { coresScenario } from './scenarios/cores.js';
import { versusFetch, versusKafkaTools, versusLatency, versusPartitions, versusProduce, versusStartup, versusSustained } from './scenarios/versus.js';
import { KAFKA_NAME } from './lib/kafka.js';
import { summariseVersus } from './lib/versus.js';

const GROUPS: Record<string, (ctx: BenchContext) => Promise<void>> = {
  startup: startupScenario,
  restart: restartScenario,
  produce: (ctx) => produceScenario(ctx, false),
  'produce-memory': (ctx) => produceScenario(ctx, true),
  'produce-tls': produceTlsScenario,
  fetch: fetchScenario,
  latency: latencyScenario,
  scale: scaleScenario,
  clients: clientsScenario,
  compaction: compactionScenario,
  quotas: quotasScenario,
  failover: failoverScenario,
  replicated: replicatedProduceScenario,
  console: consoleScenario,
  cores: (ctx) => coresScenario(ctx, false),
};

/** --against kafka: the same shapes on Creek and on Apache Kafka, side by side. */
const VERSUS_GROUPS: Record<string, (ctx: BenchContext) => Promise<void>> = {
  startup: versusStartup,
  produce: versusProduce,
  fetch: versusFetch,
  latency: versusLatency,
  sustained: versusSustained,
  partitions: versusPartitions,
  tools: versusKafkaTools,
  cores: (ctx) => coresScenario(ctx, true),
};

const VERSUS_GROUP_LIMIT_MS = 20 * 60_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`gave up after ${ms / 60_000} min`)), ms)));
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    json: { type: 'string' },
    'write-results': { type: 'boolean', default: false },
    profile: { type: 'string' },
    against: { type: 'string' },
    'broker-cores': { type: 'string' },
    'compare-cores': { type: 'string' },
    'two-cores': { type: 'string' },
    'broker-node-args': { type: 'string' },
  },
});
if (values.against !== undefined && values.against !== 'kafka') throw new Error(`--against takes "kafka", not "${values.against}"`);
const versus = values.against === 'kafka';
const groups = versus ? VERSUS_GROUPS : GROUPS;
const only = values.only?.split(',').map((s) => s.trim()) ?? Object.keys(groups);
for (const g of only) if (!(g in groups)) throw new Error(`unknown group ${g}; groups: ${Object.keys(groups).join(', ')}`);

const cores = pinCores(values['broker-cores']);
if (values['compare-cores'] !== undefined && !versus) throw new Error('--compare-cores goes with --against kafka');
const coreSets = values['compare-cores']?.split('/').map((c) => c.trim()) ?? [cores.server];
// On a two-core machine the generator's core is the other one: the brokers then share it with the generator.
const twoCores = values['two-cores'] ?? `${cores.client},${cores.server}`;
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${execFileSync('uname', ['-sr']).toString().trim()}`;
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
const started = new Date();
const loadAverageAtStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`Creek bench${versus ? ` against ${KAFKA_NAME}` : ''} — ${machine}\ncommit ${commit}; generator pinned to core ${cores.client}, broker${versus ? 's' : ' and ceiling servers'} to core(s) ${cores.server}${values.quick ? '; --quick' : ''}`);
if (values['broker-node-args']) console.log(`Creek brokers started with node ${values['broker-node-args']}`);
console.log('building the broker (tsc → node_modules/.cache)…');
const cli = buildBroker();

const results = new Results((group) => `npm run bench -- ${versus ? '--against kafka ' : ''}--only ${group}${values.quick ? ' --quick' : ''}`);
const brokerNodeArgs = values['broker-node-args']?.split(' ').filter(Boolean) ?? [];
const ctx: BenchContext = { cli, cores, coreSets, twoCores, quick: values.quick, results, profileDir: values.profile ?? null, brokerNodeArgs };
for (const group of only) {
  console.log(`\n[${group}]`);
  const t0 = performance.now();
  try {
    // A comparison group that hangs (a broker that stops answering) must not cost the rest of the run.
    await (versus ? withTimeout(groups[group]!(ctx), VERSUS_GROUP_LIMIT_MS) : groups[group]!(ctx));
  } catch (err) {
    results.note(group, group, `failed: ${(err as Error).message}`);
  }
  console.log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

const targets = results.figures.filter((f) => f.target !== null && f.met !== null);
console.log(`\ntargets met: ${targets.filter((f) => f.met).length}/${targets.length}`);
if (versus) {
  for (const s of summariseVersus(results.figures)) console.log(`  ${s.kind}: ${s.met}/${s.figures} figures meet "${s.kind === 'throughput' ? 'Creek >= Kafka on every shape' : s.kind === 'latency' ? 'Creek e2e p99 <= Kafka at every rate' : `${s.kind} <= 1/4 of Kafka`}"${s.met === s.figures ? ' — met' : ' — NOT MET'}`);
  const undecided = results.figures.filter((f) => f.target !== null && f.met === null);
  for (const f of undecided) console.log(`  no verdict (a side failed): ${f.scenario} — ${f.metric}`);
}
for (const f of targets.filter((t) => !t.met)) console.log(`  not met: ${f.scenario} — ${f.metric} ${f.kafka !== null ? `Creek ${f.value.toFixed(2)} vs Kafka ${f.kafka.toFixed(2)} ${f.unit}` : f.ratio === null ? f.value.toFixed(2) + ' ' + f.unit : pct(f.ratio)} (${f.target})`);

const args = process.argv.slice(2);
const command = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const meta = { machine, commit, date: started.toISOString(), cores, coreSets, twoCores, quick: values.quick, groups: only, command, brokerNodeArgs, against: versus ? KAFKA_NAME : null, loadAverageAtStart, loadAverageAtEnd: load };
if (values.json) results.writeJson(values.json, meta);
if (values['write-results'] && versus) {
  const path = join(ROOT, 'test/bench/RESULTS.md');
  results.writeVersusMarkdown(
    path,
    `## Side by side with ${KAFKA_NAME}`,
    `Measured ${started.toISOString()} on ${machine}, commit ${commit}, with \`${command}\`; load average ${loadAverageAtStart} at the start, ${load} at the end (1, 5, 15 min). ` +
      `The generator (and Kafka's perf tools) ran pinned to core ${cores.client}; Creek's Node process and Kafka's JVM (heap and GC options of kafka-server-start.sh) each pinned to core(s) ${cores.server}, both with their default configuration (Kafka's \`file.delete.delay.ms\` 1 s and \`broker.session.timeout.ms\` 10 min aside), alternating on every shape, the other broker stopped (SIGSTOP) while one is measured. ` +
      `Ratio = Creek / Kafka: above 1 is better for throughput, below 1 for latency, start-up and RSS. Targets met: ${targets.filter((f) => f.met).length}/${targets.length}.`,
  );
  console.log(`wrote ${path}`);
} else if (values['write-results']) {
  const path = join(ROOT, 'test/bench/RESULTS.md');
  results.writeMarkdown(
    path,
    `# Creek benchmark results\n\nMeasured ${started.toISOString()} on ${machine}, commit ${commit}, with \`${command}\`. ` +
      `The load generator ran pinned to core ${cores.client}; each broker and ceiling server ran as its own process pinned to core(s) ${cores.server} ` +
      `(a wake-up across cores costs tens of microseconds here). Ratios compare a figure with its ceiling measured in the same run; ` +
      `absolute figures drift on a shared machine, ratios much less. Targets met: ${targets.filter((f) => f.met).length}/${targets.length}.`,
  );
  console.log(`wrote ${path}`);
}
