// The compatibility suite: starts Creek from its CLI (or uses --bootstrap HOST:PORT, e.g. a real
// Apache Kafka), runs every client's scenarios one by one, prints one line per scenario and the
// totals, and with --write-matrix writes compat/MATRIX.md. Exits non-zero on any failure that is
// not a known gap (compat/known-gaps.json).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clients } from './clients/index.js';
import { startCreek, type CreekProcess } from './lib/creek-process.js';
import { KnownGaps } from './lib/known-gaps.js';
import { matrixMarkdown, resultLine } from './lib/report.js';
import { runScenario, type ScenarioResult } from './lib/runner.js';
import type { TlsTarget } from './lib/scenario.js';

const USAGE = `Usage: npm run compat -- [options]
  --bootstrap HOST:PORT  run against this broker instead of starting Creek
  --tls-bootstrap HOST:PORT, --tls-ca FILE
                         that broker's SSL listener and the CA file of its certificate (the
                         tls scenarios; a Creek started by the runner gets its own)
  --only A,B             run only scenarios whose id contains one of these (e.g. kcat/,transactions)
  --strict               ignore compat/known-gaps.json: every failure counts
  --timeout SECONDS      default per-scenario timeout (default 30)
  --write-matrix         write compat/MATRIX.md from this run`;

/**
 * Broker settings for the run: Kafka's defaults except the first-rebalance delay and the log
 * cleaner's idle pause (15 s), as test setups do, so the compaction scenarios wait for no idle cleaner.
 */
const CREEK_OVERRIDES = { 'group.initial.rebalance.delay.ms': '0', 'log.cleaner.backoff.ms': '100' };

const compatDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(compatDir);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
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
  const filters = values.only?.split(',').filter(Boolean) ?? [];
  const selected = (id: string): boolean => filters.length === 0 || filters.some((f) => id.includes(f));
  const knownGaps = values.strict ? KnownGaps.none() : KnownGaps.load(join(compatDir, 'known-gaps.json'));
  const started = Date.now();

  let creek: CreekProcess | undefined;
  let target: string;
  let bootstrap: string;
  let tls: TlsTarget | undefined;
  if (values.bootstrap) {
    bootstrap = values.bootstrap;
    target = `the broker at ${bootstrap}`;
    const tlsBootstrap = values['tls-bootstrap'];
    const caFile = values['tls-ca'];
    if ((tlsBootstrap === undefined) !== (caFile === undefined)) throw new Error('--tls-bootstrap and --tls-ca go together');
    tls = tlsBootstrap === undefined || caFile === undefined ? undefined : { bootstrap: tlsBootstrap, caFile };
  } else {
    creek = await startCreek(repoRoot, CREEK_OVERRIDES);
    bootstrap = creek.bootstrap;
    tls = creek.tls;
    target = `Creek ${commitOf(repoRoot)}`;
    console.log(`Started Creek at ${bootstrap}${tls ? `, SSL listener at ${tls.bootstrap}` : ''} (log: ${creek.logFile})`);
  }

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
            defaultTimeoutMs: Number(values.timeout) * 1000,
            knownGaps,
            onResult: (r) => console.log(resultLine(r)),
          }),
        );
      }
    }
  } finally {
    for (const suite of clients) await suite.close?.();
    await creek?.stop();
  }

  const seconds = (Date.now() - started) / 1000;
  const stale = knownGaps.unmatched(clients.flatMap((c) => c.scenarios.map((s) => `${c.id}/${s.feature}`)));
  for (const key of stale) console.log(`WARNING compat/known-gaps.json lists "${key}", which names no scenario`);
  if (values['write-matrix']) {
    const path = join(compatDir, 'MATRIX.md');
    const matrix = matrixMarkdown({ target, date: new Date().toISOString().slice(0, 10), seconds, clients: available, results });
    writeFileSync(path, matrix);
    const readme = join(compatDir, '..', 'README.md');
    writeFileSync(readme, withReadmeMatrix(readFileSync(readme, 'utf8'), matrix));
    console.log(`Wrote ${path} and the matrix in ${readme}`);
  }
  const count = (...outcomes: ScenarioResult['outcome'][]): number => results.filter((r) => outcomes.includes(r.outcome)).length;
  const failed = count('fail');
  const fixed = count('gap-fixed');
  if (creek && failed > 0) console.log(`Creek's log: ${creek.logFile}`);
  if (fixed > 0) console.log(`${fixed} known gaps now pass: prune compat/known-gaps.json`);
  console.log(`Ran ${results.length} scenarios against ${target} in ${seconds.toFixed(0)} s`);
  console.log(`${count('known-gap')} known gaps`);
  console.log(`${count('pass', 'gap-fixed')} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
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
