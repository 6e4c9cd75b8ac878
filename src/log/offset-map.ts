// The cleaner's key → latest offset map over a log's dirty section (Kafka's SkimpyOffsetMap, with
// exact keys instead of hashes). Its memory is bounded by log.cleaner.dedupe.buffer.size: once full,
// the cleaner stops the dirty section at the last segment that fitted.

/** Bytes an entry costs besides its key: the Map slot, the string header and the offset. */
const ENTRY_OVERHEAD = 64;

export class OffsetMap {
  private readonly offsets = new Map<string, number>();
  private used = 0;
  /** Highest offset put into the map, -1 when empty. */
  latestOffset = -1;

  constructor(private readonly capacityBytes: number) {}

  /** Records `offset` as the latest position of `key` (offsets are put in increasing order). */
  put(key: Buffer, offset: number): void {
    const k = key.toString('latin1');
    if (!this.offsets.has(k)) this.used += k.length + ENTRY_OVERHEAD;
    this.offsets.set(k, offset);
    this.latestOffset = Math.max(this.latestOffset, offset);
  }

  /** The latest offset of `key`, or -1 when the dirty section does not hold it. */
  get(key: Buffer): number {
    return this.offsets.get(key.toString('latin1')) ?? -1;
  }

  get size(): number {
    return this.offsets.size;
  }

  get full(): boolean {
    return this.used >= this.capacityBytes;
  }

  /** Bytes accounted so far (keys plus per-entry overhead). */
  get usedBytes(): number {
    return this.used;
  }
}
