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
import { driveProduce, partitionsOf, spreadPartitions } from '../lib/drivers.js';
import { FrameConnection } from '../lib/frame-connection.js';
import { rateOverCycles } from '../lib/quota-cycles.js';
import { MIB } from '../lib/stats.js';
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
      const connections = spreadPartitions(partitionsOf(TOPIC, 1), 1, batch, 1);
      const requestBytes = connections[0]![0]!.frame.length - 4;
      const answeredAt: number[] = [];
      const measure = (untilMs: number) => rateOverCycles(answeredAt, requestBytes, quota, warmupMs, untilMs, cycles);
      // One connection flat out, 4 requests in flight, until the cycles are in or two more have had their time.
      await driveProduce({
        port: broker.port,
        connections,
        batch,
        depth: 4,
        warmupMs: 0,
        durationMs: warmupMs + (cycles + 2) * CYCLE_MS,
        verify: true,
        onAnswer: (atMs) => answeredAt.push(atMs),
        endWhen: (nowMs) => measure(nowMs) !== undefined,
      });
      const endMs = answeredAt.at(-1) ?? 0;
      const cycleRate = measure(endMs);
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
