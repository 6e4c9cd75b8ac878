// Cluster mode's settings: --etcd / creek.etcd.endpoints turn it on; the prefix, lease TTL and
// start-up timeout have defaults; endpoints that are not http(s)://host:port are refused. A secured
// etcd's TLS material (PEM or PKCS12 stores, their type from the file name when unset) and user
// are read and checked before anything connects, each problem naming its key.
import { createPrivateKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBrokerConfig, resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { problemsOf } from '../../helpers/config-problems.js';
import { requireProgram } from '../../helpers/programs.js';
import { makeTestCerts, type TestCerts } from '../../helpers/tls-certs.js';

describe('etcd config', () => {
  it('is off unless endpoints are given', () => {
    expect(loadBrokerConfig({ argv: [], env: {} }).etcd).toBeUndefined();
    expect(resolveBrokerConfig({}).etcd).toBeUndefined();
  });

  it('reads endpoints from --etcd, the environment or a property, with defaults for the rest', () => {
    expect(loadBrokerConfig({ argv: ['--etcd', 'http://10.0.0.1:2379,http://10.0.0.2:2379'], env: {} }).etcd).toEqual({
      endpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'],
      prefix: '/creek/default/',
      leaseTtlMs: 6000,
      startupTimeoutMs: 15000,
    });
    expect(loadBrokerConfig({ argv: [], env: { CREEK_ETCD_ENDPOINTS: 'http://etcd:2379' } }).etcd?.endpoints).toEqual(['http://etcd:2379']);
    const config = resolveBrokerConfig({
      etcd: 'http://127.0.0.1:2379',
      properties: { 'creek.etcd.prefix': '/creek/prod', 'creek.etcd.lease.ttl.ms': 3000, 'creek.etcd.startup.timeout.ms': 0 },
    });
    expect(config.etcd).toEqual({ endpoints: ['http://127.0.0.1:2379'], prefix: '/creek/prod/', leaseTtlMs: 3000, startupTimeoutMs: 0 });
  });

  it('refuses endpoints that are not http(s)://host:port, a relative prefix and a lease under a second', () => {
    expect(problemsOf(() => loadBrokerConfig({ argv: ['--etcd', 'localhost:2379'], env: {} }))).toEqual([
      'Invalid value localhost:2379 for configuration creek.etcd.endpoints: localhost:2379: expected http://host:port or https://host:port (from --etcd)',
    ]);
    expect(problemsOf(() => loadBrokerConfig({ argv: ['--etcd', 'not a url'], env: {} }))[0]).toContain('not a URL; expected http://host:port or https://host:port');
    expect(problemsOf(() => loadBrokerConfig({ argv: ['--etcd', 'ftp://etcd:2379'], env: {} }))[0]).toContain('expected http://host:port or https://host:port');
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'creek.etcd.prefix': 'creek' } }))[0]).toContain('creek.etcd.prefix');
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'creek.etcd.lease.ttl.ms': 500 } }))[0]).toContain('Value must be at least 1000');
  });
});

describe('etcd users and TLS without certificates', () => {
  it('reads the user and password; one without the other, https:// without a CA, mixed schemes and TLS keys for http:// are refused', () => {
    expect(resolveBrokerConfig({ etcd: 'http://127.0.0.1:2379', properties: { 'creek.etcd.username': 'creek', 'creek.etcd.password': 'pw' } }).etcd?.auth).toEqual({
      username: 'creek',
      password: 'pw',
    });
    // A password kept out of files and command lines: from the environment.
    expect(loadBrokerConfig({ argv: ['--etcd', 'http://127.0.0.1:2379'], env: { CREEK_ETCD_USERNAME: 'creek', CREEK_ETCD_PASSWORD: 'from-env' } }).etcd?.auth).toEqual({
      username: 'creek',
      password: 'from-env',
    });
    const problems = (properties: Record<string, string>, etcd = 'https://127.0.0.1:2379') => problemsOf(() => resolveBrokerConfig({ etcd, properties }));
    expect(problems({ 'creek.etcd.username': 'creek' }, 'http://127.0.0.1:2379')).toEqual([
      "creek.etcd.username and creek.etcd.password must be set together (etcd's user and its password)",
    ]);
    expect(problems({})).toEqual([
      "creek.etcd.endpoints are https:// (https://127.0.0.1:2379): set creek.etcd.ssl.truststore.location to the CA certificate that signed etcd's server certificate (what etcdctl takes as --cacert)",
    ]);
    expect(problems({ 'creek.etcd.ssl.truststore.location': '/nonexistent/ca.pem' })[0]).toMatch(
      /^Cannot read the truststore \/nonexistent\/ca.pem \(creek.etcd.ssl.truststore.location\): ENOENT/,
    );
    expect(problems({ 'creek.etcd.ssl.truststore.location': '/ca.pem' }, 'https://127.0.0.1:2379,http://127.0.0.1:2380')[0]).toMatch(/mixes http:\/\/ and https:\/\//);
    expect(problems({ 'creek.etcd.ssl.truststore.location': '/ca.pem' }, 'http://127.0.0.1:2379')).toEqual([
      'creek.etcd.ssl.truststore.location only apply to https:// endpoints, and creek.etcd.endpoints are http:// (http://127.0.0.1:2379)',
    ]);
    expect(problems({ 'creek.etcd.ssl.keystore.type': 'JCEKS' }, 'http://127.0.0.1:2379')[0]).toContain('Value must be PEM, PKCS12 or JKS');
  });
});

const noOpenssl = requireProgram('openssl');

describe.skipIf(noOpenssl)('etcd TLS stores', () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = makeTestCerts({ keytool: false });
  });
  afterAll(() => certs?.remove());

  const tlsOf = (properties: Record<string, string>) => resolveBrokerConfig({ etcd: 'https://127.0.0.1:2379', properties }).etcd?.tls;
  const problems = (properties: Record<string, string>) => problemsOf(() => resolveBrokerConfig({ etcd: 'https://127.0.0.1:2379', properties }));
  const sameKey = (a: string, b: string) => createPrivateKey(a).equals(createPrivateKey(b));

  it('reads a PEM truststore and a PEM or PKCS12 keystore (types from the file names) as PEM key and chain, the key\'s certificate first', () => {
    const pem = tlsOf({ 'creek.etcd.ssl.truststore.location': certs.caFile, 'creek.etcd.ssl.keystore.location': certs.clientPemFile })!;
    expect(pem.ca).toBe(certs.ca);
    expect(pem.certChain).toBe(certs.clientCert);
    expect(sameKey(pem.privateKey!, certs.clientKey)).toBe(true);

    const p12 = tlsOf({
      'creek.etcd.ssl.truststore.location': certs.caFile,
      'creek.etcd.ssl.keystore.location': certs.clientP12File,
      'creek.etcd.ssl.keystore.password': certs.storePassword,
    })!;
    expect(p12.certChain).toBe(certs.clientCert + certs.ca);
    expect(sameKey(p12.privateKey!, certs.clientKey)).toBe(true);
    expect(tlsOf({ 'creek.etcd.ssl.truststore.location': certs.caFile })).toEqual({ ca: certs.ca });
  });

  it('an encrypted PEM key needs creek.etcd.ssl.keystore.password', () => {
    const encrypted = join(certs.dir, 'server-encrypted-keystore.pem');
    writeFileSync(encrypted, certs.serverEncryptedKey + certs.serverCert);
    const tls = tlsOf({ 'creek.etcd.ssl.truststore.location': certs.caFile, 'creek.etcd.ssl.keystore.location': encrypted, 'creek.etcd.ssl.keystore.password': certs.keyPassword })!;
    expect(sameKey(tls.privateKey!, certs.serverKey)).toBe(true);
    expect(problems({ 'creek.etcd.ssl.truststore.location': certs.caFile, 'creek.etcd.ssl.keystore.location': encrypted, 'creek.etcd.ssl.keystore.password': 'wrong' })[0]).toMatch(
      /^Cannot use the etcd client keystore: the private key cannot be decrypted: wrong or missing creek.etcd.ssl.keystore.password/,
    );
  });

  it('refuses a wrong PKCS12 password, a PKCS12 file read as PEM, and a key that is not its certificate\'s, naming the key', () => {
    expect(
      problems({ 'creek.etcd.ssl.truststore.location': certs.caFile, 'creek.etcd.ssl.keystore.location': certs.clientP12File, 'creek.etcd.ssl.keystore.password': 'wrong' }),
    ).toEqual([`Cannot use the etcd client keystore: wrong password (integrity check failed) (creek.etcd.ssl.keystore.location=${certs.clientP12File})`]);
    expect(problems({ 'creek.etcd.ssl.truststore.location': certs.clientP12File, 'creek.etcd.ssl.truststore.type': 'PEM' })).toEqual([
      `The truststore ${certs.clientP12File} (creek.etcd.ssl.truststore.location) holds no PEM certificates`,
    ]);
    const mismatched = join(certs.dir, 'mismatched-keystore.pem');
    writeFileSync(mismatched, certs.strangerKey + certs.clientCert);
    expect(problems({ 'creek.etcd.ssl.truststore.location': certs.caFile, 'creek.etcd.ssl.keystore.location': mismatched })).toEqual([
      'Cannot use the etcd client keystore: the private key does not belong to the certificate',
    ]);
  });
});
