// Byte-rate quota enforcement as Kafka's ClientQuotaManager does it (KIP-13, KIP-219): the bytes
// of each quota entity (the one whose producer_byte_rate or consumer_byte_rate applies to the
// client, shared by every client it covers) are counted in quota.window.num (11) windows of
// quota.window.size.seconds (1 s); when the rate over them exceeds the bound, the client is
// throttled for the time that brings the rate back to it: (rate - bound) / bound × window span.
import type { ClientQuotas } from './client-quotas.js';
const WINDOW_MS = 1000;
const WINDOWS = 11;

interface Sample {
  start: number;
  bytes: number;
}

/** Who the client is for quotas: the principal (`User:<name>`) and the client id of its requests. */
export interface QuotaClient {
  readonly principal: string;
  readonly clientId: string | null;
}

export type ByteRateKey = 'producer_byte_rate' | 'consumer_byte_rate';

export class QuotaMeter {
  private readonly samples = new Map<string, Sample[]>();

  constructor(private readonly quotas: ClientQuotas) {}

  /** Records produced bytes; answers the throttle time (0 without a quota or within it). */
  recordProduce(client: QuotaClient, bytes: number, now = Date.now()): number {
    return this.record('producer_byte_rate', client, bytes, now, false);
  }

  /**
   * Records fetched bytes; answers the throttle time. A throttled fetch is answered without data,
   * so its bytes are taken back, as Kafka does.
   */
  recordFetch(client: QuotaClient, bytes: number, now = Date.now()): number {
    return this.record('consumer_byte_rate', client, bytes, now, true);
  }

  private record(key: ByteRateKey, client: QuotaClient, bytes: number, now: number, unrecordWhenThrottled: boolean): number {
    const user = client.principal.slice(client.principal.indexOf(':') + 1);
    const quota = this.quotas.quotaFor(key, user, client.clientId ?? '');
    if (quota === null) return 0;
    const samples = this.current(`${key}:${quota.entity}`, now);
    const last = samples.at(-1)!;
    last.bytes += bytes;
    const throttleMs = this.throttle(samples, quota.bound, now);
    if (throttleMs > 0 && unrecordWhenThrottled) last.bytes -= bytes;
    return throttleMs;
  }

  private current(entity: string, now: number): Sample[] {
    let samples = this.samples.get(entity);
    if (samples === undefined) {
      samples = [];
      this.samples.set(entity, samples);
    }
    const start = now - (now % WINDOW_MS);
    if (samples.at(-1)?.start !== start) samples.push({ start, bytes: 0 });
    while (samples.length > 0 && samples[0]!.start <= now - WINDOWS * WINDOW_MS) samples.shift();
    return samples;
  }

  private throttle(samples: Sample[], bound: number, now: number): number {
    const total = samples.reduce((sum, s) => sum + s.bytes, 0);
    // Kafka's Rate.windowSize: the time the samples span, at least (windows - 1) whole windows.
    const spanMs = Math.max(now - samples[0]!.start, (WINDOWS - 1) * WINDOW_MS);
    const rate = (total * 1000) / spanMs;
    return rate <= bound ? 0 : Math.round(((rate - bound) / bound) * spanMs);
  }
}
