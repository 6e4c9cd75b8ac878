// What the runner needs from a broker it started itself (Creek, or the Apache Kafka reference),
// and stopping such a child process without leaving it behind.
import type { ChildProcess } from 'node:child_process';
import type { TlsTarget } from './scenario.js';

export interface BrokerProcess {
  /** "host:port" of the PLAINTEXT listener. */
  readonly bootstrap: string;
  /** The SSL listener; undefined when no certificate could be made. */
  readonly tls: TlsTarget | undefined;
  /** Where the broker's log goes, kept after stop for reading after a failure. */
  readonly logFile: string;
  /** SIGTERM; SIGKILL if the broker has not exited after `graceMs` (a default of its own). */
  stop(graceMs?: number): Promise<void>;
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`; resolves once it exited. */
export async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Kills `child` if this process exits first (an uncaught error, process.exit), so no broker outlives the run. */
export function killWithParent(child: ChildProcess): void {
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
}
