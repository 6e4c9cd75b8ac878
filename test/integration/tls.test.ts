// TLS listeners (SSL and SASL_SSL) with certificates made by openssl in a temp dir: a PLAINTEXT
// and an SSL listener side by side, each advertising itself; kafkajs, kcat and
// confluent-kafka-python over SSL; SASL/SCRAM over TLS; mutual TLS (required and requested) with
// the certificate subject as principal; PEM (file, inline, encrypted key) and PKCS12 stores;
// TLS versions; plaintext bytes on the TLS port; and the start-up errors for unusable stores.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { promisify } from 'node:util';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { startBroker, type RunningBroker, type RunningListener, type StartOptions } from '../../src/broker.js';
import { ConfigError } from '../../src/config/config-error.js';
import { saltedPassword, scramMechanismByName } from '../../src/security/scram.js';
import { produceAndConsume, withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { requireProgram, requirePythonModule } from '../helpers/programs.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';

const run = promisify(execFile);
const noKcat = requireProgram('kcat');
const confluent = requirePythonModule('confluent_kafka');

const noOpenssl = requireProgram('openssl');
const noKeytool = requireProgram('keytool');
let certs: TestCerts;
beforeAll(() => {
  if (!noOpenssl) certs = makeTestCerts({ keytool: !noKeytool });
});
afterAll(() => {
  if (!noOpenssl) certs.remove();
});

function listener(broker: RunningBroker, name: string): RunningListener {
  const found = broker.listeners.find((l) => l.name === name);
  if (found === undefined) throw new Error(`no listener ${name}`);
  return found;
}

function kafkaOn(address: { bootstrap: string }, extra: Partial<KafkaConfig> = {}, retries = 5): Kafka {
  return new Kafka({
    clientId: 'tls-test',
    brokers: [address.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 50, maxRetryTime: 500 },
    ...extra,
  });
}

/** A pino logger whose lines the test can read. */
function capturedLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function tlsBroker(properties: StartOptions['properties'], options: StartOptions = {}): Promise<RunningBroker> {
  return withBroker({ ...options, properties: { 'group.initial.rebalance.delay.ms': 0, ...properties } });
}

/** Resolves with the negotiated TLS version, or rejects when the handshake fails. */
function handshake(port: number, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: certs.ca, ...options }, () => {
      const version = socket.getProtocol() ?? '';
      socket.end();
      resolve(version);
    });
    socket.once('error', reject);
  });
}

async function startupProblems(properties: StartOptions['properties']): Promise<string> {
  const err = await startBroker({ logLevel: 'silent', properties }).then(
    async (b) => {
      await b.stop();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).message;
}

describe.skipIf(noOpenssl)('PLAINTEXT and SSL listeners side by side', () => {
  let broker: RunningBroker;
  const logs = capturedLogger();
  beforeAll(async () => {
    broker = await tlsBroker(
      {
        listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': certs.serverPemFile,
      },
      { logger: logs.logger },
    );
  });
  afterAll(() => broker.stop());

  it('binds both listeners and advertises to each client the listener it came in on', async () => {
    const plain = listener(broker, 'PLAINTEXT');
    const ssl = listener(broker, 'SSL');
    expect(ssl.securityProtocol).toBe('SSL');
    expect(ssl.port).not.toBe(plain.port);
    expect(broker.bootstrap).toBe(plain.bootstrap);

    const overTls = kafkaOn(ssl, { ssl: { ca: [certs.ca] } }).admin();
    await overTls.connect();
    expect((await overTls.describeCluster()).brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: ssl.port }]);
    await overTls.disconnect();
    const overTcp = kafkaOn(plain).admin();
    await overTcp.connect();
    expect((await overTcp.describeCluster()).brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: plain.port }]);
    await overTcp.disconnect();
  });

  it('kafkajs produces and consumes over TLS with the CA certificate', async () => {
    expect(await produceAndConsume(kafkaOn(listener(broker, 'SSL'), { ssl: { ca: [certs.ca] } }), 'tls-kafkajs')).toEqual(['one', 'two']);
  });

  it.skipIf(noKcat)('kcat (librdkafka) produces and consumes with security.protocol=ssl', async () => {
    const ssl = ['-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.caFile}`];
    const { bootstrap } = listener(broker, 'SSL');
    const producer = run('kcat', ['-b', bootstrap, ...ssl, '-P', '-t', 'tls-kcat', '-p', '0'], { timeout: 30_000 });
    producer.child.stdin!.end('a\nb\n');
    await producer;
    const { stdout } = await run('kcat', ['-b', bootstrap, ...ssl, '-C', '-t', 'tls-kcat', '-p', '0', '-o', 'beginning', '-e', '-f', '%s@%o\\n'], { timeout: 30_000 });
    expect(stdout.trim().split('\n')).toEqual(['a@0', 'b@1']);
  });

  it.skipIf(confluent.skip)('confluent-kafka-python produces and consumes over SSL', async () => {
    const script = `
import json, sys
from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
bootstrap, ca, topic = sys.argv[1], sys.argv[2], sys.argv[3]
tls = {'bootstrap.servers': bootstrap, 'security.protocol': 'SSL', 'ssl.ca.location': ca}
p = Producer(tls)
for v in ['p1', 'p2', 'p3']:
    p.produce(topic, v.encode(), partition=0)
if p.flush(30) != 0:
    raise SystemExit('produce did not finish')
c = Consumer(dict(tls, **{'group.id': 'py-tls', 'enable.partition.eof': True}))
c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
values = []
while True:
    m = c.poll(10)
    if m is None:
        raise SystemExit('timed out')
    if m.error():
        if m.error().code() == -191:
            break
        raise SystemExit(str(m.error()))
    values.append(m.value().decode())
c.close()
print(json.dumps(values))
`;
    await broker.broker.topics.create('tls-python', { numPartitions: 1 });
    const { stdout } = await run(confluent.python, ['-c', script, listener(broker, 'SSL').bootstrap, certs.caFile, 'tls-python'], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual(['p1', 'p2', 'p3']);
  });

  it('closes a plaintext client on the TLS port with a log line, while TLS and plaintext clients keep working', async () => {
    const ssl = listener(broker, 'SSL');
    const client = await RawClient.connect('127.0.0.1', ssl.port);
    await expect(client.send(18, 0, { clientSoftwareName: '', clientSoftwareVersion: '', clusterId: null, nodeId: -1 })).rejects.toThrow('connection closed');
    expect(logs.lines().some((l) => l['msg'] === 'closing connection: TLS handshake failed' && l['listener'] === 'SSL')).toBe(true);

    expect(await produceAndConsume(kafkaOn(ssl, { ssl: { ca: [certs.ca] } }), 'tls-after-garbage', ['still'])).toEqual(['still']);
    const plain = await RawClient.connect('127.0.0.1', listener(broker, 'PLAINTEXT').port);
    const versions = await plain.send(18, 0, { clientSoftwareName: '', clientSoftwareVersion: '', clusterId: null, nodeId: -1 });
    expect(versions.errorCode).toBe(ErrorCode.NONE);
    plain.close();
  });

  it('stops while a client sits on the TLS port without starting its handshake', async () => {
    const broker = await tlsBroker({ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverPemFile });
    const silent = connect({ host: '127.0.0.1', port: broker.port });
    await new Promise((resolve) => silent.once('connect', resolve));
    const closed = new Promise((resolve) => silent.once('close', resolve));
    await broker.stop();
    await closed;
  });

  it('a client that does not trust the server certificate cannot connect', async () => {
    await expect(handshake(listener(broker, 'SSL').port, { ca: certs.strangerCert })).rejects.toThrow();
  });
});

describe.skipIf(noOpenssl)('SASL_SSL', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await tlsBroker({
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-256',
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': certs.serverP12File,
      'ssl.keystore.password': certs.storePassword,
    });
    // SCRAM users are created through the admin API, here on the PLAINTEXT listener.
    const admin = await RawClient.connect('127.0.0.1', listener(broker, 'PLAINTEXT').port);
    const mechanism = scramMechanismByName('SCRAM-SHA-256')!;
    const salt = randomBytes(24);
    const result = await admin.send(51, 0, {
      deletions: [],
      upsertions: [{ name: 'carol', mechanism: mechanism.type, iterations: 4096, salt, saltedPassword: saltedPassword(mechanism, 'carol-secret', salt, 4096) }],
    });
    expect(result.results[0]!.errorCode).toBe(ErrorCode.NONE);
    admin.close();
  });
  afterAll(() => broker.stop());

  it('kafkajs authenticates with SCRAM-SHA-256 over TLS and produces and consumes', async () => {
    const kafka = kafkaOn(listener(broker, 'SASL_SSL'), { ssl: { ca: [certs.ca] }, sasl: { mechanism: 'scram-sha-256', username: 'carol', password: 'carol-secret' } });
    expect(await produceAndConsume(kafka, 'sasl-ssl')).toEqual(['one', 'two']);
  });

  it('refuses a wrong password', async () => {
    const kafka = kafkaOn(listener(broker, 'SASL_SSL'), { ssl: { ca: [certs.ca] }, sasl: { mechanism: 'scram-sha-256', username: 'carol', password: 'wrong' } }, 0);
    const admin = kafka.admin();
    await expect(admin.connect()).rejects.toThrow(/SASL SCRAM SHA256 authentication failed/);
  });

  it.skipIf(noKcat)('kcat authenticates with SASL_SSL', async () => {
    const args = ['-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${certs.caFile}`, '-X', 'sasl.mechanisms=SCRAM-SHA-256', '-X', 'sasl.username=carol', '-X', 'sasl.password=carol-secret'];
    const { bootstrap } = listener(broker, 'SASL_SSL');
    const producer = run('kcat', ['-b', bootstrap, ...args, '-P', '-t', 'sasl-ssl-kcat', '-p', '0'], { timeout: 30_000 });
    producer.child.stdin!.end('x\n');
    await producer;
    const { stdout } = await run('kcat', ['-b', bootstrap, ...args, '-C', '-t', 'sasl-ssl-kcat', '-p', '0', '-o', 'beginning', '-e', '-f', '%s\\n'], { timeout: 30_000 });
    expect(stdout.trim()).toBe('x');
  });
});

describe.skipIf(noOpenssl)('mutual TLS', () => {
  it('ssl.client.auth=required: no client certificate, no connection; a trusted one connects and is the principal', async () => {
    const logs = capturedLogger();
    const broker = await tlsBroker(
      {
        listeners: 'SSL://127.0.0.1:0',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.key': certs.serverKey,
        'ssl.keystore.certificate.chain': certs.serverCert,
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': certs.caFile,
        'ssl.client.auth': 'required',
      },
      { logger: logs.logger },
    );
    try {
      const anonymous = kafkaOn(broker, { ssl: { ca: [certs.ca] } }, 0).admin();
      await expect(anonymous.connect()).rejects.toThrow();
      const stranger = kafkaOn(broker, { ssl: { ca: [certs.ca], cert: certs.strangerCert, key: certs.strangerKey } }, 0).admin();
      await expect(stranger.connect()).rejects.toThrow();
      expect(logs.lines().filter((l) => l['msg'] === 'closing connection: TLS handshake failed').length).toBeGreaterThanOrEqual(2);

      const kafka = kafkaOn(broker, { ssl: { ca: [certs.ca], cert: certs.clientCert, key: certs.clientKey } });
      expect(await produceAndConsume(kafka, 'mtls')).toEqual(['one', 'two']);
      expect(logs.lines().find((l) => l['msg'] === 'TLS client authenticated by certificate')?.['principal']).toBe('User:CN=creek-client,O=Creek Test');
    } finally {
      await broker.stop();
    }
  });

  it.skipIf(noKeytool)('ssl.client.auth=requested with a PKCS12 truststore: optional, but a certificate sent must be trusted', async () => {
    const broker = await tlsBroker({
      listeners: 'SSL://127.0.0.1:0',
      'ssl.keystore.location': certs.serverP12File,
      'ssl.keystore.password': certs.storePassword,
      'ssl.truststore.location': certs.truststoreP12File,
      'ssl.truststore.password': certs.storePassword,
      'ssl.client.auth': 'requested',
    });
    try {
      expect(await produceAndConsume(kafkaOn(broker, { ssl: { ca: [certs.ca] } }), 'requested-anonymous', ['a'])).toEqual(['a']);
      expect(await produceAndConsume(kafkaOn(broker, { ssl: { ca: [certs.ca], cert: certs.clientCert, key: certs.clientKey } }), 'requested-cert', ['b'])).toEqual(['b']);
      const stranger = kafkaOn(broker, { ssl: { ca: [certs.ca], cert: certs.strangerCert, key: certs.strangerKey } }, 0).admin();
      await expect(stranger.connect()).rejects.toThrow();
    } finally {
      await broker.stop();
    }
  });

  it('per-listener overrides: only the listener with listener.name.<name>.ssl.client.auth=required asks for certificates', async () => {
    const broker = await tlsBroker({
      listeners: 'SSL://127.0.0.1:0,MTLS://127.0.0.1:0',
      'listener.security.protocol.map': 'SSL:SSL,MTLS:SSL',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.serverPemFile,
      'listener.name.mtls.ssl.truststore.type': 'PEM',
      'listener.name.mtls.ssl.truststore.certificates': certs.ca,
      'listener.name.mtls.ssl.client.auth': 'required',
    });
    try {
      await expect(handshake(listener(broker, 'SSL').port, {})).resolves.toMatch(/^TLSv1\.[23]$/);
      const mtls = listener(broker, 'MTLS').port;
      await expect(handshake(mtls, { cert: certs.clientCert, key: certs.clientKey })).resolves.toMatch(/^TLSv1\.[23]$/);
      // TLS 1.3 reports a missing client certificate after the handshake: the first read fails.
      const refused = await handshake(mtls, { maxVersion: 'TLSv1.2' }).then(() => 'connected', (e: Error) => e.message);
      expect(refused).not.toBe('connected');
    } finally {
      await broker.stop();
    }
  });
});

describe.skipIf(noOpenssl)('TLS settings', () => {
  it('ssl.enabled.protocols and ssl.cipher.suites (Java names) limit what clients may negotiate', async () => {
    const broker = await tlsBroker({
      listeners: 'SSL://127.0.0.1:0',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.key': certs.serverEncryptedKey,
      'ssl.key.password': certs.keyPassword,
      'ssl.keystore.certificate.chain': certs.serverCert,
      'ssl.enabled.protocols': 'TLSv1.2',
      'ssl.cipher.suites': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    });
    try {
      await expect(handshake(broker.port, {})).resolves.toBe('TLSv1.2');
      await expect(handshake(broker.port, { minVersion: 'TLSv1.3' })).rejects.toThrow();
      await expect(handshake(broker.port, { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' })).rejects.toThrow();
      expect(await produceAndConsume(kafkaOn(broker, { ssl: { ca: [certs.ca] } }), 'tls12', ['v'])).toEqual(['v']);
    } finally {
      await broker.stop();
    }
  });

  it.skipIf(noKeytool)('refuses unusable stores at start-up with a clear message', async () => {
    const ssl = { listeners: 'SSL://127.0.0.1:0' };
    expect(await startupProblems({ ...ssl, 'ssl.keystore.location': certs.serverJksFile, 'ssl.keystore.password': certs.storePassword })).toContain(
      `is a Java KeyStore (JKS), which Creek cannot read. Convert it to PKCS12: keytool -importkeystore -srckeystore ${certs.serverJksFile}`,
    );
    expect(await startupProblems({ ...ssl, 'ssl.keystore.type': 'JKS', 'ssl.keystore.location': certs.serverJksFile })).toContain('then set ssl.keystore.type=PKCS12');
    expect(await startupProblems(ssl)).toContain('Listener SSL uses TLS but has no keystore: set ssl.keystore.location');
    expect(await startupProblems({ ...ssl, 'ssl.keystore.location': `${certs.dir}/missing.p12` })).toContain(`Cannot read the keystore ${certs.dir}/missing.p12 (ssl.keystore.location): ENOENT`);
    expect(await startupProblems({ ...ssl, 'ssl.keystore.location': certs.serverP12File, 'ssl.keystore.password': 'wrong' })).toContain(
      'Cannot use the TLS settings of listener SSL: wrong keystore password (ssl.keystore.password)',
    );
    expect(await startupProblems({ ...ssl, 'ssl.keystore.type': 'PEM', 'ssl.keystore.key': certs.serverEncryptedKey, 'ssl.keystore.certificate.chain': certs.serverCert })).toContain(
      'wrong or missing ssl.key.password',
    );
    expect(await startupProblems({ ...ssl, 'ssl.keystore.location': certs.serverPemFile })).toContain('is a PEM file: set ssl.keystore.type=PEM');
    expect(await startupProblems({ ...ssl, 'ssl.keystore.location': certs.sha1ServerP12File, 'ssl.keystore.password': certs.storePassword })).toContain(
      `Cannot use the TLS settings of listener SSL: a certificate of the keystore (ssl.keystore.location=${certs.sha1ServerP12File}) is signed with a digest that OpenSSL refuses`,
    );
    expect(await startupProblems({ ...ssl, 'ssl.keystore.location': certs.sha1ServerP12File, 'ssl.keystore.password': certs.storePassword })).toContain(
      're-issue the certificate signed with SHA-256',
    );
    expect(
      await startupProblems({ ...ssl, 'ssl.keystore.location': certs.serverP12File, 'ssl.keystore.password': certs.storePassword, 'ssl.truststore.location': certs.truststoreP12File, 'ssl.truststore.password': 'nope' }),
    ).toContain(`Cannot read the PKCS12 truststore ${certs.truststoreP12File} (ssl.truststore.location): wrong password`);
    expect(await startupProblems({ ...ssl, 'ssl.keystore.location': certs.serverP12File, 'ssl.enabled.protocols': 'TLSv1.1' })).toContain(
      'Unsupported protocol TLSv1.1 in ssl.enabled.protocols: Creek supports TLSv1.2 and TLSv1.3',
    );
    expect(await startupProblems({ ...ssl, 'ssl.keystore.location': certs.serverP12File, 'ssl.cipher.suites': 'TLS_NOT_A_SUITE' })).toContain(
      'Unsupported cipher suite TLS_NOT_A_SUITE in ssl.cipher.suites',
    );
    expect(await startupProblems({ ...ssl, 'ssl.keystore.location': certs.serverP12File, 'listener.name.ssl.ssl.client.auth': 'always' })).toContain(
      'Invalid value always for configuration listener.name.ssl.ssl.client.auth',
    );
  });
});
