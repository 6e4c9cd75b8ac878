// A three-broker SSL cluster whose brokers do not trust each other's certificates (their
// truststore holds another CA): clients that trust the brokers' CA work, nothing replicates,
// the ISR shrinks to the leader, and each follower says why in one rate-limited warning naming
// the leader and the failed handshake; the connections transaction markers travel on warn the same way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerNode } from '../../src/cluster/cluster-view.js';
import { startCluster, type RunningCluster } from '../../src/index.js';
import { BrokerConnections } from '../../src/replica/broker-connections.js';
import { InterBrokerAuthFailure } from '../../src/replica/inter-broker-auth.js';
import { clusterKafka, createUnreplicatedTopic, stateOf } from '../helpers/cluster.js';
import { FakeCluster } from '../helpers/fake-cluster.js';
import { LogLines } from '../helpers/log-lines.js';
import { requireProgram } from '../helpers/programs.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';
import { until } from '../helpers/until.js';

const noOpenssl = requireProgram('openssl');
const HANDSHAKE_FAILED = 'the TLS handshake with the leader failed; replication from it stops until the certificates are fixed';
/** What OpenSSL says of a certificate whose issuer is not in the truststore. */
const UNTRUSTED = /failed: unable to verify the first certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/;

describe.skipIf(noOpenssl)('an SSL cluster whose brokers do not trust each other\'s certificates', () => {
  let certs: TestCerts;
  let cluster: RunningCluster;
  const logs = new LogLines();
  beforeAll(async () => {
    certs = makeTestCerts({ keytool: false });
    cluster = await startCluster({
      brokers: 3,
      brokerOptions: {
        logger: pino({ level: 'warn' }, logs),
        properties: {
          listeners: 'SSL://127.0.0.1:0',
          'security.inter.broker.protocol': 'SSL',
          'ssl.keystore.type': 'PEM',
          'ssl.keystore.location': certs.serverPemFile,
          // A CA that signed none of the brokers' certificates.
          'ssl.truststore.type': 'PEM',
          'ssl.truststore.location': join(certs.dir, 'other-ca.pem'),
          'replica.lag.time.max.ms': 1000,
          // Followers try again every 200 ms rather than Kafka's 1 s, so that they do many times here.
          'replica.fetch.backoff.ms': 200,
        },
      },
    });
  });
  afterAll(async () => {
    await cluster?.close();
    certs?.remove();
  });

  it('does not replicate, and each follower warns once that the handshake with the leader failed, and why', async () => {
    const { leaderId, followers } = await createUnreplicatedTopic(cluster, clusterKafka(cluster, 'tls-failure-test', { ssl: { ca: [certs.ca] } }), 'untrusted');
    const warnings = () => logs.withMessage(HANDSHAKE_FAILED).filter((w) => w.leader === leaderId);
    await until(() => warnings().length >= followers.length, 'a warning from each follower');
    expect(stateOf(cluster, 'untrusted').isr).toEqual([leaderId]);
    for (const id of followers) expect(cluster.broker(id)!.broker.topics.get('untrusted')!.partitions[0]!.logEndOffset).toBe(0);
    // A follower tries again every 200 ms (replica.fetch.backoff.ms), for over a second now: still one warning each.
    expect(warnings()).toHaveLength(followers.length);
    const leader = cluster.broker(leaderId)!;
    for (const w of warnings()) {
      expect(w).toMatchObject({ level: 40, listener: 'SSL', leader: leaderId });
      expect(w.reason).toMatch(`TLS handshake with ${leader.host}:${leader.port} failed`);
      expect(w.reason).toMatch(UNTRUSTED);
    }
  }, 60_000);

  it('warns once per broker when the connections for transaction markers fail the handshake', async () => {
    const target = cluster.broker(cluster.nodeIds[0]!)!;
    /** Every broker id is at the first broker's address. */
    class AtTarget extends FakeCluster {
      override broker(nodeId: number): BrokerNode {
        return { nodeId, host: target.host, port: target.port, rack: null };
      }
    }
    const lines = new LogLines();
    const security = { listenerName: 'SSL', tls: { ca: readFileSync(join(certs.dir, 'other-ca.pem'), 'utf8') } };
    const connections = new BrokerConnections(new AtTarget(), security, 'tls-failure-test', 30_000, pino({ level: 'warn' }, lines));
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        await expect(connections.send(2, 18, 3, { clientSoftwareName: 'creek-test', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 })).rejects.toBeInstanceOf(InterBrokerAuthFailure);
      }
    } finally {
      connections.close();
    }
    const warnings = lines.withMessage('the TLS handshake with broker 2 failed; transaction markers and verification requests to it fail until the certificates are fixed');
    expect(warnings).toEqual([expect.objectContaining({ level: 40, broker: 2, listener: 'SSL', reason: expect.stringMatching(UNTRUSTED) })]);
  });
});
