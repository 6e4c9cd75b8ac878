// Per-partition checkpoint files next to the segments (the recovery points are the data
// directory's, in recovery-point-file.ts):
//   leader-epoch-checkpoint  Kafka's format: version line "0", entry count, then "epoch startOffset" lines
//   log-start-offset         the log start offset as a decimal number (moved by DeleteRecords/retention)
//   cleaner-offset-checkpoint  the first offset the log cleaner has not compacted yet, then on a second
//                            line the earliest delete horizon (ms) of the tombstones and markers it left,
//                            -1 when none
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from './atomic-file.js';
import type { EpochEntry } from './leader-epochs.js';
import type { CleanerCheckpoint } from './partition-log.js';

export const EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const LOG_START_CHECKPOINT = 'log-start-offset';
export const CLEANER_CHECKPOINT = 'cleaner-offset-checkpoint';

/** Kafka's checkpoint file text (CheckpointFile): a version line "0", the entry count, then one line per entry. */
export function formatCheckpoint(entries: readonly string[]): string {
  return `${['0', String(entries.length), ...entries].join('\n')}\n`;
}

/** The entry lines of Kafka's checkpoint file text; undefined when its version or count is wrong. */
export function checkpointEntries(text: string): string[] | undefined {
  const [version, count, ...rest] = text.trim().split('\n');
  return version === '0' && Number(count) === rest.length ? rest : undefined;
}

/** `durable: false` skips the fsync (the append path; the log makes it durable when it flushes). */
export function writeEpochCheckpoint(dir: string, entries: readonly EpochEntry[], durable = true): Promise<void> {
  return writeFileAtomic(join(dir, EPOCH_CHECKPOINT), formatCheckpoint(entries.map((e) => `${e.epoch} ${e.startOffset}`)), { durable });
}

/** The saved epochs; undefined when the file is missing or malformed. */
export function readEpochCheckpoint(dir: string): EpochEntry[] | undefined {
  const text = readIfExists(join(dir, EPOCH_CHECKPOINT))?.toString('utf8');
  if (text === undefined) return undefined;
  const rest = checkpointEntries(text);
  if (rest === undefined) return undefined;
  const entries: EpochEntry[] = [];
  for (const line of rest) {
    const [epoch, startOffset] = line.trim().split(/\s+/).map(Number);
    if (!Number.isInteger(epoch) || !Number.isInteger(startOffset)) return undefined;
    entries.push({ epoch: epoch!, startOffset: startOffset! });
  }
  return entries;
}

export function writeLogStartCheckpoint(dir: string, offset: number): Promise<void> {
  return writeFileAtomic(join(dir, LOG_START_CHECKPOINT), `${offset}\n`);
}

/** The saved log start offset, or 0. */
export function readLogStartCheckpoint(dir: string): number {
  return readOffset(join(dir, LOG_START_CHECKPOINT));
}

export function writeCleanerCheckpoint(dir: string, checkpoint: CleanerCheckpoint): Promise<void> {
  return writeFileAtomic(join(dir, CLEANER_CHECKPOINT), `${checkpoint.firstDirtyOffset}\n${checkpoint.nextDeleteHorizon}\n`);
}

/**
 * The saved cleaner checkpoint; undefined when the log was never cleaned. A file without a valid
 * horizon line gives horizon 0 (due now): the next round cleans the log once and learns it again.
 */
export function readCleanerCheckpoint(dir: string): CleanerCheckpoint | undefined {
  const text = readIfExists(join(dir, CLEANER_CHECKPOINT))?.toString('utf8');
  if (text === undefined) return undefined;
  const [offset, horizon] = text.trim().split('\n').map((line) => Number(line.trim()));
  const firstDirtyOffset = Number.isInteger(offset) && offset! >= 0 ? offset! : 0;
  const nextDeleteHorizon = Number.isInteger(horizon) && horizon! >= -1 ? horizon! : 0;
  return { firstDirtyOffset, nextDeleteHorizon };
}

function readOffset(path: string): number {
  const value = Number(readIfExists(path)?.toString('utf8').trim() ?? '0');
  return Number.isInteger(value) && value >= 0 ? value : 0;
}
