// Apache Kafka 4.4.0 as a bench target (`npm run bench -- --against kafka`): the compat suite's
// reference broker (compat/lib/reference-broker.ts, jars from Maven Central), its JVM pinned to
// the server core like Creek, with the heap and GC options of Kafka's own kafka-server-start.sh;
// and Kafka's perf tools (kafka-tools' ProducerPerformance / ConsumerPerformance) pinned to the
// client core like the generator.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { javaCommand, referenceClasspath, startReferenceBroker } from '../../../compat/lib/reference-broker.js';
import { ROOT, tryConnect } from './processes.js';
import { sleep } from './stats.js';

export const KAFKA_NAME = 'Apache Kafka 4.4.0';
const PROJECT_DIR = join(ROOT, 'compat/reference');
/** kafka-server-start.sh's KAFKA_HEAP_OPTS and kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS. */
const KAFKA_JVM_OPTIONS = ['-Xmx1G', '-Xms1G', '-server', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent', '-XX:MaxInlineLevel=15', '-Djava.awt.headless=true'];
const TOOL_JVM_OPTIONS = ['-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true'];

export interface KafkaTarget {
  port: number;
  pid: number;
  /** Spawn of the JVM (after the storage was formatted) to the first accepted TCP connection. */
  startupMs: number;
  /** Spawn to the broker serving: Metadata lists it and the group coordinator answers (polled every 500 ms). */
  servingMs: number;
  rssMb(): number;
  /** SIGTERM; SIGKILL if the JVM has not exited after `graceMs` (default: the compat suite's). */
  stop(graceMs?: number): Promise<void>;
}

export function rssOfPid(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN') / 1024;
}

/** Starts a single-node KRaft broker with `overrides` on top of Kafka's defaults; resolves once it serves. */
export async function startKafka(core: string, overrides: Record<string, string | number> = {}): Promise<KafkaTarget> {
  let spawned: { pid: number; port: number; at: number } | undefined;
  let accepted: number | undefined;
  let gaveUp = false;
  let watching: Promise<void> = Promise.resolve();
  const started = await startReferenceBroker({
    projectDir: PROJECT_DIR,
    tls: false,
    jvmOptions: KAFKA_JVM_OPTIONS,
    wrapper: ['taskset', '-c', String(core)],
    overrides: Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, String(v)])),
    onSpawn: ({ pid, port }) => {
      const at = performance.now();
      spawned = { pid, port, at };
      watching = (async () => {
        while (!gaveUp && !(await tryConnect(port))) await sleep(2);
        accepted = performance.now() - at;
      })();
    },
  }).catch((err: unknown) => {
    gaveUp = true;
    throw err;
  });
  const servingMs = performance.now() - spawned!.at;
  await watching;
  const { pid, port } = spawned!;
  return { port, pid, startupMs: accepted!, servingMs, rssMb: () => rssOfPid(pid), stop: (graceMs) => started.stop(graceMs) };
}

/** Runs a kafka-tools main class on `core`; resolves with its standard output. */
export async function runKafkaTool(core: number, mainClass: string, args: string[]): Promise<string> {
  const classpath = await referenceClasspath(PROJECT_DIR);
  return new Promise((resolve, reject) => {
    execFile('taskset', ['-c', String(core), javaCommand(), ...TOOL_JVM_OPTIONS, '-cp', classpath, mainClass, ...args], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${mainClass} failed: ${err.message}\n${stdout.slice(-1000)}${stderr.slice(-1000)}`));
      else resolve(stdout);
    });
  });
}

export interface ProducerPerfResult {
  records: number;
  recordsPerSec: number;
  mibPerSec: number;
  avgMs: number;
  maxMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
}

/** The summary line ProducerPerformance prints last ("N records sent, R records/sec (M MB/sec), ..."); its MB are MiB. */
export function parseProducerPerformance(stdout: string): ProducerPerfResult {
  const m = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, ([\d.]+) ms 50th, ([\d.]+) ms 95th, ([\d.]+) ms 99th, ([\d.]+) ms 99\.9th/.exec(stdout);
  if (!m) throw new Error(`no ProducerPerformance summary in its output:\n${stdout.slice(-1000)}`);
  const [records, recordsPerSec, mibPerSec, avgMs, maxMs, p50Ms, p95Ms, p99Ms, p999Ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number, number, number];
  return { records, recordsPerSec, mibPerSec, avgMs, maxMs, p50Ms, p95Ms, p99Ms, p999Ms };
}

/** ConsumerPerformance's CSV (a header line naming the columns, then one line of values), by column name. */
export function parseConsumerPerformance(stdout: string): Record<string, string> {
  const lines = stdout.split('\n').map((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith('start.time'));
  const header = lines[at]?.split(',').map((s) => s.trim());
  const values = lines[at + 1]?.split(',').map((s) => s.trim());
  if (!header || !values || values.length !== header.length) throw new Error(`no ConsumerPerformance summary in its output:\n${stdout.slice(-1000)}`);
  return Object.fromEntries(header.map((h, i) => [h, values[i]!]));
}
