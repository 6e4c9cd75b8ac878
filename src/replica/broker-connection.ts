// One Kafka connection from this broker to another (a follower's fetches from its leader):
// over TLS and authenticated with SASL when the inter-broker listener asks for it, then typed
// requests encoded with the protocol codecs, responses matched by correlation id. A broken
// connection fails every pending request; the owner opens a new one. A failed TLS handshake, also
// one the peer reports after this side finished it (TLS 1.3 checks the client's certificate
// then), fails them with an InterBrokerAuthFailure.
// As in Kafka's NetworkClient, a request not answered within the request timeout closes the
// connection, failing it and every other request on it with an InterBrokerTimeout; and a
// connection not ready (connected, TLS, SASL) within its ready timeout is given up.
// A connection's socket options (its SO_RCVBUF: replica.socket.receive.buffer.bytes for a
// follower's, socket.receive.buffer.bytes for transaction markers and verification) are set when
// TCP has connected, before anything is received (Node has no descriptor before it connects;
// Kafka sets them just before).
import { isIP, connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { apiDef, decodeResponse, encodeRequest, type AnyApiKey, type RequestOf, type ResponseOf } from '../../protocol/codec/messages.js';
import type { InterBrokerSecurity } from '../security/inter-broker-config.js';
import { asTlsFailure } from './inter-broker-auth.js';
import { authenticate } from './inter-broker-sasl.js';

/** How long this broker waits for another: Kafka's request.timeout.ms, and the time to become ready. */
export interface InterBrokerTimeouts {
  /** From sending a request to its answer; past it the connection is closed. */
  requestTimeoutMs: number;
  /** From opening the connection to its being ready for requests (TCP, TLS handshake, SASL exchange). */
  readyTimeoutMs: number;
}

/** Options set on a new connection's socket once it has connected (its receive buffer: SocketBuffers). */
export interface SocketOptions {
  apply(socket: Socket): void;
}

/** A peer that did not answer a request, or let a connection become ready, in time; like Kafka's timed-out disconnect. */
export class InterBrokerTimeout extends Error {
  override readonly name = 'InterBrokerTimeout';
}

/** The TCP connect alone, within the ready timeout. */
const CONNECT_TIMEOUT_MS = 5_000;

interface Pending {
  apiKey: AnyApiKey;
  version: number;
  resolve(body: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class BrokerConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, Pending>();
  private correlationId = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly clientId: string,
    /** host:port when the connection is TLS, to name the peer in a handshake failure. */
    tlsPeer: string | undefined,
    private readonly requestTimeoutMs: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.fail(tlsPeer === undefined ? err : asTlsFailure(err, tlsPeer)));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /**
   * Connects (TLS handshake included) and authenticates; rejects with InterBrokerAuthFailure when
   * the handshake fails or the peer refuses the credentials, with InterBrokerTimeout when all that
   * takes longer than the ready timeout.
   */
  static async open(
    host: string,
    port: number,
    clientId: string,
    security: Omit<InterBrokerSecurity, 'listenerName'>,
    timeouts: InterBrokerTimeouts,
    socketOptions?: SocketOptions,
  ): Promise<BrokerConnection> {
    const tls = security.tls;
    // Node sends no SNI for an IP address (and warns when asked to).
    const socket = tls === undefined ? connectTcp({ host, port }) : connectTls({ ...tls, host, port, ...(isIP(host) === 0 ? { servername: host } : {}) });
    // A TLS socket too emits 'connect' once TCP has connected, as its handshake starts.
    if (socketOptions !== undefined) socket.once('connect', () => socketOptions.apply(socket));
    const notReady = setTimeout(
      () => socket.destroy(new InterBrokerTimeout(`connection to ${host}:${port} not ready within ${timeouts.readyTimeoutMs} ms`)),
      timeouts.readyTimeoutMs,
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out`)), CONNECT_TIMEOUT_MS);
        socket.once(tls === undefined ? 'connect' : 'secureConnect', () => {
          clearTimeout(timer);
          socket.removeListener('error', reject);
          resolve();
        });
        socket.once('error', (err) => {
          clearTimeout(timer);
          reject(tls === undefined ? err : asTlsFailure(err, `${host}:${port}`));
        });
      });
      const connection = new BrokerConnection(socket, clientId, tls === undefined ? undefined : `${host}:${port}`, timeouts.requestTimeoutMs);
      if (security.sasl !== undefined) {
        try {
          await authenticate(connection, security.sasl);
        } catch (err) {
          connection.close();
          throw err;
        }
      }
      return connection;
    } finally {
      clearTimeout(notReady);
    }
  }

  get isOpen(): boolean {
    return this.failure === undefined;
  }

  send<K extends AnyApiKey>(apiKey: K, version: number, body: RequestOf<K>): Promise<ResponseOf<K>> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = (this.correlationId = (this.correlationId + 1) & 0x7fffffff);
    return new Promise<ResponseOf<K>>((resolve, reject) => {
      const timer = setTimeout(() => this.timedOut(apiKey), this.requestTimeoutMs);
      this.pending.set(correlationId, { apiKey, version, resolve: resolve as (body: unknown) => void, reject, timer });
      this.socket.write(encodeRequest(apiKey, version, correlationId, this.clientId, body));
    });
  }

  close(): void {
    this.socket.destroy();
    this.fail(new Error('connection closed'));
  }

  /** Kafka's NetworkClient disconnects from a peer that lets a request time out, failing all its requests. */
  private timedOut(apiKey: AnyApiKey): void {
    this.socket.destroy();
    this.fail(new InterBrokerTimeout(`no answer to ${apiDef(apiKey)?.name ?? `API ${apiKey}`} within ${this.requestTimeoutMs} ms (request.timeout.ms)`));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(this.failure);
    }
    this.pending.clear();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < size + 4) return;
      const frame = this.buffered.subarray(4, size + 4);
      this.buffered = this.buffered.subarray(size + 4);
      const correlationId = frame.readInt32BE(0);
      const p = this.pending.get(correlationId);
      if (p === undefined) continue;
      this.pending.delete(correlationId);
      clearTimeout(p.timer);
      try {
        p.resolve(decodeResponse(p.apiKey, p.version, frame).body);
      } catch (err) {
        p.reject(err as Error);
      }
    }
  }
}
