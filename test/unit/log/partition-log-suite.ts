// One behavioural suite for every PartitionLog backend: each backend's test file runs it.
import { afterEach, describe, expect, it } from 'vitest';
import { BATCH_HEADER_SIZE, isCrcValid, readBatchHeader } from '../../../protocol/records/batch-header.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../../src/log/log-config.js';
import type { PartitionLog } from '../../../src/log/partition-log.js';
import { baseOffsets, makeBatch, splitBatches } from './batches.js';
import { appendCommitted } from '../../helpers/append-committed.js';
import { errorCodeOf } from '../../helpers/error-code.js';

export type LogFactory = (config: LogConfig) => Promise<PartitionLog>;

const meta = { leaderEpoch: 0 };

async function appendMany(log: PartitionLog, count: number, spec: Parameters<typeof makeBatch>[0] = {}): Promise<void> {
  for (let i = 0; i < count; i++) await appendCommitted(log, makeBatch({ fill: i % 256, ...spec }), meta);
}

export function partitionLogSuite(name: string, factory: LogFactory): void {
  describe(`PartitionLog behaviour: ${name}`, () => {
    const opened: PartitionLog[] = [];
    const open = async (overrides: Partial<LogConfig> = {}): Promise<PartitionLog> => {
      const log = await factory({ ...DEFAULT_LOG_CONFIG, ...overrides });
      opened.push(log);
      return log;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((l) => l.close()));
    });

    it('assigns consecutive offsets and patches the stored header', async () => {
      const log = await open();
      const a = await appendCommitted(log, makeBatch({ records: 3 }), { leaderEpoch: 5 });
      const b = await appendCommitted(log, makeBatch({ records: 2 }), { leaderEpoch: 5 });
      expect(a).toMatchObject({ baseOffset: 0, lastOffset: 2, logAppendTime: -1, logStartOffset: 0 });
      expect(b).toMatchObject({ baseOffset: 3, lastOffset: 4 });
      expect(log.logEndOffset).toBe(5);
      expect(log.highWatermark).toBe(5);
      const read = await log.read(0, 1 << 20);
      const batches = splitBatches(Buffer.concat(read.chunks));
      expect(batches.map((x) => readBatchHeader(x).baseOffset)).toEqual([0, 3]);
      expect(batches.map((x) => readBatchHeader(x).partitionLeaderEpoch)).toEqual([5, 5]);
      expect(batches.every((x) => isCrcValid(x))).toBe(true);
      expect(read).toMatchObject({ highWatermark: 5, logEndOffset: 5, logStartOffset: 0, bytes: read.chunks.reduce((n, c) => n + c.length, 0) });
    });

    it('appends several concatenated batches at once', async () => {
      const log = await open();
      const data = Buffer.concat([makeBatch({ records: 2 }), makeBatch({ records: 4 }), makeBatch()]);
      expect(await appendCommitted(log, data, meta)).toMatchObject({ baseOffset: 0, lastOffset: 6 });
      expect(baseOffsets((await log.read(0, 1 << 20)).chunks)).toEqual([0, 2, 6]);
    });

    it('returns stored bytes unchanged apart from offset and epoch', async () => {
      const log = await open();
      const original = makeBatch({ records: 2, payload: 100, fill: 7 });
      const copy = Buffer.from(original);
      await appendCommitted(log, makeBatch(), meta);
      await appendCommitted(log, original, meta);
      const [, second] = splitBatches(Buffer.concat((await log.read(0, 1 << 20)).chunks));
      expect(second!.subarray(17)).toEqual(copy.subarray(17));
      expect(readBatchHeader(second!).baseOffset).toBe(1);
    });

    it('always returns the first batch, even when larger than maxBytes', async () => {
      const log = await open();
      await appendCommitted(log, makeBatch({ payload: 500 }), meta);
      await appendCommitted(log, makeBatch({ payload: 10 }), meta);
      const read = await log.read(0, 10);
      expect(baseOffsets(read.chunks)).toEqual([0]);
      expect(read.bytes).toBe(561);
      expect((await log.read(0, 10, { minOneBatch: false })).chunks).toEqual([]);
    });

    it('returns only whole batches within maxBytes', async () => {
      const log = await open();
      await appendMany(log, 5, { payload: 39 });
      expect(baseOffsets((await log.read(0, 250)).chunks)).toEqual([0, 1]);
      expect(baseOffsets((await log.read(0, 300)).chunks)).toEqual([0, 1, 2]);
    });

    it('starts at the batch holding an offset in its middle', async () => {
      const log = await open();
      await appendCommitted(log, makeBatch({ records: 10 }), meta);
      await appendCommitted(log, makeBatch({ records: 10 }), meta);
      expect(baseOffsets((await log.read(15, 1 << 20)).chunks)).toEqual([10]);
      expect(baseOffsets((await log.read(9, 1 << 20)).chunks)).toEqual([0, 10]);
    });

    it('answers an empty read at the end and OFFSET_OUT_OF_RANGE outside the log', async () => {
      const log = await open();
      await appendMany(log, 2);
      expect((await log.read(2, 1000)).chunks).toEqual([]);
      expect(await errorCodeOf(log.read(3, 1000))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
      expect(await errorCodeOf(log.read(-1, 1000))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    });

    it('stops at maxOffset', async () => {
      const log = await open();
      await appendMany(log, 4);
      expect(baseOffsets((await log.read(0, 1 << 20, { maxOffset: 2 })).chunks)).toEqual([0, 1]);
      expect((await log.read(2, 1 << 20, { maxOffset: 2 })).chunks).toEqual([]);
    });

    it('rolls segments by size and finds every offset across segments', async () => {
      const log = await open({ segmentBytes: 1000, indexIntervalBytes: 150 });
      for (let i = 0; i < 60; i++) await appendCommitted(log, makeBatch({ records: 1 + (i % 3), payload: 20 + (i % 50) }), meta);
      const all = baseOffsets((await log.read(0, 1 << 24)).chunks);
      expect(all.length).toBe(60);
      for (let offset = 0; offset < log.logEndOffset; offset += 7) {
        const [first] = baseOffsets((await log.read(offset, 1)).chunks);
        const expected = all.filter((b) => b <= offset).pop();
        expect(first).toBe(expected);
      }
      expect((log as unknown as { segmentCount: number }).segmentCount).toBeGreaterThan(5);
    });

    it('tells where an offset is stored: its batch start in its segment, or where the next batch goes', async () => {
      // 3 batches of 161 bytes fill a 500-byte segment: offsets 0-8 in the first, 9-14 in the second.
      const log = await open({ segmentBytes: 500 });
      for (let i = 0; i < 5; i++) await appendCommitted(log, makeBatch({ records: 3, payload: 161 - BATCH_HEADER_SIZE }), meta);
      const positions = await Promise.all([0, 4, 8, 9, 13, 15].map((offset) => log.positionOf(offset)));
      expect(positions.map((p) => [p.segmentBaseOffset, p.position])).toEqual([
        [0, 0],
        [0, 161],
        [0, 322],
        [9, 0],
        [9, 161],
        [9, 322],
      ]);
    });

    it('rolls a segment once segment.ms has passed', async () => {
      const log = await open({ segmentMs: 1000 });
      await appendCommitted(log, makeBatch(), { leaderEpoch: 0, now: 10_000 });
      await appendCommitted(log, makeBatch(), { leaderEpoch: 0, now: 10_500 });
      await appendCommitted(log, makeBatch(), { leaderEpoch: 0, now: 11_000 });
      expect((log as unknown as { segmentCount: number }).segmentCount).toBe(2);
    });

    it('takes config changes at runtime', async () => {
      const log = await open();
      await appendMany(log, 3);
      log.setConfig({ ...log.config, segmentBytes: 100 });
      await appendMany(log, 3);
      expect((log as unknown as { segmentCount: number }).segmentCount).toBe(4);
      expect(log.config.segmentBytes).toBe(100);
    });

    it('deletes the oldest segments past retention.bytes', async () => {
      const log = await open({ segmentBytes: 300, retentionMs: -1 });
      await appendMany(log, 20, { payload: 39 });
      const before = log.size;
      expect(await log.applyRetention()).toBe(0);
      log.setConfig({ ...log.config, retentionBytes: 500 });
      const deleted = await log.applyRetention();
      expect(deleted).toBeGreaterThan(0);
      expect(log.size).toBeLessThan(before);
      expect(log.size).toBeGreaterThanOrEqual(500);
      expect(log.logStartOffset).toBeGreaterThan(0);
      expect(await errorCodeOf(log.read(0, 1000))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
      expect(baseOffsets((await log.read(log.logStartOffset, 1 << 20)).chunks)[0]).toBe(log.logStartOffset);
    });

    it('deletes segments past retention.ms, the active one included', async () => {
      const log = await open({ segmentBytes: 300, retentionMs: 1000 });
      for (let i = 0; i < 10; i++) await appendCommitted(log, makeBatch({ payload: 39, timestamp: i < 5 ? 1000 : 5000 }), meta);
      expect(await log.applyRetention(3000)).toBeGreaterThan(0);
      expect(log.logStartOffset).toBeGreaterThan(0);
      expect(log.logStartOffset).toBeLessThanOrEqual(5);
      await log.applyRetention(100_000);
      expect(log.logStartOffset).toBe(10);
      expect(log.logEndOffset).toBe(10);
      expect((await log.read(10, 1000)).chunks).toEqual([]);
      expect((await appendCommitted(log, makeBatch(), meta)).baseOffset).toBe(10);
    });

    it('moves the log start with deleteRecordsBefore', async () => {
      const log = await open({ segmentBytes: 300 });
      await appendMany(log, 20, { payload: 39 });
      const segments = (log as unknown as { segmentCount: number }).segmentCount;
      expect(await log.deleteRecordsBefore(9)).toBe(9);
      expect(log.logStartOffset).toBe(9);
      expect((log as unknown as { segmentCount: number }).segmentCount).toBeLessThan(segments);
      expect(await errorCodeOf(log.read(8, 1000))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
      expect(baseOffsets((await log.read(9, 1)).chunks)).toEqual([9]);
      expect(await log.deleteRecordsBefore(3)).toBe(9);
      expect(await errorCodeOf(log.deleteRecordsBefore(21))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
      expect(await log.deleteRecordsBefore(20)).toBe(20);
    });

    it('finds offsets by timestamp and the max timestamp', async () => {
      const log = await open({ segmentBytes: 400, indexIntervalBytes: 100 });
      for (let i = 0; i < 30; i++) await appendCommitted(log, makeBatch({ records: 2, timestamp: 1000 + i * 10 }), meta);
      expect(await log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 1000 });
      expect(await log.offsetForTimestamp(1105)).toEqual({ offset: 22, timestamp: 1110 });
      expect(await log.offsetForTimestamp(1290)).toEqual({ offset: 58, timestamp: 1290 });
      expect(await log.offsetForTimestamp(1291)).toBeUndefined();
      expect(await log.maxTimestampOffset()).toEqual({ offset: 59, timestamp: 1290 });
      await log.deleteRecordsBefore(23);
      expect(await log.offsetForTimestamp(0)).toEqual({ offset: 23, timestamp: 1110 });
    });

    it('stamps the broker time under LogAppendTime', async () => {
      const log = await open({ timestampType: 'LogAppendTime' });
      const result = await appendCommitted(log, makeBatch({ timestamp: 5 }), { leaderEpoch: 0, now: 777 });
      expect(result.logAppendTime).toBe(777);
      const [batch] = splitBatches(Buffer.concat((await log.read(0, 1000)).chunks));
      expect(readBatchHeader(batch!).maxTimestamp).toBe(777);
      expect(isCrcValid(batch!)).toBe(true);
    });

    it('refuses corrupt, truncated and oversized batches without changing the log', async () => {
      const log = await open({ maxMessageBytes: 200 });
      const corrupt = makeBatch();
      corrupt[corrupt.length - 1] ^= 0xff;
      expect(await errorCodeOf(appendCommitted(log, Buffer.from(corrupt), meta))).toBe(ErrorCode.CORRUPT_MESSAGE);
      expect((await appendCommitted(log, Buffer.from(corrupt), { leaderEpoch: 0, crcVerified: true })).baseOffset).toBe(0);
      await log.truncateTo(0);
      expect(await errorCodeOf(appendCommitted(log, makeBatch().subarray(0, 40), meta))).toBe(ErrorCode.CORRUPT_MESSAGE);
      expect(await errorCodeOf(appendCommitted(log, Buffer.alloc(0), meta))).toBe(ErrorCode.CORRUPT_MESSAGE);
      expect(await errorCodeOf(appendCommitted(log, makeBatch({ payload: 300 }), meta))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
      expect(log.logEndOffset).toBe(0);
    });

    it('keeps leader-epoch history for OffsetForLeaderEpoch', async () => {
      const log = await open();
      await appendCommitted(log, makeBatch({ records: 3 }), { leaderEpoch: 0 });
      await appendCommitted(log, makeBatch({ records: 2 }), { leaderEpoch: 2 });
      await appendCommitted(log, makeBatch({ records: 1 }), { leaderEpoch: 2 });
      expect(log.latestEpoch).toBe(2);
      expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 3 });
      expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 0, endOffset: 3 });
      expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 6 });
      expect(log.endOffsetForEpoch(3)).toEqual({ epoch: -1, endOffset: -1 });
    });

    it('truncates to an offset', async () => {
      const log = await open({ segmentBytes: 300 });
      await appendMany(log, 10, { payload: 39, records: 2 });
      await log.truncateTo(9);
      expect(log.logEndOffset).toBe(8);
      expect(log.highWatermark).toBe(8);
      expect(baseOffsets((await log.read(0, 1 << 20)).chunks)).toEqual([0, 2, 4, 6]);
      expect((await appendCommitted(log, makeBatch(), meta)).baseOffset).toBe(8);
    });

    it('moves the recovery point with flushes and back with truncation', async () => {
      const log = await open({ segmentBytes: 300 });
      expect(log.recoveryPoint).toBe(0);
      await appendMany(log, 5, { payload: 39, records: 2 });
      await log.flush();
      expect(log.recoveryPoint).toBe(10);
      await log.deleteRecordsBefore(7);
      await appendMany(log, 2, { payload: 39, records: 2 });
      await log.flush();
      expect(log.recoveryPoint).toBe(14);
      await log.truncateTo(9);
      expect(log.recoveryPoint).toBe(8);
    });

    it('notifies listeners when data becomes readable', async () => {
      const log = await open();
      const seen: number[] = [];
      const off = log.onAppend((hw) => seen.push(hw));
      await appendCommitted(log, makeBatch({ records: 2 }), meta);
      off();
      await appendCommitted(log, makeBatch(), meta);
      expect(seen).toEqual([2]);
    });

    it('serves concurrent appends in call order', async () => {
      const log = await open({ segmentBytes: 500 });
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => appendCommitted(log, makeBatch({ records: 1 + (i % 2), payload: 30 }), meta)));
      expect(results.map((r) => r.baseOffset)).toEqual(results.map((_, i) => Math.floor(i / 2) * 3 + (i % 2)));
      expect(baseOffsets((await log.read(0, 1 << 20)).chunks).length).toBe(40);
    });
  });
}
