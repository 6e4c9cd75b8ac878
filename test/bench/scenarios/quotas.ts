// A throttled producer: producer_byte_rate set for the generator's client id with
// AlterClientQuotas, then one connection produces flat out (acks=1, 64 KiB batches, 4 requests in
// flight) and the rate the broker lets through is compared with the quota. The quota counts
// produce request bytes, so that is what is measured here.
//
// Kafka's rate over 11 one-second windows lets a new client burst about ten windows' worth before
// throttling it, and when that burst's window expires 11 s later the client may burst again: a
// flat-out client moves in a cycle of about 11 s. So the warm-up passes the first burst and the
// rate is measured over four cycles (44 s): a cycle stretched by a late mute or a window boundary
// (on a loaded machine) shifts the bursts against the span, and over two cycles that moved the
// figure by up to 20%; over four, a burst more or less inside the span weighs half as much.
import { decodeResponse, encodeRequest } from '../../../protocol/codec/messages.js';
import { driveProduce, partitionsOf, spreadPartitions } from '../lib/drivers.js';
import { FrameConnection } from '../lib/frame-connection.js';
import { MIB } from '../lib/stats.js';
import { CLIENT_ID, makeBatch } from '../lib/workload.js';
import { createTopics } from './produce.js';
import { KIB, startBroker, type BenchContext } from './context.js';

const TOPIC = 'bench';
/** The span of Kafka's quota samples (quota.window.num × quota.window.size.seconds): the burst cycle. */
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
      const rate = await driveProduce({ port: broker.port, connections, batch, depth: 4, verify: true, warmupMs: 12_000, durationMs: (ctx.quick ? 1 : 4) * CYCLE_MS });
      const achieved = (rate.bytesPerSec * requestBytes) / batch.bytes.length;
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
