// What every listener and connection of one broker share: the size and time limits read from the
// configuration, the broker-wide request memory and reused request buffers, the connection counts, and the budget of warnings
// that clients can cause.
import type { Logger } from 'pino';
import { parsePerIpOverrides } from '../config/per-ip-overrides.js';
import { listenerKey } from '../config/broker-config-defs.js';
import { ConnectionQuotas, normalizeAddress, type AcceptanceMeters, type ConnectionLimits, type ConnectionRate } from './connection-quotas.js';
import { BufferPool } from './buffer-pool.js';
import { RequestMemory } from './request-memory.js';
import { acceptedSocketBuffers, type SocketBuffers } from './socket-buffers.js';
import { WarningLimiter } from './warning-limiter.js';

export interface ServerOptions {
  /** socket.listen.backlog.size: connections a listener holds while its acceptor waits (Kafka's listen backlog); more are closed. */
  acceptBacklog: number;
  /** socket.request.max.bytes */
  maxRequestBytes: number;
  /** sasl.server.max.receive.size: the largest request before a SASL connection has authenticated. */
  saslMaxReceiveBytes: number;
  /** connections.max.idle.ms */
  idleTimeoutMs: number;
  /** creek.request.read.timeout.ms: from a frame's size prefix to its last byte; 0 for none. */
  requestReadTimeoutMs: number;
  /** connection.failed.authentication.delay.ms */
  failedAuthenticationDelayMs: number;
  /** queued.max.request.bytes, shared by every connection. */
  memory: RequestMemory;
  /** Request frames of 4-64 KiB, reused between requests (see BufferPool). */
  frames: BufferPool;
  /** Memory for the record bytes of fetch responses, reused once a response is written. */
  responses: BufferPool;
  quotas: ConnectionQuotas;
  warnings: WarningLimiter;
  /** socket.send.buffer.bytes and socket.receive.buffer.bytes, set on each accepted connection. */
  socketBuffers: SocketBuffers;
}

/** The current value of a broker config (dynamic updates included), as DescribeConfigs shows it. */
export type BrokerSetting = (name: string) => string | null;

/** How connections are counted: each address's connection_creation_rate, the accept-rate meters, and the inter-broker listener when the broker has several. */
export interface ConnectionMetering {
  connectionRate: ConnectionRate;
  acceptances: AcceptanceMeters;
  protectedListener: string | null;
}

export function serverOptions(setting: BrokerSetting, metering: ConnectionMetering, log: Logger): ServerOptions {
  const num = (name: string): number => Number(setting(name));
  const limits = (): ConnectionLimits => ({
    maxConnections: num('max.connections'),
    maxPerIp: num('max.connections.per.ip'),
    perIpOverrides: new Map([...parsePerIpOverrides(setting('max.connections.per.ip.overrides') ?? '')].map(([ip, n]) => [normalizeAddress(ip), n])),
    maxConnectionCreationRate: num('max.connection.creation.rate'),
    listenerConnectionCreationRate: (listener) => Number(setting(listenerKey(listener, 'max.connection.creation.rate')) ?? setting('max.connection.creation.rate')),
    listenerMaxConnections: (listener) => Number(setting(listenerKey(listener, 'max.connections')) ?? setting('max.connections')),
  });
  return {
    acceptBacklog: num('socket.listen.backlog.size'),
    maxRequestBytes: num('socket.request.max.bytes'),
    saslMaxReceiveBytes: num('sasl.server.max.receive.size'),
    idleTimeoutMs: num('connections.max.idle.ms'),
    requestReadTimeoutMs: num('creek.request.read.timeout.ms'),
    failedAuthenticationDelayMs: num('connection.failed.authentication.delay.ms'),
    memory: new RequestMemory(num('queued.max.request.bytes')),
    // A fresh frame above 64 KiB grows by doubling as its bytes arrive (FrameReader), each step
    // fresh pages to fault in; pooled, it is one reused buffer. Four of each large class are kept.
    frames: new BufferPool(4 * 1024, 4 * 1024 * 1024, 2 * 1024 * 1024, 4),
    responses: new BufferPool(4 * 1024, 1024 * 1024, 8 * 1024 * 1024),
    quotas: new ConnectionQuotas(limits, metering.connectionRate, metering.acceptances, metering.protectedListener),
    warnings: new WarningLimiter(log),
    socketBuffers: acceptedSocketBuffers(num, log),
  };
}
