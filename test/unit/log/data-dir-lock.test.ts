// The data dir's lock: taken on a new or free directory, refused while another running process
// holds it, taken over from a holder that exited, from a pid now another process's (start time
// differs), from this process (brokers of one process have dirs of their own) and from a file
// that names no one; released only by the process it names.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUse, lockDataDir } from '../../../src/log/data-dir-lock.js';
import { tempDir } from '../../helpers/broker.js';

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

function newDir(): string {
  const dir = tempDir('creek-lock-');
  dirs.push(dir);
  return dir.path;
}

/** The start time /proc gives a process, as the lock file records it. */
function ticksOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

describe('lockDataDir', () => {
  it('takes a new directory and names this process; release removes the file', () => {
    const dir = join(newDir(), 'data');
    const lock = lockDataDir(dir);
    expect(readFileSync(join(dir, '.lock'), 'utf8').split(' ')[0]).toBe(String(process.pid));
    lock.release();
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  it.skipIf(!existsSync('/proc/self/stat'))('refuses while another running process holds it, and takes it over from one that exited or whose pid is now another process', async () => {
    const dir = newDir();
    // Node itself, the one program every machine running the tests has.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)']);
    try {
      writeFileSync(join(dir, '.lock'), `${other.pid} ${ticksOf(other.pid!)}\n`);
      expect(() => lockDataDir(dir)).toThrow(DataDirInUse);
      expect(() => lockDataDir(dir)).toThrow(`Failed to acquire lock on file .lock in ${dir}. A Creek broker in another process (pid ${other.pid}) is using this directory.`);
      // The same pid with another start time: a later process that got the pid.
      writeFileSync(join(dir, '.lock'), `${other.pid} 1\n`);
      lockDataDir(dir).release();
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    writeFileSync(join(dir, '.lock'), `${other.pid} ${'9'.repeat(12)}\n`);
    const lock = lockDataDir(dir);
    expect(readFileSync(join(dir, '.lock'), 'utf8').split(' ')[0]).toBe(String(process.pid));
    lock.release();
  });

  it('takes over a lock naming this process or no one, and does not remove a lock another holder took', () => {
    const dir = newDir();
    const first = lockDataDir(dir);
    const second = lockDataDir(dir);
    writeFileSync(join(dir, '.lock'), 'not a holder\n');
    const third = lockDataDir(dir);
    writeFileSync(join(dir, '.lock'), '1 1\n');
    for (const l of [first, second, third]) l.release();
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe('1 1\n');
  });
});
