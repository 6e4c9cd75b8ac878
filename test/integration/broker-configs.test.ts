// Dynamic broker configs as Kafka keeps them: the cluster-wide default (resource name "") reaches
// every broker as DYNAMIC_DEFAULT_BROKER_CONFIG, a broker's own (resource name = its id) only that
// broker as DYNAMIC_BROKER_CONFIG; only that broker takes an alteration of its own, and both
// outlive restarts. On an in-process cluster with kafkajs and raw requests, on a data dir written
// by an older version (one document for both), and on `creek --etcd` processes (skipped, with a
// printed reason, when etcd-server is not installed).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { startCluster, type RunningCluster } from '../../src/index.js';
import { ConfigSource } from '../../src/config/config-def.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { clusterKafka, createSyncedTopic } from '../helpers/cluster.js';
import { requireEtcd } from '../helpers/etcd.js';
import { startProcessCluster, type ProcessCluster } from '../helpers/process-cluster.js';
import { alterBroker, describeBroker, type Described } from '../helpers/broker-configs.js';
import { flood } from '../helpers/connection-burst.js';
import { RawClient } from '../helpers/raw-client.js';
import { until } from '../helpers/until.js';

const SEGMENT = 'log.segment.bytes';
const RETENTION = 'log.retention.ms';
const SEGMENT_DEFAULT = '1073741824';
const CONNECTION_RATE = 'max.connection.creation.rate';

/** The same through kafkajs, which sends a broker's resource to that broker. */
async function describeWithKafkajs(admin: Admin, nodeId: number, names: string[]): Promise<Record<string, Described>> {
  const res = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: String(nodeId), configNames: names }], includeSynonyms: false });
  return Object.fromEntries(res.resources[0]!.configEntries.map((c) => [c.configName, { value: c.configValue, source: (c as unknown as { configSource: number }).configSource }]));
}

const own = (value: string): Described => ({ value, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
const clusterDefault = (value: string): Described => ({ value, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
const builtIn = (value: string): Described => ({ value, source: ConfigSource.DEFAULT_CONFIG });

describe('dynamic broker configs on an in-process cluster', () => {
  let cluster: RunningCluster;
  let admin: Admin;
  const clients: RawClient[] = [];
  const rawTo = async (nodeId: number): Promise<RawClient> => {
    const broker = cluster.broker(nodeId)!;
    const client = await RawClient.connect(broker.host, broker.port);
    clients.push(client);
    return client;
  };
  const segmentBytesOn = (nodeId: number, topic: string): number => cluster.broker(nodeId)!.broker.topics.get(topic)!.partitions[0]!.config.segmentBytes;

  beforeAll(async () => {
    // A small listen backlog shows an acceptor waiting out max.connection.creation.rate: it closes the rest of a burst.
    cluster = await startCluster({ brokers: 2, brokerOptions: { logLevel: 'silent', properties: { 'socket.listen.backlog.size': 5 } } });
    admin = clusterKafka(cluster, 'broker-configs').admin();
    await admin.connect();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await admin?.disconnect();
    await cluster?.close();
  });

  it("a broker's own config applies on that broker only, the cluster default on every broker", async () => {
    await createSyncedTopic(cluster, clusterKafka(cluster, 'broker-configs-topic'), 'on-both', 1, 2);
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: SEGMENT, value: '2097152' }] }] });
    // The cluster default, sent to the other broker.
    expect(await alterBroker(await rawTo(2), '', { [RETENTION]: '3600000' })).toMatchObject({ errorCode: ErrorCode.NONE });

    expect(await describeWithKafkajs(admin, 1, [SEGMENT, RETENTION])).toEqual({ [SEGMENT]: own('2097152'), [RETENTION]: clusterDefault('3600000') });
    expect(await describeWithKafkajs(admin, 2, [SEGMENT, RETENTION])).toEqual({ [SEGMENT]: builtIn(SEGMENT_DEFAULT), [RETENTION]: clusterDefault('3600000') });
    expect(await describeBroker(await rawTo(2), '', [])).toEqual({ [RETENTION]: clusterDefault('3600000') });
    // The replicas' logs run with them.
    expect(segmentBytesOn(1, 'on-both')).toBe(2097152);
    expect(segmentBytesOn(2, 'on-both')).toBe(Number(SEGMENT_DEFAULT));
    for (const id of [1, 2]) expect(cluster.broker(id)!.broker.topics.get('on-both')!.partitions[0]!.config.retentionMs).toBe(3600000);
  });

  it("a broker's own value comes before the cluster default's", async () => {
    const client = await rawTo(1);
    expect(await alterBroker(client, '', { [SEGMENT]: '4194304' })).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(await describeBroker(client, '1', [SEGMENT])).toEqual({ [SEGMENT]: own('2097152') });
    expect(await describeBroker(await rawTo(2), '2', [SEGMENT])).toEqual({ [SEGMENT]: clusterDefault('4194304') });
    expect(segmentBytesOn(2, 'on-both')).toBe(4194304);
    expect(await alterBroker(client, '', { [SEGMENT]: null })).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(segmentBytesOn(2, 'on-both')).toBe(Number(SEGMENT_DEFAULT));
  });

  it("only the broker itself alters or describes its own configs (Kafka's INVALID_REQUEST), an unknown id alike", async () => {
    const client = await rawTo(1);
    expect(await alterBroker(client, '2', { [SEGMENT]: '8388608' })).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unexpected broker id, expected 1, but received 2' });
    expect(await alterBroker(client, '7', { [SEGMENT]: '8388608' })).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unexpected broker id, expected 1, but received 7' });
    expect(await describeBroker(client, '2', [SEGMENT])).toEqual({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unexpected broker id, expected 1 or empty string, but received 2' });
    expect(await describeBroker(await rawTo(2), '2', [SEGMENT])).toEqual({ [SEGMENT]: builtIn(SEGMENT_DEFAULT) });
  });

  it("a broker's own max.connection.creation.rate makes that broker's acceptor wait, no other's", async () => {
    const client = await rawTo(2);
    expect(await alterBroker(client, '2', { [CONNECTION_RATE]: '2' })).toMatchObject({ errorCode: ErrorCode.NONE });
    const on2 = await flood(cluster.broker(2)!.port, 60);
    const on1 = await flood(cluster.broker(1)!.port, 60);
    expect(on2.unanswered).toBeGreaterThan(0);
    expect(on1.unanswered).toBe(0);
    expect(await alterBroker(client, '2', { [CONNECTION_RATE]: null })).toMatchObject({ errorCode: ErrorCode.NONE });
    for (const s of [...on1.served, ...on2.served]) s.end();
  });

  it('both outlive a restart of the broker', async () => {
    await cluster.stop(1);
    await cluster.start(1);
    const client = await rawTo(1);
    expect(await describeBroker(client, '1', [SEGMENT, RETENTION])).toEqual({ [SEGMENT]: own('2097152'), [RETENTION]: clusterDefault('3600000') });
    expect(segmentBytesOn(1, 'on-both')).toBe(2097152);
    expect(await describeBroker(await rawTo(2), '2', [SEGMENT])).toEqual({ [SEGMENT]: builtIn(SEGMENT_DEFAULT) });
  });
});

describe('a data dir of an older version', () => {
  it("keeps its one document's broker configs as this broker's own and its default as the cluster's", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'creek-legacy-configs-'));
    try {
      writeFileSync(join(dataDir, 'broker-configs.json'), JSON.stringify({ default: { [RETENTION]: '3600000' }, broker: { [SEGMENT]: '2097152' } }, null, 1));
      for (let run = 0; run < 2; run++) {
        const broker = await withBroker({ nodeId: 5, dataDir });
        const admin = kafkaFor(broker).admin();
        await admin.connect();
        try {
          expect(await describeWithKafkajs(admin, 5, [SEGMENT, RETENTION])).toEqual({ [SEGMENT]: own('2097152'), [RETENTION]: clusterDefault('3600000') });
        } finally {
          await admin.disconnect();
          await broker.stop();
        }
      }
      expect(JSON.parse(readFileSync(join(dataDir, 'broker-configs.json'), 'utf8'))).toEqual({ configs: { [RETENTION]: '3600000' } });
      expect(JSON.parse(readFileSync(join(dataDir, 'broker-configs', '5.json'), 'utf8'))).toEqual({ configs: { [SEGMENT]: '2097152' } });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

const noEtcd = requireEtcd();

describe.skipIf(noEtcd)('dynamic broker configs on creek --etcd processes', () => {
  let cluster: ProcessCluster;
  const clients: RawClient[] = [];
  const rawTo = async (nodeId: number): Promise<RawClient> => {
    const client = await RawClient.connect('127.0.0.1', cluster.port(nodeId));
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    cluster = await startProcessCluster({ brokers: 2 });
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.close();
  });

  it("keeps the default and each broker's own in etcd: every broker applies the default, one broker its own, across a restart", async () => {
    expect(await alterBroker(await rawTo(1), '1', { [SEGMENT]: '2097152' })).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(await alterBroker(await rawTo(1), '', { [RETENTION]: '3600000' })).toMatchObject({ errorCode: ErrorCode.NONE });
    const two = await rawTo(2);
    await until(async () => JSON.stringify(await describeBroker(two, '2', [RETENTION])) === JSON.stringify({ [RETENTION]: clusterDefault('3600000') }), "the cluster default on broker 2");
    expect(await describeBroker(two, '2', [SEGMENT])).toEqual({ [SEGMENT]: builtIn(SEGMENT_DEFAULT) });

    await cluster.stop(1);
    await cluster.start(1);
    expect(await describeBroker(await rawTo(1), '1', [SEGMENT, RETENTION])).toEqual({ [SEGMENT]: own('2097152'), [RETENTION]: clusterDefault('3600000') });
  }, 120_000);
});
