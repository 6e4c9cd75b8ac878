// Failover in cluster mode: three `creek --etcd` processes on a real etcd (Debian's etcd-server),
// a topic of one partition with replication factor 3 and min.insync.replicas=2, and a kafkajs
// producer sending acks=all one record at a time. Each round SIGKILLs the partition's leader and
// measures, from the kill, (a) until a surviving broker reports a new leader and (b) until the
// first record whose send began after the kill is acknowledged (only the new leader can); then the
// killed broker is started again and waits to rejoin the ISR. Medians over the rounds, for the
// default lease (creek.etcd.lease.ttl.ms) and lower ones. Most of the time is the lease running
// out: a dead broker is noticed when etcd expires its lease. The brokers (run through tsx, as the
// tests run them) share the generator's core: the times measured are lease and election, not CPU.
import { Kafka, logLevel } from 'kafkajs';
import { requireEtcd } from '../../helpers/etcd.js';
import { startProcessCluster } from '../../helpers/process-cluster.js';
import { Samples, sleep } from '../lib/stats.js';
import type { BenchContext } from './context.js';

const DEFAULT_LEASE_MS = 6000;
const TOPIC = 'failover';

function median(values: number[]): number {
  const samples = new Samples();
  for (const v of values) samples.add(v);
  return samples.percentile(50);
}

interface Round {
  electedMs: number;
  ackedMs: number;
}

export async function failoverScenario(ctx: BenchContext): Promise<void> {
  if (requireEtcd()) {
    ctx.results.note('failover', 'failover', 'skipped: etcd is not installed (apt-get install etcd-server)');
    return;
  }
  const rounds = ctx.quick ? 1 : 3;
  for (const leaseMs of ctx.quick ? [DEFAULT_LEASE_MS, 2000] : [DEFAULT_LEASE_MS, 2000, 1000]) {
    const measured = await measure(leaseMs, rounds);
    const scenario = `failover, 3 brokers, lease ${leaseMs} ms${leaseMs === DEFAULT_LEASE_MS ? ' (default)' : ''}`;
    ctx.results.add('failover', { scenario, metric: `leader SIGKILLed → new leader reported (median of ${rounds})`, value: median(measured.map((r) => r.electedMs)), unit: 'ms' });
    ctx.results.add('failover', {
      scenario,
      metric: `leader SIGKILLed → first acks=all produce acknowledged by the new leader (median of ${rounds})`,
      value: median(measured.map((r) => r.ackedMs)),
      unit: 'ms',
      ...(leaseMs === DEFAULT_LEASE_MS ? { target: { text: '< 10 s', met: (f: { value: number }) => f.value < 10_000 } } : {}),
    });
  }
}

async function measure(leaseMs: number, rounds: number): Promise<Round[]> {
  const cluster = await startProcessCluster({ brokers: 3, leaseTtlMs: leaseMs });
  const kafka = new Kafka({ clientId: 'bench-failover', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 1000, initialRetryTime: 20, maxRetryTime: 100 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  let sending = true;
  /** When each acknowledged send began and was acknowledged (performance.now()). */
  const acks: { sent: number; acked: number }[] = [];
  let loop: Promise<void> | undefined;
  try {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    await admin.disconnect();
    await cluster.waitFor(TOPIC, 0, (p) => p.leaderId >= 0 && p.isr.length === 3, 'all replicas in sync');
    await producer.connect();
    loop = (async () => {
      while (sending) {
        const sent = performance.now();
        try {
          await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'x' }] });
          acks.push({ sent, acked: performance.now() });
        } catch {
          // Retries ran out mid-failover: the next send tries again.
        }
      }
    })();
    const measured: Round[] = [];
    for (let round = 0; round < rounds; round++) {
      const { leaderId } = await cluster.waitFor(TOPIC, 0, (p) => p.leaderId >= 0 && p.isr.length === 3, 'all replicas in sync');
      await sleep(500);
      const killedAt = performance.now();
      await cluster.kill(leaderId);
      await cluster.waitFor(TOPIC, 0, (p) => p.leaderId >= 0 && p.leaderId !== leaderId, 'a new leader');
      const electedMs = performance.now() - killedAt;
      let first: { acked: number } | undefined;
      while ((first = acks.find((a) => a.sent > killedAt)) === undefined) await sleep(5);
      measured.push({ electedMs, ackedMs: first.acked - killedAt });
      console.log(`  lease ${leaseMs} ms, round ${round + 1}: new leader reported after ${electedMs.toFixed(0)} ms, first acknowledged produce after ${(first.acked - killedAt).toFixed(0)} ms`);
      await cluster.start(leaderId);
    }
    return measured;
  } finally {
    sending = false;
    await loop?.catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await cluster.close();
  }
}
