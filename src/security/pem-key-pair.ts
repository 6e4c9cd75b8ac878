// A keystore as gRPC's TLS takes it (the etcd client's): an unencrypted PEM private key and the PEM
// certificate chain, from either shape the keystore loader gives (PEM text with a passphrase, or a
// PKCS12 file).
import { createPrivateKey } from 'node:crypto';
import { pkcs12KeyPair } from './pkcs12.js';
import type { KeyMaterial } from './tls-stores.js';

export interface PemKeyPair {
  privateKey: string;
  certChain: string;
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

/** Throws Error (OpenSSL's words for a wrong passphrase) when the key cannot be read. */
export function pemKeyPair(keys: KeyMaterial): PemKeyPair {
  if (keys.pfx !== undefined) return pkcs12KeyPair(keys.pfx, keys.passphrase ?? '');
  const privateKey = createPrivateKey({ key: keys.key!, format: 'pem', ...(keys.passphrase === undefined ? {} : { passphrase: keys.passphrase }) });
  const certChain = (keys.cert!.match(CERTIFICATE) ?? []).map((block) => (block.endsWith('\n') ? block : `${block}\n`)).join('');
  if (certChain === '') throw new Error('the keystore holds no certificate');
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, certChain };
}
