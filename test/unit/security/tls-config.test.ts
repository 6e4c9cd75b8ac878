// TLS settings: PKCS12 truststores read without Node's help (openssl and keytool files, legacy
// 3DES, empty and wrong passwords), cipher suite names, and how broker configuration layers
// (file, environment, per-listener overrides) reach each listener's TLS options.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBrokerConfig, resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { problemsOf } from '../../helpers/config-problems.js';
import { openSslCipherName } from '../../../src/security/cipher-suites.js';
import { pkcs12Certificates } from '../../../src/security/pkcs12.js';
import { requireProgram } from '../../helpers/programs.js';
import { makeTestCerts, type TestCerts } from '../../helpers/tls-certs.js';

const noOpenssl = requireProgram('openssl');
const noKeytool = requireProgram('keytool');
let certs: TestCerts;
beforeAll(() => {
  if (!noOpenssl) certs = makeTestCerts({ keytool: !noKeytool });
});
afterAll(() => {
  if (!noOpenssl) certs.remove();
});

describe.skipIf(noOpenssl)('pkcs12Certificates', () => {
  const exportTruststore = (name: string, password: string, ...extra: string[]): Buffer => {
    execFileSync('openssl', ['pkcs12', '-export', '-in', 'ca.pem', '-nokeys', '-out', name, '-passout', `pass:${password}`, ...extra], { cwd: certs.dir, stdio: 'pipe' });
    return readFileSync(join(certs.dir, name));
  };

  it.skipIf(noKeytool)('reads keytool (PBES2, HmacSHA256 MAC) and openssl files, including legacy SHA-1/3DES and an empty password', () => {
    expect(pkcs12Certificates(readFileSync(certs.truststoreP12File), certs.storePassword)).toEqual([certs.ca]);
    expect(pkcs12Certificates(exportTruststore('aes.p12', 'pw'), 'pw')).toEqual([certs.ca]);
    expect(pkcs12Certificates(exportTruststore('3des.p12', 'pw', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'), 'pw')).toEqual([certs.ca]);
    expect(pkcs12Certificates(exportTruststore('empty.p12', ''), '')).toEqual([certs.ca]);
  });

  it('reads certificates with EC keys', () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec-ca.key', '-out', 'ec-ca.pem', '-days', '2', '-subj', '/CN=EC CA'], { cwd: certs.dir, stdio: 'pipe' });
    const ecCa = readFileSync(join(certs.dir, 'ec-ca.pem'), 'utf8');
    execFileSync('openssl', ['pkcs12', '-export', '-in', 'ec-ca.pem', '-nokeys', '-out', 'ec.p12', '-passout', 'pass:pw'], { cwd: certs.dir, stdio: 'pipe' });
    expect(pkcs12Certificates(readFileSync(join(certs.dir, 'ec.p12')), 'pw')).toEqual([ecCa]);
  });

  it.skipIf(noKeytool)('lists the chain of a keystore, and refuses a wrong password and non-PKCS12 input', () => {
    const chain = pkcs12Certificates(readFileSync(certs.serverP12File), certs.storePassword);
    expect(chain).toEqual([certs.serverCert, certs.ca]);
    expect(() => pkcs12Certificates(readFileSync(certs.truststoreP12File), 'wrong')).toThrow('wrong password');
    expect(() => pkcs12Certificates(readFileSync(certs.serverJksFile), certs.storePassword)).toThrow('not a PKCS12 file');
    expect(() => pkcs12Certificates(Buffer.from(certs.ca), '')).toThrow('not a PKCS12 file');
  });
});

describe('openSslCipherName', () => {
  it('maps Java (IANA) names and passes OpenSSL names through', () => {
    expect(openSslCipherName('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')).toBe('ECDHE-RSA-AES128-GCM-SHA256');
    expect(openSslCipherName('TLS_RSA_WITH_AES_256_CBC_SHA')).toBe('AES256-SHA');
    expect(openSslCipherName('TLS_AES_256_GCM_SHA384')).toBe('TLS_AES_256_GCM_SHA384');
    expect(openSslCipherName('ecdhe-ecdsa-chacha20-poly1305')).toBe('ECDHE-ECDSA-CHACHA20-POLY1305');
    expect(openSslCipherName('TLS_RSA_WITH_RC4_128_MD5')).toBeUndefined();
  });
});

describe.skipIf(noOpenssl)('TLS listener configuration', () => {
  it('reads every listener; ssl.* keys apply to every TLS listener unless overridden per listener', () => {
    const config = resolveBrokerConfig({
      properties: {
        listeners: 'PLAINTEXT://:9092,SSL://:9093,MTLS://:9094',
        'advertised.listeners': 'PLAINTEXT://kafka:9092,SSL://kafka:9093,MTLS://kafka:9094',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,MTLS:SSL',
        'ssl.keystore.location': certs.serverP12File,
        'ssl.keystore.password': certs.storePassword,
        'ssl.enabled.protocols': 'TLSv1.3',
        'listener.name.mtls.ssl.client.auth': 'required',
        'listener.name.mtls.ssl.truststore.type': 'PEM',
        'listener.name.mtls.ssl.truststore.location': certs.caFile,
      },
    });
    expect(config.warnings).toEqual([]);
    const [plain, ssl, mtls] = config.listeners;
    expect(plain).toMatchObject({ endpoint: { name: 'PLAINTEXT', port: 9092, securityProtocol: 'PLAINTEXT' }, advertised: { host: 'kafka', port: 9092 } });
    expect(plain!.tls).toBeUndefined();
    expect(ssl).toMatchObject({ endpoint: { name: 'SSL', port: 9093, securityProtocol: 'SSL' }, advertised: { host: 'kafka', port: 9093 } });
    expect(ssl!.tls).toMatchObject({ clientAuth: 'none', options: { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', requestCert: false } });
    expect(ssl!.tls!.options.ca).toBeUndefined();
    expect(mtls!.tls).toMatchObject({ clientAuth: 'required', options: { requestCert: true, rejectUnauthorized: true, ca: certs.ca } });
    expect(config.listener).toEqual(plain!.endpoint);
  });

  it('takes ssl.* keys from a properties file and the environment', () => {
    const dir = certs.dir;
    const file = join(dir, 'server.properties');
    writeFileSync(file, `listeners=SSL://127.0.0.1:9093\nssl.keystore.type=PKCS12\nssl.keystore.location=${certs.serverP12File}\n`);
    const config = loadBrokerConfig({ argv: [file], env: { KAFKA_SSL_KEYSTORE_PASSWORD: certs.storePassword, CREEK_SSL_CLIENT_AUTH: 'requested' } });
    expect(config.listeners[0]!.tls).toMatchObject({ clientAuth: 'requested', options: { passphrase: certs.storePassword, requestCert: true, rejectUnauthorized: false } });
    expect(problemsOf(() => loadBrokerConfig({ argv: [file], env: {} }))).toEqual(['Cannot use the TLS settings of listener SSL: wrong keystore password (ssl.keystore.password)']);
  });

  it('uses ssl.protocol for the versions when ssl.enabled.protocols is empty', () => {
    const base = { listeners: 'SSL://:9093', 'ssl.keystore.location': certs.serverP12File, 'ssl.keystore.password': certs.storePassword, 'ssl.enabled.protocols': '' };
    expect(resolveBrokerConfig({ properties: { ...base, 'ssl.protocol': 'TLSv1.2' } }).listeners[0]!.tls!.options).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(resolveBrokerConfig({ properties: base }).listeners[0]!.tls!.options).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(problemsOf(() => resolveBrokerConfig({ properties: { ...base, 'ssl.protocol': 'SSLv3' } }))).toEqual(['Unsupported ssl.protocol SSLv3: Creek supports TLSv1.2 and TLSv1.3']);
  });

  it('refuses two listeners with one name or port, and advertised names without a listener', () => {
    expect(problemsOf(() => resolveBrokerConfig({ properties: { listeners: 'PLAINTEXT://:9092,PLAINTEXT://:9093' } }))).toEqual([
      'Each listener must have a different name: PLAINTEXT is listed twice in listeners',
    ]);
    expect(problemsOf(() => resolveBrokerConfig({ properties: { listeners: 'PLAINTEXT://:9092,SASL_PLAINTEXT://:9092', 'sasl.enabled.mechanisms': 'PLAIN' } }))).toEqual([
      'Each listener must have a different port: 9092 is used twice in listeners',
    ]);
    expect(problemsOf(() => resolveBrokerConfig({ properties: { listeners: 'PLAINTEXT://:9092', 'advertised.listeners': 'EXTERNAL://kafka:9092' } }))).toEqual([
      'advertised.listeners names listeners that listeners does not define: EXTERNAL',
    ]);
  });

  it('inline PEM keys need ssl.keystore.type=PEM and both halves', () => {
    const base = { listeners: 'SSL://:9093', 'ssl.keystore.key': certs.serverKey };
    expect(problemsOf(() => resolveBrokerConfig({ properties: base }))).toEqual([
      'ssl.keystore.key and ssl.keystore.certificate.chain need ssl.keystore.type=PEM (it is JKS)',
      'ssl.keystore.key and ssl.keystore.certificate.chain must be set together',
    ]);
  });
});
