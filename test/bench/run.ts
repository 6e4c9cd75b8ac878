// `npm run bench`: Creek under load from its own generator (raw protocol, pre-encoded batches,
// pipelined connections), each figure beside the ceiling this machine allows, measured in the
// same run; plus real clients. The broker and ceiling servers run on one core, this process on
// the other.
//   --quick               a reduced set, under a minute
//   --only a,b            only these groups: startup, restart, produce, produce-memory, produce-tls, fetch, latency, scale, clients, compaction, quotas
//   --json FILE           every figure as JSON (scenario, metric, value, unit, ceiling, ratio)
//   --write-results       the table into test/bench/RESULTS.md
//   --profile DIR         a V8 CPU profile of every broker started (summarise: tsx test/bench/profile-summary.ts FILE)
import { execFileSync } from 'node:child_process';
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
};

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    json: { type: 'string' },
    'write-results': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const only = values.only?.split(',').map((s) => s.trim()) ?? Object.keys(GROUPS);
for (const g of only) if (!(g in GROUPS)) throw new Error(`unknown group ${g}; groups: ${Object.keys(GROUPS).join(', ')}`);

const cores = pinCores();
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${execFileSync('uname', ['-sr']).toString().trim()}`;
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
const started = new Date();
console.log(`Creek bench — ${machine}\ncommit ${commit}; generator pinned to core ${cores.client}, broker and ceiling servers to core ${cores.server}${values.quick ? '; --quick' : ''}`);
console.log('building the broker (tsc → node_modules/.cache)…');
const cli = buildBroker();

const results = new Results((group) => `npm run bench -- --only ${group}${values.quick ? ' --quick' : ''}`);
const ctx: BenchContext = { cli, cores, quick: values.quick, results, profileDir: values.profile ?? null };
for (const group of only) {
  console.log(`\n[${group}]`);
  const t0 = performance.now();
  try {
    await GROUPS[group]!(ctx);
  } catch (err) {
    results.note(group, group, `failed: ${(err as Error).message}`);
  }
  console.log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

const targets = results.figures.filter((f) => f.target !== null);
console.log(`\ntargets met: ${targets.filter((f) => f.met).length}/${targets.length}`);
for (const f of targets.filter((t) => !t.met)) console.log(`  not met: ${f.scenario} — ${f.metric} ${f.ratio === null ? f.value.toFixed(2) + ' ' + f.unit : pct(f.ratio)} (${f.target})`);

const args = process.argv.slice(2);
const command = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
const meta = { machine, commit, date: started.toISOString(), cores, quick: values.quick, groups: only, command };
if (values.json) results.writeJson(values.json, meta);
if (values['write-results']) {
  const path = join(ROOT, 'test/bench/RESULTS.md');
  results.writeMarkdown(
    path,
    `# Creek benchmark results\n\nMeasured ${started.toISOString()} on ${machine}, commit ${commit}, with \`${command}\`. ` +
      `The load generator ran pinned to core ${cores.client}; each broker and ceiling server ran as its own process pinned to core ${cores.server} ` +
      `(a wake-up across cores costs tens of microseconds here). Ratios compare a figure with its ceiling measured in the same run; ` +
      `absolute figures drift on a shared machine, ratios much less. Targets met: ${targets.filter((f) => f.met).length}/${targets.length}.`,
  );
  console.log(`wrote ${path}`);
}
