// `npm run bench -- --only cores` (with --against kafka, Kafka too): whether a broker's throughput
// grows with the cores it is given. One Creek broker does its work on one event loop, so a second
// core gives it little; `creek cluster --threads` runs brokers as threads of one process, each
// leading its share of the partitions on a loop of its own. Measured, each pinned with taskset
// (the generator stays on its core): Creek, one broker, on the one-core set (the run's broker core)
// and on the two-core set (--two-cores; by default that core and the generator's, which the
// brokers then share); two Creek brokers as threads on the two-core set; with --against kafka,
// Kafka on each set. All run for the whole group and every shape is measured on each in turn (the
// others stopped meanwhile: lib/alone.ts), the order flipped from shape to shape and from round to
// round, so that the machine's other load falls on all alike. Each partition's load goes to its leader, 4 connections in all split among the
// leaders, and each leader's load warms up by bytes as a single broker's does (every broker thread
// has a heap and a JIT of its own). Printed: each configuration's MiB/s, and what the second core
// gave each broker.
import { deleteTopics } from '../lib/topics.js';
import type { LeaderRate } from '../lib/by-leader.js';
import { alone } from '../lib/alone.js';
import { startKafka } from '../lib/kafka.js';
import { MIB } from '../lib/stats.js';
import { bestRun } from '../lib/versus.js';
import { makeBatch } from '../lib/workload.js';
import { KIB, startBroker, startThreadCluster, targetTiming, type BenchContext } from './context.js';
import { depthFor, pointLabel, type ProducePoint } from './produce.js';
import { KAFKA_OVERRIDES, attempt, coresName, fetchRate, fetchShape, fillFetchTopic, inTurn, produceRate, roundsFor, type Target } from './versus.js';

const GROUP = 'cores';
const THREADS = 2;
const FETCH_TOPIC = 'cores-fetch';

type ConfigurationKey = 'creek-one' | 'creek-two' | 'threads' | 'kafka-one' | 'kafka-two';

interface Configuration {
  key: ConfigurationKey;
  name: string;
  /** The brokers it runs: the leaders a topic's partitions must be spread over. */
  brokers: number;
  start(): Promise<Target>;
}

interface Running extends Configuration {
  target: Target;
}

function configurations(ctx: BenchContext, kafka: boolean): Configuration[] {
  const one = ctx.cores.server;
  const two = ctx.twoCores;
  const creek = (key: ConfigurationKey, core: string): Configuration => ({ key, name: `Creek 1 broker on ${coresName(core)}`, brokers: 1, start: () => startBroker(ctx, `cores-${key}`, { memory: false, core }) });
  const kafkaOn = (key: ConfigurationKey, core: string): Configuration => ({ key, name: `Kafka on ${coresName(core)}`, brokers: 1, start: () => startKafka(core, KAFKA_OVERRIDES) });
  return [
    creek('creek-one', one),
    creek('creek-two', two),
    { key: 'threads', name: `Creek ${THREADS} brokers as threads on ${coresName(two)}`, brokers: THREADS, start: () => startThreadCluster(ctx, 'cores-threads', { brokers: THREADS, core: two }) },
    ...(kafka ? [kafkaOn('kafka-one', one), kafkaOn('kafka-two', two)] : []),
  ];
}

/** The gains printed for every shape (those whose configurations ran); the thread cluster's is the one judged. */
const GAINS: readonly { of: ConfigurationKey; over: ConfigurationKey; judged: boolean }[] = [
  { of: 'threads', over: 'creek-one', judged: true },
  { of: 'creek-two', over: 'creek-one', judged: false },
  { of: 'kafka-two', over: 'kafka-one', judged: false },
];

const GROWS = { text: '> 1 (throughput grows with cores)', met: (f: { value: number }) => f.value > 1 };

function produceShapes(): ProducePoint[] {
  return [
    { acks: 1, recordSize: KIB, batchBytes: 16 * KIB, partitions: 8 },
    { acks: 1, recordSize: KIB, batchBytes: 16 * KIB, partitions: 64 },
    { acks: 1, recordSize: KIB, batchBytes: MIB, partitions: 8 },
    { acks: 1, recordSize: 100, batchBytes: 16 * KIB, partitions: 64 },
  ];
}

/** Starts every configuration, runs `body`, stops every one started whatever happens. */
async function withConfigurations(configs: readonly Configuration[], body: (running: Running[]) => Promise<void>): Promise<void> {
  const running: Running[] = [];
  try {
    for (const c of configs) running.push({ ...c, target: await c.start() });
    await body(running);
  } finally {
    for (const r of running) await r.target.stop();
  }
}

/**
 * Measures shape number `i` on every configuration, in turn, for the run's rounds; adds each
 * configuration's best round and the gains.
 */
async function measureShape(ctx: BenchContext, running: readonly Running[], i: number, label: string, measure: (target: Target) => Promise<LeaderRate>): Promise<void> {
  const rounds = roundsFor(ctx);
  const runs = new Map<ConfigurationKey, (LeaderRate | null)[]>(running.map((r) => [r.key, []]));
  for (let round = 0; round < rounds; round++) {
    for (const r of inTurn(running, i + round)) {
      const rate = await attempt(label, r.name, async () => {
        const got = await alone(r.target, running.map((other) => other.target), () => measure(r.target));
        // A cluster whose partitions all went to one broker would measure one broker's loop.
        if (got.leaders !== r.brokers) throw new Error(`the partitions had ${got.leaders} leader(s), not ${r.brokers}`);
        return got;
      });
      runs.get(r.key)!.push(rate);
    }
  }
  const mibPerSec = new Map(running.map((r) => [r.key, (bestRun(runs.get(r.key)!, (x) => x.bytesPerSec)?.bytesPerSec ?? Number.NaN) / MIB]));
  for (const r of running) ctx.results.add(GROUP, { scenario: label, metric: `${r.name}${rounds > 1 ? ` (best of ${rounds})` : ''}`, value: mibPerSec.get(r.key)!, unit: 'MiB/s' });
  const nameOf = (key: ConfigurationKey): string => running.find((r) => r.key === key)!.name;
  for (const g of GAINS) {
    const of = mibPerSec.get(g.of);
    const over = mibPerSec.get(g.over);
    if (of === undefined || over === undefined) continue;
    ctx.results.add(GROUP, { scenario: label, metric: `gain: ${nameOf(g.of)} / ${nameOf(g.over)}`, value: of / over, unit: '×', ...(g.judged ? { target: GROWS } : {}) });
  }
}

export async function coresScenario(ctx: BenchContext, kafka: boolean): Promise<void> {
  await withConfigurations(configurations(ctx, kafka), async (running) => {
    const shapes = produceShapes();
    for (const [i, point] of shapes.entries()) {
      const shape = { partitions: point.partitions, acks: point.acks, batch: makeBatch(point), depth: depthFor(point.batchBytes) };
      await measureShape(ctx, running, i, `produce disk, ${pointLabel(point)}`, (t) => produceRate(t.port, `cores-${i}`, shape, targetTiming(ctx)));
    }
    const fetch = fetchShape(ctx);
    for (const r of running) await fillFetchTopic(r.target.port, FETCH_TOPIC, fetch);
    await measureShape(ctx, running, shapes.length, fetch.label, (t) => fetchRate(t.port, FETCH_TOPIC, targetTiming(ctx)));
    for (const r of running) await deleteTopics(r.target.port, [FETCH_TOPIC]);
  });
}
