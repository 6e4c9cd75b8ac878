// Cluster mode's etcd settings: where etcd is, the cluster's prefix and lease, and how a broker
// proves who it is to a secured etcd. TLS comes from creek.etcd.ssl.* (Kafka's zookeeper.ssl.*
// keys under Creek's etcd prefix), read by the same keystore/truststore loader as the listeners'
// TLS and turned into the PEM key and chain gRPC takes; etcd's own user/password authentication
// from creek.etcd.username and creek.etcd.password. Problems name the key they concern.
import { createSecureContext } from 'node:tls';
import { pemKeyPair } from '../security/pem-key-pair.js';
import { explainTlsError } from '../security/tls-config.js';
import { loadKeystore, loadTruststore, type Setting, type SettingLookup } from '../security/tls-stores.js';

export interface EtcdTls {
  /** The CA certificates etcd's server certificate is checked against, PEM. */
  ca: string;
  /** The client certificate for an etcd with --client-cert-auth: an unencrypted PEM key and its chain. */
  privateKey?: string;
  certChain?: string;
}

export interface EtcdAuth {
  username: string;
  password: string;
}

export interface EtcdConfig {
  endpoints: readonly string[];
  /** Ends with '/'. */
  prefix: string;
  leaseTtlMs: number;
  startupTimeoutMs: number;
  /** Set when the endpoints are https://. */
  tls?: EtcdTls;
  /** Set when etcd runs with authentication enabled. */
  auth?: EtcdAuth;
}

export interface EtcdSettings {
  list(key: string): readonly string[];
  num(key: string): number;
  str(key: string): string;
  /** The value of a key, null when it is not set and has no default. */
  value(key: string): string | null;
}

const PREFIX = 'creek.etcd.';
/** The loader's names (ssl.*) that have a creek.etcd.ssl.* key; the loader's others stay unset. */
const SSL_NAMES = ['ssl.truststore.location', 'ssl.truststore.type', 'ssl.truststore.password', 'ssl.keystore.location', 'ssl.keystore.type', 'ssl.keystore.password'];

/** Cluster mode's settings, undefined for a single broker (no endpoints) or on a problem (pushed to `problems`). */
export function resolveEtcdConfig(settings: EtcdSettings, problems: string[]): EtcdConfig | undefined {
  const endpoints = settings.list('creek.etcd.endpoints');
  if (endpoints.length === 0) return undefined;
  const before = problems.length;
  const tls = etcdTls(endpoints, settings.value, problems);
  const auth = etcdAuth(settings.value, problems);
  if (problems.length > before) return undefined;
  const prefix = settings.str('creek.etcd.prefix');
  return {
    endpoints,
    prefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
    leaseTtlMs: settings.num('creek.etcd.lease.ttl.ms'),
    startupTimeoutMs: settings.num('creek.etcd.startup.timeout.ms'),
    ...(tls === undefined ? {} : { tls }),
    ...(auth === undefined ? {} : { auth }),
  };
}

function etcdTls(endpoints: readonly string[], value: (key: string) => string | null, problems: string[]): EtcdTls | undefined {
  const secure = endpoints.filter((e) => e.startsWith('https:'));
  const sslSet = SSL_NAMES.map((name) => PREFIX + name).filter((key) => value(key) !== null);
  if (secure.length > 0 && secure.length < endpoints.length) {
    problems.push(`creek.etcd.endpoints mixes http:// and https:// endpoints (${endpoints.join(', ')}): an etcd cluster's client URLs are all one or the other`);
    return undefined;
  }
  if (secure.length === 0) {
    if (sslSet.length > 0) problems.push(`${sslSet.join(', ')} only apply to https:// endpoints, and creek.etcd.endpoints are http:// (${endpoints.join(', ')})`);
    return undefined;
  }
  const get = settingLookup(value);
  if (get('ssl.truststore.location').value === null) {
    problems.push(
      `creek.etcd.endpoints are https:// (${endpoints.join(', ')}): set creek.etcd.ssl.truststore.location to the CA certificate ` +
        'that signed etcd\'s server certificate (what etcdctl takes as --cacert)',
    );
    return undefined;
  }
  const before = problems.length;
  const ca = loadTruststore(get, problems);
  const keys = get('ssl.keystore.location').value === null ? undefined : loadKeystore(get, 'etcd', problems);
  if (problems.length > before || ca === undefined) return undefined;
  if (keys === undefined) return { ca };
  try {
    const pair = pemKeyPair(keys);
    // As for a listener: a key that does not match its certificate is a start-up error, not a failed handshake later.
    createSecureContext({ key: pair.privateKey, cert: pair.certChain, ca });
    return { ca, ...pair };
  } catch (e) {
    problems.push(`Cannot use the etcd client keystore: ${explainTlsError(e as Error, get)}`);
    return undefined;
  }
}

/**
 * The loader's ssl.* names as creek.etcd.ssl.* keys. As in ZooKeeper, one password serves a
 * PEM key and a PKCS12 store, and a store's type defaults to what its file name says.
 */
function settingLookup(value: (key: string) => string | null): SettingLookup {
  const setting = (name: string): Setting => ({ key: PREFIX + name, value: SSL_NAMES.includes(name) ? value(PREFIX + name) : null });
  return (name) => {
    if (name === 'ssl.key.password') return { key: `${PREFIX}ssl.keystore.password`, value: null };
    const found = setting(name);
    const store = /^ssl\.(keystore|truststore)\.type$/.exec(name)?.[1];
    if (store === undefined || found.value !== null) return found;
    const location = setting(`ssl.${store}.location`).value;
    return { key: found.key, value: location === null ? null : storeTypeOf(location) };
  };
}

function storeTypeOf(file: string): string {
  if (/\.(p12|pfx)$/i.test(file)) return 'PKCS12';
  if (/\.jks$/i.test(file)) return 'JKS';
  return 'PEM';
}

function etcdAuth(value: (key: string) => string | null, problems: string[]): EtcdAuth | undefined {
  const username = value('creek.etcd.username');
  const password = value('creek.etcd.password');
  if (username === null && password === null) return undefined;
  if (username === null || password === null || username === '') {
    problems.push('creek.etcd.username and creek.etcd.password must be set together (etcd\'s user and its password)');
    return undefined;
  }
  return { username, password };
}
