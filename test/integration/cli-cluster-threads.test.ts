// `creek cluster --threads`: brokers as threads of one process, no etcd. They serve as one cluster
// (leaders on every broker, replication between them, a consumer group), a kill -9 of the process
// loses and duplicates nothing acknowledged, running it again resumes the same cluster, Ctrl-C
// stops it and frees every port, and a broker that cannot start fails the command with its reason.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { expectLeaderHoldsEveryAcknowledged, startAckedProducer } from '../helpers/acked-producer.js';
import { kafkaFor, produceAndConsume, tempDir } from '../helpers/broker.js';
import { endRunning, spawnCli, type CliProcess } from '../helpers/cli.js';
import { consecutiveFreeLoopbackPorts, loopbackPortFree } from '../../src/server/free-port.js';

const data = tempDir('creek-cli-cluster-threads-');
const started: CliProcess[] = [];
afterAll(async () => {
  await endRunning(started, 'SIGKILL');
  data.remove();
});

function startThreads(args: string[]): CliProcess {
  const cli = spawnCli(['cluster', '--threads', '--log-level', 'warn', ...args]);
  started.push(cli);
  return cli;
}

const TOPIC = 'spread';
const PARTITIONS = 4;

/** Each partition's leader, from the cluster's metadata. */
async function leaders(bootstrap: string): Promise<Map<number, number>> {
  const admin = kafkaFor({ bootstrap }).admin();
  await admin.connect();
  const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  await admin.disconnect();
  return new Map(topics[0]!.partitions.map((p) => [p.partitionId, p.leader]));
}

describe('creek cluster --threads', () => {
  it('refuses --etcd, and a data dir of the other form of cluster', async () => {
    const bad = spawnCli(['cluster', '--threads', '--etcd', 'http://127.0.0.1:2379']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('--threads keeps the cluster state in the data dir: it takes no --etcd');

    const etcdForm = `${data.path}/etcd-form`;
    mkdirSync(`${etcdForm}/broker-1`, { recursive: true });
    const threadsOnEtcdData = spawnCli(['cluster', '--threads', '--port', '0', '--data-dir', etcdForm]);
    expect(await threadsOnEtcdData.exited).toBe(2);
    expect(threadsOnEtcdData.output()).toContain(`${etcdForm} holds the brokers of a cluster on etcd: run it without --threads, or give another --data-dir`);
    const threadsForm = `${data.path}/threads-form`;
    mkdirSync(threadsForm);
    writeFileSync(`${threadsForm}/cluster.id`, 'AAAAAAAAAAAAAAAAAAAAAA\n');
    const etcdOnThreadsData = spawnCli(['cluster', '--data-dir', threadsForm]);
    expect(await etcdOnThreadsData.exited).toBe(2);
    expect(etcdOnThreadsData.output()).toContain(`${threadsForm} holds a cluster of broker threads: run it with --threads, or give another --data-dir`);
  });

  it('serves as one cluster, keeps every acknowledged record once across kill -9, and resumes the same cluster', async () => {
    const port = await consecutiveFreeLoopbackPorts(2);
    const args = ['--brokers', '2', '--port', String(port), '--data-dir', `${data.path}/cluster`];
    const first = startThreads(args);
    const [, servers] = await first.waitFor(/Creek cluster is ready: bootstrap (\S+) /);
    expect(servers).toBe(`127.0.0.1:${port},127.0.0.1:${port + 1}`);
    // Clients find the second broker from the first.
    const bootstrap = `127.0.0.1:${port}`;

    const admin = kafkaFor({ bootstrap }).admin();
    await admin.connect();
    const described = await admin.describeCluster();
    expect(described.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2]);
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 2 }], waitForLeaders: true });
    await admin.disconnect();
    // Leadership spreads over both brokers: each thread takes its share of the load.
    expect(new Set((await leaders(bootstrap)).values())).toEqual(new Set([1, 2]));
    expect(await produceAndConsume(kafkaFor({ bootstrap }), 'grouped', ['x', 'y', 'z'])).toEqual(['x', 'y', 'z']);

    // Acknowledged (acks=all) records on every partition while the process is killed and started again.
    const kafka = kafkaFor({ bootstrap }, 'acked', { retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 500 } });
    const producers = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => startAckedProducer(kafka, TOPIC, p)));
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    await first.exited;
    const again = startThreads(args);
    await again.waitFor(/Creek cluster is ready/);
    await new Promise((r) => setTimeout(r, 1000));
    await Promise.all(producers.map((p) => p.stop()));

    const leaderOf = await leaders(bootstrap);
    for (let p = 0; p < PARTITIONS; p++) {
      expect(producers[p]!.acknowledged.length).toBeGreaterThan(0);
      await expectLeaderHoldsEveryAcknowledged({ port: port + leaderOf.get(p)! - 1 }, TOPIC, producers[p]!.acknowledged, p);
    }

    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
    for (const p of [port, port + 1]) expect(await loopbackPortFree(p)).toBe(true);
  }, 120_000);

  it('takes consecutive free ports for --port 0', async () => {
    const cli = startThreads(['--brokers', '2', '--port', '0', '--data-dir', `${data.path}/port-0`]);
    const [, first, second] = await cli.waitFor(/bootstrap 127\.0\.0\.1:(\d+),127\.0\.0\.1:(\d+) /);
    expect(Number(second)).toBe(Number(first) + 1);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  }, 60_000);

  it('gives every broker each listener of a listeners override, ports counted up from the first broker\'s (0: free ones)', async () => {
    const listeners = 'PLAINTEXT://127.0.0.1:0,OTHER://127.0.0.1:0';
    const cli = startThreads(['--brokers', '2', '--data-dir', `${data.path}/listeners`, '--override', `listeners=${listeners}`, '--override', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT']);
    const [, plain, other] = await cli.waitFor(/bootstrap (\S+) .*; listeners PLAINTEXT:\/\/\S+ OTHER:\/\/([^\s;]+);/);
    const [first, second] = other!.split(',').map((a) => Number(a.split(':')[1]));
    expect(second).toBe(first! + 1);
    // A client of the OTHER listener is given both brokers' OTHER addresses.
    const admin = kafkaFor({ bootstrap: other!.split(',')[1]! }).admin();
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    await admin.disconnect();
    expect(brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual(other!.split(',').sort());
    expect(plain!.split(',')).toHaveLength(2);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);

    const both = spawnCli(['cluster', '--threads', '--port', '9092', '--override', `listeners=${listeners}`]);
    expect(await both.exited).toBe(2);
    expect(both.output()).toContain('--port and a listeners override both give the ports: use one of them');
  }, 60_000);

  it('fails with the reason when a broker cannot start, and stops the others', async () => {
    const port = await consecutiveFreeLoopbackPorts(2);
    // The second broker's port is taken.
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port + 1, '127.0.0.1', resolve));
    try {
      const cli = startThreads(['--brokers', '2', '--port', String(port), '--data-dir', `${data.path}/taken`]);
      expect(await cli.exited).toBe(1);
      expect(cli.output()).toMatch(/the brokers did not start: broker 2 failed to start: .*EADDRINUSE/);
      expect(await loopbackPortFree(port)).toBe(true);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 60_000);
});
