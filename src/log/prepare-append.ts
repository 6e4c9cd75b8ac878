// Readies produced bytes for the log: checks every batch (framing, magic, CRC unless the caller
// did, size limits), then stamps offsets, leader epoch and, under LogAppendTime, the broker
// timestamp — in place. A follower's append (replicated from the leader) keeps the leader's
// offsets, epochs and timestamps; its offsets must only increase from the log end.
// Produce-only rules (record count vs lastOffsetDelta, legacy magic) belong to the handler.
import {
  patchBaseOffset,
  patchLeaderEpoch,
  patchLogAppendTime,
  rewriteCrc,
} from '../../protocol/records/batch-header.js';
import { ErrorCode } from '../../protocol/errors.js';
import { scanBatches, type BatchInfo } from './batch-scan.js';
import { LogError, corruptMessage } from './errors.js';
import type { LogConfig } from './log-config.js';

export interface PreparedAppend {
  /** The batches as stamped; positions are within the appended buffer. */
  batches: BatchInfo[];
  lastOffset: number;
}

export function prepareAppend(
  data: Buffer,
  baseOffset: number,
  meta: { leaderEpoch: number; crcVerified?: boolean; asFollower?: boolean },
  config: Readonly<LogConfig>,
  now: number,
): PreparedAppend {
  const { leaderEpoch } = meta;
  const { batches, stop } = scanBatches(data, meta.crcVerified !== true);
  if (stop !== undefined) {
    throw corruptMessage(stop.kind === 'corrupt' ? stop.reason : 'truncated record batch');
  }
  if (batches.length === 0) throw corruptMessage('no record batch');
  if (data.length > config.segmentBytes) {
    throw new LogError(ErrorCode.RECORD_LIST_TOO_LARGE, `${data.length} bytes exceed segment.bytes ${config.segmentBytes}`);
  }
  if (meta.asFollower === true) return checkFollowerOffsets(batches, baseOffset);
  const logAppendTime = config.timestampType === 'LogAppendTime';
  let next = baseOffset;
  for (const batch of batches) {
    if (batch.size > config.maxMessageBytes) {
      throw new LogError(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${batch.size} bytes exceeds max.message.bytes ${config.maxMessageBytes}`);
    }
    const delta = batch.lastOffset - batch.baseOffset;
    patchBaseOffset(data, next, batch.position);
    patchLeaderEpoch(data, leaderEpoch, batch.position);
    if (logAppendTime) {
      patchLogAppendTime(data, now, batch.position);
      rewriteCrc(data, batch.position);
      batch.maxTimestamp = now;
    }
    batch.baseOffset = next;
    batch.lastOffset = next + delta;
    batch.leaderEpoch = leaderEpoch;
    next = batch.lastOffset + 1;
  }
  return { batches, lastOffset: next - 1 };
}

/** Replicated batches keep their offsets: each must start at or after the end of the one before (gaps are compaction's). */
function checkFollowerOffsets(batches: BatchInfo[], logEndOffset: number): PreparedAppend {
  let next = logEndOffset;
  for (const batch of batches) {
    if (batch.baseOffset < next) {
      throw new LogError(ErrorCode.OFFSET_OUT_OF_RANGE, `replicated batch at offset ${batch.baseOffset} is below the expected offset ${next}`);
    }
    next = batch.lastOffset + 1;
  }
  return { batches, lastOffset: next - 1 };
}
