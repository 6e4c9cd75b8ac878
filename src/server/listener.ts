// One client listener: accepts TCP connections (TLS ones for SSL and SASL_SSL listeners), hands
// each to a Connection that knows which listener it came in on, and closes them all gracefully
// (finishing requests in flight) on shutdown. A TLS handshake that fails (plaintext bytes, an
// untrusted or missing client certificate) closes that socket with one log line. Each TCP
// connection goes through the listener's acceptor before any TLS handshake, which waits out
// max.connection.creation.rate and waits for a slot under max.connections (see acceptor); then
// it is counted against max.connections.per.ip and its address's connection_creation_rate, and
// closed when over a limit: at once, or over the address's rate after the throttle time, unread
// meanwhile (see connection-quotas). An admitted connection gets the configured socket buffer sizes.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { Acceptor } from './acceptor.js';
import { Connection, type ConnectionHost } from './connection.js';
import type { ServerOptions } from './server-options.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { ClientListener } from '../config/client-listener.js';
import { ANONYMOUS_PRINCIPAL, type SaslAuthenticator } from '../security/sasl-authenticator.js';
import { SslPrincipalMapper } from '../security/ssl-principal.js';

/** What a listener needs of its broker: what its connections need, its config, and each listener's SASL authenticator. */
export interface ListenerHost extends ConnectionHost {
  readonly config: BrokerConfig;
  saslAuthenticator(listener: ClientListener): SaslAuthenticator | undefined;
}

export class Listener {
  private readonly server: Server;
  /** Each open connection, and what gives its count back (see connection-quotas). */
  private readonly connections = new Map<Connection, () => void>();
  /** TLS sockets still in their handshake (not Connections yet), by remote address, with what gives their count back; destroyed on close. */
  private readonly handshaking = new Map<string, { raw: Socket; release: () => void }>();
  /** Sockets over their address's connection_creation_rate, held unread until their delayed close. */
  private readonly throttled = new Set<Socket>();
  private readonly acceptor: Acceptor;
  /** What follows a counted connection: a Connection for a plain socket, the TLS handshake for a TLS one. */
  private readonly handOver: (socket: Socket, release: () => void) => void;
  private readonly log: Logger;

  constructor(
    private readonly listener: ClientListener,
    private readonly broker: ListenerHost,
    private readonly opts: ServerOptions,
    /** Connection ids, shared by every listener of the broker. */
    private readonly ids: { next: number },
    log: Logger,
  ) {
    this.log = log.child({ listener: listener.endpoint.name });
    const name = listener.endpoint.name;
    this.acceptor = new Acceptor(
      {
        acceptDelay: () => opts.quotas.acceptDelay(name),
        slotAvailable: () => opts.quotas.slotAvailable(name),
        onSlotChange: (wake) => opts.quotas.onSlotChange(wake),
        admit: (socket) => this.admit(socket),
        overflow: (socket) => {
          this.warn({ remote: remoteOf(socket), backlog: opts.acceptBacklog }, 'closing connection: the listen backlog is full while the acceptor waits (max.connection.creation.rate or max.connections)');
          socket.destroy();
        },
        waiting: (socket, delayMs) =>
          delayMs === null
            ? this.log.debug({ remote: remoteOf(socket) }, 'at max.connections: accepting once a connection slot frees')
            : this.log.debug({ remote: remoteOf(socket), delayMs }, 'over max.connection.creation.rate: accepting after a wait'),
      },
      opts.acceptBacklog,
    );
    opts.quotas.closeExcessWith(name, () => this.closeLeastRecentlyUsed());
    const tls = listener.tls;
    if (tls === undefined) {
      // Paused on accept: the connection moves a plain socket to its own reader before any read.
      this.handOver = (socket, release) => this.accept(socket, ANONYMOUS_PRINCIPAL, release);
      this.server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.acceptor.arrived(socket));
      return;
    }
    const props = broker.config.staticProps;
    const rulesKey = 'ssl.principal.mapping.rules';
    const principals = SslPrincipalMapper.parse(props.get(`listener.name.${listener.endpoint.name.toLowerCase()}.${rulesKey}`) ?? props.get(rulesKey) ?? null);
    // The TLS server never listens: TCP connections are accepted (and counted) here first, and
    // only admitted ones are handed to it, so a refused one costs no handshake.
    const tlsServer = createTlsServer(tls.options, (socket: TLSSocket) => {
      const handshake = this.handshaking.get(remoteOf(socket));
      this.handshaking.delete(remoteOf(socket));
      const cert = socket.getPeerX509Certificate();
      if (cert !== undefined && !socket.authorized) {
        // ssl.client.auth=requested: a certificate sent must still verify, as in Kafka.
        this.warn({ remote: remoteOf(socket), reason: socket.authorizationError }, 'closing TLS connection: client certificate not trusted');
        socket.destroy();
        return;
      }
      const principal = cert === undefined ? ANONYMOUS_PRINCIPAL : principals.principal(cert);
      if (principal === null) {
        // As Kafka's SslPrincipalMapper: a subject no rule maps fails authentication.
        this.warn({ remote: remoteOf(socket), subject: cert!.subject.replace(/\n/g, ', ') }, 'closing TLS connection: no ssl.principal.mapping.rules rule applies to the client certificate');
        socket.destroy();
        return;
      }
      // Counted when the TCP connection came in; the raw socket's close gives the count back.
      this.accept(socket, principal, handshake?.release ?? (() => undefined));
    });
    tlsServer.on('tlsClientError', (err, socket) => {
      this.warn({ remote: remoteOf(socket), reason: err.message }, 'closing connection: TLS handshake failed');
    });
    this.handOver = (raw, release) => {
      raw.once('close', release);
      const remote = remoteOf(raw);
      this.handshaking.set(remote, { raw, release });
      raw.once('close', () => {
        if (this.handshaking.get(remote)?.raw === raw) this.handshaking.delete(remote);
      });
      tlsServer.emit('connection', raw);
    };
    this.server = createServer({ noDelay: true }, (raw: Socket) => this.acceptor.arrived(raw));
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** The connections open now, for fault injection to close. */
  openConnections(): Iterable<{ readonly info: Connection['info']; destroy(): void }> {
    return [...this.connections.keys()].map((c) => ({ info: c.info, destroy: () => c.socket.destroy() }));
  }

  /** Counts a new TCP connection and hands it over, or closes it when over a limit. */
  private admit(socket: Socket): void {
    const admission = this.opts.quotas.admit(socket.remoteAddress ?? '', this.listener.endpoint.name);
    if (admission.admitted) {
      this.opts.socketBuffers.apply(socket);
      this.handOver(socket, admission.release);
      return;
    }
    if (admission.throttleMs === 0) {
      this.warn({ remote: remoteOf(socket), reason: admission.reason }, 'closing connection: too many connections');
      socket.destroy();
      return;
    }
    // As Kafka's acceptor: the client is kept waiting for the throttle time, then closed.
    this.warn({ remote: remoteOf(socket), reason: admission.reason, delayMs: admission.throttleMs }, 'closing connection after a delay: connection rate exceeded');
    socket.pause();
    this.throttled.add(socket);
    const timer = setTimeout(() => socket.destroy(), admission.throttleMs);
    socket.once('close', () => {
      clearTimeout(timer);
      this.throttled.delete(socket);
    });
    // A client that resets the connection meanwhile is no error of the broker's.
    socket.on('error', () => undefined);
  }

  private warn(fields: Record<string, unknown>, message: string): void {
    this.opts.warnings.warn(this.log, fields, message);
  }

  private accept(socket: Socket, principal: string, release: () => void): void {
    const conn = new Connection(
      socket,
      this.ids.next++,
      this.broker,
      { listenerName: this.listener.endpoint.name, principal, sasl: this.broker.saslAuthenticator(this.listener) },
      this.opts,
      this.log,
    );
    this.connections.set(conn, release);
    conn.socket.on('close', () => {
      this.connections.delete(conn);
      release();
    });
  }

  /**
   * Closes the connection that read or wrote least recently, giving its count back at once, for a
   * broker over max.connections (Kafka's lowestPriorityChannel); false when there is none.
   */
  private closeLeastRecentlyUsed(): boolean {
    let oldest: Connection | undefined;
    for (const c of this.connections.keys()) if (oldest === undefined || c.lastActivity < oldest.lastActivity) oldest = c;
    if (oldest === undefined) return false;
    const release = this.connections.get(oldest)!;
    this.connections.delete(oldest);
    this.warn({ remote: oldest.info.remoteAddress }, 'closing the least recently used connection: the broker is over max.connections');
    oldest.socket.destroy();
    release();
    return true;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port, backlog: 1024 }, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** Stops accepting and destroys every connection at once, answering nothing more (a crash, as clients see it). */
  abort(): void {
    this.server.close();
    this.dropUnaccepted();
    for (const c of this.connections.keys()) c.socket.destroy();
  }

  /** Stops accepting, drops pending and throttled sockets and TLS handshakes in progress, lets each connection finish its current request, then closes it. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.dropUnaccepted();
    await Promise.all([...this.connections.keys()].map((c) => c.close()));
    await closed;
    this.opts.warnings.flush();
    this.log.debug('listener closed');
  }

  /** Destroys the sockets not yet Connections: held by the acceptor, throttled, in their TLS handshake. */
  private dropUnaccepted(): void {
    for (const raw of [...this.acceptor.stop(), ...[...this.handshaking.values()].map((h) => h.raw), ...this.throttled]) raw.destroy();
  }
}

function remoteOf(socket: Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}
