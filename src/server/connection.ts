// One client connection: length-prefixed framing, strictly sequential request handling with
// responses in request order (as Kafka mutes a channel until its response is sent), size
// limits, and closing only this connection on bad input.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { decodeRequest, encodeResponse } from '../../protocol/codec/messages.js';
import { peekRequestHeader } from '../../protocol/codec/headers.js';
import { NO_RESPONSE, type ConnectionInfo, type RequestContext } from '../apis/api.js';
import type { ApiRegistry } from '../apis/registry.js';
import type { Broker } from '../broker.js';
import { ANONYMOUS_PRINCIPAL, type SaslAuthenticator } from '../security/sasl-authenticator.js';
import { FrameReader, FrameSizeError } from './frame-reader.js';
import { readInto } from './socket-reads.js';

export interface ConnectionOptions {
  maxRequestBytes: number;
  idleTimeoutMs: number;
}

/** What the listener knows about a new connection. */
export interface ConnectionSession {
  listenerName: string;
  /** `User:ANONYMOUS`, or the client certificate's subject on a TLS listener. */
  principal: string;
  /** The SASL state on a SASL listener. */
  sasl?: SaslAuthenticator | undefined;
}

const API_VERSIONS = 18;
/** Received-but-unhandled request bytes one connection may queue before reading pauses. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
const UNSUPPORTED_VERSION = 35;

export class Connection {
  readonly info: ConnectionInfo;
  private readonly abort = new AbortController();
  private readonly reader: FrameReader;
  /** The accepted socket, moved to one that reads into a shared buffer (see socket-reads). */
  readonly socket: Socket;
  private readonly frames: Buffer[] = [];
  /** Bytes of frames received but not yet handled. */
  private queuedBytes = 0;
  private queuePaused = false;
  private processing = false;
  private log: Logger;
  private readonly apis: ApiRegistry;
  /** Resolves when the request being handled (if any) has finished. */
  private idle: Promise<void> = Promise.resolve();

  constructor(
    accepted: Socket,
    id: number,
    private readonly broker: Broker,
    { listenerName, principal, sasl }: ConnectionSession,
    opts: ConnectionOptions,
    logger: Logger,
  ) {
    const remoteAddress = `${accepted.remoteAddress}:${accepted.remotePort}`;
    this.apis = broker.apis;
    this.info = { id, remoteAddress, listenerName, clientId: null, closed: this.abort.signal, principal, ...(sasl ? { sasl } : {}) };
    this.log = logger.child({ conn: id, remote: remoteAddress });
    if (principal !== ANONYMOUS_PRINCIPAL) this.log.info({ principal }, 'TLS client authenticated by certificate');
    this.reader = new FrameReader((size) =>
      size < 0 || size > opts.maxRequestBytes ? `request size ${size} is outside 0..${opts.maxRequestBytes} (socket.request.max.bytes)` : undefined,
    );
    const socket = readInto(accepted, (chunk) => this.onData(chunk));
    this.socket = socket;
    socket.setNoDelay(true);
    if (opts.idleTimeoutMs > 0) {
      socket.setTimeout(opts.idleTimeoutMs, () => {
        this.log.info({ idleMs: opts.idleTimeoutMs }, 'closing idle connection');
        socket.destroy();
      });
    }
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'socket error'));
    socket.on('close', () => this.abort.abort());
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  /** Waits for the request in progress, then closes. */
  async close(): Promise<void> {
    this.frames.length = 0;
    await this.idle;
    this.socket.end();
    this.abort.abort();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    try {
      for (const frame of this.reader.push(chunk)) {
        this.frames.push(frame);
        this.queuedBytes += frame.length;
      }
    } catch (err) {
      if (!(err instanceof FrameSizeError)) throw err;
      this.fail(err.message);
      return;
    }
    if (this.queuedBytes > MAX_QUEUED_BYTES && !this.queuePaused) {
      // A client pipelining faster than we answer: stop reading until the queue drains.
      this.queuePaused = true;
      this.socket.pause();
    }
    if (!this.processing && this.frames.length > 0) this.idle = this.drain();
  }

  private async drain(): Promise<void> {
    this.processing = true;
    try {
      while (this.frames.length > 0 && !this.closed) {
        const frame = this.frames.shift()!;
        this.queuedBytes -= frame.length;
        await this.handle(frame);
        if (this.socket.writableNeedDrain) {
          // Slow reader: stop taking requests until it catches up, bounding memory.
          this.socket.pause();
          await new Promise<void>((resolve) => {
            const done = (): void => {
              this.socket.off('drain', done).off('close', done);
              resolve();
            };
            this.socket.once('drain', done).once('close', done);
          });
          if (!this.queuePaused) this.socket.resume();
        }
        if (this.queuePaused && this.queuedBytes <= MAX_QUEUED_BYTES / 2) {
          this.queuePaused = false;
          this.socket.resume();
        }
      }
    } finally {
      this.processing = false;
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    let header;
    try {
      header = peekRequestHeader(frame);
    } catch (err) {
      this.fail((err as Error).message);
      return;
    }
    const { apiKey, apiVersion, correlationId } = header;
    const sasl = this.info.sasl;
    if (sasl !== undefined && !sasl.accepts(apiKey)) {
      // As Kafka's SaslServerAuthenticator: until authenticated only the SASL exchange is served.
      this.fail(`api ${apiKey} is not allowed in this SASL state`, { apiKey, apiVersion });
      return;
    }
    const handler = this.apis.get(apiKey);
    if (!handler || apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === API_VERSIONS) {
        // Kafka answers an ApiVersions it cannot parse with a v0 response listing what it supports.
        this.write(encodeResponse(API_VERSIONS, 0, correlationId, this.apis.apiVersionsBody(UNSUPPORTED_VERSION)));
        return;
      }
      this.fail(`unsupported api ${apiKey} v${apiVersion}`, { apiKey, apiVersion });
      return;
    }
    let decoded;
    try {
      decoded = decodeRequest(frame);
    } catch (err) {
      this.fail(`malformed request: ${(err as Error).message}`, { apiKey, apiVersion });
      return;
    }
    if (this.info.clientId !== decoded.header.clientId) {
      this.info.clientId = decoded.header.clientId;
      this.log = this.log.child({ clientId: decoded.header.clientId });
    }
    const ctx: RequestContext = {
      broker: this.broker,
      header: decoded.header,
      version: apiVersion,
      connection: this.info,
      log: this.log,
    };
    const requestDone = this.broker.metrics.requestStarted(apiKey, apiVersion);
    try {
      const response = await handler.handle(decoded.body as never, ctx);
      if (response === NO_RESPONSE || this.closed) return;
      this.write(encodeResponse(apiKey, apiVersion, correlationId, response));
      if (sasl?.failed) {
        // A refused mechanism or failed authentication: the answer goes out, then the connection closes.
        this.frames.length = 0;
        this.socket.end();
      }
    } catch (err) {
      // An unexpected failure in a handler: Kafka would answer UNKNOWN_SERVER_ERROR; without a
      // response shape to fill we close this connection, and the client retries on a new one.
      this.log.error({ err, apiKey, apiVersion }, 'request handler failed; closing connection');
      this.socket.destroy();
    } finally {
      requestDone();
    }
  }

  private write(chunks: Buffer[]): void {
    if (this.closed) return;
    if (chunks.length === 1) {
      this.socket.write(chunks[0]!);
      return;
    }
    this.socket.cork();
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
  }

  private fail(reason: string, extra: Record<string, unknown> = {}): void {
    this.log.warn({ ...extra, reason }, 'closing connection: bad request');
    this.frames.length = 0;
    this.socket.destroy();
  }
}
