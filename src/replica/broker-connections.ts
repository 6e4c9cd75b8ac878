// Connections from this broker to the others, one per broker, opened on first use at the address
// the cluster view has for it on the inter-broker listener, and opened again after a failure:
// what the transaction coordinator's markers and the leaders' transaction verification travel on.
// A failed authentication with a broker is a warning (inter-broker-auth.ts); the caller sees the
// failure as for any other broker it cannot reach. As Kafka's clients behind its transaction marker
// channel and AddPartitionsToTxnManager: each request (and each connection becoming ready) has
// request.timeout.ms, after which the connection is closed and the request fails; a broker whose
// connection failed is connected to again no sooner than RECONNECT_BACKOFF_MS later. Those clients
// set socket.receive.buffer.bytes as their sockets' SO_RCVBUF and leave SO_SNDBUF to the OS; the
// owner passes that as `socketOptions`.
import type { Logger } from 'pino';
import type { AnyApiKey, RequestOf, ResponseOf } from '../../protocol/codec/messages.js';
import type { ClusterView } from '../cluster/cluster-view.js';
import type { InterBrokerSecurity } from '../security/inter-broker-config.js';
import { BrokerConnection, type SocketOptions } from './broker-connection.js';
import { AuthFailureWarnings } from './inter-broker-auth.js';

/** Kafka's reconnect.backoff.ms and reconnect.backoff.max.ms for these two clients (fixed, not configurable). */
const RECONNECT_BACKOFF_MS = 50;

export class BrokerConnections {
  private readonly open = new Map<number, Promise<BrokerConnection>>();
  /** When each broker's connection last failed; one entry per broker of the cluster at most. */
  private readonly failedAt = new Map<number, number>();
  private readonly authWarnings: AuthFailureWarnings;

  constructor(
    private readonly cluster: ClusterView,
    /** The inter-broker listener, and how to secure connections on it. */
    private readonly security: InterBrokerSecurity,
    private readonly clientId: string,
    /** request.timeout.ms. */
    private readonly requestTimeoutMs: number,
    log: Logger,
    /** Set on each new connection's socket (the receive buffer: SocketBuffers). */
    private readonly socketOptions?: SocketOptions,
  ) {
    this.authWarnings = new AuthFailureWarnings(log, security.listenerName);
  }

  /** Sends one request to a broker; rejects when it is not live, cannot be reached, does not answer in time, or the connection breaks. */
  async send<K extends AnyApiKey>(nodeId: number, apiKey: K, version: number, body: RequestOf<K>): Promise<ResponseOf<K>> {
    let entry = this.open.get(nodeId) ?? this.reopen(nodeId, undefined);
    try {
      let connection = await entry;
      if (!connection.isOpen) {
        entry = this.reopen(nodeId, entry);
        connection = await entry;
      }
      return await connection.send(apiKey, version, body);
    } catch (err) {
      // Requests failing together drop the broken connection once; a newer one is left alone.
      if (this.open.get(nodeId) === entry) {
        this.open.delete(nodeId);
        this.failedAt.set(nodeId, Date.now());
      }
      this.authWarnings.report(err, { peer: `broker ${nodeId}`, consequence: 'transaction markers and verification requests to it fail', fields: { broker: nodeId } });
      throw err;
    }
  }

  close(): void {
    for (const c of this.open.values()) void c.then((conn) => conn.close(), () => undefined);
    this.open.clear();
  }

  /** A new connection to the broker in place of `stale` (none: there is no connection), unless another request opened one already. */
  private reopen(nodeId: number, stale: Promise<BrokerConnection> | undefined): Promise<BrokerConnection> {
    const current = this.open.get(nodeId);
    if (current !== undefined && current !== stale) return current;
    const address = this.cluster.broker(nodeId, this.security.listenerName);
    if (address === undefined) return Promise.reject(new Error(`broker ${nodeId} is not live`));
    const timeouts = { requestTimeoutMs: this.requestTimeoutMs, readyTimeoutMs: this.requestTimeoutMs };
    const opening = this.reconnectBackoff(nodeId).then(() => BrokerConnection.open(address.host, address.port, this.clientId, this.security, timeouts, this.socketOptions));
    this.open.set(nodeId, opening);
    return opening;
  }

  /** Resolves once RECONNECT_BACKOFF_MS have passed since the broker's connection last failed. */
  private async reconnectBackoff(nodeId: number): Promise<void> {
    const wait = (this.failedAt.get(nodeId) ?? -Infinity) + RECONNECT_BACKOFF_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
