// Produce throughput while the HTTP side is watched as people watch it: the web console
// following a partition live (what its "Follow live" does: the records after the last one shown,
// every second) and Prometheus scraping /metrics every second, against the same load with nobody
// watching. One broker (HTTP listener on) runs the load without a pause, in windows that
// alternate between watched and unwatched after a warm-up, so that start-up transients and the
// machine's drifting load fall on both sides alike; each side's median is compared. The watchers
// run in this process, beside the generator.
// Throughput swings with other load on a shared machine, so two steadier figures are printed
// beside it: the broker's CPU time per GiB produced, watched and not, and the broker CPU that one
// second of watching itself takes, measured on a filled, otherwise idle broker: the share of a
// core it takes bounds what it can cost a CPU-bound producer.
import { driveProduce, partitionsOf, spreadPartitions } from '../lib/drivers.js';
import { freePort, type ServerProcess } from '../lib/processes.js';
import { MIB, sleep } from '../lib/stats.js';
import { makeBatch, type Batch } from '../lib/workload.js';
import { createTopics } from './produce.js';
import { KIB, startBroker, type BenchContext } from './context.js';

const TOPIC = 'bench';
const PARTITIONS = 8;
const CONNECTIONS = 4;
const WATCH_INTERVAL_MS = 1000;
const FOLLOW_LIMIT = 50;
const OVERRIDES = { 'num.partitions': PARTITIONS, 'log.retention.bytes': 256 * MIB, 'log.segment.bytes': 64 * MIB, 'log.retention.check.interval.ms': 1000 };

/** What the watchers do each second: the console asks for the records after the last one it shows, Prometheus scrapes /metrics. */
class WatchRound {
  private nextOffset = 0;
  readonly counts = { scrapes: 0, follows: 0, recordsShown: 0 };

  constructor(private readonly httpUrl: string) {}

  async follow(): Promise<void> {
    const res = await fetch(`${this.httpUrl}/api/topics/${TOPIC}/partitions/0/records?offset=${this.nextOffset}&limit=${FOLLOW_LIMIT}`);
    if (!res.ok) throw new Error(`console follow: HTTP ${res.status}`);
    const page = (await res.json()) as { nextOffset: number; records: unknown[] };
    this.nextOffset = page.nextOffset;
    this.counts.follows++;
    this.counts.recordsShown += page.records.length;
  }

  async scrape(): Promise<void> {
    const res = await fetch(`${this.httpUrl}/metrics`);
    if (!res.ok) throw new Error(`/metrics: HTTP ${res.status}`);
    await res.text();
    this.counts.scrapes++;
  }
}

/** The console following partition 0 and a Prometheus scraper, once a second each, until stopped. */
function watch(round: WatchRound): { stop(): Promise<void> } {
  let stopped = false;
  const every = async (work: () => Promise<void>): Promise<void> => {
    while (!stopped) {
      const started = performance.now();
      await work();
      await sleep(Math.max(0, WATCH_INTERVAL_MS - (performance.now() - started)));
    }
  };
  const loops = [every(() => round.follow()), every(() => round.scrape())];
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

interface WindowResult {
  mibPerSec: number;
  cpuMsPerGiB: number;
}

async function startWatchable(ctx: BenchContext, name: string): Promise<{ broker: ServerProcess; httpUrl: string }> {
  const httpPort = await freePort();
  const broker = await startBroker(ctx, name, { memory: true, overrides: { ...OVERRIDES, 'creek.http.port': httpPort } });
  await createTopics(broker.port, [TOPIC]);
  return { broker, httpUrl: `http://127.0.0.1:${httpPort}` };
}

/** One window of produce load at full speed: its throughput and the broker's CPU per GiB over it. */
async function produceWindow(broker: ServerProcess, batch: Batch, durationMs: number): Promise<WindowResult> {
  let cpuMs = 0;
  const rate = await driveProduce({
    port: broker.port,
    connections: spreadPartitions(partitionsOf(TOPIC, PARTITIONS), CONNECTIONS, batch, 1),
    batch,
    depth: 4,
    verify: true,
    warmupMs: 200,
    durationMs,
    onWindow: (edge) => (cpuMs += (edge === 'start' ? -1 : 1) * broker.usage().cpuMs),
  });
  const gib = (rate.bytesPerSec * durationMs) / 1000 / (1024 * MIB);
  return { mibPerSec: rate.bytesPerSec / MIB, cpuMsPerGiB: cpuMs / gib };
}

/**
 * Broker CPU ms that one second of watching takes (a follow and a scrape): many rounds back to
 * back on a filled, otherwise idle broker, less its idle CPU over the same time, per round (the
 * process's CPU clock ticks in 10 ms, too coarse for a few seconds of once-a-second rounds).
 */
async function watchingCost(broker: ServerProcess, httpUrl: string, rounds: number): Promise<number> {
  // Let the produce load's garbage be collected before measuring.
  await sleep(2000);
  const round = new WatchRound(httpUrl);
  const before = broker.usage().cpuMs;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    await round.follow();
    await round.scrape();
  }
  const watchedMs = broker.usage().cpuMs - before;
  const elapsed = performance.now() - t0;
  const idleBefore = broker.usage().cpuMs;
  await sleep(elapsed);
  const idleMs = broker.usage().cpuMs - idleBefore;
  return Math.max(0, watchedMs - idleMs) / rounds;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function consoleScenario(ctx: BenchContext): Promise<void> {
  const batch = makeBatch({ recordSize: KIB, batchBytes: MIB });
  const windows = ctx.quick ? 4 : 10;
  const windowMs = ctx.quick ? 2000 : 3000;
  const { broker, httpUrl } = await startWatchable(ctx, 'console');
  const alone: WindowResult[] = [];
  const watched: WindowResult[] = [];
  const round = new WatchRound(httpUrl);
  let cost: number;
  try {
    await produceWindow(broker, batch, 3000); // warm-up: the first GiB of a fresh process costs more (NOTES.md)
    for (let i = 0; i < windows; i++) {
      const watchers = i % 2 === 1 ? watch(round) : undefined;
      const result = await produceWindow(broker, batch, windowMs);
      await watchers?.stop();
      (watchers === undefined ? alone : watched).push(result);
    }
    cost = await watchingCost(broker, httpUrl, ctx.quick ? 200 : 500);
  } finally {
    await broker.stop();
  }
  const scenario = `produce memory, acks=1 1 KiB records, 1 MiB batches, ${PARTITIONS} partitions, while the console follows a partition and /metrics is scraped every second`;
  const unwatched = { name: 'the same load unwatched' };
  const throughput = (results: WindowResult[]) => median(results.map((r) => r.mibPerSec));
  const cpu = (results: WindowResult[]) => median(results.map((r) => r.cpuMsPerGiB));
  ctx.results.add('console', {
    scenario,
    metric: 'throughput',
    value: throughput(watched),
    unit: 'MiB/s',
    ceiling: { ...unwatched, value: throughput(alone) },
    target: { text: 'within 5% of unwatched', met: ({ ratio }) => ratio !== null && ratio >= 0.95 },
  });
  ctx.results.add('console', { scenario, metric: 'broker CPU per GiB', value: cpu(watched), unit: 'ms/GiB', ceiling: { ...unwatched, value: cpu(alone) } });
  ctx.results.add('console', {
    scenario: 'one second of watching (a console follow and a /metrics scrape) on a filled, otherwise idle broker',
    metric: 'broker CPU',
    value: cost,
    unit: 'ms/s',
    ceiling: { name: 'one core', value: 1000 },
    target: { text: '< 5% of a core', met: ({ ratio }) => ratio !== null && ratio < 0.05 },
  });
  const list = (results: WindowResult[]) => results.map((r) => `${r.mibPerSec.toFixed(0)} MiB/s (${r.cpuMsPerGiB.toFixed(0)} CPU ms/GiB)`).join(', ');
  console.log(`    unwatched windows: ${list(alone)}\n    watched windows: ${list(watched)}`);
  console.log(`    the watchers made ${round.counts.follows} console follows (${round.counts.recordsShown} records shown) and ${round.counts.scrapes} /metrics scrapes`);
}
