// Runs a client as a child process: resolves with its output when it exits, rejects with the
// last lines of its stderr when it fails; killed when the scenario's signal aborts.
import { spawn } from 'node:child_process';

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  signal: AbortSignal;
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to its end, whatever its exit code. */
export function runChild(command: string, args: readonly string[], options: ChildOptions): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      signal: options.signal,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e) => reject(options.signal.aborted ? new Error(`${command} killed: scenario timed out`) : e));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a command that must exit 0; the error carries the tail of its stderr. */
export async function runOk(command: string, args: readonly string[], options: ChildOptions): Promise<ChildResult> {
  const result = await runChild(command, args, options);
  if (result.code !== 0) throw new Error(`${command} exited ${result.code}: ${tail(result.stderr || result.stdout)}`);
  return result;
}

/** The last non-empty lines of a process's output, joined on one line. */
export function tail(text: string, lines = 2): string {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(-lines).join(' | ') || '(no output)';
}

/** A long-running client (a group member): its output so far, and a way to stop it like Ctrl-C. */
export interface LiveChild {
  stdout(): string;
  stderr(): string;
  /** Sends SIGTERM and resolves when it has exited (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

export function startChild(command: string, args: readonly string[], signal: AbortSignal): LiveChild {
  const child = spawn(command, args, { signal, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
