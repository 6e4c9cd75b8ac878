// Summarises a V8 CPU profile (from `npm run bench -- --profile DIR`, or `node --cpu-prof`):
// the functions with the most self time, and the most inclusive time, as shares of the samples.
// With --busy MS: every stretch of at least MS milliseconds without an (idle) sample — the
// stalls behind tail latencies — and what ran in it.
// Usage: tsx test/bench/profile-summary.ts FILE.cpuprofile [TOP] [--busy MS]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds from the previous sample (the first: from startTime). */
  timeDeltas: number[];
}

const { positionals, values } = parseArgs({ allowPositionals: true, options: { busy: { type: 'string' } } });
const [file, topArg] = positionals;
if (!file) {
  console.error('usage: profile-summary.ts FILE.cpuprofile [TOP] [--busy MS]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: ProfileNode): string => {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = url ? `${relative(process.cwd(), url.replace('file://', ''))}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
};

/** Self and inclusive sample counts per function over `samples`. */
function tally(samples: readonly number[]): { self: Map<string, number>; inclusive: Map<string, number> } {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const id of samples) {
    const leaf = byId.get(id)!;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const l = label(byId.get(at)!);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + 1);
    }
  }
  return { self, inclusive };
}

const ranked = (m: Map<string, number>, n: number): [string, number][] => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);

/** Runs of consecutive non-idle samples lasting at least `minMs`, with their start (ms into the profile). */
function busyStretches(minMs: number): { startMs: number; ms: number; samples: number[] }[] {
  const out: { startMs: number; ms: number; samples: number[] }[] = [];
  let t = 0;
  let start: number | null = null;
  let run: number[] = [];
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i]!;
    if (byId.get(id)!.callFrame.functionName !== '(idle)') {
      start ??= t;
      run.push(id);
      return;
    }
    if (start !== null && (t - start) / 1000 >= minMs) out.push({ startMs: start / 1000, ms: (t - start) / 1000, samples: run });
    start = null;
    run = [];
  });
  return out;
}

if (values.busy !== undefined) {
  for (const stretch of busyStretches(Number(values.busy))) {
    const { self } = tally(stretch.samples);
    const what = ranked(self, 5).map(([l, n]) => `${l} ×${n}`).join(', ');
    console.log(`${stretch.ms.toFixed(1).padStart(7)} ms busy at ${stretch.startMs.toFixed(0)} ms (${stretch.samples.length} samples): ${what}`);
  }
} else {
  const { self, inclusive } = tally(profile.samples);
  const total = profile.samples.length;
  const print = (title: string, m: Map<string, number>): void => {
    console.log(`\n${title} (${total} samples)`);
    for (const [l, n] of ranked(m, top)) console.log(`${((n / total) * 100).toFixed(1).padStart(6)}%  ${l}`);
  };
  print('self time', self);
  print('inclusive time', inclusive);
}
