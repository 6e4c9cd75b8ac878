// The reference: Apache Kafka 4.4.0 from Maven Central (compat/reference/pom.xml), run as a
// single-node KRaft broker (combined controller and broker) on free loopback ports, with a fresh
// storage directory formatted by Kafka's StorageTool. Maven resolves the classpath once; it is
// cached under compat/reference/target/ (keyed by the pom's content), so later runs need neither
// Maven nor the network. Serves PLAINTEXT and, when openssl can make a certificate, SSL.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { killWithParent, terminate, type BrokerProcess } from './broker-process.js';
import { makeDevCert } from './dev-cert.js';

const run = promisify(execFile);

export const REFERENCE_VERSION = '4.4.0';
const MAIN_CLASS = 'kafka.Kafka';
const STORAGE_TOOL = 'kafka.tools.StorageTool';
/** Kafka's own scripts give the broker 1 GiB; half is plenty for a test broker on a small machine. */
const JVM_OPTIONS = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true'];
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 30_000;

export interface ReferenceOptions {
  /** compat/reference: the Maven project. */
  projectDir: string;
  /** Broker config overrides (server.properties keys) on top of the single-node settings. */
  overrides?: Record<string, string>;
  /** Serve an SSL listener too (default true). */
  tls?: boolean;
  /** JVM options in place of the defaults above (the bench uses Kafka's own start script's). */
  jvmOptions?: string[];
  /** A command the JVM runs under, e.g. ['taskset', '-c', '1'] (it must exec the JVM in place). */
  wrapper?: string[];
  /** Called right after the JVM is spawned, with its pid and PLAINTEXT port (the bench times start-up from here). */
  onSpawn?: (spawned: { pid: number; port: number }) => void;
}

/**
 * Starts the broker and resolves once it answers Metadata with itself as a broker (registered
 * and unfenced). The storage and certificate directories are removed on stop; the log is kept.
 */
export async function startReferenceBroker(options: ReferenceOptions): Promise<BrokerProcess> {
  const java = javaCommand();
  const classpath = await referenceClasspath(options.projectDir);
  const root = mkdtempSync(join(tmpdir(), 'kafka-reference-'));
  const logDir = mkdtempSync(join(tmpdir(), 'kafka-reference-log-'));
  const logFile = join(logDir, 'server.log');
  const [port, sslPort, controllerPort] = await freePorts(3);
  const listeners = [`PLAINTEXT://127.0.0.1:${port}`];
  const config: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT',
    'log.dirs': join(root, 'data'),
    // One node: every internal topic with one replica.
    'offsets.topic.replication.factor': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
  };
  let caFile: string | undefined;
  if (options.tls ?? true) {
    try {
      const cert = makeDevCert(mkdirp(join(root, 'tls')));
      caFile = cert.caFile;
      listeners.push(`SSL://127.0.0.1:${sslPort}`);
      Object.assign(config, { 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': cert.keystoreFile });
    } catch (err) {
      console.warn(`compat: reference broker without SSL listener (cannot make a certificate: ${(err as Error).message})`);
    }
  }
  config['advertised.listeners'] = listeners.join(',');
  config.listeners = [...listeners, `CONTROLLER://127.0.0.1:${controllerPort}`].join(',');
  Object.assign(config, options.overrides);
  const propertiesFile = join(root, 'server.properties');
  writeFileSync(propertiesFile, Object.entries(config).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const log4jFile = join(root, 'log4j2.properties');
  writeFileSync(log4jFile, log4jProperties(logFile));
  const jvm = ['-cp', classpath, `-Dlog4j2.configurationFile=${log4jFile}`, `-Dkafka.logs.dir=${logDir}`];

  await run(java, [...jvm, STORAGE_TOOL, 'format', `--cluster-id=${clusterId()}`, '--config', propertiesFile, '--ignore-formatted']).catch((err: Error & { stderr?: string }) => {
    throw new Error(`formatting the reference broker's storage failed: ${err.stderr || err.message}`);
  });

  const out = openSync(join(logDir, 'stdout.log'), 'a');
  const argv = [...(options.wrapper ?? []), java, ...(options.jvmOptions ?? JVM_OPTIONS), ...jvm, MAIN_CLASS, propertiesFile];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', out, out] });
  closeSync(out); // the JVM has its own copy
  if (child.pid !== undefined) options.onSpawn?.({ pid: child.pid, port });
  killWithParent(child);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const stop = async (graceMs = STOP_GRACE_MS): Promise<void> => {
    await terminate(child, graceMs);
    rmSync(root, { recursive: true, force: true });
  };
  const bootstrap = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(bootstrap, () => exited !== undefined, logFile);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    bootstrap,
    tls: caFile === undefined ? undefined : { bootstrap: `127.0.0.1:${sslPort}`, caFile },
    logFile,
    stop,
  };
}

/**
 * Polls until Metadata lists the broker and FindCoordinator finds the group and the transaction
 * coordinators (Kafka creates __consumer_offsets and __transaction_state on the first lookup of
 * each kind and answers COORDINATOR_NOT_AVAILABLE until it has loaded them; some clients retry
 * that only a few times); fails when the JVM exits or the time is up.
 */
async function waitUntilServing(bootstrap: string, hasExited: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const kafka = new Kafka({ clientId: 'compat-reference-probe', brokers: [bootstrap], logLevel: logLevel.NOTHING, connectionTimeout: 1000, retry: { retries: 0 } });
  for (;;) {
    if (hasExited()) throw new Error(`the reference broker exited before it served; see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`the reference broker did not serve within ${START_TIMEOUT_MS / 1000} s; see ${logFile}`);
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && (await coordinatorError(bootstrap, GROUP)) === 0 && (await coordinatorError(bootstrap, TRANSACTION)) === 0) return;
    } catch {
      // not listening or not registered yet
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await delay(500);
  }
}

const GROUP = 0;
const TRANSACTION = 1;

/**
 * The error code of a FindCoordinator v1 request (written by hand: two fields) for a probe key of
 * the given type; 0 once that coordinator serves.
 */
function coordinatorError(bootstrap: string, keyType: number): Promise<number> {
  const [host, port] = bootstrap.split(':') as [string, string];
  const key = Buffer.from('compat-reference-probe');
  const clientId = Buffer.from('compat-reference-probe');
  const request = Buffer.alloc(4 + 10 + clientId.length + 2 + key.length + 1);
  let at = request.writeInt32BE(request.length - 4, 0);
  at = request.writeInt16BE(10, at); // FindCoordinator
  at = request.writeInt16BE(1, at); // v1
  at = request.writeInt32BE(1, at); // correlation id
  at = request.writeInt16BE(clientId.length, at);
  at += clientId.copy(request, at);
  at = request.writeInt16BE(key.length, at);
  at += key.copy(request, at);
  request.writeInt8(keyType, at);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) }, () => socket.write(request));
    let received = Buffer.alloc(0);
    socket.setTimeout(5000, () => socket.destroy(new Error('FindCoordinator timed out')));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      // size, correlation id, throttle time, then the error code
      if (received.length >= 14) {
        resolve(received.readInt16BE(12));
        socket.destroy();
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('connection closed before the FindCoordinator answer')));
  });
}

/**
 * The runtime classpath of compat/reference/pom.xml, resolved by Maven the first time and read
 * from the cache afterwards (re-resolved when the pom changes or a jar went missing from ~/.m2).
 */
export async function referenceClasspath(projectDir: string): Promise<string> {
  const pom = join(projectDir, 'pom.xml');
  const key = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 16);
  const cacheFile = join(projectDir, 'target', `classpath-${key}.txt`);
  if (existsSync(cacheFile)) {
    const cached = readFileSync(cacheFile, 'utf8').trim();
    if (cached.split(':').every((jar) => existsSync(jar))) return cached;
  }
  const mvn = process.env.MAVEN ?? 'mvn';
  try {
    await run(mvn, ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${cacheFile}`], { maxBuffer: 16 << 20 });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`resolving Apache Kafka ${REFERENCE_VERSION} with Maven (${mvn}) failed: ${(e.stdout || '') + (e.stderr || '') || e.message}`);
  }
  return readFileSync(cacheFile, 'utf8').trim();
}

export function javaCommand(): string {
  const home = process.env.JAVA_HOME;
  return home ? join(home, 'bin', 'java') : 'java';
}

/**
 * A random cluster id as Kafka prints them: 16 bytes, URL-safe base64 without padding. Like Kafka's
 * Uuid.randomUuid, never one that starts with '-', which command-line parsers read as an option.
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** `count` distinct loopback ports that were free a moment ago (Kafka must advertise real ports, so 0 will not do). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function log4jProperties(logFile: string): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${logFile}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = file',
    '',
  ].join('\n');
}

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
