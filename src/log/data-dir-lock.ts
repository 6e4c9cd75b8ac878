// The data dir's lock, <dataDir>/.lock as Kafka names it: a second broker started on a directory a
// running broker uses is refused before it reads or writes anything there (it would recover the
// other's logs under it, and on its way out mark them cleanly shut down). Node has no portable
// advisory file lock, so the file names its holder instead — the process id and, where /proc
// tells it, the process's start time — and a holder that no longer runs (killed, exited, gone
// with a reboot, or its pid now another program's) leaves a stale lock, which the next broker
// takes over. Brokers of one process (startCluster, creek cluster --threads) each have a data
// dir of their own: a lock naming this process is taken over too.
import { readFileSync, renameSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = '.lock';

export class DataDirInUse extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`Failed to acquire lock on file ${LOCK_FILE} in ${dataDir}. A Creek broker in another process (pid ${pid}) is using this directory.`);
    this.name = 'DataDirInUse';
  }
}

export interface DataDirLock {
  /** Removes the lock file if it still names this process. */
  release(): void;
}

/** A process's start time in clock ticks since boot (/proc/PID/stat), or undefined where there is no /proc or no such process. */
function startTicks(pid: number | 'self'): { ticks: string; zombie: boolean } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": the command may hold spaces and parentheses, so fields count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ticks: fields[19]!, zombie: fields[0] === 'Z' || fields[0] === 'X' };
}

/** Whether the process a lock file names still runs (the same process, not a later one with its pid). */
function holderRuns(pid: number, ticks: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it runs, as another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTicks(pid);
  if (now === undefined) return true;
  return !now.zombie && (ticks === undefined || ticks === now.ticks);
}

function holderOf(text: string): { pid: number; ticks: string | undefined } | undefined {
  const [pid, ticks] = text.trim().split(' ');
  if (pid === undefined || !/^\d+$/.test(pid)) return undefined;
  return { pid: Number(pid), ticks: ticks === undefined || ticks === '' ? undefined : ticks };
}

/** Takes the lock of `dataDir` (creating the directory when new), or throws DataDirInUse. */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const mine = `${process.pid} ${startTicks('self')?.ticks ?? ''}`.trim();
  let existing: string | undefined;
  try {
    existing = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const holder = existing === undefined ? undefined : holderOf(existing);
  if (holder !== undefined && holder.pid !== process.pid && holderRuns(holder.pid, holder.ticks)) throw new DataDirInUse(dataDir, holder.pid);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${mine}\n`);
  renameSync(temp, path);
  return {
    release() {
      try {
        if (readFileSync(path, 'utf8').trim() === mine) unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
  };
}
