// `creek cluster`: etcd and two brokers from one command, on consecutive ports; they serve as one
// cluster (a topic replicated on both, by the default replication factor given with --override), Ctrl-C stops everything, and running it again on the same
// data dir resumes the same cluster. Bad usage and a missing etcd binary fail with a clear line.
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaFor, tempDir } from '../helpers/broker.js';
import { endRunning, spawnCli, type CliProcess } from '../helpers/cli.js';
import { requireEtcd } from '../helpers/etcd.js';
import { consecutiveFreeLoopbackPorts, loopbackPortFree } from '../../src/server/free-port.js';

const noEtcd = requireEtcd();
const data = tempDir('creek-cli-cluster-');
const started: CliProcess[] = [];
afterAll(async () => {
  // A failed test may leave its cluster running: Ctrl-C stops it with its brokers and etcd.
  await endRunning(started, 'SIGINT');
  data.remove();
});

describe('creek cluster', () => {
  it('refuses bad usage and says how to get etcd when it is missing', async () => {
    const bad = spawnCli(['cluster', '--brokers', '0']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('creek: --brokers expects a whole number of at least 1, got "0" (hint: see creek cluster --help)');
    const noBinary = spawnCli(['cluster', '--data-dir', `${data.path}/unused`], { PATH: '/nonexistent' });
    expect(await noBinary.exited).toBe(1);
    expect(noBinary.output()).toContain('creek: etcd is not installed (the etcd binary is not on PATH) (hint: apt-get install etcd-server, or pass --etcd URL of a running etcd)');
  });

  it.skipIf(noEtcd)('starts etcd and brokers on consecutive ports as one cluster, stops them all on Ctrl-C, and resumes the same cluster', async () => {
    const port = await consecutiveFreeLoopbackPorts(2);
    const etcdPort = await consecutiveFreeLoopbackPorts(2);
    const args = ['cluster', '--brokers', '2', '--port', String(port), '--etcd-port', String(etcdPort), '--data-dir', `${data.path}/cluster`, '--log-level', 'warn', '--override', 'default.replication.factor=2'];
    const first = spawnCli(args);
    started.push(first);
    const [, bootstrap] = await first.waitFor(/Creek cluster is ready: bootstrap (\S+) /);
    expect(bootstrap).toBe(`127.0.0.1:${port},127.0.0.1:${port + 1}`);
    expect(first.output()).toContain(`etcd http://127.0.0.1:${etcdPort}`);
    const admin = kafkaFor({ bootstrap: `127.0.0.1:${port + 1}` }).admin();
    await admin.connect();
    // The brokers' --override: replication factor 2 by default.
    await admin.createTopics({ topics: [{ topic: 'both', numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafkaFor({ bootstrap: `127.0.0.1:${port}` }).producer();
    await producer.connect();
    await producer.send({ topic: 'both', acks: -1, messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 1 }, { value: 'c', partition: 1 }] });
    await producer.disconnect();

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    for (const p of [port, port + 1, etcdPort, etcdPort + 1]) expect(await loopbackPortFree(p)).toBe(true);

    const again = spawnCli(args);
    started.push(again);
    await again.waitFor(/Creek cluster is ready/);
    const admin2 = kafkaFor({ bootstrap: `127.0.0.1:${port}` }).admin();
    await admin2.connect();
    const metadata = await admin2.fetchTopicMetadata({ topics: ['both'] });
    const offsets = await admin2.fetchTopicOffsets('both');
    await admin2.disconnect();
    expect(metadata.topics[0]!.partitions.map((p) => p.replicas.length)).toEqual([2, 2]);
    expect(offsets.sort((a, b) => a.partition - b.partition).map((o) => o.high)).toEqual(['1', '2']);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 120_000);
});
