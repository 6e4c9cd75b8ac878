// A real single-member etcd server for tests (Debian's etcd-server, /usr/bin/etcd, run as
// `creek cluster` runs it): free loopback ports, a temp data dir; it can be stopped, killed and
// started again on the same ports and data. Tests that need it skip when requireEtcd() says so
// (programs.ts: a printed reason, or a failure under CREEK_TEST_REQUIRE_ALL=1).
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startEtcdServer, type EtcdServer, type EtcdServerOptions } from '../../src/cluster/etcd/etcd-server.js';
import { freeLoopbackPort } from '../../src/server/free-port.js';
import { tempDir } from './broker.js';
import { requireProgram } from './programs.js';

const ETCD = process.env.ETCD_BIN ?? 'etcd';

/** True when etcd is not installed: skip the tests that start it. */
export function requireEtcd(): boolean {
  return requireProgram(ETCD, { install: 'apt-get install etcd-server' });
}

/** A loopback port no one listens on now. */
export function freePort(): Promise<number> {
  return freeLoopbackPort();
}

/** Ports freePorts handed out in this test file: a later call never hands one out again. */
const handedOut = new Set<number>();

/**
 * `count` different loopback ports no one listens on now. Each is held until all are found: one
 * port closed and asked for again can come back (two listeners of a broker once got the same one).
 * Nor does a later call hand out a port an earlier one did, which another broker may not have bound
 * yet (a broker's SASL_SSL port from one call was once another broker's PLAINTEXT port from the next).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      const port = (server.address() as { port: number }).port;
      if (handedOut.has(port)) continue;
      handedOut.add(port);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}

export interface TestEtcd {
  /** The client URL, e.g. http://127.0.0.1:23791 (https:// with TLS). */
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

/** Starts etcd and resolves once it answers /health; with `tls`, on https requiring client certificates. */
export async function startEtcd(options: { tls?: EtcdServerOptions['tls'] } = {}): Promise<TestEtcd> {
  const data = tempDir('creek-etcd-');
  const [clientPort, peerPort] = (await freePorts(2)) as [number, number];
  let server: EtcdServer | undefined;
  const start = async (): Promise<void> => {
    if (server !== undefined) return;
    const started = await startEtcdServer({ binary: ETCD, dataDir: data.path, clientPort, peerPort, ...options });
    server = started;
    void started.exited.then(() => {
      if (server === started) server = undefined;
    });
  };
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    await server?.stop(sig);
    server = undefined;
  };

  await start();
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${clientPort}`,
    get running() {
      return server !== undefined;
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
