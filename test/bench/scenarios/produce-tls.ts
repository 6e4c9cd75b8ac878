// Produce over TLS: one --memory broker with a PLAINTEXT and an SSL listener (a dev certificate
// made with openssl), the same load (acks=1, 1 KiB records, 4 pipelined connections) driven
// through each in turn after a warm-up pass; the plaintext figure is the reference, so the ratio
// is what TLS costs.
import { driveProduce, partitionsOf, spreadPartitions } from '../lib/drivers.js';
import { freePort } from '../lib/processes.js';
import { MIB } from '../lib/stats.js';
import { makeBatch } from '../lib/workload.js';
import { makeTestCerts } from '../../helpers/tls-certs.js';
import { createTopics, pointLabel, type ProducePoint } from './produce.js';
import { KIB, startBroker, timing, type BenchContext } from './context.js';

const CONNECTIONS = 4;
const TOPIC = 'bench';

export async function produceTlsScenario(ctx: BenchContext): Promise<void> {
  const certs = makeTestCerts({ keytool: false });
  const points: ProducePoint[] = (ctx.quick ? [MIB] : [16 * KIB, MIB]).map((batchBytes) => ({ acks: 1, recordSize: KIB, batchBytes, partitions: 8 }));
  try {
    for (const point of points) {
      const sslPort = await freePort();
      const broker = await startBroker(ctx, `produce-tls-${point.batchBytes}`, {
        memory: true,
        overrides: {
          listeners: `PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:${sslPort}`,
          'ssl.keystore.type': 'PEM',
          'ssl.keystore.location': certs.serverPemFile,
          'num.partitions': point.partitions,
          'log.retention.bytes': 256 * MIB,
          'log.segment.bytes': 64 * MIB,
          'log.retention.check.interval.ms': 1000,
        },
      });
      try {
        await createTopics(broker.port, [TOPIC]);
        const batch = makeBatch(point);
        const load = { connections: spreadPartitions(partitionsOf(TOPIC, point.partitions), CONNECTIONS, batch, point.acks), batch, depth: point.batchBytes >= MIB ? 4 : 16, verify: true, ...timing(ctx) };
        // A first pass is discarded: the broker's first appends and JIT warm-up would otherwise
        // count against whichever listener goes first.
        await driveProduce({ ...load, port: broker.port });
        const plain = await driveProduce({ ...load, port: broker.port });
        const tls = await driveProduce({ ...load, port: sslPort, tls: { ca: certs.ca } });
        ctx.results.add('produce-tls', {
          scenario: `produce memory over TLS, ${pointLabel(point)}`,
          metric: 'throughput',
          value: tls.bytesPerSec / MIB,
          unit: 'MiB/s',
          ceiling: { name: 'same broker over PLAINTEXT', value: plain.bytesPerSec / MIB },
        });
      } finally {
        await broker.stop();
      }
    }
  } finally {
    certs.remove();
  }
}
