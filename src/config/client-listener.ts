// One listener as the broker serves it: the address it binds, the address it advertises, and the
// SASL/TLS settings of its security protocol.
import type { Endpoint } from './listeners.js';
import type { SaslConfig } from '../security/sasl-config.js';
import type { TlsConfig } from '../security/tls-config.js';

export interface BrokerEndpoint extends Endpoint {
  securityProtocol: string;
}

/** One listener Creek serves clients on, with what it tells them and how it secures them. */
export interface ClientListener {
  /** The address it binds. */
  endpoint: BrokerEndpoint;
  /** The address given to clients that came in on this listener (advertised.listeners, same name). */
  advertised: BrokerEndpoint;
  /** SASL settings when the listener is SASL_PLAINTEXT or SASL_SSL. */
  sasl?: SaslConfig;
  /** TLS settings when the listener is SSL or SASL_SSL. */
  tls?: TlsConfig;
}
