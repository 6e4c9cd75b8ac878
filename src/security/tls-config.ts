// The TLS settings of an SSL or SASL_SSL listener, read as Kafka reads them: each ssl.* key from
// `listener.name.<listener>.ssl.*` when set, else the broker-wide key. Turns them into Node's
// tls.createServer options and builds a secure context once, so a wrong password or a key that
// does not match its certificate is a start-up error rather than a failure of every handshake.
import { createSecureContext, type TlsOptions } from 'node:tls';
import { openSslCipherName } from './cipher-suites.js';
import { loadKeystore, loadTruststore, type Setting, type SettingLookup } from './tls-stores.js';

export type ClientAuth = 'none' | 'requested' | 'required';

export interface TlsConfig {
  /** none: no client certificate asked; requested: verified when sent; required: mTLS. */
  clientAuth: ClientAuth;
  /** Options for tls.createServer. */
  options: TlsOptions;
}

const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
type TlsVersion = (typeof TLS_VERSIONS)[number];

/** Whether a security protocol runs over TLS. */
export function usesTls(securityProtocol: string): boolean {
  return securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL';
}

/**
 * The TLS settings for a listener with this security protocol, undefined when it is not TLS or
 * on a problem (pushed to `problems`).
 */
export function resolveTlsConfig(
  listenerName: string,
  securityProtocol: string,
  value: (key: string) => string | null,
  problems: string[],
): TlsConfig | undefined {
  if (!usesTls(securityProtocol)) return undefined;
  const prefix = `listener.name.${listenerName.toLowerCase()}.`;
  const get: SettingLookup = (name) => {
    const own = value(prefix + name);
    return own !== null ? { key: prefix + name, value: own } : { key: name, value: value(name) };
  };
  const before = problems.length;
  const keys = loadKeystore(get, listenerName, problems);
  const ca = loadTruststore(get, problems);
  const versions = tlsVersions(get('ssl.enabled.protocols'), get('ssl.protocol'), problems);
  const ciphers = cipherList(get('ssl.cipher.suites'), problems);
  if (problems.length > before || keys === undefined || versions === undefined) return undefined;

  const clientAuth = (get('ssl.client.auth').value ?? 'none').trim().toLowerCase() as ClientAuth;
  const options: TlsOptions = {
    ...keys,
    ...(ca === undefined ? {} : { ca }),
    ...versions,
    ...(ciphers === undefined ? {} : { ciphers }),
    requestCert: clientAuth !== 'none',
    rejectUnauthorized: clientAuth === 'required',
  };
  try {
    createSecureContext(options);
  } catch (e) {
    problems.push(`Cannot use the TLS settings of listener ${listenerName}: ${explainTlsError(e as Error, get)}`);
    return undefined;
  }
  return { clientAuth, options };
}

/** OpenSSL's complaint about key material in words that name the setting to fix. */
export function explainTlsError(err: Error, get: SettingLookup): string {
  if (/mac verify failure/.test(err.message)) return `wrong keystore password (${get('ssl.keystore.password').key})`;
  if (/bad decrypt|bad password read/.test(err.message)) return `the private key cannot be decrypted: wrong or missing ${get('ssl.key.password').key}`;
  if (/key values mismatch/.test(err.message)) return 'the private key does not belong to the certificate';
  const keystore = keystoreKey(get);
  if (/md too weak/.test(err.message)) {
    return (
      `a certificate of the keystore (${keystore}) is signed with a digest that OpenSSL refuses at its default security level, ` +
      `such as SHA-1 or MD5 (${err.message}): re-issue the certificate signed with SHA-256 ` +
      '(openssl x509 -req -sha256 ..., or keytool -gencert -sigalg SHA256withRSA ...)'
    );
  }
  if (/key too small/.test(err.message)) {
    return (
      `a key in the keystore (${keystore}) is too small for OpenSSL's default security level (${err.message}): ` +
      'make a new key of at least 2048 bits (RSA) or an EC key, and certificates for it'
    );
  }
  return `${err.message} (${keystore})`;
}

/** The key that names the keystore: its file, or the inline certificate chain. */
function keystoreKey(get: SettingLookup): string {
  const location = get('ssl.keystore.location');
  return location.value !== null ? `${location.key}=${location.value}` : get('ssl.keystore.certificate.chain').key;
}

function listOf(setting: Setting): string[] {
  return (setting.value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * The TLS versions to accept: ssl.enabled.protocols, or when that is empty what an SSLContext of
 * ssl.protocol enables by default (TLSv1.3 or TLS: 1.2 and 1.3; TLSv1.2: 1.2 only).
 */
function tlsVersions(enabledSetting: Setting, protocolSetting: Setting, problems: string[]): Pick<TlsOptions, 'minVersion' | 'maxVersion'> | undefined {
  const protocol = (protocolSetting.value ?? 'TLSv1.3').trim();
  if (!['TLS', ...TLS_VERSIONS].includes(protocol)) {
    problems.push(`Unsupported ${protocolSetting.key} ${protocol}: Creek supports TLSv1.2 and TLSv1.3`);
    return undefined;
  }
  let enabled = listOf(enabledSetting);
  const unsupported = enabled.filter((v) => !(TLS_VERSIONS as readonly string[]).includes(v));
  if (unsupported.length > 0) {
    problems.push(`Unsupported protocol ${unsupported.join(', ')} in ${enabledSetting.key}: Creek supports TLSv1.2 and TLSv1.3`);
    return undefined;
  }
  if (enabled.length === 0) enabled = protocol === 'TLSv1.2' ? ['TLSv1.2'] : [...TLS_VERSIONS];
  const sorted = TLS_VERSIONS.filter((v) => enabled.includes(v));
  return { minVersion: sorted[0] as TlsVersion, maxVersion: sorted[sorted.length - 1] as TlsVersion };
}

/** ssl.cipher.suites (IANA or OpenSSL names) as an OpenSSL cipher string; undefined keeps Node's defaults. */
function cipherList(setting: Setting, problems: string[]): string | undefined {
  const suites = listOf(setting);
  if (suites.length === 0) return undefined;
  const names = suites.map((suite) => [suite, openSslCipherName(suite)] as const);
  const unknown = names.filter(([, name]) => name === undefined).map(([suite]) => suite);
  if (unknown.length > 0) {
    problems.push(`Unsupported cipher suite ${unknown.join(', ')} in ${setting.key}`);
    return undefined;
  }
  return names.map(([, name]) => name).join(':');
}
