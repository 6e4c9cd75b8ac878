// Test certificates made with the openssl CLI (and keytool, when asked, for Java's stores) in a temp dir:
// the compat suite's CA and server certificate for localhost/127.0.0.1, a client certificate, a
// second CA nobody trusts (with its own client certificate), and the stores Kafka configs (and
// Creek's etcd client settings) use.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCa, makeDevCert, signCert } from '../../compat/lib/dev-cert.js';
import { tempDir } from './broker.js';

export interface TestCerts {
  dir: string;
  /** CA certificate (PEM file) and its text. */
  caFile: string;
  ca: string;
  /** Server key + certificate in one PEM file (ssl.keystore.type=PEM). */
  serverPemFile: string;
  serverKey: string;
  serverCert: string;
  /** The server key encrypted with `keyPassword` (PKCS#8 PEM). */
  serverEncryptedKey: string;
  keyPassword: string;
  /** Server keystore in PKCS12 with `storePassword`. */
  serverP12File: string;
  /** CA certificate in a PKCS12 truststore with `storePassword` (made with keytool). */
  truststoreP12File: string;
  storePassword: string;
  /** A Java KeyStore holding the server key (made with keytool). */
  serverJksFile: string;
  /** A PKCS12 keystore whose server certificate the CA signed with SHA-1 (refused by OpenSSL 3). */
  sha1ServerP12File: string;
  clientKey: string;
  clientCert: string;
  /** The client key + certificate in one PEM file, and in a PKCS12 keystore with `storePassword`. */
  clientPemFile: string;
  clientP12File: string;
  /** The other CA's certificate (PEM file), and its client's key + certificate in one PEM file. */
  otherCaFile: string;
  strangerPemFile: string;
  /** A client certificate from a CA the broker does not trust. */
  strangerKey: string;
  strangerCert: string;
  remove(): void;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** `keytool: false` skips the two keytool-made stores (their paths then name no file). */
export function makeTestCerts(options: { keytool: boolean }): TestCerts {
  const tmp = tempDir('creek-tls-');
  const dir = tmp.path;
  const read = (file: string): string => readFileSync(join(dir, file), 'utf8');
  const storePassword = 'store-secret';
  const keyPassword = 'key-secret';

  const { caFile, keystoreFile } = makeDevCert(dir);
  signCert(dir, 'client', '/O=Creek Test/CN=creek-client', 'ca');
  makeCa(dir, 'other-ca', '/CN=Other CA');
  signCert(dir, 'stranger', '/CN=stranger', 'other-ca');

  openssl(dir, 'pkcs8', '-topk8', '-in', 'server.key', '-out', 'server-encrypted.key', '-passout', `pass:${keyPassword}`);
  openssl(dir, 'pkcs12', '-export', '-in', 'server.pem', '-inkey', 'server.key', '-certfile', 'ca.pem', '-name', 'server', '-out', 'server.p12', '-passout', `pass:${storePassword}`);
  openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server-sha1.pem', '-days', '2', '-sha1');
  openssl(dir, 'pkcs12', '-export', '-in', 'server-sha1.pem', '-inkey', 'server.key', '-certfile', 'ca.pem', '-out', 'server-sha1.p12', '-passout', `pass:${storePassword}`);
  writeFileSync(join(dir, 'client-keystore.pem'), read('client.key') + read('client.pem'));
  writeFileSync(join(dir, 'stranger-keystore.pem'), read('stranger.key') + read('stranger.pem'));
  openssl(dir, 'pkcs12', '-export', '-in', 'client.pem', '-inkey', 'client.key', '-certfile', 'ca.pem', '-name', 'client', '-out', 'client.p12', '-passout', `pass:${storePassword}`);
  if (options.keytool) {
    execFileSync('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', '-keystore', 'truststore.p12', '-storetype', 'PKCS12', '-storepass', storePassword], { cwd: dir, stdio: 'pipe' });
    execFileSync('keytool', ['-importkeystore', '-srckeystore', 'server.p12', '-srcstoretype', 'PKCS12', '-srcstorepass', storePassword, '-destkeystore', 'server.jks', '-deststoretype', 'JKS', '-deststorepass', storePassword, '-noprompt'], { cwd: dir, stdio: 'pipe' });
  }

  return {
    dir,
    caFile,
    ca: read('ca.pem'),
    serverPemFile: keystoreFile,
    serverKey: read('server.key'),
    serverCert: read('server.pem'),
    serverEncryptedKey: read('server-encrypted.key'),
    keyPassword,
    serverP12File: join(dir, 'server.p12'),
    truststoreP12File: join(dir, 'truststore.p12'),
    storePassword,
    serverJksFile: join(dir, 'server.jks'),
    sha1ServerP12File: join(dir, 'server-sha1.p12'),
    clientKey: read('client.key'),
    clientCert: read('client.pem'),
    clientPemFile: join(dir, 'client-keystore.pem'),
    clientP12File: join(dir, 'client.p12'),
    otherCaFile: join(dir, 'other-ca.pem'),
    strangerPemFile: join(dir, 'stranger-keystore.pem'),
    strangerKey: read('stranger.key'),
    strangerCert: read('stranger.pem'),
    remove: tmp.remove,
  };
}
