// Latency points start from a written-back page cache. Earlier points leave gigabytes of dirty
// pages behind (the kernel starts writing back only at ~10% of memory dirty, or after 30 s), and
// its flusher threads write them back while the next point runs, on the broker's core too: at 8,000
// batches/s a point that began with 2.3 GB dirty had e2e p99 12.5 ms, against 0.97 ms from a clean
// cache (test/bench/NOTES.md, "Dec 6: writes that sleep in the kernel"). Writing back first
// measures the broker, not what the points before it wrote.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { MIB } from './stats.js';

/** Dirty and under-writeback page cache, in bytes (0 where /proc/meminfo is not there). */
export function unwrittenBytes(): number {
  let info: string;
  try {
    info = readFileSync('/proc/meminfo', 'utf8');
  } catch {
    return 0;
  }
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(info)?.[1] ?? 0);
  return (kib('Dirty') + kib('Writeback')) * 1024;
}

export interface WriteBack {
  /** What was dirty or being written back when it began. */
  unwrittenMiB: number;
  ms: number;
}

/** Writes every dirty page back (`sync`), unless less than `belowMiB` is unwritten. */
export async function writeBack(belowMiB = 64): Promise<WriteBack> {
  const unwritten = unwrittenBytes();
  const started = performance.now();
  if (unwritten >= belowMiB * MIB) {
    await new Promise<void>((resolve, reject) => execFile('sync', (err) => (err ? reject(err) : resolve())));
  }
  return { unwrittenMiB: unwritten / MIB, ms: performance.now() - started };
}
