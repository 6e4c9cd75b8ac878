// Connections from this broker to the others, one per broker, opened on first use at the address
// the cluster view has for it on the inter-broker listener, and opened again after a failure:
// what the transaction coordinator's markers and the leaders' transaction verification travel on.
// A failed authentication with a broker is a warning (inter-broker-auth.ts); the caller sees the
// failure as for any other broker it cannot reach.
import type { Logger } from 'pino';
import type { AnyApiKey, RequestOf, ResponseOf } from '../../protocol/codec/messages.js';
import type { ClusterView } from '../cluster/cluster-view.js';
import type { InterBrokerSecurity } from '../security/inter-broker-config.js';
import { BrokerConnection } from './broker-connection.js';
import { AuthFailureWarnings } from './inter-broker-auth.js';

export class BrokerConnections {
  private readonly open = new Map<number, Promise<BrokerConnection>>();
  private readonly authWarnings: AuthFailureWarnings;

  constructor(
    private readonly cluster: ClusterView,
    /** The inter-broker listener, and how to secure connections on it. */
    private readonly security: InterBrokerSecurity,
    private readonly clientId: string,
    log: Logger,
  ) {
    this.authWarnings = new AuthFailureWarnings(log, security.listenerName);
  }

  /** Sends one request to a broker; rejects when it is not live, cannot be reached, or the connection breaks. */
  async send<K extends AnyApiKey>(nodeId: number, apiKey: K, version: number, body: RequestOf<K>): Promise<ResponseOf<K>> {
    try {
      const connection = await this.connection(nodeId);
      return await connection.send(apiKey, version, body);
    } catch (err) {
      this.open.delete(nodeId);
      this.authWarnings.report(err, { peer: `broker ${nodeId}`, consequence: 'transaction markers and verification requests to it fail', fields: { broker: nodeId } });
      throw err;
    }
  }

  close(): void {
    for (const c of this.open.values()) void c.then((conn) => conn.close(), () => undefined);
    this.open.clear();
  }

  private async connection(nodeId: number): Promise<BrokerConnection> {
    const existing = await this.open.get(nodeId);
    if (existing?.isOpen) return existing;
    const address = this.cluster.broker(nodeId, this.security.listenerName);
    if (address === undefined) throw new Error(`broker ${nodeId} is not live`);
    const opening = BrokerConnection.open(address.host, address.port, this.clientId, this.security);
    this.open.set(nodeId, opening);
    return opening;
  }
}
