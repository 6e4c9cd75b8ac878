// `creek cluster`: a local cluster for development in one command. It starts etcd from its binary
// (unless --etcd names a running one), then N brokers, each the `creek --etcd` command in a process
// of its own on consecutive ports, one after the other; prints the bootstrap servers; and on
// Ctrl-C (or SIGTERM) stops the brokers cleanly, then etcd. Every broker's log lines are shown
// prefixed with its node id; etcd's go to <data dir>/etcd.log. Brokers can be killed and started
// by hand meanwhile (the printed command line starts one again); a broker that exits is reported.
// With --threads the brokers are threads of this one process instead, sharing cluster state kept
// in the data dir, with no etcd: each broker still has its own event loop, so they use as many cores.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { etcdInstalled, startEtcdServer, type EtcdServer } from '../cluster/etcd/etcd-server.js';
import { integer, keyValue, parseCommand } from './args.js';
import { CliFailure, usageError } from './failure.js';
import { printJson } from './output.js';
import { consecutiveFreeLoopbackPorts } from '../server/free-port.js';
import { formatListeners, parseListeners, type Endpoint } from '../config/listeners.js';
import { cliLogger } from './logger.js';
import { LOG_LEVELS, type LogLevel } from '../config/broker-config-defs.js';

export const CLUSTER_USAGE = `Usage: creek cluster [options]
Starts etcd and N brokers on this machine as one Creek cluster; Ctrl-C stops them all.
  --brokers N          how many brokers (default 3), node ids 1..N
  --port PORT          the first broker's port; the others take the next ones (default 9092;
                       0: consecutive ports that are free)
                       (--override listeners=PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9192
                       gives the first broker's listeners instead; broker N's ports are N-1 above)
  --data-dir DIR       brokers' data in DIR/broker-N, etcd's in DIR/etcd (default ./creek-cluster);
                       running it again resumes the same cluster
  --etcd URL           use this running etcd instead of starting one
  --etcd-port PORT     the client port of the etcd started here (default 2379; peers on PORT+1)
  --log-level LEVEL    the brokers' log level (default info)
  --override KEY=VALUE a Kafka or creek.* config for every broker; repeatable
                       (e.g. creek.etcd.lease.ttl.ms=2000, default.replication.factor=3)
  --threads            run the brokers as threads of this process, without etcd: the cluster's
                       state is kept in DIR/metadata; each broker has a core's worth of work of
                       its own, so N brokers spread a load over N cores (brokers cannot be
                       stopped one at a time)
  --json               print the ready line as one JSON document
Needs the etcd binary on PATH (Debian: apt-get install etcd-server) unless --etcd or --threads is given.`;

const HOST = '127.0.0.1';

interface BrokerProcess {
  nodeId: number;
  child: ChildProcess;
  exited: Promise<void>;
}

export async function clusterCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    {
      brokers: { type: 'string', default: '3' },
      port: { type: 'string' },
      'data-dir': { type: 'string', default: 'creek-cluster' },
      etcd: { type: 'string' },
      'etcd-port': { type: 'string', default: '2379' },
      'log-level': { type: 'string', default: 'info' },
      override: { type: 'string', multiple: true },
      threads: { type: 'boolean', default: false },
    },
    'cluster',
  );
  if (values.help) return void console.log(CLUSTER_USAGE);
  if (positionals.length > 0) throw usageError(`cluster takes no arguments, got "${positionals.join(' ')}"`, 'cluster');
  const count = integer(values.brokers, '--brokers', 'cluster', 1)!;
  const logLevel = values['log-level'] as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw usageError(`--log-level expects one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`, 'cluster');
  const etcdPort = integer(values['etcd-port'], '--etcd-port', 'cluster', 1)!;
  const dataDir = resolve(values['data-dir']);
  const settings = (values.override ?? []).map((o) => keyValue(o, '--override', 'cluster'));
  const listenersOf = await brokerListeners(settings.filter(([key]) => key === 'listeners').at(-1)?.[1], values.port, count);
  const overrides = settings.flatMap(([key, value]) => ['--override', `${key}=${value}`]);
  const brokerArgs = (nodeId: number): string[] => {
    const listeners = listenersOf(nodeId);
    const args = ['--node-id', String(nodeId), '--host', listeners[0]!.host || HOST, '--port', String(listeners[0]!.port), '--data-dir', `${dataDir}/broker-${nodeId}`, '--http-port', '-1', '--log-format', 'pretty', '--log-level', logLevel, ...overrides];
    return listeners.length > 1 ? [...args, '--override', `listeners=${formatListeners(listeners)}`] : args;
  };
  const readyAddresses = readyLineAddresses(count, listenersOf);
  refuseTheOtherForm(dataDir, values.threads === true);
  if (values.threads) {
    if (values.etcd !== undefined) throw usageError('--threads keeps the cluster state in the data dir: it takes no --etcd', 'cluster');
    return runThreads(count, dataDir, brokerArgs, readyAddresses, logLevel, values.json === true);
  }
  if (values.etcd === undefined && !etcdInstalled()) {
    throw new CliFailure('etcd is not installed (the etcd binary is not on PATH)', 'apt-get install etcd-server, or pass --etcd URL of a running etcd');
  }

  mkdirSync(dataDir, { recursive: true });
  const brokers = new Map<number, BrokerProcess>();
  let etcd: EtcdServer | undefined;
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    // Clean stops: each broker leaves the live set and hands its leaderships on before it exits.
    await Promise.all([...brokers.values()].map((b) => signalAndWait(b, 'SIGTERM')));
    await etcd?.stop();
  };
  // Should this command end some other way, its brokers do not outlive it.
  process.once('exit', () => {
    for (const b of brokers.values()) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGTERM');
    etcd?.process.kill('SIGTERM');
  });
  // Signals are handled from the first moment: one during start-up stops what was started.
  const stopped = new Promise<void>((resolveStopped) => {
    const onSignal = (): void => {
      if (stopping) return;
      process.stderr.write('creek cluster: stopping the brokers, then etcd\n');
      void stopAll().then(resolveStopped);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  let etcdUrl = values.etcd;
  if (etcdUrl === undefined) {
    const etcdLog = createWriteStream(`${dataDir}/etcd.log`, { flags: 'a' });
    const etcdOptions = { dataDir: `${dataDir}/etcd`, clientPort: etcdPort, peerPort: etcdPort + 1, onOutput: (chunk: Buffer) => etcdLog.write(chunk), ownProcessGroup: true };
    etcd = await startEtcdServer(etcdOptions).catch((err: Error) => {
      throw new CliFailure(`could not start etcd: ${err.message}`, `is port ${etcdPort} or ${etcdPort + 1} in use? pick others with --etcd-port; etcd's log is ${dataDir}/etcd.log`);
    });
    etcdUrl = etcd.url;
  }

  for (let nodeId = 1; nodeId <= count && !stopping; nodeId++) {
    const args = ['--etcd', etcdUrl, ...brokerArgs(nodeId)];
    const broker = spawnBroker(nodeId, args, () => stopping);
    brokers.set(nodeId, broker);
    // One after the other: the first broker's internal topics are there for the next.
    const ready = await broker.ready;
    if (!ready && !stopping) {
      await stopAll();
      throw new CliFailure(`broker ${nodeId} did not start (its output is above)`);
    }
  }
  if (!stopping) {
    const { bootstrap, listeners } = readyAddresses;
    if (values.json) printJson({ bootstrap, brokers: count, etcd: etcdUrl, dataDir });
    else console.log(`Creek cluster is ready: bootstrap ${bootstrap} (${count} brokers, etcd ${etcdUrl}, data in ${dataDir})${listeners}; Ctrl-C stops them all.`);
  }
  await stopped;
}

/**
 * Each broker's listeners: PLAINTEXT on consecutive ports from --port (9092), or, when the
 * overrides set `listeners`, those listeners with each port the first broker's and broker N's
 * N − 1 above it (`PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9192`: broker 2 on 9093 and 9193);
 * a port 0 stands for consecutive ports that are free.
 */
async function brokerListeners(template: string | undefined, port: string | undefined, count: number): Promise<(nodeId: number) => Endpoint[]> {
  let first: Endpoint[];
  if (template === undefined) first = [{ name: 'PLAINTEXT', host: HOST, port: integer(port ?? '9092', '--port', 'cluster', 0)! }];
  else {
    if (port !== undefined) throw usageError('--port and a listeners override both give the ports: use one of them', 'cluster');
    try {
      first = parseListeners(template);
    } catch (err) {
      throw usageError(`--override listeners: ${(err as Error).message}`, 'cluster');
    }
  }
  // Port 0: consecutive ports free now, one per broker, taken before the brokers register them.
  for (const e of first) if (e.port === 0) e.port = await consecutiveFreeLoopbackPorts(count, e.host || HOST);
  for (const e of first) if (e.port + count - 1 > 65535) throw usageError(`port ${e.port} leaves no room for ${count} brokers`, 'cluster');
  return (nodeId) => first.map((e) => ({ ...e, port: e.port + nodeId - 1 }));
}

interface ReadyAddresses {
  /** Every broker's first listener. */
  bootstrap: string;
  /** With more than one listener, each listener's addresses for the ready line ("; listeners NAME://…"), else "". */
  listeners: string;
}

function readyLineAddresses(count: number, listenersOf: (nodeId: number) => Endpoint[]): ReadyAddresses {
  const all = Array.from({ length: count }, (_, i) => listenersOf(i + 1));
  const addresses = (index: number): string => all.map((l) => `${l[index]!.host || HOST}:${l[index]!.port}`).join(',');
  const names = all[0]!.map((e) => e.name);
  return { bootstrap: addresses(0), listeners: names.length > 1 ? `; listeners ${names.map((name, i) => `${name}://${addresses(i)}`).join(' ')}` : '' };
}

/**
 * A data dir keeps the form of cluster that wrote it: the threads' cluster state lives in DIR
 * (cluster.id, metadata/), an etcd cluster's in etcd. Brokers of the other form would start with
 * no topics and leave the partitions' data unused, so they are refused.
 */
function refuseTheOtherForm(dataDir: string, threads: boolean): void {
  const threadCluster = existsSync(join(dataDir, 'cluster.id'));
  const brokerData = existsSync(join(dataDir, 'broker-1'));
  if (threads && brokerData && !threadCluster) {
    throw usageError(`${dataDir} holds the brokers of a cluster on etcd: run it without --threads, or give another --data-dir`, 'cluster');
  }
  if (!threads && threadCluster) {
    throw usageError(`${dataDir} holds a cluster of broker threads: run it with --threads, or give another --data-dir`, 'cluster');
  }
}

/** The brokers as threads of this process (--threads), until a signal stops them or one fails. */
async function runThreads(count: number, dataDir: string, brokerArgs: (nodeId: number) => string[], { bootstrap, listeners }: ReadyAddresses, logLevel: LogLevel, json: boolean): Promise<void> {
  const { startThreadCluster } = await import('../cluster/threads/thread-cluster.js');
  const log = cliLogger(logLevel, 'pretty');
  const starting = startThreadCluster({ brokers: count, dataDir, argvOf: brokerArgs, log });
  let signalled = false;
  const stopped = new Promise<void>((resolveStopped) => {
    const onSignal = (): void => {
      if (signalled) process.exit(1);
      signalled = true;
      process.stderr.write('creek cluster: stopping the brokers\n');
      // A signal during start-up stops the brokers once they are up (start-up is not cut short;
      // a start-up that fails has stopped what it started).
      void starting.then((c) => c.stop()).then(resolveStopped, resolveStopped);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const cluster = await starting.catch((err: Error) => {
    throw new CliFailure(`the brokers did not start: ${err.message}`);
  });
  if (signalled) return stopped;
  if (json) printJson({ bootstrap, brokers: count, threads: true, dataDir });
  else console.log(`Creek cluster is ready: bootstrap ${bootstrap} (${count} brokers as threads of this process, data in ${dataDir})${listeners}; Ctrl-C stops them all.`);
  const failure = cluster.failed.then(async ({ nodeId, error }) => {
    process.stderr.write(`creek cluster: broker ${nodeId} failed (${error.message}); stopping the others\n`);
    await cluster.stop();
    throw new CliFailure(`broker ${nodeId} failed: ${error.message}`);
  });
  await Promise.race([stopped, failure]);
}

/** One broker: the creek command itself, in its own process group (Ctrl-C reaches it through this command only). */
function spawnBroker(nodeId: number, args: string[], stopping: () => boolean): BrokerProcess & { ready: Promise<boolean> } {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let markReady: (ready: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((r) => (markReady = r));
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      console.log(`broker ${nodeId} | ${line}`);
      if (line.startsWith('Creek is ready')) markReady(true);
    });
  }
  child.once('exit', (code, signal) => {
    markReady(false);
    if (!stopping()) console.log(`broker ${nodeId} exited (${signal ?? `code ${code}`}); start it again with: ${[process.argv[0], ...process.execArgv, process.argv[1], ...args].join(' ')}`);
  });
  return { nodeId, child, exited, ready };
}

async function signalAndWait(broker: BrokerProcess, signal: NodeJS.Signals): Promise<void> {
  if (broker.child.exitCode === null && broker.child.signalCode === null) {
    broker.child.kill(signal);
    // One stopped by hand (SIGSTOP) must run to handle it.
    broker.child.kill('SIGCONT');
  }
  await broker.exited;
}
