// Starts Creek as a user would: one broker from its command line (`node --import tsx src/cli.ts`)
// on a free port with a fresh data directory, or a cluster of N brokers as threads of one process
// (`creek cluster --threads`, on free consecutive ports), and stops it with SIGTERM. Beside the
// PLAINTEXT listener it serves an SSL one with a throwaway certificate (when the openssl CLI is there).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killWithParent, terminate, type BrokerProcess } from './broker-process.js';
import { makeDevCert } from './dev-cert.js';

const READY = /Creek (?:cluster )?is ready: bootstrap (\S+).*\n/;
const SSL_LISTENER = /SSL:\/\/([^\s;]+)/;

export interface CreekLaunch {
  /** Brokers; above 1 a cluster starts as threads of one process, every broker with the overrides. Default 1. */
  brokers?: number;
}

/**
 * `overrides` are Kafka config keys passed as `--override key=value`. The data directory is
 * removed on stop; the log file is kept for reading after a failure.
 */
export async function startCreek(repoRoot: string, overrides: Record<string, string>, { brokers = 1 }: CreekLaunch = {}): Promise<BrokerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'creek-compat-data-'));
  const logFile = join(mkdtempSync(join(tmpdir(), 'creek-compat-log-')), 'creek.log');
  const certDir = mkdtempSync(join(tmpdir(), 'creek-compat-tls-'));
  let tlsOverrides: Record<string, string> = {};
  let caFile: string | undefined;
  try {
    const cert = makeDevCert(certDir);
    caFile = cert.caFile;
    tlsOverrides = { listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': cert.keystoreFile };
  } catch (err) {
    console.warn(`compat: no SSL listener (cannot make a certificate: ${(err as Error).message})`);
  }
  const args = brokers > 1
    ? ['--import', 'tsx', 'src/cli.ts', 'cluster', '--threads', '--brokers', String(brokers), '--data-dir', dataDir, '--log-level', 'warn', ...(tlsOverrides.listeners === undefined ? ['--port', '0'] : [])]
    : ['--import', 'tsx', 'src/cli.ts', '--port', '0', '--http-port', '-1', '--data-dir', dataDir, '--log-level', 'warn'];
  for (const [key, value] of Object.entries({ ...tlsOverrides, ...overrides })) args.push('--override', `${key}=${value}`);
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  killWithParent(child);
  const log = createWriteStream(logFile);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });

  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`Creek did not start within 60 s; see ${logFile}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = READY.exec(seen);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(match);
      }
    };
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => fail(new Error(`Creek exited (${code}) before it was ready; see ${logFile}`)));
  });

  const sslBootstrap = SSL_LISTENER.exec(ready[0])?.[1];
  return {
    bootstrap: ready[1]!,
    tls: sslBootstrap === undefined || caFile === undefined ? undefined : { bootstrap: sslBootstrap, caFile },
    logFile,
    async stop(graceMs = 10_000) {
      await terminate(child, graceMs);
      log.end();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(certDir, { recursive: true, force: true });
    },
  };
}
