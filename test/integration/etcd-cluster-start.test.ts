// openEtcdCluster: cluster mode's start-up checks (etcd unreachable, an endpoint that is not etcd,
// a data dir or cluster.id of another cluster) fail clearly and write nothing; when they pass, the
// store and membership it returns work on the cluster's prefix.
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient } from '../../src/cluster/etcd/etcd-client.js';
import { NotEtcd, openEtcdCluster, type EtcdCluster } from '../../src/cluster/etcd/open-etcd-cluster.js';
import { NodeIdInUse } from '../../src/cluster/membership.js';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { resolveBrokerConfig, type BrokerOptions } from '../../src/config/broker-config.js';
import { kafkaFor, produceAndConsume, tempDir } from '../helpers/broker.js';
import { requireEtcd, freePort, startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { eventually } from '../helpers/eventually.js';

const log = pino({ level: 'silent' });
const dirs: { remove(): void }[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));

function dataDir(clusterId?: string): string {
  const dir = tempDir('creek-etcd-data-');
  dirs.push(dir);
  if (clusterId !== undefined) writeFileSync(join(dir.path, 'meta.properties'), `version=1\ncluster.id=${clusterId}\nnode.id=1\n`);
  return dir.path;
}

function config(etcd: string, options: BrokerOptions = {}, properties: Record<string, string | number> = {}) {
  return resolveBrokerConfig({ etcd, memory: true, ...options, properties: { 'creek.etcd.startup.timeout.ms': 1000, ...properties } });
}

describe('cluster mode start-up without etcd', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => res.writeHead(req.url === '/version' ? 404 : 200).end('not here'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('gives up after creek.etcd.startup.timeout.ms when nothing answers, naming the endpoints', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    await expect(openEtcdCluster(config(endpoint), log)).rejects.toThrow(
      new RegExp(`^cannot reach etcd at ${endpoint} within 1000 ms \\(creek.etcd.startup.timeout.ms\\); last: ${endpoint}: ECONNREFUSED$`),
    );
  });

  it('a broker configured for an endpoint that is not etcd refuses to start, leaving its data dir unmade', async () => {
    const dir = join(dataDir(), 'never-made');
    await expect(startBroker({ etcd: url, dataDir: dir })).rejects.toBeInstanceOf(NotEtcd);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses an endpoint that answers HTTP but is not etcd, without retrying', async () => {
    const attempt = openEtcdCluster(config(url, {}, { 'creek.etcd.startup.timeout.ms': 60_000 }), log);
    await expect(attempt).rejects.toBeInstanceOf(NotEtcd);
    await expect(attempt).rejects.toThrow(`${url} is not an etcd server (GET /version answered 404 "not here"); check creek.etcd.endpoints`);
  });
});

const noEtcd = requireEtcd();

describe.skipIf(noEtcd)('cluster mode start-up with etcd', () => {
  let etcd: TestEtcd;
  let raw: Etcd3;
  const opened: EtcdCluster[] = [];
  let clusters = 0;
  const prefix = (): string => `/creek/start-${++clusters}/`;
  const keysUnder = async (p: string): Promise<Record<string, string>> => raw.getAll().prefix(p).strings();

  beforeAll(async () => {
    etcd = await startEtcd();
    raw = createEtcdClient([etcd.url]);
  });
  afterAll(async () => {
    for (const c of opened) await c.close().catch(() => undefined);
    raw?.close();
    await etcd?.remove();
  });

  it('stores the first broker\'s cluster id, and makes later brokers agree with it', async () => {
    const p = prefix();
    const first = await openEtcdCluster(config(etcd.url, { memory: false, dataDir: dataDir('first-cluster-id') }, { 'creek.etcd.prefix': p }), log);
    opened.push(first);
    expect(first.clusterId).toBe('first-cluster-id');
    expect(await raw.get(`${p}cluster-id`).string()).toBe('first-cluster-id');

    // A new data dir and no cluster.id: it takes the cluster's id, and writes nothing to the data dir.
    const fresh = dataDir();
    const second = await openEtcdCluster(config(etcd.url, { memory: false, dataDir: fresh }, { 'creek.etcd.prefix': p }), log);
    opened.push(second);
    expect(second.clusterId).toBe('first-cluster-id');
    expect(existsSync(join(fresh, 'meta.properties'))).toBe(false);

    // Same prefix, no data dir, no configured id: also the cluster's.
    const third = await openEtcdCluster(config(etcd.url, {}, { 'creek.etcd.prefix': p }), log);
    opened.push(third);
    expect(third.clusterId).toBe('first-cluster-id');
  });

  it('refuses a data dir or a cluster.id of another cluster, writing nothing', async () => {
    const p = prefix();
    const first = await openEtcdCluster(config(etcd.url, { clusterId: 'the-cluster' }, { 'creek.etcd.prefix': p }), log);
    opened.push(first);
    await first.membership.register({ nodeId: 1, endpoints: [], rack: null, incarnation: 'a' });
    const before = await keysUnder(p);

    const foreign = dataDir('another-cluster');
    await expect(openEtcdCluster(config(etcd.url, { memory: false, dataDir: foreign }, { 'creek.etcd.prefix': p }), log)).rejects.toThrow(
      `The data dir's cluster id another-cluster (${join(foreign, 'meta.properties')}) is not the cluster's id the-cluster in etcd (${p}cluster-id): this data dir belongs to another cluster`,
    );
    await expect(openEtcdCluster(config(etcd.url, { clusterId: 'not-the-cluster' }, { 'creek.etcd.prefix': p }), log)).rejects.toThrow(
      `The configured cluster.id not-the-cluster is not the cluster's id the-cluster in etcd (${p}cluster-id)`,
    );
    expect(await keysUnder(p)).toEqual(before);
    expect(readFileSync(join(foreign, 'meta.properties'), 'utf8')).toBe('version=1\ncluster.id=another-cluster\nnode.id=1\n');
    // The first broker to start also wrote nothing when its data dir disagrees with its cluster.id.
    const q = prefix();
    await expect(openEtcdCluster(config(etcd.url, { memory: false, dataDir: dataDir('on-disk'), clusterId: 'configured' }, { 'creek.etcd.prefix': q }), log)).rejects.toThrow(
      /The cluster id configured does not match the stored cluster id on-disk/,
    );
    expect(await keysUnder(q)).toEqual({});
  });

  it('gives each broker a metadata store and membership on the cluster\'s prefix', async () => {
    const p = prefix();
    const a = await openEtcdCluster(config(etcd.url, { nodeId: 1 }, { 'creek.etcd.prefix': p }), log);
    const b = await openEtcdCluster(config(etcd.url, { nodeId: 2 }, { 'creek.etcd.prefix': p }), log);
    opened.push(a, b);
    await a.membership.register({ nodeId: 1, endpoints: [], rack: null, incarnation: 'a' });
    await b.membership.register({ nodeId: 2, endpoints: [], rack: null, incarnation: 'b' });
    const version = await a.metadata.put('topic', 'orders', { name: 'orders', topicId: 'x', partitions: 1, configs: {}, replicas: [[1, 2]] });
    await eventually(() => b.metadata.get('topic', 'orders')?.version === version && b.membership.live().size === 2, 'the write and both brokers in the second view');
    expect(b.metadata.get('topic', 'orders')?.value.replicas).toEqual([[1, 2]]);
    expect([...b.membership.live().keys()].sort()).toEqual([1, 2]);
    expect(Object.keys(await keysUnder(p)).sort()).toEqual([`${p}brokers/1`, `${p}brokers/2`, `${p}cluster-id`, `${p}metadata/topic/orders`]);

    await a.close();
    opened.splice(opened.indexOf(a), 1);
    expect(Object.keys(await keysUnder(p))).not.toContain(`${p}brokers/1`);
  });

  it('runs embedded brokers on etcd (startBroker({ etcd })): they form one cluster, and a node id that is live refuses to start, its data dir untouched', async () => {
    const p = prefix();
    const brokers: RunningBroker[] = [];
    try {
      for (const nodeId of [1, 2]) {
        brokers.push(await startBroker({ etcd: etcd.url, nodeId, logLevel: 'silent', dataDir: dataDir(), properties: { 'creek.etcd.prefix': p } }));
      }
      await eventually(() => brokers.every((b) => b.broker.cluster.brokerIds().length === 2), 'both brokers in each view');
      const admin = kafkaFor(brokers[1]!).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'shared', numPartitions: 2, replicationFactor: 2 }] });
      await admin.disconnect();
      await eventually(() => [0, 1].every((i) => brokers[0]!.broker.cluster.partitionState('shared', i)?.isr.length === 2), 'both partitions replicated');
      expect(await produceAndConsume(kafkaFor(brokers[0]!), 'shared', ['one', 'two', 'three']).then((v) => v.sort())).toEqual(['one', 'three', 'two']);

      const dir = join(dataDir(), 'never-made');
      const again = startBroker({ etcd: etcd.url, nodeId: 2, logLevel: 'silent', dataDir: dir, properties: { 'creek.etcd.prefix': p } });
      await expect(again).rejects.toBeInstanceOf(NodeIdInUse);
      await expect(again).rejects.toThrow('node id 2 is already registered by a live broker');
      expect(existsSync(dir)).toBe(false);
    } finally {
      for (const b of brokers) await b.stop();
    }
    // A clean stop deregisters: nothing of either broker stays live in etcd.
    expect(Object.keys(await keysUnder(p)).filter((k) => k.includes('brokers/'))).toEqual([]);
  });
});
