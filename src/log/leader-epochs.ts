// Leader-epoch history of a partition: the first offset written in each leader epoch, as Kafka
// keeps in leader-epoch-checkpoint. Answers OffsetForLeaderEpoch; trimmed by truncation and
// retention. Persistence is the owner's job, through the `onChange` callback, told whether epochs
// were added (a new epoch) or cut (truncation, a new log start).

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/** OffsetForLeaderEpoch's answer; -1/-1 when the epoch is unknown (UNDEFINED_EPOCH). */
export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

export type EpochChange = 'added' | 'cut';

const UNDEFINED: EpochEndOffset = { epoch: -1, endOffset: -1 };

export class LeaderEpochCache {
  private list: EpochEntry[];

  constructor(
    entries: readonly EpochEntry[],
    private readonly onChange: (entries: readonly EpochEntry[], change: EpochChange) => void,
  ) {
    this.list = entries.map((e) => ({ ...e }));
  }

  get entries(): readonly EpochEntry[] {
    return this.list;
  }

  get latestEpoch(): number {
    return this.list.length === 0 ? -1 : this.list[this.list.length - 1]!.epoch;
  }

  /** Records that `epoch` starts at `startOffset`, if it is newer than the latest epoch. */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0 || epoch <= this.latestEpoch) return;
    this.list.push({ epoch, startOffset });
    this.onChange(this.list, 'added');
  }

  /** Kafka's LeaderEpochFileCache.endOffsetFor. */
  endOffsetFor(epoch: number, logEndOffset: number): EpochEndOffset {
    if (epoch < 0 || this.list.length === 0) return UNDEFINED;
    if (epoch === this.latestEpoch) return { epoch, endOffset: logEndOffset };
    const higher = this.list.findIndex((e) => e.epoch > epoch);
    if (higher === -1) return UNDEFINED;
    const higherStart = this.list[higher]!.startOffset;
    return higher === 0 ? { epoch, endOffset: higherStart } : { epoch: this.list[higher - 1]!.epoch, endOffset: higherStart };
  }

  /** Forgets epochs starting at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: number): void {
    const kept = this.list.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.list.length) return;
    this.list = kept;
    this.onChange(this.list, 'cut');
  }

  /** Moves history up to a new log start: earlier epochs go, the one spanning it starts there. */
  truncateFromStart(startOffset: number): void {
    const firstKept = this.list.findIndex((e) => e.startOffset > startOffset);
    const spanning = (firstKept === -1 ? this.list.length : firstKept) - 1;
    if (spanning < 0) return;
    const entry = this.list[spanning]!;
    if (spanning === 0 && entry.startOffset === startOffset) return;
    this.list = [{ epoch: entry.epoch, startOffset }, ...this.list.slice(spanning + 1)];
    this.onChange(this.list, 'cut');
  }
}
