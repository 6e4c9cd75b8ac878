// What Creek reads out of a PKCS12 file (RFC 7292), as PEM: a truststore's certificates, for Node's
// `ca` option (Node reads PKCS12 only as a key + certificate pair), and a keystore's key and chain,
// for gRPC's TLS (the etcd client), which takes PEM only. node-forge parses the file, checks its
// password MAC and decrypts its bags (PBES2 with AES or 3DES, what keytool and OpenSSL 3 write;
// PKCS12's SHA-1 + 3DES and RC2-40, what older tools wrote); this module turns its failures into
// the broker's messages.
import type forge from 'node-forge';
import { onFirstUse } from '../../protocol/load-on-first-use.js';

const nodeForge = onFirstUse<typeof forge>('node-forge');

/** The X.509 certificates in a PKCS12 file, PEM-encoded. Throws Error on a wrong password or an unreadable file. */
export function pkcs12Certificates(file: Buffer, password: string): string[] {
  return certificateBags(openPkcs12(file, password)).map(certificatePem);
}

/**
 * The private key (unencrypted PKCS#8) and certificate chain (the key's certificate first) of a
 * PKCS12 keystore, PEM-encoded. Throws Error on a wrong password, an unreadable file, or a file
 * without a key or without certificates.
 */
export function pkcs12KeyPair(file: Buffer, password: string): { privateKey: string; certChain: string } {
  const { pki } = nodeForge();
  const store = openPkcs12(file, password);
  const keyBags = [pki.oids.pkcs8ShroudedKeyBag!, pki.oids.keyBag!].flatMap((bagType) => store.getBags({ bagType })[bagType] ?? []);
  const keyBag = keyBags[0];
  if (keyBag === undefined) throw new Error('it holds no private key');
  // A key node-forge cannot interpret (an EC key, say) comes as its PrivateKeyInfo only.
  const keyInfo = keyBag.key ? pki.wrapRsaPrivateKey(pki.privateKeyToAsn1(keyBag.key)) : (keyBag.asn1 as forge.asn1.Asn1);
  const certs = certificateBags(store);
  if (certs.length === 0) throw new Error('it holds no certificate');
  const keyId = localKeyId(keyBag);
  const own = certs.filter((bag) => keyId !== undefined && localKeyId(bag) === keyId);
  const chain = [...own, ...certs.filter((bag) => !own.includes(bag))];
  return { privateKey: pem('PRIVATE KEY', keyInfo), certChain: chain.map(certificatePem).join('') };
}

function openPkcs12(file: Buffer, password: string): forge.pkcs12.Pkcs12Pfx {
  const { asn1, pkcs12, util } = nodeForge();
  let der: forge.asn1.Asn1;
  try {
    der = asn1.fromDer(util.createBuffer(file.toString('binary')));
  } catch {
    throw new Error('not a PKCS12 file');
  }
  try {
    return pkcs12.pkcs12FromAsn1(der, password);
  } catch (e) {
    throw new Error(reason((e as Error).message));
  }
}

function certificateBags(store: forge.pkcs12.Pkcs12Pfx): forge.pkcs12.Bag[] {
  const { pki } = nodeForge();
  return store.getBags({ bagType: pki.oids.certBag! })[pki.oids.certBag!] ?? [];
}

function localKeyId(bag: forge.pkcs12.Bag): string | undefined {
  return (bag.attributes as { localKeyId?: string[] }).localKeyId?.[0];
}

function certificatePem(bag: forge.pkcs12.Bag): string {
  const { pki } = nodeForge();
  // A certificate node-forge cannot interpret (an EC key, say) comes as its ASN.1 only.
  return pem('CERTIFICATE', bag.cert ? pki.certificateToAsn1(bag.cert) : (bag.asn1 as forge.asn1.Asn1));
}

function pem(label: string, node: forge.asn1.Asn1): string {
  const { asn1 } = nodeForge();
  const base64 = Buffer.from(asn1.toDer(node).getBytes(), 'binary').toString('base64');
  return `-----BEGIN ${label}-----\n${base64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

/** node-forge's failure in the words the broker uses. */
function reason(message: string): string {
  if (/MAC could not be verified/.test(message)) return 'wrong password (integrity check failed)';
  if (/password integrity mode/.test(message)) return 'public-key protected PKCS12 files are not supported';
  if (/not an PKCS#12 PFX|PKCS#12 PFX of version/.test(message)) return 'not a PKCS12 file';
  return message;
}
