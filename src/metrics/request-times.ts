// Time from receiving a request to sending its response, per API: counts per latency bucket kept as
// plain numbers on the request path, turned into Prometheus' histogram series at scrape time.

/** Upper bounds of the buckets, in milliseconds; a last bucket holds everything above. */
export const LATENCY_BUCKETS_MS: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export interface ApiRequestTimes {
  /** Requests per bucket (not cumulative), the last one above every bound. */
  readonly buckets: number[];
  sumMs: number;
  count: number;
}

export class RequestTimes {
  private readonly byApi = new Map<number, ApiRequestTimes>();

  observe(apiKey: number, ms: number): void {
    let times = this.byApi.get(apiKey);
    if (times === undefined) {
      times = { buckets: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0), sumMs: 0, count: 0 };
      this.byApi.set(apiKey, times);
    }
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]!) i++;
    times.buckets[i]!++;
    times.sumMs += ms;
    times.count++;
  }

  entries(): IterableIterator<[number, ApiRequestTimes]> {
    return this.byApi.entries();
  }
}
