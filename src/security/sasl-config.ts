// The SASL settings of the client listener, read the way Kafka reads them: the mechanisms from
// `listener.name.<listener>.sasl.enabled.mechanisms`, else `sasl.enabled.mechanisms`; the PLAIN
// users from `listener.name.<listener>.plain.sasl.jaas.config` (PlainLoginModule `user_<name>`
// options). SCRAM users live in the credential store (AlterUserScramCredentials), not in config.
import { parseJaasConfig, plainUsers } from './jaas.js';

export const SUPPORTED_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

export interface SaslConfig {
  /** The listener name, e.g. SASL_PLAINTEXT. */
  listenerName: string;
  /** Enabled mechanisms, in configured order. */
  mechanisms: readonly string[];
  /** PLAIN user → password. */
  plainUsers: ReadonlyMap<string, string>;
}

const LISTENER_KEY = /^listener\.name\.[^.]+\.(?:sasl\.enabled\.mechanisms|[a-z0-9-]+\.sasl\.jaas\.config)$/;

/** Whether `key` is a listener-prefixed SASL setting (read here, so not an unknown key). */
export function isListenerSaslKey(key: string): boolean {
  return LISTENER_KEY.test(key);
}

/**
 * The SASL settings for a listener with this security protocol, undefined when it does not use
 * SASL. Problems (unsupported mechanisms, a missing or malformed JAAS config) are pushed to
 * `problems`.
 */
export function resolveSaslConfig(
  listenerName: string,
  securityProtocol: string,
  value: (key: string) => string | null,
  problems: string[],
): SaslConfig | undefined {
  if (!securityProtocol.startsWith('SASL_')) return undefined;
  const prefix = `listener.name.${listenerName.toLowerCase()}.`;
  const mechanismsKey = value(`${prefix}sasl.enabled.mechanisms`) !== null ? `${prefix}sasl.enabled.mechanisms` : 'sasl.enabled.mechanisms';
  const mechanisms = (value(mechanismsKey) ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (mechanisms.length === 0) {
    problems.push(`No SASL mechanisms are enabled for listener ${listenerName} (set ${mechanismsKey})`);
    return undefined;
  }
  const unsupported = mechanisms.filter((m) => !(SUPPORTED_SASL_MECHANISMS as readonly string[]).includes(m));
  if (unsupported.length > 0) {
    problems.push(`SASL mechanism ${unsupported.join(', ')} in ${mechanismsKey} is not supported by Creek (supported: ${SUPPORTED_SASL_MECHANISMS.join(', ')})`);
    return undefined;
  }
  let users = new Map<string, string>();
  for (const mechanism of mechanisms) {
    const jaasKey = `${prefix}${mechanism.toLowerCase()}.sasl.jaas.config`;
    const jaas = value(jaasKey);
    if (jaas === null) {
      if (mechanism === 'PLAIN') problems.push(`No JAAS configuration for SASL/PLAIN on listener ${listenerName}: set ${jaasKey}`);
      continue;
    }
    try {
      const entry = parseJaasConfig(jaas);
      if (mechanism === 'PLAIN') users = plainUsers(entry);
    } catch (e) {
      problems.push(`Invalid value for configuration ${jaasKey}: ${(e as Error).message}`);
    }
  }
  return { listenerName, mechanisms, plainUsers: users };
}
