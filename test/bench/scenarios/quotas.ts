// A throttled producer: producer_byte_rate set for the generator's client id with
// AlterClientQuotas, then one connection produces flat out (acks=1, 64 KiB batches, 4 requests in
// flight) and the rate the broker lets through is compared with the quota. The quota counts
// produce request bytes, so that is what is measured here.
//
// Kafka's rate over 11 one-second windows lets a client whose windows are empty burst about ten
// windows' worth before throttling it; once that burst's window expires, 11 s later, it may burst
// again. A flat-out client so moves in cycles of about 11 s: a burst of ~10 s of quota in a fraction
// of a second, then one request every second or so. A span of fixed length holds three bursts or
// four depending on where it starts (0.75x or 1.0x the quota over 44 s), so the rate is measured
// over whole cycles instead, from one burst's start to a later one's: each cycle is a renewal of
// the same pattern, so that is the long-run rate the quota enforces.
import { decodeResponse, encodeRequest } from '../../../protocol/codec/messages.js';
import { checkProduce, partitionsOf, spreadPartitions, type ProduceRequestFrame } from '../lib/drivers.js';
import { FrameConnection } from '../lib/frame-connection.js';
import { rateOverCycles } from '../lib/quota-cycles.js';
import { MIB, sleep } from '../lib/stats.js';
import { CLIENT_ID, makeBatch } from '../lib/workload.js';
import { createTopics } from './produce.js';
import { KIB, startBroker, type BenchContext } from './context.js';

const TOPIC = 'bench';
/** The span of Kafka's quota samples (quota.window.num × quota.window.size.seconds): about a burst cycle. */
const CYCLE_MS = 11_000;

async function setProducerByteRate(port: number, bytesPerSec: number): Promise<void> {
  const conn = await FrameConnection.open(port);
  try {
    const frame = encodeRequest(49, 1, 1, 'creek-bench-admin', {
      entries: [{ entity: [{ entityType: 'client-id', entityName: CLIENT_ID }], ops: [{ key: 'producer_byte_rate', value: bytesPerSec, remove: false }] }],
      validateOnly: false,
    });
    const { body } = decodeResponse(49, 1, await conn.request(frame));
    const refused = body.entries.find((e) => e.errorCode !== 0);
    if (refused) throw new Error(`AlterClientQuotas refused: ${refused.errorCode} ${refused.errorMessage ?? ''}`);
  } finally {
    conn.close();
  }
}

/** One connection producing `frame` flat out, `depth` requests in flight, until `enough` (checked every 100 ms) or `capMs`: each answer's time, ms from the start. */
async function produceFlatOut(port: number, frame: ProduceRequestFrame, depth: number, enough: (answeredAt: readonly number[], nowMs: number) => boolean, capMs: number): Promise<number[]> {
  const conn = await FrameConnection.open(port);
  const answeredAt: number[] = [];
  const t0 = performance.now();
  let stopped = false;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      await conn.request(frame.frame, (response) => checkProduce(response, frame.batches));
      answeredAt.push(performance.now() - t0);
    }
  };
  const loops = Promise.all(Array.from({ length: depth }, loop));
  let failed = false;
  loops.catch(() => (failed = true));
  try {
    while (!failed && performance.now() - t0 < capMs && !enough(answeredAt, performance.now() - t0)) await sleep(100);
  } finally {
    stopped = true;
  }
  await loops;
  conn.close();
  return answeredAt;
}

export async function quotasScenario(ctx: BenchContext): Promise<void> {
  const batch = makeBatch({ recordSize: KIB, batchBytes: 64 * KIB });
  // The first burst, from empty windows, is passed: the cycles measured start after it.
  const warmupMs = 2_000;
  const cycles = ctx.quick ? 1 : 3;
  for (const quota of ctx.quick ? [MIB] : [MIB, 5 * MIB]) {
    const broker = await startBroker(ctx, `quotas-${quota}`, {
      memory: true,
      overrides: { 'num.partitions': 1, 'log.retention.bytes': 256 * MIB, 'log.segment.bytes': 64 * MIB, 'log.retention.check.interval.ms': 1000 },
    });
    try {
      await createTopics(broker.port, [TOPIC]);
      await setProducerByteRate(broker.port, quota);
      const frame = spreadPartitions(partitionsOf(TOPIC, 1), 1, batch, 1)[0]![0]!;
      const requestBytes = frame.frame.length - 4;
      const measure = (answeredAt: readonly number[], untilMs: number) => rateOverCycles(answeredAt, requestBytes, quota, warmupMs, untilMs, cycles);
      const answeredAt = await produceFlatOut(broker.port, frame, 4, (times, nowMs) => measure(times, nowMs) !== undefined, warmupMs + (cycles + 2) * CYCLE_MS);
      const endMs = answeredAt.at(-1) ?? 0;
      const cycleRate = measure(answeredAt, endMs);
      // Without bursts to align to (a broker that throttles otherwise, or not at all), the whole span after the warm-up.
      const achieved = cycleRate?.bytesPerSec ?? (answeredAt.filter((t) => t >= warmupMs).length * requestBytes * 1000) / Math.max(1, endMs - warmupMs);
      if (cycleRate) console.log(`    ${cycles} burst cycles from ${(cycleRate.boundaries[0]! / 1000).toFixed(1)} s: ${cycleRate.boundaries.slice(1).map((b, i) => ((b - cycleRate.boundaries[i]!) / 1000).toFixed(1)).join(', ')} s`);
      else console.log(`    no ${cycles} whole burst cycles within ${(endMs / 1000).toFixed(0)} s: measured from ${warmupMs / 1000} s to the end`);
      ctx.results.add('quotas', {
        scenario: `producer_byte_rate ${quota / MIB} MiB/s, one producer flat out (acks=1, 64 KiB batches)`,
        metric: 'achieved rate',
        value: achieved / MIB,
        unit: 'MiB/s',
        ceiling: { name: 'the quota', value: quota / MIB },
        target: { text: 'within 10% of the quota', met: ({ ratio }) => ratio !== null && Math.abs(ratio - 1) <= 0.1 },
      });
      console.log(`    deviation from the quota: ${(((achieved - quota) / quota) * 100).toFixed(2)}%`);
    } finally {
      await broker.stop();
    }
  }
}
