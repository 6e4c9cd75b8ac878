// Runs a single-member etcd server from its binary (Debian's etcd-server: /usr/bin/etcd) for a
// local cluster (`creek cluster`) and for tests: loopback ports, a data dir, short heartbeat and
// election timeouts (so that it grants leases as short as a second), and a wait until it reports
// itself healthy. Production clusters run their own etcd; Creek only connects to it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { etcdGet } from './etcd-http.js';

export interface EtcdServerOptions {
  /** The etcd binary (default `etcd` on PATH). */
  binary?: string;
  dataDir: string;
  clientPort: number;
  peerPort: number;
  /** Where etcd's own output goes; kept in memory (the last few kB, for errors) when absent. */
  onOutput?: (chunk: Buffer) => void;
  /** How long to wait for it to become healthy. Default 20 s. */
  startTimeoutMs?: number;
  /**
   * Serves https with this certificate and key (PEM files), and requires client certificates
   * signed by the CA in `caFile` (--client-cert-auth); its own health checks present its server
   * certificate as their client certificate.
   */
  tls?: { certFile: string; keyFile: string; caFile: string };
  /**
   * Runs it in a process group of its own, so that a terminal's Ctrl-C reaches only the command
   * that started it (which stops it last, after the brokers that use it).
   */
  ownProcessGroup?: boolean;
}

export interface EtcdServer {
  /** The client URL, e.g. http://127.0.0.1:2379 (https:// with `tls`). */
  readonly url: string;
  readonly process: ChildProcess;
  /** Settles when the process has exited. */
  readonly exited: Promise<void>;
  /** Signals the process (SIGTERM by default) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Whether `binary` runs (etcd --version succeeds). */
export function etcdInstalled(binary = 'etcd'): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Starts etcd and resolves once it answers /health; rejects with its output if it exits or stays unhealthy. */
export async function startEtcdServer(options: EtcdServerOptions): Promise<EtcdServer> {
  const { tls } = options;
  const url = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${options.clientPort}`;
  const peer = `http://127.0.0.1:${options.peerPort}`;
  const args = [
    '--name', 'creek', '--data-dir', options.dataDir,
    '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `creek=${peer}`,
    '--heartbeat-interval', '50', '--election-timeout', '500',
    '--logger', 'zap', '--log-level', 'error',
    ...(tls === undefined ? [] : ['--cert-file', tls.certFile, '--key-file', tls.keyFile, '--client-cert-auth', '--trusted-ca-file', tls.caFile]),
  ];
  const healthTls = tls === undefined ? undefined : { ca: readFileSync(tls.caFile, 'utf8'), privateKey: readFileSync(tls.keyFile, 'utf8'), certChain: readFileSync(tls.certFile, 'utf8') };
  const child = spawn(options.binary ?? 'etcd', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownProcessGroup ?? false });
  let recent = '';
  const onOutput = options.onOutput ?? ((chunk: Buffer) => (recent = (recent + chunk.toString()).slice(-4000)));
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  let running = true;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running = false;
      resolve();
    });
    child.once('error', (err) => {
      running = false;
      recent += err.message;
      resolve();
    });
  });
  const server: EtcdServer = {
    url,
    process: child,
    exited,
    async stop(signal = 'SIGTERM') {
      if (running) child.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    if (!running) throw new Error(`etcd exited at start: ${recent.trim()}`);
    try {
      const res = await etcdGet(new URL('/health', url), healthTls, 1000);
      if (res.status === 200 && (JSON.parse(res.body) as { health?: string }).health === 'true') return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop('SIGKILL');
      throw new Error(`etcd did not become healthy at ${url}: ${recent.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
