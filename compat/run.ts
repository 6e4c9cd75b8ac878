// The compatibility suite: starts Creek from its CLI (or a cluster of N brokers with --cluster N,
// or uses --bootstrap HOST:PORT, or with --reference the Apache Kafka it imitates), runs every client's scenarios one by one, prints one
// line per scenario and the totals, and with --write-matrix writes compat/MATRIX.md. Exits
// non-zero on any failure that is not a known gap (compat/known-gaps.json lists Creek's gaps, and
// known-gaps-cluster.json those of a cluster only; they never excuse the reference).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clients } from './clients/index.js';
import type { BrokerProcess } from './lib/broker-process.js';
import { startCreek } from './lib/creek-process.js';
import { KnownGaps } from './lib/known-gaps.js';
import { REFERENCE_VERSION, startReferenceBroker } from './lib/reference-broker.js';
import { matrixMarkdown, resultLine, type TargetRun } from './lib/report.js';
import { runScenario, type ScenarioResult } from './lib/runner.js';
import type { TlsTarget } from './lib/scenario.js';

const USAGE = `Usage: npm run compat -- [options]
  --reference            run against Apache Kafka ${REFERENCE_VERSION} (compat/reference) instead of Creek;
                         known gaps do not apply. With --write-matrix: run Creek, then the reference
  --cluster N            start a Creek cluster of N brokers (creek cluster --threads) instead
                         of one broker. With --reference --write-matrix: the matrix gets its column
  --bootstrap HOST:PORT  run against this broker instead of starting Creek
  --tls-bootstrap HOST:PORT, --tls-ca FILE
                         that broker's SSL listener and the CA file of its certificate (the
                         tls scenarios; a broker started by the runner gets its own)
  --only A,B             run only scenarios whose id contains one of these (e.g. kcat/,transactions)
  --strict               ignore compat/known-gaps*.json: every failure counts
  --timeout SECONDS      default per-scenario timeout (default 30)
  --write-matrix         write compat/MATRIX.md (and the README's matrix) from this run`;

/**
 * Broker settings for a broker the runner starts (Creek or the reference): Kafka's defaults
 * except the first-rebalance delay and the log cleaner's idle pause (15 s), as test setups do, so
 * the compaction scenarios wait for no idle cleaner.
 */
const TEST_OVERRIDES = { 'group.initial.rebalance.delay.ms': '0', 'log.cleaner.backoff.ms': '100' };

/**
 * What a cluster adds, as production clusters set it (Kafka's own default.replication.factor is
 * 1): topics created without a replication factor, or auto-created, get one replica per broker up
 * to 3, and acks=all waits for two in-sync replicas where there are that many.
 */
function clusterOverrides(brokers: number): Record<string, string> {
  const replicationFactor = Math.min(3, brokers);
  return { 'default.replication.factor': String(replicationFactor), 'min.insync.replicas': String(Math.min(2, replicationFactor)) };
}

const compatDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(compatDir);

/** Where the scenarios run: a broker the runner starts, or one given on the command line. */
interface Target {
  title: string;
  /** The matrix column's heading (see TargetRun). */
  column: string;
  knownGaps: KnownGaps;
  connect(): Promise<{ bootstrap: string; tls: TlsTarget | undefined; broker?: BrokerProcess }>;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      reference: { type: 'boolean', default: false },
      cluster: { type: 'string' },
      bootstrap: { type: 'string' },
      'tls-bootstrap': { type: 'string' },
      'tls-ca': { type: 'string' },
      only: { type: 'string' },
      strict: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '30' },
      'write-matrix': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.reference && values.bootstrap) throw new Error('--reference starts its own broker: leave out --bootstrap');
  const clusterSize = values.cluster === undefined ? undefined : Number(values.cluster);
  if (clusterSize !== undefined && (!Number.isInteger(clusterSize) || clusterSize < 2)) throw new Error(`--cluster takes a number of brokers above 1, not ${values.cluster}`);
  if (clusterSize !== undefined && values.bootstrap) throw new Error('--cluster starts its own brokers: leave out --bootstrap');
  if (clusterSize !== undefined && values.reference && !values['write-matrix']) throw new Error('--cluster with --reference runs both only to write the matrix: add --write-matrix');
  const filters = values.only?.split(',').filter(Boolean) ?? [];
  const gapFiles = (brokers: number): string[] => ['known-gaps.json', ...(brokers > 1 ? ['known-gaps-cluster.json'] : [])].map((f) => join(compatDir, f));
  const knownGaps = (brokers: number): KnownGaps => (values.strict ? KnownGaps.none() : KnownGaps.load(...gapFiles(brokers)));

  const creekTarget = (brokers: number): Target => ({
    title: `Creek ${commitOf(repoRoot)}${brokers > 1 ? `, ${brokers} brokers` : ''}`,
    column: brokers > 1 ? `Creek, ${brokers} brokers` : 'Creek',
    knownGaps: knownGaps(brokers),
    async connect() {
      const broker = await startCreek(repoRoot, brokers > 1 ? { ...TEST_OVERRIDES, ...clusterOverrides(brokers) } : TEST_OVERRIDES, { brokers });
      console.log(`Started Creek${brokers > 1 ? ` (${brokers} brokers)` : ''} at ${broker.bootstrap}${broker.tls ? `, SSL listener at ${broker.tls.bootstrap}` : ''} (log: ${broker.logFile})`);
      return { ...broker, broker };
    },
  });
  const creek: Target = values.bootstrap ? givenBroker(values.bootstrap, values['tls-bootstrap'], values['tls-ca'], knownGaps(1)) : creekTarget(1);
  const cluster = clusterSize === undefined ? undefined : creekTarget(clusterSize);
  const reference: Target = {
    title: `Apache Kafka ${REFERENCE_VERSION} (reference)`,
    column: `Apache Kafka ${REFERENCE_VERSION} (reference)`,
    knownGaps: KnownGaps.none(),
    async connect() {
      const broker = await startReferenceBroker({ projectDir: join(compatDir, 'reference'), overrides: TEST_OVERRIDES });
      console.log(`Started Apache Kafka ${REFERENCE_VERSION} at ${broker.bootstrap}${broker.tls ? `, SSL listener at ${broker.tls.bootstrap}` : ''} (log: ${broker.logFile})`);
      return { ...broker, broker };
    },
  };
  // The matrix shows Creek beside the reference (and a cluster's column with --cluster), so writing it runs them all.
  const writeMatrix = values['write-matrix'];
  if (writeMatrix && !values.reference) throw new Error('the matrix has a column for Apache Kafka: write it with --reference --write-matrix');
  const targets = writeMatrix ? [creek, ...(cluster ? [cluster] : []), reference] : values.reference ? [reference] : [cluster ?? creek];

  const runs: TargetRun[] = [];
  for (const target of targets) runs.push(await runTarget(target, filters, Number(values.timeout) * 1000));

  if (writeMatrix) {
    const path = join(compatDir, 'MATRIX.md');
    const matrix = matrixMarkdown({ date: new Date().toISOString().slice(0, 10), broker: runs[0]!, ...(cluster ? { cluster: runs[1]! } : {}), reference: runs.at(-1)! });
    writeFileSync(path, matrix);
    const readme = join(compatDir, '..', 'README.md');
    writeFileSync(readme, withReadmeMatrix(readFileSync(readme, 'utf8'), matrix));
    console.log(`Wrote ${path} and the matrix in ${readme}`);
  }
  return runs.some((r) => r.results.some((result) => result.outcome === 'fail')) ? 1 : 0;
}

/** Runs the selected scenarios of every client against one target and prints the totals. */
async function runTarget(target: Target, filters: readonly string[], defaultTimeoutMs: number): Promise<TargetRun> {
  const selected = (id: string): boolean => filters.length === 0 || filters.some((f) => id.includes(f));
  const started = Date.now();
  const { bootstrap, tls, broker } = await target.connect();
  const runId = Date.now().toString(36);
  const results: ScenarioResult[] = [];
  const available = [];
  try {
    for (const suite of clients) {
      const unavailable = await suite.unavailable();
      available.push({ suite, unavailable });
      for (const scenario of suite.scenarios) {
        if (!selected(`${suite.id}/${scenario.feature}`)) continue;
        results.push(
          await runScenario(suite, scenario, unavailable, {
            bootstrap,
            tls,
            runId,
            defaultTimeoutMs,
            knownGaps: target.knownGaps,
            onResult: (r) => console.log(resultLine(r)),
          }),
        );
      }
    }
  } finally {
    for (const suite of clients) await suite.close?.();
    await broker?.stop();
  }

  const seconds = (Date.now() - started) / 1000;
  const stale = target.knownGaps.unmatched(clients.flatMap((c) => c.scenarios.map((s) => `${c.id}/${s.feature}`)));
  for (const { key, file } of stale) console.log(`WARNING ${file} lists "${key}", which names no scenario`);
  const count = (...outcomes: ScenarioResult['outcome'][]): number => results.filter((r) => outcomes.includes(r.outcome)).length;
  const failed = count('fail');
  const fixed = count('gap-fixed');
  if (broker && failed > 0) console.log(`The broker's log: ${broker.logFile}`);
  if (fixed > 0) console.log(`${fixed} known gaps now pass: prune ${[...new Set(results.flatMap((r) => (r.outcome === 'gap-fixed' ? [r.gap!.file] : [])))].join(' and ')}`);
  console.log(`Ran ${results.length} scenarios against ${target.title} in ${seconds.toFixed(0)} s`);
  console.log(`${count('known-gap')} known gaps`);
  console.log(`${count('pass', 'gap-fixed')} passed, ${failed} failed`);
  return { title: target.title, column: target.column, seconds, clients: available, results };
}

function givenBroker(bootstrap: string, tlsBootstrap: string | undefined, caFile: string | undefined, knownGaps: KnownGaps): Target {
  if ((tlsBootstrap === undefined) !== (caFile === undefined)) throw new Error('--tls-bootstrap and --tls-ca go together');
  const tls = tlsBootstrap === undefined || caFile === undefined ? undefined : { bootstrap: tlsBootstrap, caFile };
  return { title: `the broker at ${bootstrap}`, column: bootstrap, knownGaps, connect: async () => ({ bootstrap, tls }) };
}

function commitOf(root: string): string {
  try {
    return `at ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()}`;
  } catch {
    return '(not a git checkout)';
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('compat:', err instanceof Error ? err.message : err);
    process.exit(2);
  },
);

/** The README with its compatibility-matrix section (between markers) replaced by `matrix`. */
function withReadmeMatrix(readme: string, matrix: string): string {
  const begin = '<!-- compat-matrix:begin -->';
  const end = '<!-- compat-matrix:end -->';
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error('README.md has no compat-matrix markers');
  return `${readme.slice(0, from + begin.length)}\n${matrix.trim()}\n${readme.slice(to)}`;
}
