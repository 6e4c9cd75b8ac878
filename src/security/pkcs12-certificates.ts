// The certificates of a PKCS12 truststore (RFC 7292), as PEM, for Node's `ca` option (Node reads
// PKCS12 only as a key + certificate pair). node-forge parses the file, checks its password MAC and
// decrypts its bags (PBES2 with AES or 3DES, what keytool and OpenSSL 3 write; PKCS12's SHA-1 + 3DES
// and RC2-40, what older tools wrote); this module turns its failures into the broker's messages.
import type forge from 'node-forge';
import { onFirstUse } from '../../protocol/load-on-first-use.js';

const nodeForge = onFirstUse<typeof forge>('node-forge');

/** The X.509 certificates in a PKCS12 file, PEM-encoded. Throws Error on a wrong password or an unreadable file. */
export function pkcs12Certificates(file: Buffer, password: string): string[] {
  const { asn1, pki, pkcs12, util } = nodeForge();
  let der: forge.asn1.Asn1;
  try {
    der = asn1.fromDer(util.createBuffer(file.toString('binary')));
  } catch {
    throw new Error('not a PKCS12 file');
  }
  let store: forge.pkcs12.Pkcs12Pfx;
  try {
    store = pkcs12.pkcs12FromAsn1(der, password);
  } catch (e) {
    throw new Error(reason((e as Error).message));
  }
  const bags = store.getBags({ bagType: pki.oids.certBag! })[pki.oids.certBag!] ?? [];
  return bags.map((bag) => {
    // A certificate node-forge cannot interpret (an EC key, say) comes as its ASN.1 only.
    const node = bag.cert ? pki.certificateToAsn1(bag.cert) : bag.asn1;
    const base64 = Buffer.from(asn1.toDer(node as forge.asn1.Asn1).getBytes(), 'binary').toString('base64');
    return `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  });
}

/** node-forge's failure in the words the broker uses. */
function reason(message: string): string {
  if (/MAC could not be verified/.test(message)) return 'wrong password (integrity check failed)';
  if (/password integrity mode/.test(message)) return 'public-key protected PKCS12 files are not supported';
  if (/not an PKCS#12 PFX|PKCS#12 PFX of version/.test(message)) return 'not a PKCS12 file';
  return message;
}
