// Creek against Apache Kafka on the same shape: the ratio Creek / Kafka and whether the issue's
// target for that kind of figure is met. Throughput: Creek >= Kafka. End-to-end p99: Creek <=
// Kafka. Start-up and idle RSS: Creek <= a quarter of Kafka's.
export type VersusKind = 'throughput' | 'latency' | 'startup' | 'rss';

export interface VersusTarget {
  text: string;
  met: (ratio: number) => boolean;
}

export const VERSUS_TARGETS: Record<VersusKind, VersusTarget> = {
  throughput: { text: 'Creek >= Kafka', met: (r) => r >= 1 },
  latency: { text: 'Creek <= Kafka', met: (r) => r <= 1 },
  startup: { text: 'Creek <= 1/4 of Kafka', met: (r) => r <= 0.25 },
  rss: { text: 'Creek <= 1/4 of Kafka', met: (r) => r <= 0.25 },
};

/** Creek / Kafka; NaN when either figure is missing or Kafka's is zero. */
export function versusRatio(creek: number, kafka: number): number {
  return Number.isFinite(creek) && Number.isFinite(kafka) && kafka > 0 ? creek / kafka : Number.NaN;
}

export interface VersusFigure {
  kind: VersusKind | null;
  ratio: number | null;
  met: boolean | null;
}

export interface KindSummary {
  kind: VersusKind;
  figures: number;
  met: number;
}

/** Per kind of target: how many figures carry it and how many met it; kinds without figures are left out. */
export function summariseVersus(figures: readonly VersusFigure[]): KindSummary[] {
  return (Object.keys(VERSUS_TARGETS) as VersusKind[]).flatMap((kind) => {
    const mine = figures.filter((f) => f.kind === kind && f.met !== null);
    return mine.length === 0 ? [] : [{ kind, figures: mine.length, met: mine.filter((f) => f.met).length }];
  });
}

/** "1.23×", or "n/a" for a missing ratio. */
export function formatRatio(r: number | null): string {
  return r === null || !Number.isFinite(r) ? 'n/a' : `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** The entry with the highest score, skipping failed (null) measurements; null when all failed. */
export function bestRun<T>(runs: readonly (T | null)[], score: (run: T) => number): T | null {
  let best: T | null = null;
  for (const run of runs) if (run !== null && (best === null || score(run) > score(best))) best = run;
  return best;
}

/** Which side goes first in round `round` of shape `shape`: alternates by shape and by round (ABBA). */
export function creekFirst(shape: number, round: number): boolean {
  return (shape + round) % 2 === 0;
}
