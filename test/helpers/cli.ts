// Starts the `creek` command as a child process (through tsx, so tests use the current source)
// and waits for its ready line, or for any line of its output; or runs a client subcommand to its end.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output so far or to come; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** The exit code, or the signal that ended the process. */
  exited: Promise<number | NodeJS.Signals | null>;
}

export interface CliBroker extends CliProcess {
  bootstrap: string;
  port: number;
  /** Sends a signal and resolves with the exit code (or the signal that ended the process). */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

/** How the source's `creek` command runs (through tsx). */
export const CREEK_FROM_SOURCE: readonly string[] = [process.execPath, '--import', 'tsx', 'src/cli.ts'];

/**
 * The HTTP listener is off unless a test asks for it (`--http-port 0`, a flag outranking this
 * variable): the command's default port, 8080, would be shared by every broker that tests and
 * other programs on the machine start at once.
 */
const NO_HTTP_LISTENER = { CREEK_HTTP_PORT: '-1' };

/** Spawns the command (`command`: another way to run creek, e.g. a build pinned to a core) without waiting for anything. */
export function spawnCli(args: string[], env: Record<string, string> = {}, command: readonly string[] = CREEK_FROM_SOURCE): CliProcess {
  const child = spawn(command[0]!, [...command.slice(1), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...NO_HTTP_LISTENER, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watched(child);
}

/** Collects a spawned command's output (stdout and stderr together) for `waitFor` and `output()`. */
function watched(child: ChildProcess): CliProcess {
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    out += chunk.toString();
    for (const check of waiters) check();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    output: () => out,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(out);
          if (m) {
            waiters.delete(check);
            resolve(m);
          }
        };
        waiters.add(check);
        check();
        void exited.then((code) => {
          if (!waiters.delete(check)) return;
          // Output may still be in the pipe when the exit event fires.
          setImmediate(() => {
            const m = pattern.exec(out);
            if (m) resolve(m);
            else reject(new Error(`creek exited with ${code} before printing ${pattern}:\n${out}`));
          });
        });
      }),
  };
}

const shellQuote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs creek from source on a pseudo-terminal made by util-linux's `script` (call requireProgram('script') first):
 * its stdout and stderr are that terminal, as for a person typing the command; with `stdinFile` its stdin is
 * that file, as in `creek produce T < lines`. Writing to `child.stdin` types at the terminal (`\x03` is Ctrl-C).
 * The output is what the terminal shows: line ends are `\r\n`.
 */
export function spawnOnTerminal(args: string[], stdinFile?: string): CliProcess {
  // `exec`: the shell script starts (dash when SHELL is unset) must not stay in the terminal's foreground group,
  // or it receives Ctrl-C too and exits 130 after creek has stopped cleanly.
  const line = 'exec ' + [...CREEK_FROM_SOURCE, ...args].map(shellQuote).join(' ') + (stdinFile === undefined ? '' : ` < ${shellQuote(stdinFile)}`);
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', line, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  return watched(child);
}

export async function startCli(args: string[], env: Record<string, string> = {}): Promise<CliBroker> {
  const cli = spawnCli(args, env);
  const m = await cli.waitFor(/bootstrap (\S+):(\d+)/).catch((err: Error) => {
    throw new Error(err.message.replace(/before printing .*:/, 'before it was ready:'));
  });
  return {
    ...cli,
    bootstrap: `${m[1]}:${m[2]}`,
    port: Number(m[2]),
    stop: (signal = 'SIGTERM') => {
      cli.child.kill(signal);
      return cli.exited;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a `creek` subcommand to completion with `input` on its stdin. */
export function runCli(args: string[], input = ''): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.end(input);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Runs a subcommand that must succeed (exit code 0, nothing on stderr) and returns its stdout. */
export async function runCliOk(args: string[], input?: string): Promise<string> {
  const r = await runCli(args, input);
  if (r.code !== 0 || r.stderr !== '') throw new Error(`creek ${args.join(' ')} exited with ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

/** Ends whichever of `processes` still run (a failed test may leave one): sends `signal` and waits for each exit. */
export async function endRunning(processes: readonly CliProcess[], signal: NodeJS.Signals): Promise<void> {
  for (const p of processes) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
    p.child.kill(signal);
    await p.exited;
  }
}
