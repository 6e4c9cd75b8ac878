// Latency samples and their percentiles.
export class Samples {
  private values: number[] = [];

  add(ms: number): void {
    this.values.push(ms);
  }

  static of(values: readonly number[]): Samples {
    const samples = new Samples();
    for (const v of values) samples.add(v);
    return samples;
  }

  /** Every sample of `parts`, in one. */
  static concat(parts: readonly Samples[]): Samples {
    const all = new Samples();
    for (const part of parts) for (const v of part.values) all.values.push(v);
    return all;
  }

  get count(): number {
    return this.values.length;
  }

  /** The p-th percentile (0 < p <= 100) by nearest rank; NaN without samples. */
  percentile(p: number): number {
    if (this.values.length === 0) return Number.NaN;
    const sorted = this.sorted();
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank]!;
  }

  max(): number {
    return this.values.length === 0 ? Number.NaN : this.sorted()[this.values.length - 1]!;
  }

  private sortedCache: Float64Array | undefined;

  private sorted(): Float64Array {
    if (this.sortedCache?.length !== this.values.length) this.sortedCache = Float64Array.from(this.values).sort();
    return this.sortedCache;
  }
}

export const MIB = 1024 * 1024;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
