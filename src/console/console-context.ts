// What every console route shares: the broker's engines read directly for facts that need no
// Kafka request (logs, connections, counters), a KafkaCall per HTTP caller for everything a
// Kafka admin client would ask, the schema registry for decoding, and the write switch.
import { errorInfo } from '../../protocol/errors.js';
import type { BrokerServices } from '../apis/api.js';
import type { OpenConnection } from '../faults/fault-injector.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import type { BrokerMetrics } from '../metrics/broker-metrics.js';
import type { AclAuthorizer } from '../security/authorizer/acl-authorizer.js';
import { HttpError, type HttpRequest } from '../http/router.js';
import type { SchemaRegistry } from '../schema-registry/schema-registry.js';
import { consoleSession, type ConsoleSession } from './kafka-calls.js';

/** What the console reads of its broker besides the handlers' services. */
export interface ConsoleHost extends BrokerServices {
  /** The partition layer whole: its health (under-replicated partitions) and the schema registry's reads. */
  readonly replicas: ReplicaManager;
  readonly metrics: BrokerMetrics;
  readonly authorizer: AclAuthorizer | null;
  /** ms since the epoch: the overview's uptime. */
  readonly startedAt: number;
  openConnections(): Iterable<OpenConnection>;
}

export interface ConsoleContext {
  broker: ConsoleHost;
  registry: SchemaRegistry;
  /** creek.console.writes.enable: produce, topic create/delete and offset resets. */
  writesEnabled: boolean;
  /** The request's HTTP user as a Kafka client: its ACL checks and calls to the broker's handlers. */
  session(req: HttpRequest): ConsoleSession;
}

export function consoleContext(broker: ConsoleHost, registry: SchemaRegistry): ConsoleContext {
  const listenerName = broker.config.listeners[0]!.advertised.name;
  return {
    broker,
    registry,
    writesEnabled: broker.config.consoleWritesEnable,
    session: (req) => consoleSession({ services: broker, authorizer: () => broker.authorizer, listenerName }, { user: req.user, remoteAddress: req.remoteAddress }),
  };
}

/** The body of every refusal: an HTTP status or Kafka error code, Kafka's error name when it is a Kafka error, and a message. */
export type ConsoleError = {
  error_code: number;
  error?: string;
  message: string;
};

/** Refuses a write when creek.console.writes.enable is false (403, saying which key turns them on). */
export function requireWrites(ctx: ConsoleContext): void {
  if (!ctx.writesEnabled) {
    const refusal: ConsoleError = { error_code: 403, message: 'Writes from the console are turned off (creek.console.writes.enable=false)' };
    throw new HttpError(403, refusal);
  }
}

/** Refuses what the user's ACLs do not allow, with the error a Kafka client would get (403). */
export function requireAllowed(allowed: boolean, errorCode: number): void {
  if (!allowed) throwIfKafkaError(errorCode);
}

/** A Kafka error code as the console answers it: 400 with Kafka's error name and message, or nothing for NONE. */
export function throwIfKafkaError(errorCode: number, message?: string | null): void {
  if (errorCode === 0) return;
  const info = errorInfo(errorCode);
  const refusal: ConsoleError = { error_code: errorCode, error: info.name, message: message ?? info.message };
  throw new HttpError(info.name === 'TOPIC_AUTHORIZATION_FAILED' || info.name === 'GROUP_AUTHORIZATION_FAILED' || info.name === 'CLUSTER_AUTHORIZATION_FAILED' ? 403 : 400, refusal);
}

/** A whole number from a path or query parameter, or `fallback` when absent. */
export function intParam(value: string | null | undefined, fallback: number, name: string): number {
  if (value === null || value === undefined || value === '') return fallback;
  if (!/^-?\d+$/.test(value)) throw new HttpError(400, { error_code: 400, message: `${name} must be an integer` });
  return Number(value);
}

/** An object body, or 400. */
export async function objectBody(req: HttpRequest): Promise<Record<string, unknown>> {
  const body = await req.json();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, { error_code: 400, message: 'The request body must be a JSON object' });
  return body as Record<string, unknown>;
}

/** A whole number from a JSON body (a number or numeric text), or `fallback` when absent (400 without a fallback). */
export function bodyInt(value: unknown, fallback: number | undefined, name: string): number {
  if (value === undefined || value === null || value === '') {
    if (fallback === undefined) throw new HttpError(400, { error_code: 400, message: `${name} is required` });
    return fallback;
  }
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new HttpError(400, { error_code: 400, message: `${name} must be a whole number` });
  return n;
}
