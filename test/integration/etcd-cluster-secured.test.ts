// Three `creek --etcd` processes secured end to end, as a production cluster would be: etcd serves
// https only to clients with a certificate its CA signed (the brokers' `creek.etcd.ssl.*`), and the
// brokers replicate to each other over a SASL_SSL listener with mutual TLS (`inter.broker.listener.name`),
// beside a PLAINTEXT listener for the test's clients. A follower joins the ISR only by fetching over
// that listener; an acks=all producer keeps its every record, once, across the leader being SIGKILLed,
// and the killed broker returns, catches up over SASL_SSL and rejoins the ISR. Skips with a printed
// reason without etcd-server or openssl.
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAckedProducer, expectLeaderHoldsEveryAcknowledged } from '../helpers/acked-producer.js';
import { freePorts, requireEtcd } from '../helpers/etcd.js';
import { startProcessCluster, type ProcessCluster } from '../helpers/process-cluster.js';
import { requireProgram } from '../helpers/programs.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';
import { until } from '../helpers/until.js';

const skip = requireEtcd() || requireProgram('openssl');

describe.skipIf(skip)('a cluster of creek processes on a TLS etcd, replicating over SASL_SSL', () => {
  let certs: TestCerts;
  let cluster: ProcessCluster;
  let kafka: Kafka;

  beforeAll(async () => {
    certs = makeTestCerts({ keytool: false });
    const interBrokerPorts = await freePorts(3);
    cluster = await startProcessCluster({
      brokers: 3,
      leaseTtlMs: 2000,
      etcdTls: { certFile: join(certs.dir, 'server.pem'), keyFile: join(certs.dir, 'server.key'), caFile: certs.caFile },
      overrides: {
        'creek.etcd.ssl.truststore.location': certs.caFile,
        'creek.etcd.ssl.keystore.location': certs.clientPemFile,
        'inter.broker.listener.name': 'SASL_SSL',
        'sasl.enabled.mechanisms': 'PLAIN',
        'sasl.mechanism.inter.broker.protocol': 'PLAIN',
        'listener.name.sasl_ssl.plain.sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret";',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': certs.serverPemFile,
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': certs.caFile,
        'ssl.client.auth': 'required',
        'replica.lag.time.max.ms': 2000,
      },
      // A cluster registers each listener's address, so the SASL_SSL one needs a port of its own (--port sets PLAINTEXT's).
      overridesOf: (id) => ({ listeners: `PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:${interBrokerPorts[id - 1]}` }),
    });
    kafka = new Kafka({ clientId: 'secured-cluster', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 } });
  }, 120_000);
  afterAll(async () => {
    await cluster?.close();
    certs?.remove();
  });

  it('keeps every acks=all record once across a SIGKILLed leader, and the leader returns into the ISR', async () => {
    const topic = 'secured-processes';
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    } finally {
      await admin.disconnect();
    }
    // Followers are in the ISR only once they have fetched from the leader, and they fetch over SASL_SSL.
    await cluster.waitFor(topic, 0, (p) => p.leaderId === 1 && p.isr.length === 3, 'led by broker 1, all three in sync');
    // The test's clients use PLAINTEXT: every SASL login the leader saw was a follower's, as the broker user.
    const logins = cluster
      .output(1)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; principal?: string })
      .filter((line) => line.msg === 'SASL authentication succeeded');
    expect(logins.length).toBeGreaterThanOrEqual(2);
    expect(new Set(logins.map((l) => l.principal))).toEqual(new Set(['User:broker']));

    const producer = await startAckedProducer(kafka, topic);
    try {
      await until(() => producer.acknowledged.length >= 50, 'acks=all records before the kill');
      await cluster.kill(1);
      await cluster.waitFor(topic, 0, (p) => p.leaderId !== 1 && p.leaderId > 0, 'a new leader');
      const before = producer.acknowledged.length;
      await until(() => producer.acknowledged.length >= before + 50, 'acks=all records from the new leader');
    } finally {
      await producer.stop();
    }
    await cluster.start(1);
    const back = await cluster.waitFor(topic, 0, (p) => p.isr.length === 3, 'broker 1 caught up and back in the ISR');
    expect(back.isr).toEqual([1, 2, 3]);
    await expectLeaderHoldsEveryAcknowledged({ port: cluster.port(back.leaderId) }, topic, producer.acknowledged);
  });
});
