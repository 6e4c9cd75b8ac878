// Quota enforcement as Kafka's ClientQuotaManager and ClientRequestQuotaManager do it (KIP-13,
// KIP-124, KIP-219): the usage of each quota entity (the one whose quota applies to the client,
// shared by every client it covers) is counted in quota.window.num (11) windows of
// quota.window.size.seconds (1 s); when the rate over them exceeds the bound, the client is
// throttled for the time that brings the rate back to it: (rate - bound) / bound × window span.
// Byte-rate quotas count bytes; a consumer's fetch asks for at most its consumer_byte_rate ×
// (windows − 1) × window size bytes (Kafka's maxValueInQuotaWindow, to which KafkaApis lowers a
// fetch's max_bytes). request_percentage counts the broker's busy time on the client's requests
// as a percentage of one thread (100 = one whole thread), its throttle bounded by one window as
// in Kafka. controller_mutation_rate (KIP-599) is a token bucket instead, as Kafka's
// ControllerMutationQuotaManager: partitions created or deleted take tokens, refilled at the
// quota's rate up to a burst of one window span's worth. connection_creation_rate (KIP-612) counts
// the connections each address opens, against its IP entity's quota, as Kafka's ConnectionQuotas;
// the connection-accept-rate meters count those the broker and each listener accept, against
// max.connection.creation.rate.
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';
import type { ClientQuotas } from './client-quotas.js';
import { WindowedRate } from './windowed-rate.js';
const WINDOW_MS = 1000;
const WINDOWS = 11;

/** Who the client is for quotas: the principal (`User:<name>`) and the client id of its requests. */
export interface QuotaClient {
  readonly principal: string;
  readonly clientId: string | null;
}

type QuotaKey = 'producer_byte_rate' | 'consumer_byte_rate' | 'request_percentage';

interface TokenBucket {
  tokens: number;
  lastMs: number;
}

/** One request's partition mutations against the client's controller_mutation_rate. */
export interface MutationQuota {
  /**
   * Takes `partitions` tokens. Strict (CreateTopics v6+, CreatePartitions v3+, DeleteTopics v5+):
   * throws THROTTLING_QUOTA_EXCEEDED, taking nothing, when the bucket is already in debt.
   */
  record(partitions: number): void;
  /** The throttle time this request earned. */
  readonly throttleTimeMs: number;
}

export class QuotaMeter {
  /** Bytes, or for request_percentage percent-seconds of busy time, by meter. */
  private readonly rates = new Map<string, WindowedRate>();
  private readonly buckets = new Map<string, TokenBucket>();
  private sweptMs = 0;

  constructor(private readonly quotas: ClientQuotas) {}

  /** Records produced bytes; answers the throttle time (0 without a quota or within it). */
  recordProduce(client: QuotaClient, bytes: number, now = Date.now()): number {
    return this.record('producer_byte_rate', client, bytes, now, false, Infinity);
  }

  /**
   * Records fetched bytes; answers the throttle time. A throttled fetch is answered without data,
   * so its bytes are taken back, as Kafka does.
   */
  recordFetch(client: QuotaClient, bytes: number, now = Date.now()): number {
    return this.record('consumer_byte_rate', client, bytes, now, true, Infinity);
  }

  /**
   * The most bytes a consumer's fetch may ask for under the client's consumer_byte_rate (Kafka's
   * ClientQuotaManager.maxValueInQuotaWindow: the bound × (quota.window.num − 1) ×
   * quota.window.size.seconds); Infinity without a quota.
   */
  fetchWindowBytes(client: QuotaClient): number {
    const quota = this.quotaOf('consumer_byte_rate', client);
    return quota === null ? Infinity : quota.bound * (WINDOWS - 1) * (WINDOW_MS / 1000);
  }

  /**
   * Records the milliseconds the broker spent handling one of the client's requests (a 1 ms
   * request is 0.1 percent-seconds of one thread); answers the throttle time, at most one window.
   */
  recordRequestTime(client: QuotaClient, busyMs: number, now = Date.now()): number {
    return this.record('request_percentage', client, busyMs / 10, now, false, WINDOW_MS);
  }

  /**
   * Records a new connection from `address`; answers how long to hold it before closing it when
   * it is over its connection_creation_rate (at most one window), else 0. Each address has its own
   * rate, also under the default IP entity's quota, and a refused connection is not counted.
   */
  recordConnection(address: string, now = Date.now()): number {
    const bound = this.quotas.connectionRateFor(address);
    if (bound === null) return 0;
    return this.recordAgainst(`connection_creation_rate:${address}`, bound, 1, now, true, WINDOW_MS);
  }

  /**
   * Records a connection accepted on a listener in one of Kafka's connection-accept-rate meters
   * (the broker's, a listener's), counted even when over `bound`; answers how long the acceptor
   * waits to bring the rate back to it (at most one window), else 0.
   */
  recordAcceptance(meter: string, bound: number, now = Date.now()): number {
    return this.recordAgainst(`connection-accept-rate:${meter}`, bound, 1, now, false, WINDOW_MS);
  }

  /** Takes back a connection recorded in a connection-accept-rate meter (its address's rate refused it). */
  unrecordAcceptance(meter: string, now = Date.now()): void {
    this.rateOf(`connection-accept-rate:${meter}`, now).record(-1, now);
  }

  /** A request's mutation quota; `clock` is read at each record (tests inject one). */
  mutations(client: QuotaClient, strict: boolean, clock: () => number = Date.now): MutationQuota {
    let throttleTimeMs = 0;
    return {
      record: (partitions) => {
        const now = clock();
        const quota = this.quotaOf('controller_mutation_rate', client);
        if (quota === null) return;
        const bucket = this.refill(quota.entity, quota.bound, now);
        // Kafka's throttle for a token bucket: the time the debt takes to repay, in whole
        // milliseconds rounded up, so that a client muted that long finds the debt repaid.
        const debtMs = (): number => Math.ceil((-bucket.tokens / quota.bound) * 1000);
        if (strict && bucket.tokens < 0) {
          throttleTimeMs = Math.max(throttleTimeMs, debtMs());
          throw new KafkaError(ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'The throttling quota has been exceeded.');
        }
        bucket.tokens -= partitions;
        if (!strict && bucket.tokens < 0) throttleTimeMs = Math.max(throttleTimeMs, debtMs());
      },
      get throttleTimeMs() {
        return throttleTimeMs;
      },
    };
  }

  private refill(entity: string, bound: number, now: number): TokenBucket {
    const burst = bound * WINDOWS * (WINDOW_MS / 1000);
    let bucket = this.buckets.get(entity);
    if (bucket === undefined) {
      bucket = { tokens: burst, lastMs: now };
      this.buckets.set(entity, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + (bound * Math.max(0, now - bucket.lastMs)) / 1000);
    bucket.lastMs = now;
    return bucket;
  }

  /** The quota of `key` that applies to the client (its user is the principal's name). */
  private quotaOf(key: QuotaKey | 'controller_mutation_rate', client: QuotaClient): { bound: number; entity: string } | null {
    const user = client.principal.slice(client.principal.indexOf(':') + 1);
    return this.quotas.quotaFor(key, user, client.clientId ?? '');
  }

  private record(key: QuotaKey, client: QuotaClient, amount: number, now: number, unrecordWhenThrottled: boolean, maxThrottleMs: number): number {
    const quota = this.quotaOf(key, client);
    if (quota === null) return 0;
    return this.recordAgainst(`${key}:${quota.entity}`, quota.bound, amount, now, unrecordWhenThrottled, maxThrottleMs);
  }

  private recordAgainst(meter: string, bound: number, amount: number, now: number, unrecordWhenThrottled: boolean, maxThrottleMs: number): number {
    const rate = this.rateOf(meter, now);
    rate.record(amount, now);
    const throttleMs = Math.min(rate.throttleMs(bound, now), maxThrottleMs);
    if (throttleMs > 0 && unrecordWhenThrottled) rate.record(-amount, now);
    return throttleMs;
  }

  private rateOf(meter: string, now: number): WindowedRate {
    this.forgetIdle(now);
    let rate = this.rates.get(meter);
    if (rate === undefined) {
      rate = new WindowedRate(WINDOWS, WINDOW_MS);
      this.rates.set(meter, rate);
    }
    return rate;
  }

  /**
   * Drops, every span of windows, the meters with no sample inside it (their rate is 0 and a new
   * meter measures the same), so meters of clients and addresses gone quiet do not pile up.
   */
  private forgetIdle(now: number): void {
    if (now - this.sweptMs < WINDOWS * WINDOW_MS) return;
    this.sweptMs = now;
    for (const [meter, rate] of this.rates) {
      if (rate.idle(now)) this.rates.delete(meter);
    }
  }
}
