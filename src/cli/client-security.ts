// How the client subcommands authenticate and encrypt: the keys Kafka's clients read, under Java's
// names (`security.protocol`, `sasl.mechanism`, `sasl.jaas.config`, `ssl.truststore.*`,
// `ssl.keystore.*`, the broker's own ssl keys) or librdkafka's (`sasl.mechanisms`, `sasl.username`,
// `sasl.password`, `ssl.ca.location`, `ssl.certificate.location`, `ssl.key.location`), given as
// kcat's `-X key=value` or a Java client properties file (`--command-config`, as Kafka's tools take).
// Stores are read by the same code as the broker's listeners (PEM, PKCS12).
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { parseProperties } from '../config/properties.js';
import { parseJaasConfig } from '../security/jaas.js';
import { loadKeystore, loadTruststore, type SettingLookup } from '../security/tls-stores.js';
import { keyValue } from './args.js';
import { usageError } from './failure.js';

export interface ClientSecurity {
  ssl?: ConnectionOptions;
  sasl?: SASLOptions;
}

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const MECHANISMS: Record<string, SASLOptions['mechanism']> = { PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' };

const SECURITY_KEYS = [
  'security.protocol',
  'sasl.mechanism',
  'sasl.mechanisms',
  'sasl.jaas.config',
  'sasl.username',
  'sasl.password',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.truststore.certificates',
  'ssl.ca.location',
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.key.password',
  'ssl.certificate.location',
  'ssl.key.location',
  'ssl.endpoint.identification.algorithm',
] as const;

/** The settings of `--command-config FILE` overlaid with each `-X key=value` (which win); unknown keys are a usage error. */
export function securitySettings(properties: readonly string[], commandConfig: string | undefined, command: string): Map<string, string> {
  const settings = new Map<string, string>();
  if (commandConfig !== undefined) {
    let text: string;
    try {
      text = readFileSync(commandConfig, 'utf8');
    } catch (err) {
      throw usageError(`cannot read --command-config ${commandConfig}: ${(err as Error).message}`, command);
    }
    for (const [key, value] of parseProperties(text)) settings.set(key, value);
  }
  for (const property of properties) {
    const [key, value] = keyValue(property, '--property', command);
    settings.set(key, value);
  }
  const known = new Set<string>(SECURITY_KEYS);
  for (const key of settings.keys()) {
    if (!known.has(key)) throw usageError(`unknown client property "${key}" (creek reads ${SECURITY_KEYS.join(', ')})`, command);
  }
  return settings;
}

/** kafkajs's `ssl` and `sasl` options for these settings; a setting that cannot work is a usage error. */
export function clientSecurity(settings: ReadonlyMap<string, string>, command: string): ClientSecurity {
  const protocol = (settings.get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!PROTOCOLS.includes(protocol)) throw usageError(`security.protocol expects ${PROTOCOLS.join(', ')}, got "${settings.get('security.protocol')}"`, command);
  return {
    ...(protocol.endsWith('SSL') ? { ssl: tlsOptions(settings, command) } : {}),
    ...(protocol.startsWith('SASL_') ? { sasl: saslOptions(settings, command) } : {}),
  };
}

function saslOptions(settings: ReadonlyMap<string, string>, command: string): SASLOptions {
  // Kafka's clients default to GSSAPI (Kerberos), which Creek's client does not speak.
  const name = (settings.get('sasl.mechanism') ?? settings.get('sasl.mechanisms') ?? 'GSSAPI').toUpperCase();
  const mechanism = MECHANISMS[name];
  if (mechanism === undefined) throw usageError(`sasl.mechanism ${name} is not supported: set PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`, command);
  let username = settings.get('sasl.username');
  let password = settings.get('sasl.password');
  const jaas = settings.get('sasl.jaas.config');
  if (jaas !== undefined && (username === undefined || password === undefined)) {
    let options: ReadonlyMap<string, string>;
    try {
      options = parseJaasConfig(jaas).options;
    } catch (err) {
      throw usageError(`sasl.jaas.config: ${(err as Error).message}`, command);
    }
    username ??= options.get('username');
    password ??= options.get('password');
  }
  if (username === undefined || password === undefined) {
    throw usageError('SASL needs sasl.username and sasl.password, or sasl.jaas.config with username and password', command);
  }
  return { mechanism, username, password } as SASLOptions;
}

function tlsOptions(settings: ReadonlyMap<string, string>, command: string): ConnectionOptions {
  const get: SettingLookup = (key) => ({ key, value: settings.get(key) ?? null });
  const problems: string[] = [];
  const options: ConnectionOptions = {};

  const caLocation = settings.get('ssl.ca.location');
  const ca = caLocation !== undefined ? readPem(caLocation, 'ssl.ca.location', command) : loadTruststore(get, problems);
  if (ca !== undefined) options.ca = ca;

  const certLocation = settings.get('ssl.certificate.location');
  const keyLocation = settings.get('ssl.key.location');
  if (certLocation !== undefined || keyLocation !== undefined) {
    if (certLocation === undefined || keyLocation === undefined) throw usageError('ssl.certificate.location and ssl.key.location must be set together', command);
    options.cert = readPem(certLocation, 'ssl.certificate.location', command);
    options.key = readPem(keyLocation, 'ssl.key.location', command);
    const passphrase = settings.get('ssl.key.password');
    if (passphrase !== undefined) options.passphrase = passphrase;
  } else if (settings.has('ssl.keystore.location') || settings.has('ssl.keystore.key')) {
    Object.assign(options, loadKeystore(get, 'client', problems));
  }
  if (problems.length > 0) throw usageError(problems[0]!, command);

  // Java's default, https, checks the broker's host name against its certificate; empty (Java) or none (librdkafka) does not.
  const identification = (settings.get('ssl.endpoint.identification.algorithm') ?? 'https').toLowerCase();
  if (identification === '' || identification === 'none') options.checkServerIdentity = () => undefined;
  else if (identification !== 'https') throw usageError(`ssl.endpoint.identification.algorithm expects https, none or nothing, got "${identification}"`, command);
  return options;
}

function readPem(file: string, key: string, command: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${file} (${key}): ${(err as Error).message}`, command);
  }
}
