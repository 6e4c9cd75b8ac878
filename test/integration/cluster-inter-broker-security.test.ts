// A three-broker cluster (startCluster) whose only listener is SASL_SSL with mutual TLS and an
// ACL authorizer: brokers replicate to each other as a SASL user in super.users, so an
// acks=all producer gets its acks and a killed leader's partition moves with nothing acked
// lost; with a wrong inter-broker password nothing replicates, the ISR shrinks to the leader
// and the followers say why in a rate-limited warning. Also a SASL_PLAINTEXT cluster whose
// brokers authenticate to each other with SCRAM-SHA-512, an SSL-only cluster whose brokers are
// known by their certificates, and a cluster refusing to start without a usable inter-broker listener.
import type { Kafka } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RunningCluster } from '../../src/index.js';
import { ConfigError } from '../../src/config/config-error.js';
import { startAckedProducer, expectEveryAcknowledgedOnce } from '../helpers/acked-producer.js';
import { clusterKafka, createSyncedTopic, createUnreplicatedTopic, stateOf } from '../helpers/cluster.js';
import { LogLines } from '../helpers/log-lines.js';
import { requireProgram } from '../helpers/programs.js';
import type { Seen } from '../helpers/read-partition.js';
import { RawClient } from '../helpers/raw-client.js';
import { setScramPassword } from '../helpers/sasl.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';
import { until } from '../helpers/until.js';

const noOpenssl = requireProgram('openssl');
const AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
const REFUSED = "the leader refused this broker's inter-broker authentication; replication from it stops until the credentials are fixed";

let certs: TestCerts;
beforeAll(() => {
  if (!noOpenssl) certs = makeTestCerts({ keytool: false });
});
afterAll(() => {
  if (!noOpenssl) certs.remove();
});

/** The brokers' side of mutual TLS with the test CA. */
function mutualTls(): Record<string, string> {
  return {
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': certs.serverPemFile,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.caFile,
    'ssl.client.auth': 'required',
  };
}

/** The test client's side of mutual TLS. */
const clientTls = () => ({ ca: [certs.ca], key: certs.clientKey, cert: certs.clientCert });

/**
 * Three brokers with `properties` (built when they start: the certificates exist by then), started
 * before the enclosing describe block's tests and closed after them; silent unless given a logger.
 */
function threeBrokers(properties: () => Record<string, string | number>, logger?: Logger): () => RunningCluster {
  let cluster: RunningCluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, brokerOptions: { ...(logger === undefined ? { logLevel: 'silent' } : { logger }), properties: properties() } });
  });
  afterAll(async () => {
    await cluster?.close();
  });
  return () => cluster!;
}

/** Every broker: one SASL_SSL listener with mutual TLS, PLAIN users broker and admin, ACLs on. */
function saslSslProperties(interBrokerPassword: string): Record<string, string | number> {
  return {
    listeners: 'SASL_SSL://127.0.0.1:0',
    'inter.broker.listener.name': 'SASL_SSL',
    'sasl.enabled.mechanisms': 'PLAIN',
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    'listener.name.sasl_ssl.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="${interBrokerPassword}" user_broker="broker-secret" user_admin="admin-secret";`,
    ...mutualTls(),
    'authorizer.class.name': AUTHORIZER,
    'super.users': 'User:broker;User:admin',
    'replica.lag.time.max.ms': 1000,
  };
}

const saslSslKafka = (cluster: RunningCluster): Kafka =>
  clusterKafka(cluster, 'inter-broker-test', { ssl: clientTls(), sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' } });

/** The partition read back by a consumer until `last` shows up. */
async function consumeUntil(kafka: Kafka, topic: string, last: string): Promise<Seen[]> {
  const consumer = kafka.consumer({ groupId: `read-${topic}` });
  const seen: Seen[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({ offset: Number(message.offset), timestamp: Number(message.timestamp), key: null, value: message.value?.toString() ?? null, headers: {} });
      },
    });
    await until(() => seen.some((s) => s.value === last), `${last} read back`);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe.skipIf(noOpenssl)('a SASL_SSL-only cluster with ACLs', () => {
  const cluster = threeBrokers(() => ({ ...saslSslProperties('broker-secret'), 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.num.partitions': 3, 'transaction.state.log.num.partitions': 3 }));

  it('commits a transaction over partitions led by three brokers: markers and verification travel between brokers', async () => {
    const kafka = saslSslKafka(cluster());
    const topic = 'secured-txn';
    await createSyncedTopic(cluster(), kafka, topic, 3, 3);
    const leaders = [0, 1, 2].map((p) => stateOf(cluster(), topic, p).leaderId);
    expect(new Set(leaders).size).toBe(3);
    const producer = kafka.producer({ transactionalId: 'secured-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: [0, 1, 2].map((partition) => ({ partition, value: `committed-${partition}` })) });
      await txn.commit();
    } finally {
      await producer.disconnect();
    }
    // Each leader wrote the commit marker, two of them sent by a coordinator on another broker.
    for (let p = 0; p < 3; p++) {
      const leader = cluster().broker(leaders[p]!)!.broker;
      const partition = leader.replicas.partition(topic, p);
      await until(() => leader.txn.lastStableOffset(partition) === partition.highWatermark && partition.highWatermark === 2, `the marker on partition ${p}`);
    }
  });

  it('replicates over TLS as the SASL user, and keeps every acks=all record across the leader being killed', async () => {
    const kafka = saslSslKafka(cluster());
    const topic = 'secured';
    // All three replicas in sync: the followers fetched from the leader.
    await createSyncedTopic(cluster(), kafka, topic, 1, 3);
    const producer = await startAckedProducer(kafka, topic);
    let killed = -1;
    try {
      await until(() => producer.acknowledged.length >= 30, 'acks=all records before the kill');
      killed = stateOf(cluster(), topic).leaderId;
      await cluster().kill(killed);
      await until(() => stateOf(cluster(), topic).leaderId !== killed && stateOf(cluster(), topic).leaderId > 0, 'a new leader');
      const before = producer.acknowledged.length;
      await until(() => producer.acknowledged.length >= before + 30, 'acks=all records from the new leader');
    } finally {
      await producer.stop();
    }
    expect(stateOf(cluster(), topic).isr).not.toContain(killed);
    const read = await consumeUntil(kafka, topic, producer.acknowledged[producer.acknowledged.length - 1]!);
    expectEveryAcknowledgedOnce(read, producer.acknowledged);
  });
});

describe.skipIf(noOpenssl)('a SASL_SSL cluster whose brokers have a wrong inter-broker password', () => {
  const logs = new LogLines();
  // Followers try again every 200 ms rather than Kafka's 1 s, so that they do many times here.
  const cluster = threeBrokers(() => ({ ...saslSslProperties('wrong-secret'), 'replica.fetch.backoff.ms': 200 }), pino({ level: 'warn' }, logs));

  it('does not replicate: the ISR shrinks to the leader, and each follower warns once why', async () => {
    const { leaderId, followers } = await createUnreplicatedTopic(cluster(), saslSslKafka(cluster()), 'lonely');
    expect(stateOf(cluster(), 'lonely').isr).toEqual([leaderId]);
    for (const id of followers) expect(cluster().broker(id)!.broker.topics.get('lonely')!.partitions[0]!.logEndOffset).toBe(0);
    // Every 200 ms (replica.fetch.backoff.ms) a follower tries again, for over a second now: still one warning per follower.
    const warnings = logs.withMessage(REFUSED);
    expect(warnings.length).toBe(followers.length);
    for (const w of warnings) {
      expect(w).toMatchObject({ level: 40, listener: 'SASL_SSL', leader: leaderId });
      expect(w.reason).toMatch(/^SASL\/PLAIN authentication as broker failed \(error 58\)/);
    }
  });
});

describe('a SASL_PLAINTEXT cluster whose brokers authenticate with SCRAM-SHA-512', () => {
  const cluster = threeBrokers(() => ({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    'security.inter.broker.protocol': 'SASL_PLAINTEXT',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret";',
    'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="scram-secret";',
    'authorizer.class.name': AUTHORIZER,
    'super.users': 'User:broker;User:admin',
  }));

  it('replicates once the broker user has its SCRAM credential', async () => {
    const broker = cluster().broker(1)!;
    const raw = await RawClient.connectPlain(broker.host, broker.port, 'admin', 'admin-secret');
    try {
      const set = await setScramPassword(raw, 'broker', 'SCRAM-SHA-512', 'scram-secret');
      expect(set.results).toEqual([{ user: 'broker', errorCode: 0, errorMessage: null }]);
    } finally {
      raw.close();
    }
    const kafka = clusterKafka(cluster(), 'scram-inter-broker', { sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' } });
    await createSyncedTopic(cluster(), kafka, 'scram-replicated', 2, 3);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'scram-replicated', acks: -1, messages: [{ value: 'acked by all' }] });
    await producer.disconnect();
    expect(stateOf(cluster(), 'scram-replicated').isr).toHaveLength(3);
  });
});

describe('a cluster without a usable inter-broker listener', () => {
  it('refuses to start when no listener is named PLAINTEXT and inter.broker.listener.name is not set', async () => {
    const started = startCluster({
      brokers: 1,
      brokerOptions: {
        logLevel: 'silent',
        properties: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN', 'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_a="a";' },
      },
    });
    const err = await started.then(
      (c) => c.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'security.inter.broker.protocol=PLAINTEXT names no listener: inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are SASL_PLAINTEXT',
    ]);
  });
});

describe.skipIf(noOpenssl)('an SSL-only cluster with mutual TLS and ACLs', () => {
  const cluster = threeBrokers(() => ({
    listeners: 'SSL://127.0.0.1:0',
    'security.inter.broker.protocol': 'SSL',
    ...mutualTls(),
    'authorizer.class.name': AUTHORIZER,
    // The brokers' certificate (also their client certificate) and the test client's.
    'super.users': 'User:CN=localhost,O=Creek Test;User:CN=creek-client,O=Creek Test',
  }));

  it('replicates as the principal of the broker certificate, its host name verified', async () => {
    const kafka = clusterKafka(cluster(), 'ssl-inter-broker', { ssl: clientTls() });
    await createSyncedTopic(cluster(), kafka, 'ssl-replicated', 1, 3);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'ssl-replicated', acks: -1, messages: [{ value: 'acked by all' }] });
    await producer.disconnect();
    expect(stateOf(cluster(), 'ssl-replicated').isr).toHaveLength(3);
  });
});
