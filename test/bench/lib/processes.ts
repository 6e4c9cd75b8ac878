// The processes under test, each pinned to the "server" core: the Creek broker (compiled once to
// node_modules/.cache so start-up is measured without a TypeScript loader), a cluster of Creek
// brokers as threads of one process, and the ceiling servers. Start-up is timed from spawn to the
// first accepted TCP connection (on every broker's port, for a cluster).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { sleep } from './stats.js';
import { consecutiveFreeLoopbackPorts } from '../../../src/server/free-port.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
// One build per checkout: git worktrees that share node_modules must not overwrite each other's build.
const BUILD_DIR = join(ROOT, 'node_modules/.cache', `creek-bench-${createHash('sha1').update(ROOT).digest('hex').slice(0, 8)}`);

/** Compiles src/ and protocol/ with the project's tsconfig; returns the CLI entry point. */
export function buildBroker(): string {
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json', '--outDir', BUILD_DIR, '--declaration', 'false', '--sourceMap', 'false'], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    // Type errors still emit JavaScript; only a build without the CLI is fatal.
    if (!existsSync(join(BUILD_DIR, 'src/cli.js'))) throw err;
    console.warn('warning: tsc reported type errors; benchmarking the emitted JavaScript anyway');
  }
  // The web console serves its assets from beside its module; tsc copies only code.
  cpSync(join(ROOT, 'src/console/assets'), join(BUILD_DIR, 'src/console/assets'), { recursive: true });
  // node_modules/ ends a package scope: mark the build as ESM explicitly.
  writeFileSync(join(BUILD_DIR, 'package.json'), '{"type":"module"}\n');
  return join(BUILD_DIR, 'src/cli.js');
}

export interface Cores {
  client: number;
  /** The brokers' and ceiling servers' cores, as `taskset -c` takes them ("1", "0-1"). */
  server: string;
}

/**
 * Pins this process (the load generator) to one core; returns the split used. `serverCores`
 * (--broker-cores) overrides the servers' share, e.g. "0-1" to give them both cores of two.
 */
export function pinCores(serverCores?: string): Cores {
  const cores = Number(execFileSync('nproc').toString().trim());
  const split = { client: 0, server: serverCores ?? (cores >= 2 ? '1' : '0') };
  execFileSync('taskset', ['-cp', String(split.client), String(process.pid)], { stdio: 'ignore' });
  return split;
}

/** Listens on loopback `port` (0: any) and lets it go again: the port, or null if it was taken. */
function listenOnce(port: number): Promise<number | null> {
  return new Promise((resolvePort) => {
    const srv = createServer();
    srv.once('error', () => resolvePort(null));
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const bound = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(bound));
    });
  });
}

export async function freePort(): Promise<number> {
  const port = await listenOnce(0);
  if (port === null) throw new Error('no free loopback port');
  return port;
}

/** Whether something accepts TCP connections on the port. */
export function tryConnect(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The fields of a /proc stat file after the command name (so [0] is the state, [7] the minor
 * faults, [11] and [12] the user and system CPU time in ticks), or undefined when the process or
 * thread is gone.
 */
function statFields(path: string): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
}

/** USER_HZ, the unit of /proc's CPU times, is 100 on Linux. */
const TICK_MS = 10;

/** Process `pid`'s state letter (R or S running, T stopped, Z exited and not reaped), or undefined when it is gone. */
export function processState(pid: number): string | undefined {
  return statFields(`/proc/${pid}/stat`)?.[0];
}

/** Whether process `pid` still runs: it exists and has not exited (a zombie its parent has not reaped has). */
export function processRunning(pid: number): boolean {
  const state = processState(pid);
  return state !== undefined && state !== 'Z';
}

/** Longer than any broker's clean stop with 10,000 partitions has taken here (Creek up to 41 s before Dec 6). */
const CLEAN_STOP_GRACE_MS = 120_000;

/** Stops `server` cleanly; the time from SIGTERM to the process's exit (not to its data dir's removal), with a grace long enough to be measured. */
export async function timedStop(server: { pid: number; stop(graceMs: number): Promise<void> }): Promise<number> {
  const t0 = performance.now();
  const stopping = server.stop(CLEAN_STOP_GRACE_MS);
  while (processRunning(server.pid)) await sleep(10);
  const ms = performance.now() - t0;
  await stopping;
  return ms;
}

export interface ThreadCpu {
  eventLoopMs: number;
  otherMs: number;
  /** When it was read (performance.now()). */
  atMs: number;
}

export interface EventLoopUse {
  /** The event loop's share of the CPU the process used. */
  share: number;
  /** The event loop's CPU time over the wall time: near 1, the one thread was what limited the process. */
  busy: number;
}

/** How the event loop was used between two readings of a process's thread CPU. */
export function eventLoopUse(before: ThreadCpu, after: ThreadCpu): EventLoopUse {
  const loop = after.eventLoopMs - before.eventLoopMs;
  const total = loop + after.otherMs - before.otherMs;
  const wall = after.atMs - before.atMs;
  return { share: total > 0 ? loop / total : 0, busy: wall > 0 ? loop / wall : 0 };
}

export class ServerProcess {
  private exited: Promise<number | null>;
  private stderr = '';
  private stdoutText = '';

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly port: number,
    readonly startupMs: number,
    private readonly cleanup: () => void,
  ) {
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.stdout?.on('data', (d: Buffer) => (this.stdoutText += d.toString()));
  }

  /** What the process wrote to stdout so far (only when launched with `captureStdout`). */
  get stdout(): string {
    return this.stdoutText;
  }

  /** CPU milliseconds (user + system) and minor page faults of the process so far, from /proc. */
  usage(): { cpuMs: number; faults: number } {
    const fields = statFields(`/proc/${this.child.pid}/stat`);
    if (fields === undefined) throw new Error(`${this.name} (pid ${this.child.pid}) is not running`);
    return { cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS, faults: Number(fields[7]) };
  }

  /**
   * CPU milliseconds so far of the event loop (the main thread) and of every other thread (the
   * libuv pool's file I/O, V8's GC helpers), from /proc: how much of the work could use a second core.
   */
  threadCpu(): ThreadCpu {
    const pid = this.child.pid!;
    let eventLoopMs = 0;
    let otherMs = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const fields = statFields(`/proc/${pid}/task/${tid}/stat`);
      if (fields === undefined) continue; // the thread ended meanwhile
      const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
      if (tid === String(pid)) eventLoopMs += ms;
      else otherMs += ms;
    }
    return { eventLoopMs, otherMs, atMs: performance.now() };
  }

  /** Resident set size in MiB, from /proc. */
  rssMb(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
    return kb / 1024;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** SIGTERM; SIGKILL if the process has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.child.kill('SIGTERM');
    const timeout = sleep(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([this.exited, timeout])) === 'timeout') this.child.kill('SIGKILL');
    await this.exited;
    this.cleanup();
  }

  /** Ends the process with SIGKILL, as a crash would: nothing is flushed or saved. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
    this.cleanup();
  }

  get errors(): string {
    return this.stderr;
  }
}

/**
 * Starts `argv` pinned to `core`; resolves once `port` and every one of `alsoPorts` accept
 * connections. A start that fails leaves no process behind and runs `cleanup`.
 */
async function launch(name: string, argv: string[], port: number, core: string, cleanup: () => void, captureStdout = false, alsoPorts: readonly number[] = []): Promise<ServerProcess> {
  const started = performance.now();
  const child = spawn('taskset', ['-c', core, ...argv], { cwd: ROOT, stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'] });
  let exitCode: number | null | undefined;
  child.once('exit', (code) => (exitCode = code));
  let stderr = '';
  // stdio[2] is 'pipe': stderr is a stream (the type allows null for other stdio settings).
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const listening = async (): Promise<boolean> => (await Promise.all([port, ...alsoPorts].map(tryConnect))).every(Boolean);
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  const fail = async (problem: string): Promise<never> => {
    if (exitCode === undefined) child.kill('SIGKILL');
    await exited;
    cleanup();
    throw new Error(`${name} ${problem}:\n${stderr}`);
  };
  while (!(await listening())) {
    if (exitCode !== undefined) await fail(`exited (${exitCode}) before listening`);
    if (performance.now() - started > 30_000) await fail('did not listen within 30 s');
    await sleep(1);
  }
  return new ServerProcess(name, child, port, performance.now() - started, cleanup);
}

export interface BrokerLaunch {
  cli: string;
  core: string;
  memory: boolean;
  overrides?: Record<string, string | number>;
  /** Directory for a V8 CPU profile (node --cpu-prof), written when the broker exits. */
  profileDir?: string;
  /** More options for node (V8 flags such as --trace-gc-nvp or --max-semi-space-size). */
  nodeArgs?: readonly string[];
  /** Keep what the broker writes to stdout (V8's GC traces go there). */
  captureStdout?: boolean;
}

/** `node` with the launch's options and the CLI. */
function nodeCommand(opts: Pick<BrokerLaunch, 'cli' | 'nodeArgs' | 'profileDir'>): string[] {
  if (opts.profileDir) mkdirSync(opts.profileDir, { recursive: true });
  return ['node', ...(opts.nodeArgs ?? []), ...(opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : []), opts.cli];
}

export async function startBrokerProcess(opts: BrokerLaunch): Promise<ServerProcess & { dataDir: string | null }> {
  const port = await freePort();
  const dataDir = opts.memory ? null : tempDir('creek-bench-data-');
  const args = ['--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn'];
  args.push(...(dataDir ? ['--data-dir', dataDir] : ['--memory']));
  for (const [k, v] of Object.entries(opts.overrides ?? {})) args.push('--override', `${k}=${v}`);
  const proc = await launch('creek', [...nodeCommand(opts), ...args], port, opts.core, () => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, opts.captureStdout);
  return Object.assign(proc, { dataDir });
}

export interface ThreadClusterLaunch extends Pick<BrokerLaunch, 'cli' | 'core' | 'profileDir' | 'nodeArgs'> {
  brokers: number;
}

/**
 * `creek cluster --threads`: `brokers` brokers as threads of one process on consecutive ports
 * (node ids 1..brokers), on disk; `port` is the first broker's. SIGTERM (stop) stops them all and
 * the data dir is removed.
 */
export async function startThreadClusterProcess(opts: ThreadClusterLaunch): Promise<ServerProcess & { dataDir: string }> {
  const port = await consecutiveFreeLoopbackPorts(opts.brokers);
  const dataDir = tempDir('creek-bench-data-');
  const args = ['cluster', '--threads', '--brokers', String(opts.brokers), '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', '--json'];
  const others = Array.from({ length: opts.brokers - 1 }, (_, i) => port + 1 + i);
  const proc = await launch('creek cluster --threads', [...nodeCommand(opts), ...args], port, opts.core, () => rmSync(dataDir, { recursive: true, force: true }), false, others);
  return Object.assign(proc, { dataDir });
}

export type CeilingMode = 'sink' | 'files' | 'discard' | 'source';

/** Starts test/bench/ceiling-server.ts (see there) in `dir`. */
export async function startCeiling(mode: CeilingMode, core: string, dir: string, extra: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const argv = ['node', '--import', 'tsx', join(ROOT, 'test/bench/ceiling-server.ts'), mode, String(port), dir, ...extra];
  return launch(`ceiling:${mode}`, argv, port, core, () => undefined);
}
