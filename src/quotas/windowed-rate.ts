// Kafka's windowed Rate (org.apache.kafka.common.metrics.stats.Rate over SampledStat): an amount
// counted in `windows` samples of `windowMs` each, a sample beginning with the first record after
// the previous one's window ended; the rate is their sum over the time since the oldest sample
// began, plus the whole windows it lacks to (windows - 1) of them, so that a first burst is not
// measured over a few milliseconds. The last `windows` samples are kept, none that began a whole
// span of windows ago.
interface Sample {
  start: number;
  amount: number;
}

export class WindowedRate {
  private readonly samples: Sample[] = [];

  constructor(
    private readonly windows: number,
    private readonly windowMs: number,
  ) {}

  /** Adds `amount` (negative to take some back) to the window holding `now`. */
  record(amount: number, now: number): void {
    let last = this.samples.at(-1);
    if (last === undefined || now - last.start >= this.windowMs) {
      last = { start: now, amount: 0 };
      this.samples.push(last);
    }
    this.expire(now);
    last.amount += amount;
  }

  /** Amount per second over the windows. */
  rate(now: number): number {
    this.expire(now);
    if (this.samples.length === 0) return 0;
    return (this.total() * 1000) / this.spanMs(now);
  }

  /** How long the rate stays above `bound` without more being recorded ((rate - bound) / bound × span); 0 within it. */
  throttleMs(bound: number, now: number): number {
    const rate = this.rate(now);
    return rate <= bound ? 0 : Math.round(((rate - bound) / bound) * this.spanMs(now));
  }

  /** Nothing recorded inside the windows: the rate is 0, as a new one's. */
  idle(now: number): boolean {
    this.expire(now);
    return this.samples.length === 0;
  }

  private total(): number {
    let sum = 0;
    for (const s of this.samples) sum += s.amount;
    return sum;
  }

  private spanMs(now: number): number {
    const elapsedMs = now - this.samples[0]!.start;
    const lacking = Math.max(0, this.windows - 1 - Math.floor(elapsedMs / this.windowMs));
    return Math.max(elapsedMs + lacking * this.windowMs, 1);
  }

  private expire(now: number): void {
    while (this.samples.length > this.windows || (this.samples.length > 0 && now - this.samples[0]!.start >= this.windows * this.windowMs)) this.samples.shift();
  }
}
