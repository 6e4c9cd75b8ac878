// Key and trust material of a TLS listener from Kafka's keystore/truststore keys. Keystores:
// PKCS12 (Node's pfx) or PEM (a file holding key and certificate chain, or the inline
// ssl.keystore.key + ssl.keystore.certificate.chain). Truststores: PEM (file or inline
// ssl.truststore.certificates) or PKCS12 (its certificates are extracted). The type JKS, Kafka's
// default, reads a PKCS12 file as Java does; a real Java KeyStore is refused with the keytool
// command that converts it. Problems are pushed to `problems` with the key they concern.
import { readFileSync } from 'node:fs';
import { pkcs12Certificates } from './pkcs12.js';

/** A setting as read for one listener: its value and the key it came from (prefixed or not). */
export interface Setting {
  key: string;
  value: string | null;
}

export type SettingLookup = (name: string) => Setting;

/** The keystore in the shape of Node's tls options. */
export interface KeyMaterial {
  key?: string;
  cert?: string;
  pfx?: Buffer;
  passphrase?: string;
}

const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;

function isJavaKeyStore(bytes: Buffer): boolean {
  if (bytes.length < 4) return false;
  const magic = bytes.readUInt32BE(0);
  return magic === JKS_MAGIC || magic === JCEKS_MAGIC;
}

function isPem(bytes: Buffer): boolean {
  return bytes.subarray(0, 1024).toString('latin1').includes('-----BEGIN ');
}

function readStore(location: Setting, what: string, problems: string[]): Buffer | undefined {
  try {
    return readFileSync(location.value!);
  } catch (e) {
    problems.push(`Cannot read the ${what} ${location.value} (${location.key}): ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * Whether a file of type PKCS12 (or JKS, which Java reads PKCS12 files as) may be PKCS12: a Java
 * KeyStore or a PEM file is refused with what to do instead.
 */
function isPkcs12Candidate(bytes: Buffer, what: string, location: Setting, typeKey: string, problems: string[]): boolean {
  if (isJavaKeyStore(bytes)) {
    problems.push(convertJksHint(location, typeKey));
    return false;
  }
  if (isPem(bytes)) {
    problems.push(`The ${what} ${location.value} (${location.key}) is a PEM file: set ${typeKey}=PEM`);
    return false;
  }
  return true;
}

function convertJksHint(location: Setting, typeKey: string): string {
  const path = location.value!;
  const target = `${path.replace(/\.(jks|jceks|keystore)$/i, '')}.p12`;
  return (
    `${path} (${location.key}) is a Java KeyStore (JKS), which Creek cannot read. Convert it to PKCS12: ` +
    `keytool -importkeystore -srckeystore ${path} -destkeystore ${target} -deststoretype PKCS12, ` +
    `then set ${typeKey}=PKCS12 and ${location.key}=${target}`
  );
}

/** The listener's keystore; undefined (with problems pushed) when it is missing or unusable. */
export function loadKeystore(get: SettingLookup, listenerName: string, problems: string[]): KeyMaterial | undefined {
  const type = get('ssl.keystore.type');
  const storeType = (type.value ?? 'JKS').toUpperCase();
  const location = get('ssl.keystore.location');
  const inlineKey = get('ssl.keystore.key');
  const chain = get('ssl.keystore.certificate.chain');
  const keyPassword = get('ssl.key.password').value;
  const storePassword = get('ssl.keystore.password').value;

  if (inlineKey.value !== null || chain.value !== null) {
    if (storeType !== 'PEM') problems.push(`${inlineKey.key} and ${chain.key} need ${type.key}=PEM (it is ${storeType})`);
    if (inlineKey.value === null || chain.value === null) problems.push(`${inlineKey.key} and ${chain.key} must be set together`);
    if (location.value !== null) problems.push(`Set either ${location.key} or ${inlineKey.key}, not both`);
    if (storeType !== 'PEM' || inlineKey.value === null || chain.value === null || location.value !== null) return undefined;
    return { key: inlineKey.value, cert: chain.value, ...(keyPassword === null ? {} : { passphrase: keyPassword }) };
  }
  if (location.value === null) {
    problems.push(
      `Listener ${listenerName} uses TLS but has no keystore: set ${location.key} ` +
        `(PKCS12, or PEM with ${type.key}=PEM), or ${inlineKey.key} and ${chain.key} with ${type.key}=PEM`,
    );
    return undefined;
  }
  const bytes = readStore(location, 'keystore', problems);
  if (bytes === undefined) return undefined;
  switch (storeType) {
    case 'PEM': {
      const text = bytes.toString('utf8');
      const password = keyPassword ?? storePassword;
      return { key: text, cert: text, ...(password === null ? {} : { passphrase: password }) };
    }
    case 'PKCS12':
    case 'JKS':
      if (!isPkcs12Candidate(bytes, 'keystore', location, type.key, problems)) return undefined;
      return { pfx: bytes, passphrase: storePassword ?? '' };
    default:
      problems.push(`Unsupported keystore type ${type.value} (${type.key}): Creek reads PKCS12 and PEM keystores`);
      return undefined;
  }
}

/** The listener's trusted certificates as PEM; undefined when none are configured or on a problem. */
export function loadTruststore(get: SettingLookup, problems: string[]): string | undefined {
  const type = get('ssl.truststore.type');
  const storeType = (type.value ?? 'JKS').toUpperCase();
  const location = get('ssl.truststore.location');
  const inline = get('ssl.truststore.certificates');
  const password = get('ssl.truststore.password').value;

  if (inline.value !== null) {
    if (storeType !== 'PEM') problems.push(`${inline.key} needs ${type.key}=PEM (it is ${storeType})`);
    if (location.value !== null) problems.push(`Set either ${location.key} or ${inline.key}, not both`);
    return storeType === 'PEM' && location.value === null ? inline.value : undefined;
  }
  if (location.value === null) return undefined;
  const bytes = readStore(location, 'truststore', problems);
  if (bytes === undefined) return undefined;
  switch (storeType) {
    case 'PEM':
      if (!isPem(bytes)) {
        problems.push(`The truststore ${location.value} (${location.key}) holds no PEM certificates`);
        return undefined;
      }
      return bytes.toString('utf8');
    case 'PKCS12':
    case 'JKS': {
      if (!isPkcs12Candidate(bytes, 'truststore', location, type.key, problems)) return undefined;
      try {
        const certificates = pkcs12Certificates(bytes, password ?? '');
        if (certificates.length === 0) throw new Error('it holds no certificates');
        return certificates.join('');
      } catch (e) {
        problems.push(`Cannot read the PKCS12 truststore ${location.value} (${location.key}): ${(e as Error).message}`);
        return undefined;
      }
    }
    default:
      problems.push(`Unsupported truststore type ${type.value} (${type.key}): Creek reads PKCS12 and PEM truststores`);
      return undefined;
  }
}
