// A real single-member etcd server for tests (Debian's etcd-server, /usr/bin/etcd): free loopback
// ports, a temp data dir, started and health-checked; it can be stopped, killed and started again
// on the same ports and data. Tests that need it call etcdMissing() first and skip with the reason
// it gives (the check for the program lives here: there is no shared helper for programs yet).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { tempDir } from './broker.js';

const ETCD = process.env.ETCD_BIN ?? 'etcd';

/** Why etcd tests cannot run here, or undefined when they can. */
export function etcdMissing(): string | undefined {
  const probe = spawnSync(ETCD, ['--version'], { stdio: 'pipe' });
  return probe.error === undefined && probe.status === 0 ? undefined : `${ETCD} is not installed (apt-get install etcd-server)`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestEtcd {
  /** The client URL, e.g. http://127.0.0.1:23791. */
  readonly url: string;
  /** Whether the process runs. */
  readonly running: boolean;
  /** Stops the process (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the process (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data dir, and waits until it is healthy. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  remove(): Promise<void>;
}

/** Starts etcd and resolves once it answers /health. */
export async function startEtcd(): Promise<TestEtcd> {
  const data = tempDir('creek-etcd-');
  const clientPort = await freePort();
  const peerPort = await freePort();
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  // Short heartbeat and election timeouts so that etcd grants leases as short as 1 s.
  const args = [
    '--name', 'test', '--data-dir', data.path,
    '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `test=${peer}`,
    '--heartbeat-interval', '50', '--election-timeout', '500',
    '--logger', 'zap', '--log-level', 'error',
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stderr = '';

  const start = async (): Promise<void> => {
    if (child !== undefined) return;
    stderr = '';
    const proc = spawn(ETCD, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => {
      if (child === proc) child = undefined;
      resolve();
    }));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child !== proc) throw new Error(`etcd exited at start: ${stderr}`);
      try {
        const res = await fetch(`${url}/health`);
        if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`etcd did not become healthy: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child === undefined) return;
    child.kill(sig);
    await exited;
  };

  await start();
  return {
    url,
    get running() {
      return child !== undefined;
    },
    start,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    async remove() {
      await signal('SIGKILL');
      data.remove();
    },
  };
}

export interface MemberProcess {
  /** Resolves when the process has printed `line` (registered, elected, lost). */
  waitFor(line: string): Promise<void>;
  kill(): Promise<void>;
}

/** Runs test/helpers/etcd-member-main.ts: one broker's membership in a process of its own. */
export function spawnMember(url: string, prefix: string, nodeId: number, leaseTtlMs: number): MemberProcess {
  const main = fileURLToPath(new URL('./etcd-member-main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, url, prefix, String(nodeId), String(leaseTtlMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return {
    waitFor: (line) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (!out.split('\n').includes(line)) return false;
          resolve();
          return true;
        };
        if (check()) return;
        child.stdout!.on('data', check);
        void exited.then(() => check() || reject(new Error(`member ${nodeId} exited before "${line}": ${out}`)));
      }),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
