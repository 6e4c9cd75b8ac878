// Cluster mode on a secured etcd: a real etcd serving https with --client-cert-auth, which brokers
// join with a client certificate (PEM or PKCS12 keystore) and refuse to start without one, or with
// one it does not trust; and a real etcd with authentication enabled, which brokers join with the
// right user and password and refuse to start with a wrong one, none, or a user without permission
// on the cluster's prefix. Each refusal comes at once, with a message naming the setting to fix.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Range, type Etcd3 } from 'etcd3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { EtcdAccessRefused } from '../../src/cluster/etcd/etcd-access-errors.js';
import { createEtcdClient } from '../../src/cluster/etcd/etcd-client.js';
import { openEtcdCluster } from '../../src/cluster/etcd/open-etcd-cluster.js';
import { resolveBrokerConfig } from '../../src/config/broker-config.js';
import { kafkaFor, produceAndConsume, tempDir } from '../helpers/broker.js';
import { requireEtcd, startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { eventually } from '../helpers/eventually.js';
import { requireProgram } from '../helpers/programs.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';

const log = pino({ level: 'silent' });
const noEtcd = requireEtcd();
const noOpenssl = requireProgram('openssl');
const dirs: { remove(): void }[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));
let clusters = 0;
const prefix = (): string => `/creek/secure-${++clusters}/`;

/** A data dir path that does not exist yet: a refused start must not make it. */
function unmadeDataDir(): string {
  const dir = tempDir('creek-etcd-secure-');
  dirs.push(dir);
  return join(dir.path, 'never-made');
}

/** One broker on etcd: creates a topic, produces and consumes through it. */
async function serveOn(broker: RunningBroker, topic: string): Promise<void> {
  await eventually(() => broker.broker.cluster.controllerId === broker.broker.config.nodeId, 'the broker elected controller');
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
  await admin.disconnect();
  expect(await produceAndConsume(kafkaFor(broker), topic, ['one', 'two'])).toEqual(['one', 'two']);
}

describe.skipIf(noEtcd || noOpenssl)('cluster mode on an etcd with TLS and client certificates', () => {
  let certs: TestCerts;
  let etcd: TestEtcd;
  let raw: Etcd3;
  beforeAll(async () => {
    certs = makeTestCerts({ keytool: false });
    etcd = await startEtcd({ tls: { certFile: join(certs.dir, 'server.pem'), keyFile: join(certs.dir, 'server.key'), caFile: certs.caFile } });
    raw = createEtcdClient([etcd.url], { tls: { ca: certs.ca, privateKey: certs.clientKey, certChain: certs.clientCert } });
  });
  afterAll(async () => {
    raw?.close();
    await etcd?.remove();
    certs?.remove();
  });

  const tlsProperties = (keystore: Record<string, string> = { 'creek.etcd.ssl.keystore.location': certs.clientPemFile }): Record<string, string | number> => ({
    'creek.etcd.ssl.truststore.location': certs.caFile,
    ...keystore,
    'creek.etcd.startup.timeout.ms': 60_000,
  });

  it('a broker with a client certificate (PEM keystore) joins, creates a topic, produces and consumes', async () => {
    const p = prefix();
    const broker = await startBroker({ etcd: etcd.url, nodeId: 1, logLevel: 'silent', properties: { ...tlsProperties(), 'creek.etcd.prefix': p } });
    try {
      await serveOn(broker, 'over-tls');
      expect(Object.keys(await raw.getAll().prefix(p).strings())).toContain(`${p}brokers/1`);
    } finally {
      await broker.stop();
    }
  });

  it('a PKCS12 keystore serves as well', async () => {
    const config = resolveBrokerConfig({
      etcd: etcd.url,
      memory: true,
      properties: {
        ...tlsProperties({ 'creek.etcd.ssl.keystore.location': certs.clientP12File, 'creek.etcd.ssl.keystore.password': certs.storePassword }),
        'creek.etcd.prefix': prefix(),
        'cluster.id': 'p12-cluster',
      },
    });
    const cluster = await openEtcdCluster(config, log);
    try {
      expect(cluster.clusterId).toBe('p12-cluster');
    } finally {
      await cluster.close();
    }
  });

  it('without a client certificate the broker refuses to start at once, its data dir unmade', async () => {
    const dir = unmadeDataDir();
    const attempt = startBroker({ etcd: etcd.url, dataDir: dir, logLevel: 'silent', properties: { ...tlsProperties({}), 'creek.etcd.prefix': prefix() } });
    await expect(attempt).rejects.toBeInstanceOf(EtcdAccessRefused);
    await expect(attempt).rejects.toThrow(
      new RegExp(`^etcd at ${etcd.url} requires a client certificate \\(it runs with --client-cert-auth; \\w+\\): set creek.etcd.ssl.keystore.location`),
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('a client certificate of a CA etcd does not trust, a CA that did not sign etcd\'s certificate, and http:// are refused at once', async () => {
    const open = (url: string, properties: Record<string, string | number>) =>
      openEtcdCluster(resolveBrokerConfig({ etcd: url, memory: true, properties: { ...properties, 'creek.etcd.prefix': prefix() } }), log);
    await expect(open(etcd.url, tlsProperties({ 'creek.etcd.ssl.keystore.location': certs.strangerPemFile }))).rejects.toThrow(
      new RegExp(`^etcd at ${etcd.url} refused the client certificate of creek.etcd.ssl.keystore.location`),
    );
    await expect(open(etcd.url, { ...tlsProperties(), 'creek.etcd.ssl.truststore.location': certs.otherCaFile })).rejects.toThrow(
      new RegExp(`^cannot trust etcd at ${etcd.url}: .*creek.etcd.ssl.truststore.location must hold the CA that signed etcd's server certificate`),
    );
    const plain = etcd.url.replace('https:', 'http:');
    await expect(open(plain, { 'creek.etcd.startup.timeout.ms': 60_000 })).rejects.toThrow(
      `${plain} is an etcd with TLS: use https:// in creek.etcd.endpoints, and set creek.etcd.ssl.truststore.location`,
    );
  });
});

describe.skipIf(noEtcd)('cluster mode on an etcd with authentication enabled', () => {
  let etcd: TestEtcd;
  let root: Etcd3;
  const clusterPrefix = '/creek/auth/';
  beforeAll(async () => {
    etcd = await startEtcd();
    const setup = createEtcdClient([etcd.url]);
    try {
      // What etcdctl user add, role add, role grant-permission, user grant-role and auth enable do.
      await setup.role('root').create();
      await setup.user('root').create('root-secret');
      await setup.user('root').addRole('root');
      await setup.role('creek').create();
      await setup.role('creek').grant({ permission: 'Readwrite', range: Range.prefix(clusterPrefix) });
      await setup.user('creek').create('creek-secret');
      await setup.user('creek').addRole('creek');
      await setup.user('outsider').create('outsider-secret');
      await setup.auth.authEnable();
    } finally {
      setup.close();
    }
    root = createEtcdClient([etcd.url], { auth: { username: 'root', password: 'root-secret' } });
  });
  afterAll(async () => {
    root?.close();
    await etcd?.remove();
  });

  const start = (user: Record<string, string>, dataDir?: string) =>
    startBroker({
      etcd: etcd.url,
      nodeId: 1,
      logLevel: 'silent',
      ...(dataDir === undefined ? {} : { dataDir }),
      properties: { ...user, 'creek.etcd.prefix': clusterPrefix, 'creek.etcd.startup.timeout.ms': 60_000 },
    });

  it('the right user and password: the broker joins, creates a topic, produces and consumes', async () => {
    const broker = await start({ 'creek.etcd.username': 'creek', 'creek.etcd.password': 'creek-secret' });
    try {
      await serveOn(broker, 'with-auth');
      expect(Object.keys(await root.getAll().prefix(clusterPrefix).strings())).toContain(`${clusterPrefix}brokers/1`);
    } finally {
      await broker.stop();
    }
  });

  it('an etcd restart (which forgets every auth token) is lived through: topics made after it are served', async () => {
    const broker = await start({ 'creek.etcd.username': 'creek', 'creek.etcd.password': 'creek-secret' });
    try {
      await serveOn(broker, 'before-restart');
      await etcd.stop();
      await etcd.start();
      // Created through etcd by the controller, then seen by the broker through its watch.
      await serveOn(broker, 'after-restart');
    } finally {
      await broker.stop();
    }
  });

  it('a wrong password is a clear start-up error, not a retry loop; its data dir stays unmade', async () => {
    const dir = unmadeDataDir();
    const attempt = start({ 'creek.etcd.username': 'creek', 'creek.etcd.password': 'wrong' }, dir);
    await expect(attempt).rejects.toBeInstanceOf(EtcdAccessRefused);
    await expect(attempt).rejects.toThrow(
      'etcd refused user creek: wrong creek.etcd.username or creek.etcd.password (etcdserver: authentication failed, invalid user ID or password)',
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('no user, and a user without permission on the prefix, are refused naming what to set', async () => {
    await expect(start({})).rejects.toThrow(/^etcd runs with authentication enabled: set creek.etcd.username and creek.etcd.password/);
    await expect(start({ 'creek.etcd.username': 'outsider', 'creek.etcd.password': 'outsider-secret' })).rejects.toThrow(
      `etcd user outsider may not read and write the cluster's keys under ${clusterPrefix} (etcdserver: permission denied): grant it a role with readwrite permission on that prefix`,
    );
  });
});
