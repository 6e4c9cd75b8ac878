// The client subcommands against SASL and TLS listeners, configured with Kafka's client keys as kcat
// takes them (-X key=value) or as Kafka's tools do (--command-config FILE): PLAIN and SCRAM logins,
// a wrong password, a missing login, TLS with and without the broker's CA, and settings refused
// before anything is sent.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { tempDir, withBroker } from '../helpers/broker.js';
import { runCli, runCliOk } from '../helpers/cli.js';
import { expectCliFailure } from '../helpers/cli-failure.js';
import { requireProgram } from '../helpers/programs.js';
import { plainClient, saslBroker, setScramPassword } from '../helpers/sasl.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';

const files = tempDir('creek-cli-security-');
afterAll(() => files.remove());

describe('creek subcommands on a SASL_PLAINTEXT listener', () => {
  let broker: RunningBroker;
  let b: string[];
  const plain = ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret'];
  beforeAll(async () => {
    broker = await saslBroker();
    b = ['--bootstrap', broker.bootstrap];
  });
  afterAll(() => broker.stop());

  it('creates, produces and consumes with PLAIN given as -X key=value', async () => {
    await runCliOk(['topic', 'create', 'sasl-cli', ...b, ...plain]);
    expect(await runCliOk(['produce', 'sasl-cli', '-v', ...b, ...plain], 'one\ntwo\n')).toBe('sasl-cli [0] @ 0\nsasl-cli [0] @ 1\n');
    expect(await runCliOk(['consume', 'sasl-cli', '-e', ...b, ...plain])).toBe('one\ntwo\n');
  });

  it('logs in with SCRAM-SHA-256 from a Java client properties file (--command-config)', async () => {
    const admin = await plainClient(broker);
    expect((await setScramPassword(admin, 'carol', 'SCRAM-SHA-256', 'carol-secret')).results[0].errorCode).toBe(0);
    admin.close();
    const config = join(files.path, 'scram.properties');
    writeFileSync(
      config,
      [
        'security.protocol=SASL_PLAINTEXT',
        'sasl.mechanism=SCRAM-SHA-256',
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="carol" password="carol-secret";',
        '',
      ].join('\n'),
    );
    await runCliOk(['topic', 'create', 'scram-cli', ...b, '--command-config', config]);
    await runCliOk(['produce', 'scram-cli', ...b, '--command-config', config], 'scram\n');
    expect(await runCliOk(['consume', 'scram-cli', '-e', ...b, '--command-config', config])).toBe('scram\n');
    // -X overrides the file: a wrong password now.
    expectCliFailure(await runCli(['topic', 'list', ...b, '--command-config', config, '-X', 'sasl.password=wrong']), 1, /^creek: SASL_AUTHENTICATION_FAILED: .*invalid credentials with SASL mechanism SCRAM-SHA-256 \(hint: check sasl.mechanism, sasl.username and sasl.password\)$/m);
  });

  it('fails in one line with a wrong password, without SASL, and on settings it cannot use, writing nothing', async () => {
    const wrong = plain.map((a) => (a === 'sasl.password=alice-secret' ? 'sasl.password=nope' : a));
    expectCliFailure(await runCli(['produce', 'sasl-none', ...b, ...wrong], 'x\n'), 1, /^creek: SASL_AUTHENTICATION_FAILED: .*Invalid username or password/);
    expectCliFailure(await runCli(['topic', 'create', 'sasl-none', ...b]), 1, /^creek: cannot reach a broker at .*: Closed connection \(hint: the broker closed the connection: if its listener uses SASL or TLS, pass -X security.protocol=/);
    expectCliFailure(await runCli(['topic', 'list', ...b, '-X', 'security.protocol=SASL_PLAINTEXT']), 2, /^creek: sasl\.mechanism GSSAPI is not supported: set PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 \(hint: see creek topic --help\)$/m);
    expectCliFailure(await runCli(['topic', 'list', ...b, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanism=PLAIN']), 2, 'SASL needs sasl.username and sasl.password');
    expectCliFailure(await runCli(['topic', 'list', ...b, '-X', 'security.protocol=KERBEROS']), 2, 'security.protocol expects PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "KERBEROS"');
    expectCliFailure(await runCli(['topic', 'list', ...b, '-X', 'sasl.usernme=alice']), 2, /unknown client property "sasl\.usernme"/);
    expectCliFailure(await runCli(['topic', 'list', ...b, '-X', 'sasl.username']), 2, '--property expects key=value, got "sasl.username"');
    expectCliFailure(await runCli(['topic', 'list', ...b, '--command-config', join(files.path, 'absent.properties')]), 2, /cannot read --command-config/);
    expect(broker.broker.topics.get('sasl-none')).toBeUndefined();
  });
});

const noOpenssl = requireProgram('openssl');

describe.skipIf(noOpenssl)('creek subcommands on SSL and SASL_SSL listeners', () => {
  let certs: TestCerts;
  let broker: RunningBroker;
  let ssl: string[];
  let saslSsl: string[];
  beforeAll(async () => {
    certs = makeTestCerts({ keytool: false });
    broker = await withBroker({
      properties: {
        listeners: 'SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': certs.serverPemFile,
        'listener.name.ssl.ssl.client.auth': 'required',
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': certs.caFile,
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_ssl.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
      },
    });
    const port = (name: string): string => `127.0.0.1:${broker.listeners.find((l) => l.name === name)!.port}`;
    ssl = ['--bootstrap', port('SSL')];
    saslSsl = ['--bootstrap', port('SASL_SSL')];
  });
  afterAll(async () => {
    await broker?.stop();
    certs?.remove();
  });

  it('talks TLS trusting the CA given librdkafka\'s way (ssl.ca.location) or Java\'s (ssl.truststore.*), with a client certificate where required', async () => {
    // The SSL listener requires a client certificate.
    expectCliFailure(await runCli(['topic', 'create', 'tls-cli', ...ssl, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${certs.caFile}`]), 1, /^creek: cannot reach a broker at .*certificate required.*\(hint: the broker wants a client certificate it trusts: pass -X ssl.certificate.location=FILE/);
    const clientKey = join(files.path, 'client.key');
    const clientCert = join(files.path, 'client.pem');
    writeFileSync(clientKey, certs.clientKey);
    writeFileSync(clientCert, certs.clientCert);
    const mtls = ['-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.caFile}`, '-X', `ssl.certificate.location=${clientCert}`, '-X', `ssl.key.location=${clientKey}`];
    await runCliOk(['topic', 'create', 'tls-cli', ...ssl, ...mtls]);
    await runCliOk(['produce', 'tls-cli', ...ssl, ...mtls], 'over tls\n');
    const javaStyle = ['-X', 'security.protocol=SASL_SSL', '-X', 'ssl.truststore.type=PEM', '-X', `ssl.truststore.location=${certs.caFile}`, '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret'];
    expect(await runCliOk(['consume', 'tls-cli', '-e', ...saslSsl, ...javaStyle])).toBe('over tls\n');
  });

  it('refuses a broker whose certificate it cannot verify, a plaintext client on a TLS port, and unreadable certificates, in one line', async () => {
    const untrusted = await runCli(['topic', 'list', ...ssl, '-X', 'security.protocol=SSL']);
    expectCliFailure(untrusted, 1, /^creek: cannot reach a broker at .*self-signed certificate.*\(hint: the broker's certificate is not trusted: pass its CA with -X ssl.ca.location=FILE/);
    expectCliFailure(await runCli(['topic', 'list', ...ssl]), 1, /^creek: cannot reach a broker at .*: Closed connection \(hint: the broker closed the connection: if its listener uses SASL or TLS/);
    expectCliFailure(await runCli(['topic', 'list', ...ssl, '-X', 'security.protocol=SSL', '-X', 'ssl.ca.location=/nonexistent/ca.pem']), 2, /cannot read \/nonexistent\/ca\.pem \(ssl\.ca\.location\)/);
    expectCliFailure(await runCli(['topic', 'list', ...ssl, '-X', 'security.protocol=SSL', '-X', `ssl.certificate.location=${certs.caFile}`]), 2, 'ssl.certificate.location and ssl.key.location must be set together');
  });
});
