// The long-run rate of a producer throttled by Kafka's quota, measured over whole burst cycles
// (see scenarios/quotas.ts for why a span of fixed length misreads it). A burst shows in the
// answers as many requests within a tenth of a second, where the throttled stretch between bursts
// has one every quota-length of bytes; its start is the first answer of that kind after quiet.

/** The window in which a burst's answers are counted. */
const BURST_MS = 100;
/** Bytes answered within BURST_MS that make a burst, in seconds of quota: five times the quota's rate. */
const BURST_QUOTA_SECONDS = 0.5;
/** A burst starts after this long without one: bursts come about 11 s apart, and last well under a second. */
const QUIET_MS = 2_000;

export interface CycleRate {
  /** Bytes per second answered from the first cycle's start to the last one's end. */
  bytesPerSec: number;
  /** When each cycle starts, and the last one ends (ms, as the answer times). */
  boundaries: number[];
}

/**
 * When bursts start, among answers at or before `untilMs` - BURST_MS (a later one's window is not
 * complete yet). `answeredAt` is in time order, each answer `requestBytes` of produce request.
 */
export function burstStarts(answeredAt: readonly number[], requestBytes: number, quotaBytesPerSec: number, untilMs: number): number[] {
  const needed = Math.ceil((quotaBytesPerSec * BURST_QUOTA_SECONDS) / requestBytes);
  const starts: number[] = [];
  let lastBurstAnswer = -Infinity;
  let windowEnd = 0;
  for (let i = 0; i < answeredAt.length && answeredAt[i]! <= untilMs - BURST_MS; i++) {
    const t = answeredAt[i]!;
    while (windowEnd < answeredAt.length && answeredAt[windowEnd]! < t + BURST_MS) windowEnd++;
    if (windowEnd - i < needed) continue;
    if (t - lastBurstAnswer >= QUIET_MS) starts.push(t);
    lastBurstAnswer = t;
  }
  return starts;
}

/**
 * The rate over `cycles` whole cycles, the first starting at or after `fromMs`; undefined until
 * that many have been answered by `untilMs`.
 */
export function rateOverCycles(answeredAt: readonly number[], requestBytes: number, quotaBytesPerSec: number, fromMs: number, untilMs: number, cycles: number): CycleRate | undefined {
  const boundaries = burstStarts(answeredAt, requestBytes, quotaBytesPerSec, untilMs)
    .filter((t) => t >= fromMs)
    .slice(0, cycles + 1);
  if (boundaries.length < cycles + 1) return undefined;
  const first = boundaries[0]!;
  const last = boundaries.at(-1)!;
  const answers = answeredAt.filter((t) => t >= first && t < last).length;
  return { bytesPerSec: (answers * requestBytes * 1000) / (last - first), boundaries };
}
