// Throwaway certificates made with the openssl CLI: a CA, and certificates it signs (a server
// certificate for 127.0.0.1 and localhost by default). The compat suite serves an SSL listener
// with them; the tests build their certificate sets on the same two steps.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SERVER_NAMES = 'subjectAltName=DNS:localhost,IP:127.0.0.1\n';

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** Writes `<name>.key` and a self-signed `<name>.pem` into `dir`. */
export function makeCa(dir: string, name: string, subject: string): void {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', subject);
}

/** Writes `<name>.key` and `<name>.pem` signed by the CA `<ca>.pem`/`<ca>.key` in `dir`; `extensions` e.g. a subjectAltName line. */
export function signCert(dir: string, name: string, subject: string, ca: string, extensions?: string): void {
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  const ext: string[] = [];
  if (extensions !== undefined) {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    ext.push('-extfile', `${name}.ext`);
  }
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...ext);
}

export interface DevCert {
  /** The CA certificate clients trust (PEM). */
  caFile: string;
  /** The server's key and certificate in one PEM file (ssl.keystore.type=PEM). */
  keystoreFile: string;
}

/** A CA and a server certificate for 127.0.0.1/localhost in `dir`. */
export function makeDevCert(dir: string): DevCert {
  makeCa(dir, 'ca', '/O=Creek Test/CN=Creek Test CA');
  signCert(dir, 'server', '/O=Creek Test/CN=localhost', 'ca', SERVER_NAMES);
  const keystoreFile = join(dir, 'server-keystore.pem');
  writeFileSync(keystoreFile, readFileSync(join(dir, 'server.key'), 'utf8') + readFileSync(join(dir, 'server.pem'), 'utf8'));
  return { caFile: join(dir, 'ca.pem'), keystoreFile };
}
