// `npm run bench -- --against kafka`: Creek and Apache Kafka 4.4.0 (lib/kafka.ts) driven by the
// same generator with the same shapes, each broker pinned to the server core, alternating Creek
// and Kafka on every shape (which goes first flips from shape to shape). Both brokers of a group
// run with their defaults and stay up for the whole group, after a warm-up produce on each (the
// JVM's JIT and V8's both need one); while one is measured the other is stopped (lib/alone.ts).
// With --compare-cores (e.g. 1/0-1) the produce and fetch groups run both brokers on each core set
// at once and measure every shape on each, alternating the core sets too, so that the page cache's
// state and the machine's other load fall on both alike; they print what each broker gained.
import { driveByLeader, type LeaderRate } from '../lib/by-leader.js';
import { checkProduce, driveFetch, driveLatency, driveProduce, partitionsOf, spreadPartitions, type Rate } from '../lib/drivers.js';
import { FrameConnection } from '../lib/frame-connection.js';
import { parseConsumerPerformance, parseProducerPerformance, runKafkaTool, startKafka } from '../lib/kafka.js';
import { alone } from '../lib/alone.js';
import { writeBack } from '../lib/page-cache.js';
import { timedStop } from '../lib/processes.js';
import { MIB, Samples, sleep } from '../lib/stats.js';
import { createTopicsAndWait, deleteTopics, partitionLeaders } from '../lib/topics.js';
import { bestRun, creekFirst, type VersusKind } from '../lib/versus.js';
import { makeBatch, type Batch } from '../lib/workload.js';
import { KIB, sizeLabel, startBroker, timing, type BenchContext, type LoadTiming } from './context.js';
import { fillPartitions } from './fetch.js';

/** A running broker (or cluster) of either kind, as the generator sees it. */
export interface Target {
  port: number;
  pid: number;
  startupMs: number;
  rssMb(): number;
  /** SIGTERM; SIGKILL if the process has not exited after `graceMs` (a default of its own). */
  stop(graceMs?: number): Promise<void>;
}

type Side = 'creek' | 'kafka';
const SIDES: readonly Side[] = ['creek', 'kafka'];

/**
 * Kafka's defaults, except that a deleted topic's files go after 1 s instead of 60 (each produce
 * shape's topic is deleted once measured; see produceRate), so that they are gone before the next
 * shape rather than unlinked on Kafka's core while it is measured; and that its controller waits
 * 10 minutes, not 9 s, before fencing a broker it has not heard from, since Kafka is stopped while
 * Creek is measured (up to a minute, in the sustained group) and a broker fenced on resuming
 * would lose its partitions' leadership at the start of its own turn.
 */
export const KAFKA_OVERRIDES = { 'file.delete.delay.ms': 1000, 'broker.session.timeout.ms': 600_000 };
/** What a broker gets to finish deleting a shape's topic before the next shape (within its own turn, the other stopped). */
const DELETE_SETTLE_MS = 3000;

export async function start(ctx: BenchContext, side: Side, name: string, core = ctx.cores.server): Promise<Target> {
  return side === 'creek' ? startBroker(ctx, `versus-${name}`, { memory: false, core }) : startKafka(core, KAFKA_OVERRIDES);
}

/** Both brokers on each core set, by core set. */
type Brokers = Map<string, Record<Side, Target>>;
/**
 * Measures both sides of shape number `i` (round `round` of it) in turn (alternate), each with every
 * other broker of the group stopped (lib/alone.ts); a side that fails gives null (attempt).
 */
type Turns = <T>(what: string, i: number, sides: Record<Side, Target>, measure: (target: Target, side: Side) => Promise<T>, round?: number) => Promise<Record<Side, T | null>>;

/**
 * Starts both brokers on each of `coreSets` (all of them at once, so that every shape can alternate
 * between them), runs `body`, stops every broker whatever happens.
 */
async function withBrokers(ctx: BenchContext, name: string, coreSets: readonly string[], body: (brokers: Brokers, turns: Turns) => Promise<void>): Promise<void> {
  const started: Target[] = [];
  const brokers: Brokers = new Map();
  try {
    for (const core of coreSets) {
      const suffix = coreSets.length > 1 ? `-cores-${core}` : '';
      const creek = await start(ctx, 'creek', `${name}${suffix}`, core);
      started.push(creek);
      const kafka = await start(ctx, 'kafka', `${name}${suffix}`, core);
      started.push(kafka);
      brokers.set(core, { creek, kafka });
    }
    await body(brokers, (what, i, sides, measure, round) =>
      alternate(i, (side) => attempt(what, side, () => alone(sides[side], started, () => measure(sides[side], side))), round),
    );
  } finally {
    for (const t of started) await t.stop();
  }
}

/** Both brokers on the run's broker cores. */
function withBoth(ctx: BenchContext, name: string, body: (t: Record<Side, Target>, turns: Turns) => Promise<void>): Promise<void> {
  return withBrokers(ctx, name, [ctx.cores.server], (brokers, turns) => body(brokers.get(ctx.cores.server)!, turns));
}

/** `items` (core sets, brokers) in the order shape number `i` measures them: flipped from shape to shape. */
export function inTurn<T>(items: readonly T[], i: number): readonly T[] {
  return i % 2 === 0 ? items : [...items].reverse();
}

/** "core 1" or "cores 0-1". */
export function coresName(core: string): string {
  return `core${/^\d+$/.test(core) ? '' : 's'} ${core}`;
}

/**
 * Measures one shape's throughput on each of the run's core sets (in `order`), adding its figures
 * (labelled with the core set when there is more than one), then each side's gain on every later
 * core set over the first.
 */
async function onEachCoreSet(ctx: BenchContext, group: string, label: string, order: readonly string[], measure: (core: string, scenario: string) => Promise<Record<Side, Rate | null>>): Promise<void> {
  const comparing = ctx.coreSets.length > 1;
  const mibPerSec = new Map<string, Record<Side, number>>();
  for (const core of order) {
    const scenario = comparing ? `${label}, broker on ${coresName(core)}` : label;
    const rates = await measure(core, scenario);
    mibPerSec.set(core, pick(rates, (r) => r.bytesPerSec / MIB));
    add(ctx, group, scenario, `throughput${roundsFor(ctx) > 1 ? ` (best of ${roundsFor(ctx)})` : ''}`, 'MiB/s', mibPerSec.get(core)!, 'throughput');
    add(ctx, group, scenario, 'records', 'records/s', pick(rates, (r) => r.recordsPerSec));
  }
  if (!comparing) return;
  const [first, ...rest] = ctx.coreSets;
  const base = mibPerSec.get(first!)!;
  for (const core of rest) {
    const on = mibPerSec.get(core)!;
    add(ctx, group, label, `throughput on ${coresName(core)} / on ${coresName(first!)}`, '×', { creek: on.creek / base.creek, kafka: on.kafka / base.kafka });
  }
}

/** Runs `measure` on both sides of shape number `i` (round `round` of it), Creek first or second by turns. */
async function alternate<T>(i: number, measure: (side: Side) => Promise<T>, round = 0): Promise<Record<Side, T>> {
  const out: Partial<Record<Side, T>> = {};
  for (const side of creekFirst(i, round) ? SIDES : [...SIDES].reverse()) out[side] = await measure(side);
  return out as Record<Side, T>;
}

/**
 * Throughput of shape number `i`, measured in `rounds` alternations (Creek-Kafka, then Kafka-Creek,
 * ...): each side's best round. Other processes on a shared machine only ever take throughput away,
 * so the best round is the one least disturbed, for both sides alike.
 */
async function bestOf(turns: Turns, rounds: number, i: number, what: string, sides: Record<Side, Target>, measure: (target: Target) => Promise<Rate>): Promise<Record<Side, Rate | null>> {
  const runs: Record<Side, (Rate | null)[]> = { creek: [], kafka: [] };
  for (let r = 0; r < rounds; r++) {
    const got = await turns(what, i, sides, measure, r);
    for (const side of SIDES) runs[side].push(got[side]);
  }
  return { creek: bestRun(runs.creek, (x) => x.bytesPerSec), kafka: bestRun(runs.kafka, (x) => x.bytesPerSec) };
}

/** Alternations per throughput shape: two in a full run (ABBA), one with --quick. */
export const roundsFor = (ctx: BenchContext): number => (ctx.quick ? 1 : 2);

/** The measurement, or null with the failure printed: one side failing must not lose the other's figure. */
export async function attempt<T>(what: string, side: string, measure: () => Promise<T>): Promise<T | null> {
  try {
    return await measure();
  } catch (err) {
    console.log(`  ${what}: ${side} failed: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}`);
    return null;
  }
}

/** One number from each side's result; NaN for a side that failed. */
function pick<T>(r: Record<Side, T | null>, f: (x: T) => number): Record<Side, number> {
  return { creek: r.creek === null ? Number.NaN : f(r.creek), kafka: r.kafka === null ? Number.NaN : f(r.kafka) };
}

function add(ctx: BenchContext, group: string, scenario: string, metric: string, unit: string, v: Record<Side, number>, kind?: VersusKind): void {
  ctx.results.add(group, { scenario, metric, value: v.creek, unit, kafka: { value: v.kafka, ...(kind ? { kind } : {}) } });
}

/** Connections of every throughput load, split among the leaders of a cluster's partitions. */
const CONNECTIONS = 4;
/** Requests in flight per connection of the 16 KiB-batch shapes. */
const DEPTH = 16;
/**
 * Produce before a full run's first shape, on each broker: with 3 s, Kafka's figures still rose
 * along the run (its JIT compiles on the same single core), favouring whichever shapes come last.
 */
const WARM_UP_MS = 10_000;

/** A produce shape: partitions, acks, the batch a request carries per partition, requests in flight per connection. */
export interface ProduceShape {
  partitions: number;
  acks: number;
  batch: Batch;
  depth: number;
}

/**
 * Produce throughput of `shape` on a fresh `topic` of the broker or cluster on `port`, each
 * partition produced to its leader; the topic is deleted afterwards.
 */
export async function produceRate(port: number, topic: string, shape: ProduceShape, ms: LoadTiming): Promise<LeaderRate> {
  await createTopicsAndWait(port, [{ name: topic, partitions: shape.partitions }]);
  // The dirty pages of earlier measurements are written out first: the kernel's writeback of
  // gigabytes from the shape before otherwise competes with whichever broker comes next.
  await writeBack();
  try {
    return await driveShape(port, topic, shape, ms);
  } finally {
    await deleteTopics(port, [topic]);
    await sleep(DELETE_SETTLE_MS);
  }
}

/** Produces `shape` to `topic` on the broker or cluster on `port`, each partition to its leader. */
function driveShape(port: number, topic: string, shape: ProduceShape, ms: LoadTiming): Promise<LeaderRate> {
  return driveByLeader(port, topic, CONNECTIONS, (share) =>
    driveProduce({ port: share.port, connections: spreadPartitions(share.partitions, share.connections, shape.batch, shape.acks), batch: shape.batch, depth: shape.depth, verify: true, startTogether: share.startTogether, ...ms }),
  );
}

export async function versusStartup(ctx: BenchContext): Promise<void> {
  const rounds = ctx.quick ? 1 : 3;
  const startups: Record<Side, number[]> = { creek: [], kafka: [] };
  const rss: Record<Side, number[]> = { creek: [], kafka: [] };
  const serving: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await alternate(i, async (side) => {
      const t = await start(ctx, side, `startup-${i}`);
      try {
        startups[side].push(t.startupMs);
        if ('servingMs' in t) serving.push(t.servingMs as number);
        await sleep(2000);
        rss[side].push(t.rssMb());
      } finally {
        await t.stop();
      }
    });
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const scenario = `start-up, disk, empty data dir (median of ${rounds})`;
  add(ctx, 'startup', scenario, 'spawn to first accepted connection', 'ms', { creek: median(startups.creek), kafka: median(startups.kafka) }, 'startup');
  add(ctx, 'startup', scenario, 'idle RSS (2 s after start)', 'MiB', { creek: median(rss.creek), kafka: median(rss.kafka) }, 'rss');
  ctx.results.note('startup', scenario, `Kafka: spawn to serving (Metadata lists the broker, group coordinator answers; polled every 500 ms) ${serving.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}; its storage was formatted (kafka-storage format) before the spawn, not counted`);
}

interface Shape {
  acks: number;
  recordSize: number;
  partitions: number;
}

function shapes(quick: boolean): Shape[] {
  if (quick) return [{ acks: 1, recordSize: KIB, partitions: 8 }, { acks: -1, recordSize: 100, partitions: 1 }];
  return [1, -1].flatMap((acks) => [100, KIB].flatMap((recordSize) => [1, 8, 64].map((partitions) => ({ acks, recordSize, partitions }))));
}

const BATCH_BYTES = 16 * KIB;

export async function versusProduce(ctx: BenchContext): Promise<void> {
  const batches = new Map<number, Batch>();
  const batchOf = (recordSize: number): Batch => batches.get(recordSize) ?? batches.set(recordSize, makeBatch({ recordSize, batchBytes: BATCH_BYTES })).get(recordSize)!;
  await withBrokers(ctx, 'produce', ctx.coreSets, async (brokers, turns) => {
    const warm = { warmupMs: 0, durationMs: ctx.quick ? 1000 : WARM_UP_MS };
    for (const targets of brokers.values()) for (const side of SIDES) await produceRate(targets[side].port, 'warm-up', { partitions: 8, acks: 1, batch: batchOf(KIB), depth: DEPTH }, warm);
    for (const [i, s] of shapes(ctx.quick).entries()) {
      const batch = batchOf(s.recordSize);
      const topic = `produce-${i}`;
      const label = `produce disk, acks=${s.acks === -1 ? 'all' : s.acks}, ${sizeLabel(s.recordSize)} records, ${sizeLabel(BATCH_BYTES)} batches, ${s.partitions} partition${s.partitions > 1 ? 's' : ''}`;
      await onEachCoreSet(ctx, 'produce', label, inTurn(ctx.coreSets, i), (core, scenario) =>
        bestOf(turns, roundsFor(ctx), i, scenario, brokers.get(core)!, (target) =>
          produceRate(target.port, topic, { partitions: s.partitions, acks: s.acks, batch, depth: DEPTH }, timing(ctx)),
        ),
      );
    }
  });
}

const FETCH_PARTITIONS = 8;

/** The fetch shape: a topic of 8 partitions, each filled with 1 MiB batches of 1 KiB records, read 1 MiB per partition a request. */
export interface FetchShape {
  label: string;
  batch: Batch;
  /** Batches appended to each partition. */
  perPartition: number;
}

export function fetchShape(ctx: BenchContext): FetchShape {
  const perPartition = ctx.quick ? 8 : 32;
  return {
    label: `fetch disk, ${FETCH_PARTITIONS} partitions × ${perPartition} MiB filled, 1 KiB records, 1 MiB batches, 1 MiB per partition a request`,
    batch: makeBatch({ recordSize: KIB, batchBytes: MIB }),
    perPartition,
  };
}

/** Creates `topic` on the broker or cluster on `port` and fills it as `shape` says, each partition at its leader. */
export async function fillFetchTopic(port: number, topic: string, shape: FetchShape): Promise<void> {
  await createTopicsAndWait(port, [{ name: topic, partitions: FETCH_PARTITIONS }]);
  await Promise.all((await partitionLeaders(port, topic)).map((leader) => fillPartitions(leader.port, leader.partitions, shape.batch, shape.perPartition)));
}

/** Fetch throughput from the start of a filled `topic` (fillFetchTopic), each partition from its leader. */
export function fetchRate(port: number, topic: string, ms: LoadTiming): Promise<LeaderRate> {
  return driveByLeader(port, topic, CONNECTIONS, (share) => driveFetch({ ...share, partitionMaxBytes: MIB, ...ms }));
}

export async function versusFetch(ctx: BenchContext): Promise<void> {
  const shape = fetchShape(ctx);
  await withBrokers(ctx, 'fetch', ctx.coreSets, async (brokers, turns) => {
    for (const targets of brokers.values()) for (const side of SIDES) await fillFetchTopic(targets[side].port, 'fetch', shape);
    // A first pass on each warms both up (and reads the files into the page cache alike).
    for (const targets of brokers.values()) for (const side of SIDES) await fetchRate(targets[side].port, 'fetch', timing(ctx));
    await onEachCoreSet(ctx, 'fetch', shape.label, ctx.coreSets, (core, scenario) =>
      bestOf(turns, roundsFor(ctx), 0, scenario, brokers.get(core)!, (target) => fetchRate(target.port, 'fetch', timing(ctx))),
    );
  });
}

const LATENCY_PARTITIONS = 8;

/** Fixed rates in 16 KiB batches per second, the same for both brokers. */
function latencyRates(quick: boolean): number[] {
  return quick ? [500, 2000] : [500, 1000, 2000, 4000, 8000];
}

export async function versusLatency(ctx: BenchContext): Promise<void> {
  const batch = makeBatch({ recordSize: KIB, batchBytes: 16 * KIB });
  await withBoth(ctx, 'latency', async (targets, turns) => {
    const warm = { warmupMs: 0, durationMs: ctx.quick ? 1000 : WARM_UP_MS };
    for (const side of SIDES) await produceRate(targets[side].port, 'warm-up', { partitions: LATENCY_PARTITIONS, acks: 1, batch, depth: DEPTH }, warm);
    for (const [i, rate] of latencyRates(ctx.quick).entries()) {
      const scenario = `end-to-end latency, disk, acks=1, 1 KiB records, 16 KiB batches, ${LATENCY_PARTITIONS} partitions, ${rate} batches/s (${((rate * batch.bytes.length) / MIB).toFixed(0)} MiB/s)`;
      const results = await turns(scenario, i, targets, async (target) => {
        const topic = `latency-${i}`;
        await createTopicsAndWait(target.port, [{ name: topic, partitions: LATENCY_PARTITIONS }]);
        // Each side starts from a written-back page cache, not from the other side's dirty pages.
        await writeBack();
        return driveLatency({ port: target.port, topic, partitions: LATENCY_PARTITIONS, batch, rate, warmupMs: 1000, durationMs: ctx.quick ? 2000 : 5000 });
      });
      add(ctx, 'latency', scenario, 'p50 produce→delivery', 'ms', pick(results, (r) => r.endToEndMs.percentile(50)));
      add(ctx, 'latency', scenario, 'p99 produce→delivery', 'ms', pick(results, (r) => r.endToEndMs.percentile(99)), 'latency');
      add(ctx, 'latency', scenario, 'p99.9 produce→delivery', 'ms', pick(results, (r) => r.endToEndMs.percentile(99.9)));
      add(ctx, 'latency', scenario, 'p99 produce ack', 'ms', pick(results, (r) => r.produceMs.percentile(99)));
      add(ctx, 'latency', scenario, 'achieved rate', 'MiB/s', pick(results, (r) => r.achievedBytesPerSec / MIB));
    }
  });
}

/** The sustained shape's windows: the first holds the page cache's absorbing of the writes, the rest what follows. */
function sustainedWindows(quick: boolean): { count: number; ms: number } {
  return quick ? { count: 3, ms: 5000 } : { count: 6, ms: 10_000 };
}

/**
 * Produce for a minute instead of seconds: the other shapes end before the kernel writes back what
 * they wrote (it starts at ~10% of memory dirty, ~2.2 GB here, or after 30 s), so they measure
 * writes into a page cache that only absorbs; this one measures both brokers once writeback runs
 * beside them, in consecutive windows on one topic: the first window, and the median of the others.
 */
export async function versusSustained(ctx: BenchContext): Promise<void> {
  const shape: ProduceShape = { partitions: 64, acks: 1, batch: makeBatch({ recordSize: KIB, batchBytes: 16 * KIB }), depth: DEPTH };
  const windows = sustainedWindows(ctx.quick);
  await withBoth(ctx, 'sustained', async (targets, turns) => {
    const seconds = (windows.count * windows.ms) / 1000;
    const scenario = `sustained produce disk, acks=1, 1 KiB records, 16 KiB batches, ${shape.partitions} partitions, ${seconds} s in ${windows.count} windows of ${windows.ms / 1000} s`;
    const results = await turns(scenario, 0, targets, async ({ port }, side) => {
      const topic = 'sustained';
      await createTopicsAndWait(port, [{ name: topic, partitions: shape.partitions }]);
      await writeBack();
      try {
        const rates: number[] = [];
        for (let w = 0; w < windows.count; w++) {
          const rate = await driveShape(port, topic, shape, { warmupMs: w === 0 ? 500 : 0, durationMs: windows.ms });
          rates.push(rate.bytesPerSec / MIB);
        }
        console.log(`  ${side}: ${rates.map((r) => r.toFixed(0)).join(', ')} MiB/s`);
        return rates;
      } finally {
        await deleteTopics(port, [topic]);
        await sleep(DELETE_SETTLE_MS);
      }
    });
    add(ctx, 'sustained', scenario, 'throughput, first window', 'MiB/s', pick(results, (r) => r[0]!));
    add(ctx, 'sustained', scenario, 'throughput, median of the later windows', 'MiB/s', pick(results, (r) => Samples.of(r.slice(1)).percentile(50)), 'throughput');
  });
}

const PARTITIONS_PER_TOPIC = 10;
/** Broker RSS and clean-stop time with many partitions, each created (CreateTopics, 100 topics a request) and written once. */
export async function versusPartitions(ctx: BenchContext): Promise<void> {
  const count = ctx.quick ? 1000 : 10_000;
  const topics = Array.from({ length: count / PARTITIONS_PER_TOPIC }, (_, i) => ({ name: `many-${String(i).padStart(4, '0')}`, partitions: PARTITIONS_PER_TOPIC }));
  const batch = makeBatch({ recordSize: 100, batchBytes: KIB });
  const scenario = `${count} partitions (${topics.length} topics × ${PARTITIONS_PER_TOPIC}), disk, one 1 KiB batch written to each`;
  const out = await alternate(0, (side) => attempt(scenario, side, async () => {
    const t = await start(ctx, side, 'partitions');
    let stopMs: number | undefined;
    try {
      console.log(`  ${side}: creating ${count} partitions…`);
      const t0 = performance.now();
      await createTopicsAndWait(t.port, topics, 600_000);
      const createMs = performance.now() - t0;
      console.log(`  ${side}: created in ${(createMs / 1000).toFixed(1)} s; writing a batch to each…`);
      const load = spreadPartitions(topics.flatMap((tp) => partitionsOf(tp.name, tp.partitions)), CONNECTIONS, batch, 1, 100);
      await Promise.all(load.map(async (frames) => {
        const conn = await FrameConnection.open(t.port);
        for (const f of frames) checkProduce(await conn.request(f.frame), f.batches);
        conn.close();
      }));
      await sleep(2000);
      const rss = t.rssMb();
      console.log(`  ${side}: stopping (SIGTERM)…`);
      stopMs = await timedStop(t);
      return { createMs, rss, stopMs };
    } finally {
      if (stopMs === undefined) await t.stop();
    }
  }));
  add(ctx, 'partitions', scenario, 'create all partitions (until every one has a leader)', 'ms', pick(out, (r) => r.createMs));
  add(ctx, 'partitions', scenario, 'RSS', 'MiB', pick(out, (r) => r.rss));
  add(ctx, 'partitions', scenario, 'clean stop (SIGTERM until the process exits)', 'ms', pick(out, (r) => r.stopMs));
}

/** Kafka's own kafka-producer-perf-test / kafka-consumer-perf-test (kafka-tools 4.4.0 main classes), pinned to the client core. */
export async function versusKafkaTools(ctx: BenchContext): Promise<void> {
  const records = ctx.quick ? 200_000 : 1_000_000;
  const recordSize = KIB;
  const topic = 'perf-test';
  const partitions = 8;
  await withBoth(ctx, 'tools', async (targets, turns) => {
    const bootstrap = (target: Target): string => `127.0.0.1:${target.port}`;
    for (const side of SIDES) await createTopicsAndWait(targets[side].port, [{ name: topic, partitions }]);
    const producer = await turns('ProducerPerformance', 0, targets, async (target) =>
      parseProducerPerformance(await runKafkaTool(ctx.cores.client, 'org.apache.kafka.tools.ProducerPerformance', ['--topic', topic, '--num-records', String(records), '--record-size', String(recordSize), '--throughput', '-1', '--bootstrap-server', bootstrap(target)])),
    );
    const scenario = `kafka-producer-perf-test: ${records} × ${sizeLabel(recordSize)} records, ${partitions} partitions, --throughput -1, producer defaults (acks=all, linger.ms=5, batch.size=16384)`;
    add(ctx, 'tools', scenario, 'throughput', 'MiB/s', pick(producer, (r) => r.mibPerSec), 'throughput');
    add(ctx, 'tools', scenario, 'records', 'records/s', pick(producer, (r) => r.recordsPerSec));
    add(ctx, 'tools', scenario, 'p99 send latency (tool)', 'ms', pick(producer, (r) => r.p99Ms));

    const consumer = await turns('ConsumerPerformance', 1, targets, async (target, side) =>
      parseConsumerPerformance(await runKafkaTool(ctx.cores.client, 'org.apache.kafka.tools.ConsumerPerformance', ['--bootstrap-server', bootstrap(target), '--topic', topic, '--num-records', String(records), '--group', `perf-test-${side}`, '--timeout', '60000'])),
    );
    const col = (name: string): Record<Side, number> => pick(consumer, (r) => Number(r[name] ?? Number.NaN));
    const cScenario = `kafka-consumer-perf-test: the same ${records} records, one consumer in a group`;
    add(ctx, 'tools', cScenario, 'fetch throughput (fetch.MB.sec: after the group join)', 'MiB/s', col('fetch.MB.sec'), 'throughput');
    add(ctx, 'tools', cScenario, 'throughput including the group join (MB.sec)', 'MiB/s', col('MB.sec'));
    add(ctx, 'tools', cScenario, 'group join (rebalance.time.ms)', 'ms', col('rebalance.time.ms'));
  });
}
