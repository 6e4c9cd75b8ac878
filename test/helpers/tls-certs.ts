// Test certificates made with the openssl CLI (and keytool for a Java KeyStore) in a temp dir: a
// CA, a server certificate for localhost/127.0.0.1, a client certificate, a second CA nobody
// trusts (with its own client certificate), and the stores Kafka configs point at.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './broker.js';

export interface TestCerts {
  dir: string;
  /** CA certificate (PEM file) and its text. */
  caFile: string;
  ca: string;
  /** Server key + certificate chain in one PEM file (ssl.keystore.type=PEM). */
  serverPemFile: string;
  serverKey: string;
  serverCert: string;
  /** The server key encrypted with `keyPassword` (PKCS#8 PEM). */
  serverEncryptedKey: string;
  keyPassword: string;
  /** Server keystore in PKCS12 with `storePassword`. */
  serverP12File: string;
  /** CA certificate in a PKCS12 truststore with `storePassword`. */
  truststoreP12File: string;
  storePassword: string;
  /** A Java KeyStore holding the server key (made with keytool). */
  serverJksFile: string;
  clientKey: string;
  clientCert: string;
  /** A client certificate from a CA the broker does not trust. */
  strangerKey: string;
  strangerCert: string;
  remove(): void;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function signedCert(dir: string, name: string, subject: string, ca: string, extensions?: string): void {
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  const ext: string[] = [];
  if (extensions !== undefined) {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    ext.push('-extfile', `${name}.ext`);
  }
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...ext);
}

export function makeTestCerts(): TestCerts {
  const tmp = tempDir('creek-tls-');
  const dir = tmp.path;
  const read = (file: string): string => readFileSync(join(dir, file), 'utf8');
  const storePassword = 'store-secret';
  const keyPassword = 'key-secret';

  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/O=Creek Test/CN=Creek Test CA');
  signedCert(dir, 'server', '/O=Creek Test/CN=localhost', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  signedCert(dir, 'client', '/O=Creek Test/CN=creek-client', 'ca');
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '2', '-subj', '/CN=Other CA');
  signedCert(dir, 'stranger', '/CN=stranger', 'other-ca');

  writeFileSync(join(dir, 'server-keystore.pem'), read('server.key') + read('server.pem') + read('ca.pem'));
  openssl(dir, 'pkcs8', '-topk8', '-in', 'server.key', '-out', 'server-encrypted.key', '-passout', `pass:${keyPassword}`);
  openssl(dir, 'pkcs12', '-export', '-in', 'server.pem', '-inkey', 'server.key', '-certfile', 'ca.pem', '-name', 'server', '-out', 'server.p12', '-passout', `pass:${storePassword}`);
  execFileSync('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', '-keystore', 'truststore.p12', '-storetype', 'PKCS12', '-storepass', storePassword], { cwd: dir, stdio: 'pipe' });
  execFileSync('keytool', ['-importkeystore', '-srckeystore', 'server.p12', '-srcstoretype', 'PKCS12', '-srcstorepass', storePassword, '-destkeystore', 'server.jks', '-deststoretype', 'JKS', '-deststorepass', storePassword, '-noprompt'], { cwd: dir, stdio: 'pipe' });

  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    ca: read('ca.pem'),
    serverPemFile: join(dir, 'server-keystore.pem'),
    serverKey: read('server.key'),
    serverCert: read('server.pem'),
    serverEncryptedKey: read('server-encrypted.key'),
    keyPassword,
    serverP12File: join(dir, 'server.p12'),
    truststoreP12File: join(dir, 'truststore.p12'),
    storePassword,
    serverJksFile: join(dir, 'server.jks'),
    clientKey: read('client.key'),
    clientCert: read('client.pem'),
    strangerKey: read('stranger.key'),
    strangerCert: read('stranger.pem'),
    remove: tmp.remove,
  };
}
