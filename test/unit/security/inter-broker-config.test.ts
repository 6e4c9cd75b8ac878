// Which listener brokers connect to each other on and how (inter.broker.listener.name,
// security.inter.broker.protocol, sasl.mechanism.inter.broker.protocol, the listener's TLS and
// JAAS settings), and the configurations start-up refuses, read through the broker's config.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { problemsOf } from '../../helpers/config-problems.js';
import { requireProgram } from '../../helpers/programs.js';
import { makeTestCerts, type TestCerts } from '../../helpers/tls-certs.js';

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret";';
const SASL = {
  listeners: 'PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9093',
  'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
  'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
};

describe('the inter-broker listener', () => {
  it('is the listener named PLAINTEXT by default, with neither TLS nor SASL', () => {
    const config = resolveBrokerConfig({ properties: { listeners: 'EXTERNAL://127.0.0.1:9094,PLAINTEXT://127.0.0.1:9092', 'listener.security.protocol.map': 'EXTERNAL:PLAINTEXT,PLAINTEXT:PLAINTEXT' } });
    expect(config.interBroker).toEqual({ security: { listenerName: 'PLAINTEXT' }, problems: [] });
  });

  it('is the listener inter.broker.listener.name names, or the one named after security.inter.broker.protocol', () => {
    const named = resolveBrokerConfig({ properties: { ...SASL, 'inter.broker.listener.name': 'SASL_PLAINTEXT', 'sasl.mechanism.inter.broker.protocol': 'PLAIN' } });
    expect(named.interBroker.security).toEqual({ listenerName: 'SASL_PLAINTEXT', sasl: { mechanism: 'PLAIN', username: 'broker', password: 'broker-secret' } });
    const byProtocol = resolveBrokerConfig({ properties: { ...SASL, 'security.inter.broker.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism.inter.broker.protocol': 'PLAIN' } });
    expect(byProtocol.interBroker.security?.listenerName).toBe('SASL_PLAINTEXT');
  });

  it('takes SCRAM credentials from the listener\'s SCRAM JAAS entry', () => {
    const config = resolveBrokerConfig({
      properties: {
        ...SASL,
        'inter.broker.listener.name': 'SASL_PLAINTEXT',
        'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-256',
        'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="replicator" password="s3cret";',
      },
    });
    expect(config.interBroker.security?.sasl).toEqual({ mechanism: 'SCRAM-SHA-256', username: 'replicator', password: 's3cret' });
  });

  it('need not resolve on a single node unless an inter-broker key is set', () => {
    const config = resolveBrokerConfig({ properties: { listeners: 'SASL_PLAINTEXT://127.0.0.1:9093', 'sasl.enabled.mechanisms': 'PLAIN', 'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS } });
    expect(config.interBroker.security).toBeUndefined();
    expect(config.interBroker.problems).toHaveLength(1);
  });
});

describe('start-up refuses', () => {
  it('both inter.broker.listener.name and security.inter.broker.protocol', () => {
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'inter.broker.listener.name': 'PLAINTEXT', 'security.inter.broker.protocol': 'PLAINTEXT' } }))).toEqual([
      'Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.',
    ]);
  });

  it('a listener name no listener has', () => {
    expect(problemsOf(() => resolveBrokerConfig({ properties: { ...SASL, 'inter.broker.listener.name': 'INTERNAL' } }))).toEqual([
      'inter.broker.listener.name=INTERNAL names no listener: inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are PLAINTEXT,SASL_PLAINTEXT',
    ]);
  });

  it('a mechanism the listener does not enable, GSSAPI by default', () => {
    expect(problemsOf(() => resolveBrokerConfig({ properties: { ...SASL, 'inter.broker.listener.name': 'SASL_PLAINTEXT' } }))).toEqual([
      'sasl.mechanism.inter.broker.protocol must be included in sasl.enabled.mechanisms when SASL is used for inter-broker communication: GSSAPI is not enabled on listener SASL_PLAINTEXT (enabled: PLAIN, SCRAM-SHA-256)',
    ]);
  });

  it('missing credentials: no JAAS entry for the mechanism, or one without username and password', () => {
    expect(problemsOf(() => resolveBrokerConfig({ properties: { ...SASL, 'inter.broker.listener.name': 'SASL_PLAINTEXT', 'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-256' } }))).toEqual([
      'No credentials for inter-broker SASL/SCRAM-SHA-256 on listener SASL_PLAINTEXT: set username and password in listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config',
    ]);
    const serverOnly = { ...SASL, 'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_broker="broker-secret";' };
    expect(problemsOf(() => resolveBrokerConfig({ properties: { ...serverOnly, 'inter.broker.listener.name': 'SASL_PLAINTEXT', 'sasl.mechanism.inter.broker.protocol': 'PLAIN' } }))).toEqual([
      'No credentials for inter-broker SASL/PLAIN on listener SASL_PLAINTEXT: listener.name.sasl_plaintext.plain.sasl.jaas.config needs username and password options',
    ]);
  });
});

const noOpenssl = requireProgram('openssl');
describe.skipIf(noOpenssl)('on a TLS listener', () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = makeTestCerts({ keytool: false });
  });
  afterAll(() => certs.remove());

  const sslProperties = (extra: Record<string, string> = {}) => ({
    listeners: 'PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9093',
    'inter.broker.listener.name': 'SSL',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': certs.serverPemFile,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.caFile,
    ...extra,
  });

  it('connects with the truststore, the keystore as client certificate, and host name verification', () => {
    const tls = resolveBrokerConfig({ properties: sslProperties() }).interBroker.security?.tls;
    expect(tls).toMatchObject({ ca: expect.stringContaining('BEGIN CERTIFICATE'), key: expect.stringContaining('PRIVATE KEY'), cert: expect.stringContaining('BEGIN CERTIFICATE'), rejectUnauthorized: true });
    expect(tls?.checkServerIdentity).toBeUndefined();
  });

  it('skips host name verification when ssl.endpoint.identification.algorithm is empty, broker-wide or for the listener', () => {
    for (const key of ['ssl.endpoint.identification.algorithm', 'listener.name.ssl.ssl.endpoint.identification.algorithm']) {
      const tls = resolveBrokerConfig({ properties: sslProperties({ [key]: '' }) }).interBroker.security?.tls;
      expect(tls?.checkServerIdentity).toBeTypeOf('function');
      expect(tls?.rejectUnauthorized).toBe(true);
    }
  });
});
