// The bench's measuring of one broker among several started together (test/bench/lib/alone.ts):
// the others are stopped while it is measured and run again afterwards, also when the measurement
// fails. Real processes (idle Node processes), their state read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { alone } from '../../bench/lib/alone.js';
import { processState } from '../../bench/lib/processes.js';

const onLinux = process.platform === 'linux';
const children: ChildProcess[] = [];

function started(): { pid: number } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
  children.push(child);
  return { pid: child.pid! };
}

/** 'stopped' or 'running', once the process has taken the last signal sent to it (delivery is asynchronous). */
async function settled(pid: number): Promise<string> {
  for (let i = 0; i < 100 && !['T', 'S'].includes(processState(pid)!); i++) await new Promise((r) => setTimeout(r, 10));
  return processState(pid) === 'T' ? 'stopped' : 'running';
}

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe.skipIf(!onLinux)('alone', () => {
  it('stops every other process while the measurement runs, and resumes them after', async () => {
    const [a, b, c] = [started(), started(), started()];
    const seen = await alone(b, [a, b, c], () => Promise.all([a, b, c].map((p) => settled(p.pid))));
    expect(seen).toEqual(['stopped', 'running', 'stopped']);
    expect(await Promise.all([a, b, c].map((p) => settled(p.pid)))).toEqual(['running', 'running', 'running']);
  });

  it('resumes them when the measurement fails', async () => {
    const [a, b] = [started(), started()];
    await expect(alone(a, [a, b], async () => {
      expect(await settled(b.pid)).toBe('stopped');
      throw new Error('the load failed');
    })).rejects.toThrow('the load failed');
    expect(await settled(b.pid)).toBe('running');
  });
});
