// The Java family: Apache Kafka's own clients, Streams, Connect and command-line tools (4.4.0 from
// Maven Central), as four columns of the matrix. One JVM (compat/java, dev.creek.compat.Harness)
// runs all their scenarios, since JVM start-up dominates on a small machine: it reads
// "RUN <scenario id> <name>" lines and answers each with "PASS" or "FAIL <why>". A scenario
// that times out kills the JVM; the next scenario starts a new one. The build (compat/java/build.sh,
// run by compat/setup.sh) is redone here when a source is newer than the jar.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runChild, tail } from '../lib/child.js';
import type { Feature } from '../lib/features.js';
import type { ClientSuite, Scenario, ScenarioContext } from '../lib/scenario.js';

const JAVA_DIR = join(dirname(dirname(fileURLToPath(import.meta.url))), 'java');
const JAR = join(JAVA_DIR, 'target', 'creek-compat-java.jar');
const CLASSPATH_FILE = join(JAVA_DIR, 'target', 'classpath.txt');
const KAFKA_VERSION = '4.4.0';

/** The harness JVM of this run, started by the first scenario that needs it. */
class Harness {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly answers: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private exited = false;
  readonly logFile: string;

  constructor(readonly key: string, args: string[]) {
    this.logFile = join(mkdtempSync(join(tmpdir(), 'creek-compat-java-')), 'harness.log');
    const classpath = `${JAR}:${readFileSync(CLASSPATH_FILE, 'utf8').trim()}`;
    this.child = spawn('java', ['-XX:+UseSerialGC', '-Xmx1g', '-cp', classpath, 'dev.creek.compat.Harness', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.pipe(createWriteStream(this.logFile));
    this.child.on('error', () => undefined);
    this.child.stdin.on('error', () => undefined);
    createInterface({ input: this.child.stdout }).on('line', (line) => this.deliver(line));
    this.child.once('close', () => {
      this.exited = true;
      this.deliver(undefined);
    });
  }

  private deliver(line: string | undefined): void {
    const waiter = this.waiting;
    this.waiting = undefined;
    if (waiter) waiter(line);
    else if (line !== undefined) this.answers.push(line);
  }

  /** The next line the JVM prints; undefined when it exited. */
  private next(signal: AbortSignal): Promise<string | undefined> {
    const queued = this.answers.shift();
    if (queued !== undefined || this.exited) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.waiting = undefined;
        this.kill();
        reject(new Error(`the Java harness was still running the scenario (killed; its log: ${this.logFile})`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting = (line) => {
        signal.removeEventListener('abort', onAbort);
        resolve(line);
      };
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  async ready(signal: AbortSignal): Promise<void> {
    const line = await this.next(signal);
    if (line !== 'READY') throw new Error(`the Java harness did not start (${line ?? 'exited'}): ${tail(readFileSync(this.logFile, 'utf8'), 2)}`);
  }

  async run(id: string, name: string, signal: AbortSignal): Promise<void> {
    this.child.stdin.write(`RUN ${id} ${name}\n`);
    const answer = await this.next(signal);
    if (answer === undefined) throw new Error(`the Java harness exited: ${tail(readFileSync(this.logFile, 'utf8'), 2)}`);
    if (answer !== 'PASS') throw new Error(answer.replace(/^FAIL /, ''));
  }

  kill(): void {
    this.exited = true;
    this.child.kill('SIGKILL');
  }

  /** Closes its stdin, on which it exits; SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await closed;
    clearTimeout(timer);
  }
}

let harness: Harness | undefined;

async function harnessFor(ctx: ScenarioContext): Promise<Harness> {
  const args = [ctx.bootstrap, ...(ctx.tls === undefined ? [] : [ctx.tls.bootstrap, ctx.tls.caFile])];
  const key = args.join(' ');
  if (harness?.alive && harness.key === key) return harness;
  harness?.kill();
  harness = new Harness(key, args);
  await harness.ready(ctx.signal);
  return harness;
}

/** Newest modification time under a directory (the sources and pom). */
function newestSource(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestSource(join(path, entry))));
}

let availability: Promise<string | undefined> | undefined;

/** Java on PATH and a build no older than the sources (rebuilt here when stale, offline if it can). */
function javaUnavailable(): Promise<string | undefined> {
  availability ??= (async () => {
    const java = await runChild('java', ['-version'], { signal: AbortSignal.timeout(20_000) }).catch((err: Error) => ({ code: -1, stderr: err.message }));
    if (java.code !== 0) return `no java on PATH (${tail(java.stderr, 1)})`;
    const fresh = existsSync(JAR) && existsSync(CLASSPATH_FILE) && statSync(JAR).mtimeMs >= Math.max(newestSource(join(JAVA_DIR, 'src')), newestSource(join(JAVA_DIR, 'pom.xml')));
    if (fresh) return undefined;
    const build = await runChild('bash', [join(JAVA_DIR, 'build.sh')], { signal: AbortSignal.timeout(600_000) }).catch((err: Error) => ({ code: -1, stderr: err.message, stdout: '' }));
    return build.code === 0 ? undefined : `compat/java did not build (${tail(build.stderr || build.stdout, 1)}); run compat/setup.sh`;
  })();
  return availability;
}

interface JavaFamily extends Omit<ClientSuite, 'scenarios' | 'unavailable' | 'close'> {
  features: readonly (Feature | { feature: Feature; timeoutMs: number })[];
}

function javaFamily(family: JavaFamily): ClientSuite {
  const { features, ...suite } = family;
  const scenarios = features.map((f): Scenario => {
    const { feature, timeoutMs } = typeof f === 'string' ? { feature: f, timeoutMs: undefined } : f;
    return {
      feature,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      async run(ctx) {
        const h = await harnessFor(ctx);
        await h.run(`${suite.id}/${feature}`, ctx.name(), ctx.signal);
      },
    };
  });
  return { ...suite, scenarios, unavailable: javaUnavailable, close: async () => harness?.stop() };
}

const MAVEN = `Maven Central \`org.apache.kafka\` ${KAFKA_VERSION}`;

export const javaSuite = javaFamily({
  id: 'java',
  title: `Java clients ${KAFKA_VERSION}`,
  source: `${MAVEN} \`kafka-clients\` (producer, consumer, Admin), run by \`compat/java\``,
  features: [
    'metadata',
    'produce-consume',
    'large-message',
    'compression-gzip',
    'compression-snappy',
    'compression-lz4',
    'compression-zstd',
    'partitioner',
    { feature: 'consumer-group', timeoutMs: 90_000 },
    { feature: 'consumer-protocol', timeoutMs: 90_000 },
    'commit-resume',
    'seek-offset',
    'seek-timestamp',
    'admin-topics',
    'admin-partitions',
    'admin-configs',
    'admin-groups',
    'admin-offsets',
    'delete-records',
    'admin-transactions',
    'admin-scram',
    'idempotence',
    'transactions',
    'tls',
    { feature: 'compaction', timeoutMs: 60_000 },
    { feature: 'client-quotas', timeoutMs: 60_000 },
    'error-unknown-topic',
    'error-invalid-topic',
    'error-offset-out-of-range',
    'error-message-too-large',
    'error-topic-not-creatable',
    'error-unsupported-version',
  ],
  notApplicable: {},
});

export const kafkaStreamsSuite = javaFamily({
  id: 'kafka-streams',
  title: `Kafka Streams ${KAFKA_VERSION}`,
  source: `${MAVEN} \`kafka-streams\`, run by \`compat/java\``,
  features: [
    { feature: 'streams-eos', timeoutMs: 180_000 },
    { feature: 'streams-eos-crash', timeoutMs: 180_000 },
    { feature: 'streams-protocol', timeoutMs: 120_000 },
    { feature: 'streams-protocol-scale', timeoutMs: 180_000 },
  ],
  notApplicable: {},
});

export const kafkaConnectSuite = javaFamily({
  id: 'kafka-connect',
  title: `Kafka Connect ${KAFKA_VERSION}`,
  source: `${MAVEN} \`connect-runtime\` with \`connect-file\` 4.3.1 (the newest Maven Central serves), workers in child JVMs`,
  features: [
    { feature: 'connect-standalone', timeoutMs: 120_000 },
    { feature: 'connect-distributed', timeoutMs: 150_000 },
  ],
  notApplicable: {},
});

const TOOL_TIMEOUT_MS = 90_000;

export const kafkaToolsSuite = javaFamily({
  id: 'kafka-tools',
  title: `Kafka CLI tools ${KAFKA_VERSION}`,
  source: `${MAVEN} \`kafka-tools\` (the main classes of \`bin/kafka-*.sh\`), each run in its own JVM`,
  features: (['metadata', 'produce-consume', 'admin-topics', 'admin-partitions', 'admin-configs', 'admin-groups', 'admin-offsets', 'delete-records', 'admin-transactions', 'perf-tools'] as const).map((feature) => ({
    feature,
    timeoutMs: TOOL_TIMEOUT_MS,
  })),
  notApplicable: {},
});

export const javaSuites: readonly ClientSuite[] = [javaSuite, kafkaStreamsSuite, kafkaConnectSuite, kafkaToolsSuite];
