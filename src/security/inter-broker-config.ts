// How this broker connects to the other brokers of its cluster, read as Kafka reads it: the
// listener from inter.broker.listener.name, else the listener named after
// security.inter.broker.protocol (PLAINTEXT by default); setting both is an error. On a TLS
// listener the broker is a TLS client with its own ssl.* settings (its truststore verifies the
// peer, its keystore is its client certificate, ssl.endpoint.identification.algorithm=https checks
// the peer's host name); on a SASL listener it authenticates with
// sasl.mechanism.inter.broker.protocol, taking username and password from that mechanism's JAAS
// entry on the listener (listener.name.<listener>.<mechanism>.sasl.jaas.config).
import type { ConnectionOptions } from 'node:tls';
import type { ClientListener } from '../config/client-listener.js';
import { parseJaasConfig } from './jaas.js';

export interface InterBrokerSasl {
  mechanism: string;
  username: string;
  password: string;
}

export interface InterBrokerSecurity {
  /** The listener other brokers are reached on. */
  listenerName: string;
  /** TLS client options when the listener is SSL or SASL_SSL. */
  tls?: ConnectionOptions;
  /** The credentials when the listener is SASL_PLAINTEXT or SASL_SSL. */
  sasl?: InterBrokerSasl;
}

export type InterBrokerResolution = { security: InterBrokerSecurity; problems: readonly [] } | { security: undefined; problems: readonly string[] };

/** The keys this resolution reads, whose explicit setting makes its problems start-up errors even for a single node. */
export const INTER_BROKER_KEYS = ['inter.broker.listener.name', 'security.inter.broker.protocol', 'sasl.mechanism.inter.broker.protocol'] as const;

export function resolveInterBroker(
  listeners: readonly ClientListener[],
  value: (key: string) => string | null,
  isSet: (key: string) => boolean,
): InterBrokerResolution {
  const fail = (...problems: string[]): InterBrokerResolution => ({ security: undefined, problems });
  if (isSet('inter.broker.listener.name') && isSet('security.inter.broker.protocol')) {
    return fail('Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.');
  }
  const name = isSet('inter.broker.listener.name') ? value('inter.broker.listener.name')!.trim() : (value('security.inter.broker.protocol') ?? 'PLAINTEXT');
  const listener = listeners.find((l) => l.advertised.name.toUpperCase() === name.toUpperCase());
  if (listener === undefined) {
    const key = isSet('inter.broker.listener.name') ? 'inter.broker.listener.name' : 'security.inter.broker.protocol';
    return fail(
      `${key}=${name} names no listener: inter.broker.listener.name must be a listener name defined in advertised.listeners. ` +
        `The valid options based on currently configured listeners are ${listeners.map((l) => l.advertised.name).join(',')}`,
    );
  }
  const { securityProtocol } = listener.advertised;
  const security: InterBrokerSecurity = { listenerName: listener.advertised.name };
  if (listener.tls !== undefined) security.tls = tlsClientOptions(listener, value);
  if (securityProtocol.startsWith('SASL_')) {
    const sasl = saslCredentials(listener, value);
    if (typeof sasl === 'string') return fail(sasl);
    security.sasl = sasl;
  }
  return { security, problems: [] };
}

/** The listener's keystore, truststore, versions and ciphers, used from the client side. */
function tlsClientOptions(listener: ClientListener, value: (key: string) => string | null): ConnectionOptions {
  const { key, cert, pfx, passphrase, ca, minVersion, maxVersion, ciphers } = listener.tls!.options;
  const prefixed = value(`listener.name.${listener.advertised.name.toLowerCase()}.ssl.endpoint.identification.algorithm`);
  const algorithm = (prefixed ?? value('ssl.endpoint.identification.algorithm') ?? '').trim();
  return {
    ...(key === undefined ? {} : { key }),
    ...(cert === undefined ? {} : { cert }),
    ...(pfx === undefined ? {} : { pfx }),
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(ca === undefined ? {} : { ca }),
    ...(minVersion === undefined ? {} : { minVersion }),
    ...(maxVersion === undefined ? {} : { maxVersion }),
    ...(ciphers === undefined ? {} : { ciphers }),
    rejectUnauthorized: true,
    // An empty algorithm turns host name verification off (the certificate chain is still checked).
    ...(algorithm === '' ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** The mechanism and the credentials of its JAAS entry, or the problem that stops them. */
function saslCredentials(listener: ClientListener, value: (key: string) => string | null): InterBrokerSasl | string {
  const mechanism = (value('sasl.mechanism.inter.broker.protocol') ?? 'GSSAPI').trim();
  const enabled = listener.sasl?.mechanisms ?? [];
  if (!enabled.includes(mechanism)) {
    return (
      `sasl.mechanism.inter.broker.protocol must be included in sasl.enabled.mechanisms when SASL is used for inter-broker communication: ` +
      `${mechanism} is not enabled on listener ${listener.advertised.name} (enabled: ${enabled.join(', ') || 'none'})`
    );
  }
  const jaasKey = `listener.name.${listener.advertised.name.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`;
  const jaas = value(jaasKey);
  if (jaas === null) return `No credentials for inter-broker SASL/${mechanism} on listener ${listener.advertised.name}: set username and password in ${jaasKey}`;
  let options: ReadonlyMap<string, string>;
  try {
    options = parseJaasConfig(jaas).options;
  } catch (e) {
    return `Invalid value for configuration ${jaasKey}: ${(e as Error).message}`;
  }
  const username = options.get('username');
  const password = options.get('password');
  if (username === undefined || password === undefined) {
    return `No credentials for inter-broker SASL/${mechanism} on listener ${listener.advertised.name}: ${jaasKey} needs username and password options`;
  }
  return { mechanism, username, password };
}
