// Produce throughput while the HTTP side is watched as people watch it: the web console
// following a partition live (what its "Follow live" does: the records after the last one shown,
// every second) and Prometheus scraping /metrics every second, against the same run with nobody
// watching. Both runs are the same broker configuration (HTTP listener on); runs alternate and
// each side's median is compared. The watchers run in this process, beside the generator.
// Throughput swings with other load on a shared machine, so two steadier figures are printed
// beside it: the broker's CPU time per GiB produced, watched and not, and the broker CPU that the
// watching itself takes (a filled broker with no produce load, watched and then left alone for
// the same time): the share of a core it takes bounds what it can cost a CPU-bound producer.
import { driveProduce, partitionsOf, spreadPartitions } from '../lib/drivers.js';
import { freePort } from '../lib/processes.js';
import { MIB, sleep } from '../lib/stats.js';
import { makeBatch, type Batch } from '../lib/workload.js';
import { createTopics } from './produce.js';
import { KIB, startBroker, type BenchContext } from './context.js';

const TOPIC = 'bench';
const PARTITIONS = 8;
const CONNECTIONS = 4;
const WATCH_INTERVAL_MS = 1000;
const FOLLOW_LIMIT = 50;

interface Watchers {
  stop(): Promise<{ scrapes: number; follows: number; recordsShown: number }>;
}

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
function watch(httpUrl: string): Watchers {
  let stopped = false;
  const round = new WatchRound(httpUrl);
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
      return round.counts;
    },
  };
}

interface RunResult {
  mibPerSec: number;
  cpuMsPerGiB: number;
}

async function run(ctx: BenchContext, batch: Batch, watched: boolean, index: number): Promise<RunResult> {
  const httpPort = await freePort();
  const broker = await startBroker(ctx, `console-${watched ? 'watched' : 'alone'}-${index}`, {
    memory: true,
    overrides: { 'num.partitions': PARTITIONS, 'creek.http.port': httpPort, 'log.retention.bytes': 256 * MIB, 'log.segment.bytes': 64 * MIB, 'log.retention.check.interval.ms': 1000 },
  });
  try {
    await createTopics(broker.port, [TOPIC]);
    const watchers = watched ? watch(`http://127.0.0.1:${httpPort}`) : undefined;
    const durationMs = ctx.quick ? 3000 : 6000;
    let cpuMs = 0;
    const rate = await driveProduce({
      port: broker.port,
      connections: spreadPartitions(partitionsOf(TOPIC, PARTITIONS), CONNECTIONS, batch, 1),
      batch,
      depth: 4,
      verify: true,
      warmupMs: 1000,
      durationMs,
      onWindow: (edge) => (cpuMs += (edge === 'start' ? -1 : 1) * broker.usage().cpuMs),
    });
    if (watchers !== undefined) {
      const counts = await watchers.stop();
      console.log(`    watched run ${index}: ${counts.follows} console follows (${counts.recordsShown} records shown), ${counts.scrapes} /metrics scrapes`);
    }
    const gib = (rate.bytesPerSec * durationMs) / 1000 / (1024 * MIB);
    return { mibPerSec: rate.bytesPerSec / MIB, cpuMsPerGiB: cpuMs / gib };
  } finally {
    await broker.stop();
  }
}

/**
 * Broker CPU ms that one second of watching takes (a follow and a scrape): many rounds back to
 * back on a filled, otherwise idle broker, less its idle CPU over the same time, per round (the
 * process's CPU clock ticks in 10 ms, too coarse for a few seconds of once-a-second rounds).
 */
async function watchingCost(ctx: BenchContext, batch: Batch): Promise<{ msPerRound: number; rounds: number }> {
  const httpPort = await freePort();
  const broker = await startBroker(ctx, 'console-watching-cost', { memory: true, overrides: { 'num.partitions': PARTITIONS, 'creek.http.port': httpPort } });
  try {
    await createTopics(broker.port, [TOPIC]);
    await driveProduce({ port: broker.port, connections: spreadPartitions(partitionsOf(TOPIC, PARTITIONS), CONNECTIONS, batch, 1), batch, depth: 4, verify: true, warmupMs: 0, durationMs: 2000 });
    // Let the produce load's garbage be collected before measuring.
    await sleep(2000);
    const rounds = ctx.quick ? 200 : 500;
    const round = new WatchRound(`http://127.0.0.1:${httpPort}`);
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
    return { msPerRound: Math.max(0, watchedMs - idleMs) / rounds, rounds };
  } finally {
    await broker.stop();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function consoleScenario(ctx: BenchContext): Promise<void> {
  const batch = makeBatch({ recordSize: KIB, batchBytes: MIB });
  const alone: RunResult[] = [];
  const watched: RunResult[] = [];
  const pairs = ctx.quick ? 1 : 3;
  for (let i = 0; i < pairs; i++) {
    // Alternating which side goes first keeps a drift in the machine's load off one side.
    for (const side of i % 2 === 0 ? [false, true] : [true, false]) {
      (side ? watched : alone).push(await run(ctx, batch, side, i));
    }
  }
  const scenario = `produce memory, acks=1 1 KiB records, 1 MiB batches, ${PARTITIONS} partitions, while the console follows a partition and /metrics is scraped every second`;
  const throughput = (runs: RunResult[]) => median(runs.map((r) => r.mibPerSec));
  const cpu = (runs: RunResult[]) => median(runs.map((r) => r.cpuMsPerGiB));
  ctx.results.add('console', {
    scenario,
    metric: 'throughput',
    value: throughput(watched),
    unit: 'MiB/s',
    ceiling: { name: 'the same run unwatched', value: throughput(alone) },
    target: { text: 'within 5% of unwatched', met: ({ ratio }) => ratio !== null && ratio >= 0.95 },
  });
  ctx.results.add('console', { scenario, metric: 'broker CPU per GiB', value: cpu(watched), unit: 'ms/GiB', ceiling: { name: 'the same run unwatched', value: cpu(alone) } });
  const cost = await watchingCost(ctx, batch);
  ctx.results.add('console', {
    scenario: `one second of watching (a console follow and a /metrics scrape), measured over ${cost.rounds} rounds on a filled, otherwise idle broker`,
    metric: 'broker CPU',
    value: cost.msPerRound,
    unit: 'ms/s',
    ceiling: { name: 'one core', value: 1000 },
    target: { text: '< 5% of a core', met: ({ ratio }) => ratio !== null && ratio < 0.05 },
  });
  const list = (runs: RunResult[]) => runs.map((r) => `${r.mibPerSec.toFixed(0)} MiB/s (${r.cpuMsPerGiB.toFixed(0)} CPU ms/GiB)`).join(', ');
  console.log(`    unwatched runs: ${list(alone)}\n    watched runs: ${list(watched)}`);
}
