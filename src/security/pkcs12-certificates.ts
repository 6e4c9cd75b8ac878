// The certificates of a PKCS12 truststore (RFC 7292), as PEM, for Node's `ca` option (Node reads
// PKCS12 only as a key + certificate pair). Reads the DER structure, checks the password MAC,
// and decrypts certificate bags protected with PBES2 (PBKDF2 + AES/3DES, what keytool and
// OpenSSL 3 write) or PKCS12's own SHA-1 + 3DES scheme. RC2-40, written by old tools, is refused:
// OpenSSL 3 no longer provides it.
import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

interface Der {
  tag: number;
  /** The content bytes. */
  body: Buffer;
  /** Child elements when constructed. */
  children: Der[];
}

function parseDer(bytes: Buffer): Der[] {
  const out: Der[] = [];
  let at = 0;
  while (at < bytes.length) {
    const tag = bytes[at++]!;
    let length = bytes[at++]!;
    if (length === 0x80) throw new Error('indefinite-length encoding is not supported');
    if (length > 0x80) {
      const count = length & 0x7f;
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[at++]!;
    }
    if (at + length > bytes.length) throw new Error('truncated structure');
    const body = bytes.subarray(at, at + length);
    out.push({ tag, body, children: tag & 0x20 ? parseDer(body) : [] });
    at += length;
  }
  return out;
}

function child(node: Der, index: number): Der {
  const found = node.children[index];
  if (found === undefined) throw new Error('unexpected structure');
  return found;
}

function oid(node: Der): string {
  const b = node.body;
  const parts = [Math.floor(b[0]! / 40), b[0]! % 40];
  let value = 0;
  for (let i = 1; i < b.length; i++) {
    value = value * 128 + (b[i]! & 0x7f);
    if ((b[i]! & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

function integer(node: Der): number {
  return node.body.reduce((n, byte) => n * 256 + byte, 0);
}

/** The bytes of an OCTET STRING, primitive or (BER) constructed from pieces. */
function octets(node: Der): Buffer {
  return node.tag & 0x20 ? Buffer.concat(node.children.map(octets)) : node.body;
}

const DATA = '1.2.840.113549.1.7.1';
const ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const SAFE_CONTENTS_BAG = '1.2.840.113549.1.12.10.1.6';
const X509_CERTIFICATE = '1.2.840.113549.1.9.22.1';
const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const PBE_SHA1_3DES = '1.2.840.113549.1.12.1.3';
const PBE_SHA1_RC2_40 = '1.2.840.113549.1.12.1.6';

const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const HMAC_PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
};

/** RFC 7292 appendix B key derivation (id 1 key, 2 IV, 3 MAC key); the password as BMPString. */
function pkcs12Kdf(hash: string, password: string, salt: Buffer, iterations: number, id: number, length: number): Buffer {
  const v = hash === 'sha384' || hash === 'sha512' ? 128 : 64;
  const pass = Buffer.from(`${password}\0`, 'utf16le').swap16();
  const fill = (src: Buffer): Buffer => {
    const out = Buffer.alloc(src.length === 0 ? 0 : v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const I = Buffer.concat([fill(salt), fill(pass)]);
  const D = Buffer.alloc(v, id);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; ) {
    let A = createHash(hash).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(hash).update(A).digest();
    blocks.push(A);
    produced += A.length;
    const B = fill(A).subarray(0, v);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function decrypt(algorithm: Der, data: Buffer, password: string): Buffer {
  const algo = oid(child(algorithm, 0));
  const params = child(algorithm, 1);
  if (algo === PBES2) {
    const kdf = child(params, 0);
    const scheme = child(params, 1);
    if (oid(child(kdf, 0)) !== PBKDF2) throw new Error(`unsupported key derivation ${oid(child(kdf, 0))}`);
    const kdfParams = child(kdf, 1);
    const salt = octets(child(kdfParams, 0));
    const iterations = integer(child(kdfParams, 1));
    const prfNode = kdfParams.children.find((c) => c.tag === 0x30);
    const prf = prfNode === undefined ? 'sha1' : HMAC_PRFS[oid(child(prfNode, 0))];
    const cipher = CIPHERS[oid(child(scheme, 0))];
    if (prf === undefined || cipher === undefined) throw new Error('unsupported PBES2 algorithms');
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.keyLength, prf);
    const decipher = createDecipheriv(cipher.name, key, octets(child(scheme, 1)));
    return Buffer.concat([decipher.update(data), decipher.final()]);
  }
  if (algo === PBE_SHA1_3DES) {
    const salt = octets(child(params, 0));
    const iterations = integer(child(params, 1));
    const key = pkcs12Kdf('sha1', password, salt, iterations, 1, 24);
    const iv = pkcs12Kdf('sha1', password, salt, iterations, 2, 8);
    const decipher = createDecipheriv('des-ede3-cbc', key, iv);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  }
  if (algo === PBE_SHA1_RC2_40) {
    throw new Error('its certificates are encrypted with RC2-40, which OpenSSL 3 no longer provides; re-create it with keytool (Java 12+) or openssl pkcs12 -export (OpenSSL 3)');
  }
  throw new Error(`unsupported encryption ${algo}`);
}

function verifyMac(macData: Der, content: Buffer, password: string): void {
  const digestInfo = child(macData, 0);
  const hash = HASHES[oid(child(child(digestInfo, 0), 0))];
  if (hash === undefined) throw new Error('unsupported MAC algorithm');
  const expected = octets(child(digestInfo, 1));
  const salt = octets(child(macData, 1));
  const iterations = macData.children[2] === undefined ? 1 : integer(macData.children[2]);
  const key = pkcs12Kdf(hash, password, salt, iterations, 3, expected.length);
  const actual = createHmac(hash, key).update(content).digest();
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new Error('wrong password (integrity check failed)');
  }
}

/** Adds the X.509 certificates of a SafeContents sequence (nested ones included) to `out` as PEM. */
function collectCertificates(safeContents: Der, out: string[]): void {
  for (const bag of safeContents.children) {
    const bagId = oid(child(bag, 0));
    const value = child(child(bag, 1), 0);
    if (bagId === SAFE_CONTENTS_BAG) {
      collectCertificates(value, out);
    } else if (bagId === CERT_BAG && oid(child(value, 0)) === X509_CERTIFICATE) {
      const base64 = octets(child(child(value, 1), 0)).toString('base64');
      out.push(`-----BEGIN CERTIFICATE-----\n${base64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`);
    }
  }
}

function sequenceIn(bytes: Buffer): Der {
  const node = parseDer(bytes)[0];
  if (node === undefined || node.tag !== 0x30) throw new Error('unexpected structure');
  return node;
}

/** The X.509 certificates in a PKCS12 file, PEM-encoded. Throws Error on a wrong password or an unreadable file. */
export function pkcs12Certificates(file: Buffer, password: string): string[] {
  let pfx: Der;
  try {
    pfx = sequenceIn(file);
    if (integer(child(pfx, 0)) !== 3) throw new Error('version');
  } catch {
    throw new Error('not a PKCS12 file');
  }
  const authSafe = child(pfx, 1);
  if (oid(child(authSafe, 0)) !== DATA) throw new Error('public-key protected PKCS12 files are not supported');
  const content = octets(child(child(authSafe, 1), 0));
  const macData = pfx.children[2];
  if (macData !== undefined) verifyMac(macData, content, password);
  const certificates: string[] = [];
  for (const info of sequenceIn(content).children) {
    const type = oid(child(info, 0));
    const body = child(child(info, 1), 0);
    if (type === DATA) {
      collectCertificates(sequenceIn(octets(body)), certificates);
    } else if (type === ENCRYPTED_DATA) {
      const encrypted = child(body, 1);
      const payload = encrypted.children[2];
      if (payload === undefined) continue;
      const plain = decrypt(child(encrypted, 1), octets(payload), password);
      collectCertificates(sequenceIn(plain), certificates);
    }
  }
  return certificates;
}
