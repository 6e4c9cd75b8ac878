// Durability soak: real `creek` processes under idempotent acks=all producers while random faults
// hit them for SOAK_MINUTES (default 10) — then every acknowledged record must be in each
// partition exactly once, in order, at offsets never reused or skipped.
// - A three-broker cluster on a real etcd (replication factor 3, min.insync.replicas=2): brokers
//   SIGKILLed and started again at once or after a while, two at a time, the controller, stopped
//   with SIGTERM, SIGSTOPped past their lease and resumed. At the end each replica of each
//   partition leads in turn (replica order changed by a reassignment, then a preferred election)
//   and is read and checked on its own.
// - One broker SIGKILLed every few seconds and started again on its data dir.
// Not part of `npm test`: `npm run soak` (both), `npm run soak -- -t cluster` (one). It prints what
// it did. Needs etcd-server for the cluster part.
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { expectLeaderHoldsEveryAcknowledged, startAckedProducer, type AckedProducer } from '../helpers/acked-producer.js';
import { tempDir } from '../helpers/broker.js';
import { spawnCli, type CliProcess } from '../helpers/cli.js';
import { freePorts, requireEtcd } from '../helpers/etcd.js';
import { startProcessCluster, type ProcessCluster } from '../helpers/process-cluster.js';
import { RawClient } from '../helpers/raw-client.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const SOAK_MS = MINUTES * 60_000;
/** The faults' run, then starts, elections and reads: a few minutes beyond it. */
const TIMEOUT_MS = SOAK_MS + 10 * 60_000;
const LEASE_TTL_MS = 2000;
const PARTITIONS = 3;
const TOPIC = 'soak';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const random = (n: number): number => Math.floor(Math.random() * n);
const say = (line: string): void => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
const counts = (producers: readonly AckedProducer[]): string => producers.map((p) => p.acknowledged.length).join('/');

/** One producer per partition, each sending one record at a time. */
async function producePerPartition(kafka: Kafka): Promise<AckedProducer[]> {
  const producers: AckedProducer[] = [];
  for (let p = 0; p < PARTITIONS; p++) producers.push(await startAckedProducer(kafka, TOPIC, p));
  return producers;
}

async function stopAll(producers: readonly AckedProducer[]): Promise<void> {
  for (const p of producers) await p.stop();
  say(`producers stopped: ${counts(producers)} records acknowledged, ${producers.map((p) => p.failed).join('/')} sends given up by the client`);
}

describe.skipIf(requireEtcd())('a cluster on etcd under random faults', () => {
  it(`loses and duplicates nothing acknowledged in ${MINUTES} min of kills, stops and pauses`, { timeout: TIMEOUT_MS }, async () => {
    const cluster = await startProcessCluster({ brokers: 3, leaseTtlMs: LEASE_TTL_MS, overrides: { 'log.segment.bytes': 1024 * 1024, 'offsets.topic.num.partitions': 3 } });
    try {
      const kafka = new Kafka({ clientId: 'soak', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
      const admin = kafka.admin();
      await admin.connect();
      // Each partition prefers another broker, so every broker leads one.
      const replicaAssignment = Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, replicas: cluster.nodeIds.map((_, i) => cluster.nodeIds[(p + i) % cluster.nodeIds.length]!) }));
      await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
      await allInSync(cluster);
      const producers = await producePerPartition(kafka);
      const faults = new Map<string, number>();
      for (const end = Date.now() + SOAK_MS; Date.now() < end; ) {
        const fault = await injectFault(cluster);
        faults.set(fault.kind, (faults.get(fault.kind) ?? 0) + 1);
        say(`${fault.what}; acknowledged so far ${counts(producers)}`);
        await allInSync(cluster);
        await sleep(500 + random(2000));
      }
      await stopAll(producers);
      say(`faults: ${[...faults].map(([kind, n]) => `${n} × ${kind}`).join(', ')}`);
      for (let p = 0; p < PARTITIONS; p++) {
        for (const leader of cluster.nodeIds) {
          await leadBy(cluster, admin, p, leader);
          const read = await expectLeaderHoldsEveryAcknowledged({ port: cluster.port(leader) }, TOPIC, producers[p]!.acknowledged, p);
          say(`partition ${p}, read from broker ${leader} leading it: ${read.length} records, every acknowledged one once, in order`);
        }
      }
      await admin.disconnect();
    } finally {
      await cluster.close();
    }
  });
});

describe('one broker under kill -9', () => {
  it(`loses and duplicates nothing acknowledged in ${MINUTES} min of SIGKILLs and restarts`, { timeout: TIMEOUT_MS }, async () => {
    const [port] = await freePorts(1);
    const dir = tempDir('creek-soak-');
    const args = ['--port', String(port), '--data-dir', dir.path, '--log-format', 'json', '--http-port', '-1', '--override', 'log.segment.bytes=1048576'];
    let broker: CliProcess = spawnCli(args);
    try {
      await broker.waitFor(/Creek is ready/);
      const kafka = new Kafka({ clientId: 'soak', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 100, initialRetryTime: 50, maxRetryTime: 300 } });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
      await admin.disconnect();
      const producers = await producePerPartition(kafka);
      let kills = 0;
      for (const end = Date.now() + SOAK_MS; Date.now() < end; ) {
        await sleep(300 + random(3000));
        broker.child.kill('SIGKILL');
        await broker.exited;
        kills++;
        if (kills % 25 === 0) say(`${kills} kills; acknowledged so far ${counts(producers)}`);
        await sleep(random(500));
        broker = spawnCli(args);
        await broker.waitFor(/Creek is ready/);
      }
      await stopAll(producers);
      say(`${kills} kills`);
      for (let p = 0; p < PARTITIONS; p++) {
        const read = await expectLeaderHoldsEveryAcknowledged({ port }, TOPIC, producers[p]!.acknowledged, p);
        say(`partition ${p}: ${read.length} records, every acknowledged one once, in order`);
      }
    } finally {
      broker.child.kill('SIGKILL');
      await broker.exited;
      dir.remove();
    }
  });
});

/** A random fault and the broker's return from it; answers its kind and what it did. */
async function injectFault(cluster: ProcessCluster): Promise<{ kind: string; what: string }> {
  const ids = cluster.nodeIds;
  const victim = ids[random(ids.length)]!;
  switch (random(6)) {
    case 0:
      await cluster.kill(victim);
      // At once, as a supervisor restarts it: it waits for its previous run's registration.
      await cluster.start(victim);
      return { kind: 'SIGKILL, started again at once', what: `SIGKILL of broker ${victim}, started again at once` };
    case 1: {
      await cluster.kill(victim);
      const down = 500 + random(5000);
      await sleep(down);
      await cluster.start(victim);
      return { kind: 'SIGKILL, started again later', what: `SIGKILL of broker ${victim}, started again ${down} ms later` };
    }
    case 2: {
      const other = ids[(ids.indexOf(victim) + 1) % ids.length]!;
      await cluster.kill(victim);
      await sleep(random(1500));
      await cluster.kill(other);
      await sleep(500 + random(3000));
      await cluster.start(victim);
      await cluster.start(other);
      return { kind: 'SIGKILL of two brokers', what: `SIGKILL of brokers ${victim} and ${other}` };
    }
    case 3: {
      cluster.pause(victim);
      const paused = LEASE_TTL_MS + 500 + random(3000);
      await sleep(paused);
      cluster.resume(victim);
      return { kind: 'SIGSTOP past the lease', what: `SIGSTOP of broker ${victim} for ${paused} ms, past its lease` };
    }
    case 4:
      await cluster.stop(victim);
      await sleep(random(3000));
      await cluster.start(victim);
      return { kind: 'SIGTERM', what: `SIGTERM of broker ${victim}` };
    default: {
      const controller = (await cluster.controllerId()) ?? victim;
      await cluster.kill(controller);
      await sleep(500 + random(3000));
      await cluster.start(controller);
      return { kind: 'SIGKILL of the controller', what: `SIGKILL of the controller, broker ${controller}` };
    }
  }
}

async function allInSync(cluster: ProcessCluster): Promise<void> {
  for (let p = 0; p < PARTITIONS; p++) await cluster.waitFor(TOPIC, p, (v) => v.isr.length === cluster.nodeIds.length && v.leaderId >= 0, 'every replica in sync');
}

/** Makes `leader` the partition's preferred replica (a reassignment that only reorders) and elects it. */
async function leadBy(cluster: ProcessCluster, admin: ReturnType<Kafka['admin']>, partition: number, leader: number): Promise<void> {
  const replicas = [leader, ...cluster.nodeIds.filter((id) => id !== leader)];
  await admin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: [{ partition, replicas }] }] });
  await cluster.waitFor(TOPIC, partition, (v) => v.replicas.join() === replicas.join(), `replicas ordered ${replicas.join()}`);
  const client = await RawClient.connect('127.0.0.1', cluster.port(leader));
  try {
    const res = await client.send(43, 2, { electionType: 0, topicPartitions: [{ topic: TOPIC, partitions: [partition] }], timeoutMs: 10_000 });
    expect([ErrorCode.NONE, ErrorCode.ELECTION_NOT_NEEDED]).toContain(res.replicaElectionResults[0].partitionResult[0].errorCode);
  } finally {
    client.close();
  }
  await cluster.waitFor(TOPIC, partition, (v) => v.leaderId === leader, `led by broker ${leader}`);
}
