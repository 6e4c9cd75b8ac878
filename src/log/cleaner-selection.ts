// Which part of a compacted log the cleaner may clean and whether it is worth it now (Kafka's
// LogCleanerManager), and how cleaned segments are grouped. Pure functions over segment summaries.

export interface SegmentSummary {
  baseOffset: number;
  /** One past the last offset the segment covers (the next segment's base). */
  nextOffset: number;
  size: number;
  /** Newest timestamp in the segment (its roll time when none). */
  largestTimestamp: number;
}

export interface CleanableRange {
  /** Start of the dirty section: the cleaner checkpoint, kept within the log. */
  firstDirty: number;
  /** End of what may be cleaned now (a segment boundary); the new checkpoint after cleaning. */
  end: number;
  /** Bytes of the segments before firstDirty (cleaned before) and of those in [firstDirty, end). */
  cleanBytes: number;
  dirtyBytes: number;
}

export interface RangeInputs {
  /** Sealed segments, oldest first (the active one is never cleaned). */
  sealed: readonly SegmentSummary[];
  checkpoint: number;
  logStartOffset: number;
  /** Last stable offset: no data of an open transaction is cleaned. */
  lastStableOffset: number;
  minCompactionLagMs: number;
  now: number;
}

/** The dirty section and how far cleaning may go (Kafka's cleanableOffsets, at segment boundaries). */
export function cleanableRange(i: RangeInputs): CleanableRange {
  const sealedEnd = i.sealed.at(-1)?.nextOffset ?? i.logStartOffset;
  const firstDirty = i.checkpoint < i.logStartOffset || i.checkpoint > sealedEnd ? i.logStartOffset : i.checkpoint;
  let end = firstDirty;
  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (const s of i.sealed) {
    if (s.nextOffset <= firstDirty) {
      cleanBytes += s.size;
      continue;
    }
    const unstable = s.nextOffset > i.lastStableOffset;
    const tooRecent = i.minCompactionLagMs > 0 && s.largestTimestamp > i.now - i.minCompactionLagMs;
    if (unstable || tooRecent) break;
    dirtyBytes += s.size;
    end = s.nextOffset;
  }
  return { firstDirty, end, cleanBytes, dirtyBytes };
}

export function dirtyRatio(r: CleanableRange): number {
  const total = r.cleanBytes + r.dirtyBytes;
  return total === 0 ? 0 : r.dirtyBytes / total;
}

export interface CleaningNeed {
  range: CleanableRange;
  minCleanableDirtyRatio: number;
  /** Timestamp of the oldest dirty record (first batch of the dirty section), -1 when unknown. */
  firstDirtyTimestamp: number;
  maxCompactionLagMs: number;
  /** When a cleaned tombstone or marker becomes removable (earliest delete horizon), -1 when none. */
  nextDeleteHorizon: number;
  now: number;
}

/** Why the log should be cleaned now, or undefined: Kafka's three reasons. */
export function cleaningReason(n: CleaningNeed): 'dirty ratio' | 'max compaction lag' | 'delete horizon' | undefined {
  if (n.range.dirtyBytes > 0 && dirtyRatio(n.range) >= n.minCleanableDirtyRatio) return 'dirty ratio';
  if (n.range.dirtyBytes > 0 && n.firstDirtyTimestamp >= 0 && n.now - n.firstDirtyTimestamp > n.maxCompactionLagMs) {
    return 'max compaction lag';
  }
  if (n.nextDeleteHorizon >= 0 && n.nextDeleteHorizon <= n.now && n.range.cleanBytes + n.range.dirtyBytes > 0) return 'delete horizon';
  return undefined;
}

/** Offsets in a segment are int32 deltas from its base. */
const MAX_OFFSET_SPAN = 0x7fffffff;

/**
 * Consecutive segments grouped so that each group, once cleaned, fits one segment: at most
 * `maxBytes` before cleaning (Kafka's groupSegmentsBySize) and offsets within an int32 of its base.
 */
export function groupSegments<S extends SegmentSummary>(segments: readonly S[], maxBytes: number): S[][] {
  const groups: S[][] = [];
  let group: S[] = [];
  let bytes = 0;
  for (const s of segments) {
    const fits = group.length > 0 && bytes + s.size <= maxBytes && s.nextOffset - 1 - group[0]!.baseOffset <= MAX_OFFSET_SPAN;
    if (!fits && group.length > 0) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(s);
    bytes += s.size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
