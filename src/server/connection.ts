// One client connection: length-prefixed framing, strictly sequential request handling with
// responses in request order (as Kafka mutes a channel until its response is sent), size and time
// limits, and closing only this connection on bad input.
//
// Reading from the socket pauses while any of these holds: too many received requests wait on this
// connection, the client does not read its responses, the broker's request memory is used up
// (queued.max.request.bytes), a quota throttle time is running (KIP-219), or a failed
// authentication is about to be answered.
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { decodeRequest, encodeResponse } from '../../protocol/codec/messages.js';
import { peekRequestHeader } from '../../protocol/codec/headers.js';
import { NO_RESPONSE, type ConnectionInfo, type DispatchContext, type ServedApis } from '../apis/api.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import type { BrokerMetrics } from '../metrics/broker-metrics.js';
import type { QuotaMeter } from '../quotas/quota-meter.js';
import type { AclAuthorizer } from '../security/authorizer/acl-authorizer.js';
import { ANONYMOUS_PRINCIPAL, type SaslAuthenticator } from '../security/sasl-authenticator.js';
import { requestAuthorization, type RequestAuthorization } from '../security/authorizer/request-authorization.js';
import { FrameReader, FrameSizeError } from './frame-reader.js';
import type { ServerOptions } from './server-options.js';
import { readInto } from './socket-reads.js';
import type { ConnectionWarnings } from './warning-limiter.js';

/** What the listener knows about a new connection. */
export interface ConnectionSession {
  listenerName: string;
  /** `User:ANONYMOUS`, or the client certificate's subject on a TLS listener. */
  principal: string;
  /** The SASL state on a SASL listener. */
  sasl?: SaslAuthenticator | undefined;
}

/** What a connection needs of its broker: the handlers, ACLs, request metrics and injected faults. */
export interface ConnectionHost {
  readonly apis: ServedApis;
  readonly metrics: Pick<BrokerMetrics, 'requestDone'>;
  readonly authorizer: AclAuthorizer | null;
  readonly faults: Pick<FaultInjector, 'active' | 'intercept'>;
  /** request_percentage quotas (KIP-124) besides the byte rates handlers record. */
  readonly quotaMeter: Pick<QuotaMeter, 'recordRequestTime'>;
}

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
/** Received-but-unhandled request bytes one connection may queue before reading pauses. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
const UNSUPPORTED_VERSION = 35;

/** Counts reads and writes on every connection, to order connections by their last activity. */
let activityClock = 0;

export class Connection {
  readonly info: ConnectionInfo;
  /** When this connection last read or wrote, in the broker's activity order. */
  private activity = ++activityClock;
  private readonly abort = new AbortController();
  private readonly reader: FrameReader;
  /** The accepted socket, moved to one that reads into a shared buffer (see socket-reads). */
  readonly socket: Socket;
  /** Complete frames not yet handled; each holds its length in the broker's request memory. */
  private readonly frames: Buffer[] = [];
  /** Bytes of frames received but not yet handled. */
  private queuedBytes = 0;
  private queuePaused = false;
  private writeBlocked = false;
  private authFailing = false;
  /** A quota throttle is in force (KIP-219). */
  private muted = false;
  private reading = true;
  /** Cancels the wait for request memory, while reading waits for it. */
  private cancelMemoryWait: (() => void) | undefined;
  /** The deadline of the frame in progress, and that frame's number. */
  private readDeadline: NodeJS.Timeout | undefined;
  private readDeadlineFrame: number | undefined;
  private readonly warnings: ConnectionWarnings;
  private processing = false;
  private log: Logger;
  private readonly apis: ServedApis;
  private readonly authz: RequestAuthorization;
  /** Resolves when the request being handled (if any) has finished. */
  private idle: Promise<void> = Promise.resolve();
  /** Ends a quota mute early (on close). */
  private unmute: (() => void) | undefined;

  constructor(
    accepted: Socket,
    id: number,
    private readonly broker: ConnectionHost,
    { listenerName, principal, sasl }: ConnectionSession,
    private readonly opts: ServerOptions,
    logger: Logger,
  ) {
    const remoteAddress = `${accepted.remoteAddress}:${accepted.remotePort}`;
    this.apis = broker.apis;
    this.info = { id, remoteAddress, listenerName, clientId: null, closed: this.abort.signal, principal, ...(sasl ? { sasl } : {}) };
    this.log = logger.child({ conn: id, remote: remoteAddress });
    this.authz = requestAuthorization(broker.authorizer, this.info, () => this.log);
    if (principal !== ANONYMOUS_PRINCIPAL) this.log.info({ principal }, 'TLS client authenticated by certificate');
    this.warnings = opts.warnings.forConnection();
    this.reader = new FrameReader(
      {
        refuse: (size) => this.refuseSize(size),
        reserve: (size) => opts.memory.tryReserve(size),
      },
      opts.frames,
    );
    const socket = readInto(accepted, {
      chunk: (chunk) => this.onData(() => this.reader.push(chunk)),
      direct: () => (this.closed ? undefined : this.reader.directTarget()),
      filled: (bytes) => this.onData(() => this.reader.receivedDirectly(bytes)),
    });
    this.socket = socket;
    socket.setNoDelay(true);
    if (opts.idleTimeoutMs > 0) {
      socket.setTimeout(opts.idleTimeoutMs, () => {
        this.log.info({ idleMs: opts.idleTimeoutMs }, 'closing idle connection');
        socket.destroy();
      });
    }
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'socket error'));
    socket.on('close', () => this.onClose());
  }

  /** When this connection last read or wrote, in the broker's activity order: the least recent is closed first when the broker is over max.connections. */
  get lastActivity(): number {
    return this.activity;
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  /** Waits for the request in progress, then closes. */
  async close(): Promise<void> {
    this.discardQueued();
    this.unmute?.();
    await this.idle;
    this.socket.end();
    this.abort.abort();
  }

  /** Kafka's limits on a frame's size: sasl.server.max.receive.size until a SASL client has authenticated. */
  private refuseSize(size: number): string | undefined {
    const sasl = this.info.sasl;
    if (sasl !== undefined && !sasl.authenticated) {
      const max = this.opts.saslMaxReceiveBytes;
      return size < 0 || size > max ? `request size ${size} is outside 0..${max} (sasl.server.max.receive.size, before authentication)` : undefined;
    }
    const max = this.opts.maxRequestBytes;
    return size < 0 || size > max ? `request size ${size} is outside 0..${max} (socket.request.max.bytes)` : undefined;
  }

  /** Bytes read from the socket, as a chunk (`push`) or straight into the frame in progress (`receivedDirectly`). */
  private onData(read: () => Buffer[]): void {
    if (this.closed) return;
    this.activity = ++activityClock;
    this.received(read);
  }

  /** Request memory came back: the frame that waited for it may begin. */
  private onMemory(): void {
    this.cancelMemoryWait = undefined;
    if (this.closed) return;
    this.received(() => this.reader.retry());
  }

  private received(read: () => Buffer[]): void {
    try {
      for (const frame of read()) {
        this.frames.push(frame);
        this.queuedBytes += frame.length;
      }
    } catch (err) {
      if (!(err instanceof FrameSizeError)) throw err;
      this.fail(err.message);
      return;
    }
    // A client pipelining faster than we answer: stop reading until the queue drains.
    if (this.queuedBytes > MAX_QUEUED_BYTES) this.queuePaused = true;
    if (this.reader.blocked && this.cancelMemoryWait === undefined) {
      this.cancelMemoryWait = this.opts.memory.whenAvailable(() => this.onMemory());
      this.log.debug({ usedBytes: this.opts.memory.usedBytes }, 'request memory used up (queued.max.request.bytes); reading paused');
    }
    this.updateReading();
    if (!this.processing && this.frames.length > 0) this.idle = this.drain();
  }

  /** Pauses or resumes reading from the socket, and keeps the deadline of a frame in progress running only while reading. */
  private updateReading(): void {
    const read = !this.closed && !this.queuePaused && !this.writeBlocked && !this.authFailing && !this.muted && !this.reader.blocked;
    if (read !== this.reading) {
      this.reading = read;
      if (read) this.socket.resume();
      else this.socket.pause();
    }
    const frame = read ? this.reader.frameInProgress : undefined;
    if (frame === this.readDeadlineFrame) return;
    clearTimeout(this.readDeadline);
    this.readDeadline = undefined;
    this.readDeadlineFrame = frame;
    const timeoutMs = this.opts.requestReadTimeoutMs;
    if (frame === undefined || timeoutMs <= 0) return;
    this.readDeadline = setTimeout(() => {
      this.fail(`request not received within ${timeoutMs} ms of its size (creek.request.read.timeout.ms)`, {
        receivedBytes: this.reader.allocatedInProgress,
        requestSize: this.reader.reservedInProgress,
      });
    }, timeoutMs);
    this.readDeadline.unref();
  }

  /** Drops the frames not yet handled, giving their memory back. */
  private discardQueued(): void {
    this.frames.length = 0;
    this.opts.memory.release(this.queuedBytes);
    this.queuedBytes = 0;
  }

  private onClose(): void {
    this.abort.abort();
    this.unmute?.();
    this.discardQueued();
    this.opts.memory.release(this.reader.reservedInProgress);
    this.cancelMemoryWait?.();
    this.cancelMemoryWait = undefined;
    clearTimeout(this.readDeadline);
  }

  private async drain(): Promise<void> {
    this.processing = true;
    try {
      while (this.frames.length > 0 && !this.closed) {
        const frame = this.frames.shift()!;
        this.queuedBytes -= frame.length;
        let reusable = false;
        try {
          reusable = await this.handle(frame);
        } finally {
          this.opts.memory.release(frame.length);
        }
        if (reusable) this.opts.frames.give(frame);
        if (this.socket.writableNeedDrain) {
          // Slow reader: stop taking requests until it catches up, bounding memory.
          this.writeBlocked = true;
          this.updateReading();
          await new Promise<void>((resolve) => {
            const done = (): void => {
              this.socket.off('drain', done).off('close', done);
              resolve();
            };
            this.socket.once('drain', done).once('close', done);
          });
          this.writeBlocked = false;
        }
        if (this.queuePaused && this.queuedBytes <= MAX_QUEUED_BYTES / 2) this.queuePaused = false;
        this.updateReading();
      }
    } finally {
      this.processing = false;
    }
  }

  /** Handles one request; answers whether its frame may be reused (see ApiHandler.keepsNoRequestBytes). */
  private async handle(frame: Buffer): Promise<boolean> {
    if (this.info.sasl?.expectsRawTokens) {
      await this.handleRawToken(this.info.sasl, frame);
      return false;
    }
    const started = performance.now();
    let header;
    try {
      header = peekRequestHeader(frame);
    } catch (err) {
      this.fail((err as Error).message);
      return false;
    }
    const { apiKey, apiVersion, correlationId } = header;
    const sasl = this.info.sasl;
    if (sasl !== undefined && !sasl.accepts(apiKey)) {
      // As Kafka's SaslServerAuthenticator: until authenticated only the SASL exchange is served.
      this.fail(`api ${apiKey} is not allowed in this SASL state`, { apiKey, apiVersion });
      return false;
    }
    const handler = this.apis.get(apiKey);
    if (!handler || apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === API_VERSIONS) {
        // Kafka answers an ApiVersions it cannot parse with a v0 response listing what it supports.
        this.write(encodeResponse(API_VERSIONS, 0, correlationId, this.apis.apiVersionsBody(UNSUPPORTED_VERSION)));
        return false;
      }
      this.fail(`unsupported api ${apiKey} v${apiVersion}`, { apiKey, apiVersion });
      return false;
    }
    let decoded;
    try {
      decoded = decodeRequest(frame);
    } catch (err) {
      this.fail(`malformed request: ${(err as Error).message}`, { apiKey, apiVersion });
      return false;
    }
    if (this.info.clientId !== decoded.header.clientId) {
      this.info.clientId = decoded.header.clientId;
      this.log = this.log.child({ clientId: decoded.header.clientId });
    }
    // Response buffers taken by the handler go back to the pool once the response is written.
    // Most requests take none, so the list is made on the first.
    let lent: Buffer[] | undefined;
    let lentUntilWritten = false;
    const ctx: DispatchContext = {
      broker: handler.services,
      header: decoded.header,
      version: apiVersion,
      connection: this.info,
      log: this.log,
      requestBytes: frame.length,
      authz: this.authz,
      responseBuffer: (bytes) => {
        const buf = this.opts.responses.take(bytes);
        (lent ??= []).push(buf);
        return buf;
      },
    };
    const requestStarted = performance.now();
    let throttleMs = 0;
    let reusable = false;
    // request_percentage: the event loop's time on this request so far (header peek, decoding).
    let busyMs = performance.now() - started;
    try {
      // Injected faults (tests): answer with an error instead, delay the answer, or drop the connection.
      const fault = this.broker.faults.active ? await this.broker.faults.intercept(apiKey, apiVersion, decoded.body, this.info) : undefined;
      let response;
      if (fault?.response !== undefined) {
        response = fault.response;
      } else {
        // The handler's synchronous part (up to its first wait on I/O, a timer or another
        // request) is busy time; the waiting that follows is not.
        const dispatched = performance.now();
        const pending = handler.handle(decoded.body as never, ctx);
        busyMs += performance.now() - dispatched;
        response = await pending;
      }
      reusable = fault === undefined && handler.keepsNoRequestBytes === true;
      if (fault?.delay !== undefined) await fault.delay;
      if (fault?.close === true) {
        this.socket.destroy();
        return false;
      }
      if (response === NO_RESPONSE || this.closed) return reusable;
      if (sasl?.failed) {
        await this.failAuthentication(encodeResponse(apiKey, apiVersion, correlationId, response));
        return false;
      }
      // KIP-124: a request quota throttle and a byte-rate one (set by the handler): the longer wins.
      const ownThrottleMs = (response as { throttleTimeMs?: number }).throttleTimeMs ?? 0;
      throttleMs = Math.max(ownThrottleMs, this.recordRequestTime(apiKey, busyMs));
      if (throttleMs > ownThrottleMs && typeof response === 'object' && response !== null && 'throttleTimeMs' in response) response = { ...response, throttleTimeMs: throttleMs };
      const encoding = performance.now();
      const chunks = encodeResponse(apiKey, apiVersion, correlationId, response);
      const toGiveBack = lent;
      lentUntilWritten = toGiveBack !== undefined;
      this.write(chunks, toGiveBack !== undefined ? () => this.giveBack(toGiveBack) : undefined);
      // Encoding counts too, after the throttle decision, as Kafka records a request's remaining time.
      this.recordRequestTime(apiKey, performance.now() - encoding);
    } catch (err) {
      // An unexpected failure in a handler: Kafka would answer UNKNOWN_SERVER_ERROR; without a
      // response shape to fill we close this connection, and the client retries on a new one.
      this.warnings.warn(this.log, { err, apiKey, apiVersion }, 'request handler failed; closing connection', 'error');
      this.socket.destroy();
      reusable = false;
    } finally {
      this.broker.metrics.requestDone(apiKey, apiVersion, requestStarted);
      if (!lentUntilWritten && lent !== undefined) this.giveBack(lent);
    }
    // The request's time ends with its answer, as in Kafka; the throttle is the client's wait.
    if (throttleMs > 0) await this.mute(throttleMs);
    return reusable;
  }

  /**
   * Records busy time against the client's request_percentage quota; answers the throttle time.
   * The SASL exchange is exempt: Kafka runs it in the network thread before any quota applies.
   */
  private recordRequestTime(apiKey: number, busyMs: number): number {
    if (apiKey === SASL_HANDSHAKE || apiKey === SASL_AUTHENTICATE) return 0;
    return this.broker.quotaMeter.recordRequestTime(this.info, busyMs);
  }

  /**
   * KIP-219: after a response that carries a quota throttle time, nothing more is read from or
   * handled for this client until that time has passed (the client backs off too).
   */
  private async mute(ms: number): Promise<void> {
    this.muted = true;
    this.updateReading();
    // Timed by the quotas' clock: a timer counts from the event loop's time, cached when this loop
    // turn began, so it can fire a little before `ms` has passed since the throttle was decided.
    const until = Date.now() + ms;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout;
      const wait = (left: number): void => {
        timer = setTimeout(() => {
          const rest = until - Date.now();
          if (rest > 0) wait(rest);
          else resolve();
        }, left);
      };
      wait(ms);
      this.unmute = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.unmute = undefined;
    this.muted = false;
    this.updateReading();
  }

  /**
   * A raw SASL token after SaslHandshake v0 (Kafka's legacy flow): the answer is the mechanism's
   * token, size-prefixed; a failure has no answer, the connection closes after the usual delay.
   */
  private async handleRawToken(sasl: SaslAuthenticator, token: Buffer): Promise<void> {
    let result;
    try {
      result = sasl.authenticate(token);
    } catch (err) {
      this.fail(`SASL token failed: ${(err as Error).message}`);
      return;
    }
    const { reason, authBytes } = result;
    if (sasl.failed) {
      this.log.info({ reason }, 'SASL authentication failed; closing connection');
      await this.failAuthentication([]);
      return;
    }
    const principal = sasl.principal;
    if (principal !== undefined) {
      this.info.principal = principal;
      this.log.info({ principal }, 'SASL authentication succeeded');
    }
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(authBytes.length);
    this.write([size, authBytes]);
  }

  /** Writes a response; `written` runs once the socket is done with every chunk (or failed). */
  private write(chunks: Buffer[], written?: () => void): void {
    if (this.closed) {
      written?.();
      return;
    }
    this.activity = ++activityClock;
    if (chunks.length === 1) {
      this.socket.write(chunks[0]!, written);
      return;
    }
    this.socket.cork();
    for (let i = 0; i < chunks.length; i++) this.socket.write(chunks[i]!, i === chunks.length - 1 ? written : undefined);
    this.socket.uncork();
  }

  private giveBack(lent: Buffer[]): void {
    for (const buf of lent) this.opts.responses.give(buf);
    lent.length = 0;
  }

  /**
   * A refused mechanism or failed authentication: as Kafka (connection.failed.authentication.delay.ms),
   * nothing more is read, and the answer goes out and the connection closes only after the delay,
   * which slows down a client guessing passwords without holding up anyone else.
   */
  private async failAuthentication(response: Buffer[]): Promise<void> {
    this.discardQueued();
    this.authFailing = true;
    this.updateReading();
    const delayMs = this.opts.failedAuthenticationDelayMs;
    if (delayMs > 0) await sleep(delayMs, undefined, { signal: this.abort.signal, ref: false }).catch(() => undefined);
    this.write(response);
    this.socket.end();
  }

  private fail(reason: string, extra: Record<string, unknown> = {}): void {
    this.warnings.warn(this.log, { ...extra, reason }, 'closing connection: bad request');
    this.discardQueued();
    this.socket.destroy();
  }
}
