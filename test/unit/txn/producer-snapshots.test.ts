// Producer-state snapshots against a file log: after random idempotent and transactional
// traffic (retries, epoch bumps, committed, aborted and open transactions, plain batches), state
// loaded from the latest snapshot plus the log after it equals both the live state and a full
// replay; corrupt, stale and deleted-segment snapshots are dropped without changing the result.
import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { encodeBatch, encodeControlBatch, readBatchHeader } from '../../../protocol/records/index.js';
import { openFileLog } from '../../../src/log/file-log.js';
import { DEFAULT_LOG_CONFIG } from '../../../src/log/log-config.js';
import type { SegmentedLog } from '../../../src/log/segmented-log.js';
import { replayProducerState } from '../../../src/txn/log-replay.js';
import { decodeProducerSnapshot, encodeProducerSnapshot } from '../../../src/txn/producer-snapshot-format.js';
import { loadProducerState, saveProducerState, SNAPSHOTS_KEPT } from '../../../src/txn/producer-snapshots.js';
import { PartitionProducerState } from '../../../src/txn/producer-state.js';
import { appendCommitted } from '../../helpers/append-committed.js';

const root = mkdtempSync(join(tmpdir(), 'creek-producer-snapshots-'));
let dirs = 0;
const silent = pino({ level: 'silent' });
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): (n: number) => number {
  let a = seed;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

interface SimProducer {
  id: number;
  epoch: number;
  nextSeq: number;
  transactional: boolean;
  inTxn: boolean;
  /** Batches sent at the current epoch, for retries. */
  sent: Buffer[];
}

/** One partition driven as the engine drives it: checked appends, live state, a snapshot at every segment change. */
class SimPartition {
  readonly state = new PartitionProducerState();
  private changed = false;

  constructor(readonly log: SegmentedLog) {
    log.onSegmentChange(() => (this.changed = true));
  }

  /** Appends (or detects as a duplicate) one batch; returns its offsets. */
  async produce(batch: Buffer): Promise<[number, number]> {
    const h = readBatchHeader(batch);
    if (h.producerId >= 0 && h.baseSequence >= 0) {
      const dup = this.state.check(h);
      if (dup) return [dup.firstOffset, dup.lastOffset];
    }
    const r = await appendCommitted(this.log, Buffer.from(batch), { leaderEpoch: 0 });
    if (h.producerId >= 0) this.state.recordData(h, r.baseOffset, r.lastOffset);
    await this.afterAppend();
    return [r.baseOffset, r.lastOffset];
  }

  async marker(p: SimProducer, commit: boolean): Promise<void> {
    const batch = encodeControlBatch({ producerId: p.id, producerEpoch: p.epoch, commit, coordinatorEpoch: 0, timestamp: 5000, baseOffset: 0 });
    const r = await appendCommitted(this.log, batch, { leaderEpoch: 0 });
    this.state.recordMarker(readBatchHeader(batch), r.baseOffset, { commit, coordinatorEpoch: 0 });
    await this.afterAppend();
  }

  async afterAppend(): Promise<void> {
    if (!this.changed) return;
    this.changed = false;
    await saveProducerState(this.log, this.state);
  }
}

function dataBatch(p: SimProducer, records: number, ts: number): Buffer {
  const batch = encodeBatch({
    producerId: p.id,
    producerEpoch: p.epoch,
    baseSequence: p.nextSeq,
    transactional: p.inTxn,
    baseTimestamp: ts,
    records: Array.from({ length: records }, (_, i) => ({ value: Buffer.from(`p${p.id}-${p.nextSeq + i}`) })),
  });
  p.nextSeq += records;
  p.sent.push(batch);
  return batch;
}

/** Random traffic; leaves some transactions open. */
async function traffic(part: SimPartition, seed: number, steps: number): Promise<void> {
  const rnd = random(seed);
  const producers: SimProducer[] = Array.from({ length: 5 }, (_, i) => ({ id: 1000 + i, epoch: 0, nextSeq: 0, transactional: i >= 2, inTxn: false, sent: [] }));
  for (let step = 0; step < steps; step++) {
    const p = producers[rnd(producers.length)]!;
    const ts = 10_000 + step;
    const op = rnd(100);
    if (op < 8) {
      await part.produce(encodeBatch({ baseTimestamp: ts, records: [{ value: Buffer.from(`plain-${step}`) }] }));
    } else if (op < 18 && p.sent.length > 0) {
      // A retry of one of the producer's last five batches answers with its original offsets.
      const retried = p.sent[Math.max(0, p.sent.length - 1 - rnd(5))]!;
      const before = part.log.logEndOffset;
      await part.produce(retried);
      expect(part.log.logEndOffset).toBe(before);
    } else if (op < 22 && !p.inTxn) {
      p.epoch++;
      p.nextSeq = 0;
      p.sent = [];
    } else if (op < 35 && p.inTxn) {
      await part.marker(p, rnd(2) === 0);
      p.inTxn = false;
    } else {
      if (p.transactional && !p.inTxn) p.inTxn = true;
      await part.produce(dataBatch(p, 1 + rnd(3), ts));
    }
  }
}

function lso(state: PartitionProducerState, log: SegmentedLog): number {
  return state.lastStableOffset(log.highWatermark);
}

describe('producer-state snapshots', () => {
  const logs: SegmentedLog[] = [];
  const open = (dir: string, segmentBytes = 2000): SegmentedLog => {
    const log = openFileLog(dir, { ...DEFAULT_LOG_CONFIG, segmentBytes }, silent, { tailCacheBytes: 0 });
    logs.push(log);
    return log;
  };
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((l) => l.close()));
  });

  /** Live state after traffic, and the directory it was written to (log closed, snapshots as of the last roll). */
  async function run(seed: number, steps = 400, closeSnapshot = false): Promise<{ dir: string; live: PartitionProducerState; lso: number }> {
    const dir = join(root, `${dirs++}`, 'p-0');
    const part = new SimPartition(open(dir));
    await traffic(part, seed, steps);
    if (closeSnapshot) await saveProducerState(part.log, part.state);
    const result = { dir, live: part.state, lso: lso(part.state, part.log) };
    await part.log.close();
    return result;
  }

  async function reload(dir: string): Promise<{ log: SegmentedLog; state: PartitionProducerState; snapshotOffset: number | undefined; batches: number; full: PartitionProducerState }> {
    const log = open(dir);
    const full = new PartitionProducerState();
    await replayProducerState(log, full);
    const state = new PartitionProducerState();
    const loaded = await loadProducerState(log, state, silent);
    return { log, state, full, ...loaded };
  }

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`restart from snapshots equals live state and full replay (seed ${seed})`, async () => {
      const { dir, live, lso: liveLso } = await run(seed, 400, seed % 2 === 0);
      const { log, state, full, snapshotOffset, batches } = await reload(dir);
      expect(snapshotOffset).toBeGreaterThan(0);
      if (seed % 2 === 0) expect(batches).toBe(0);
      expect(state.image()).toEqual(full.image());
      expect(state.image()).toEqual(live.image());
      expect(lso(state, log)).toBe(liveLso);
      expect(lso(state, log)).toBeLessThan(log.logEndOffset);
      expect(state.abortedBetween(0, log.logEndOffset)).toEqual(full.abortedBetween(0, log.logEndOffset));
      expect(state.abortedBetween(0, log.logEndOffset).length).toBeGreaterThan(0);
      // Duplicate detection: every producer's remembered batches answer as duplicates with their offsets.
      for (const p of state.image().producers) {
        for (const b of p.batches) {
          const h = { ...readBatchHeader(encodeBatch({ producerId: p.producerId, producerEpoch: p.epoch, baseSequence: b.firstSeq, records: [{}] })), lastOffsetDelta: b.lastOffset - b.firstOffset };
          expect(state.check(h)).toEqual({ firstOffset: b.firstOffset, lastOffset: b.lastOffset });
        }
      }
    });
  }

  it(`keeps at most ${SNAPSHOTS_KEPT} snapshots, all within the log`, async () => {
    const { dir } = await run(11);
    const snapshots = readdirSync(dir).filter((f) => f.endsWith('.snapshot'));
    expect(snapshots.length).toBe(SNAPSHOTS_KEPT);
  });

  it('falls back to an older snapshot, then to a full replay, when snapshots are corrupt', async () => {
    const { dir, live } = await run(7, 400, true);
    const names = readdirSync(dir).filter((f) => f.endsWith('.snapshot')).sort();
    const newest = join(dir, names.at(-1)!);
    const bytes = readFileSync(newest);
    bytes[bytes.length - 3] ^= 0xff;
    writeFileSync(newest, bytes);
    truncateSync(join(dir, names.at(-2)!), 10);
    const { state, full, snapshotOffset } = await reload(dir);
    expect(snapshotOffset).toBe(Number(names.at(-3)!.slice(0, 20)));
    expect(state.image()).toEqual(full.image());
    expect(state.image()).toEqual(live.image());
    expect(readdirSync(dir).filter((f) => f.endsWith('.snapshot'))).toEqual([names.at(-3)]);
    await Promise.all(logs.splice(0).map((l) => l.close()));

    writeFileSync(join(dir, names.at(-3)!), Buffer.from('not a snapshot'));
    const again = await reload(dir);
    expect(again.snapshotOffset).toBeUndefined();
    expect(again.state.image()).toEqual(live.image());
    expect(readdirSync(dir).filter((f) => f.endsWith('.snapshot'))).toEqual([]);
  });

  it('drops a snapshot past the log end (a log cut back by recovery)', async () => {
    const { dir } = await run(8, 300, true);
    const log = open(dir);
    const end = log.logEndOffset;
    await log.snapshots.write(end + 50, encodeProducerSnapshot({ offset: end + 50, producers: [], aborted: [] }));
    const state = new PartitionProducerState();
    const full = new PartitionProducerState();
    await replayProducerState(log, full);
    expect((await loadProducerState(log, state, silent)).snapshotOffset).toBe(end);
    expect(state.image()).toEqual(full.image());
    expect(await log.snapshots.list()).not.toContain(end + 50);
  });

  it('deletes snapshots below the log start once segments are deleted', async () => {
    const dir = join(root, `${dirs++}`, 'p-0');
    const part = new SimPartition(open(dir, 1000));
    await traffic(part, 9, 300);
    const before = await part.log.snapshots.list();
    expect(before.length).toBe(SNAPSHOTS_KEPT);
    await part.log.deleteRecordsBefore(part.log.highWatermark - 1);
    await part.afterAppend();
    const after = await part.log.snapshots.list();
    expect(after.every((o) => o >= part.log.logStartOffset)).toBe(true);
    expect(after).toEqual([part.log.logEndOffset]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.snapshot'))).toEqual([`${String(part.log.logEndOffset).padStart(20, '0')}.snapshot`]);
    // Producers whose batches are deleted stay known, as in Kafka; aborted transactions below the log start go.
    const state = new PartitionProducerState();
    await loadProducerState(part.log, state, silent);
    expect(state.image().producers).toEqual(part.state.image().producers);
    expect(state.abortedBetween(0, part.log.logEndOffset).every((t) => t.lastOffset >= part.log.logStartOffset)).toBe(true);
  });

  it('encodes and decodes every field; refuses truncated, extended and unknown-version files', () => {
    const snapshot = {
      offset: 2 ** 40,
      producers: [{ producerId: 2 ** 45, epoch: 32767, lastTimestamp: 1_700_000_000_000, coordinatorEpoch: 7, txnFirstOffset: 12, batches: [{ firstSeq: 0x7ffffffe, lastSeq: 1, firstOffset: 10, lastOffset: 13 }] }],
      aborted: [{ producerId: 3, firstOffset: 1, lastOffset: 9 }],
    };
    const bytes = encodeProducerSnapshot(snapshot);
    expect(decodeProducerSnapshot(bytes)).toEqual(snapshot);
    expect(decodeProducerSnapshot(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    expect(decodeProducerSnapshot(Buffer.concat([bytes, Buffer.alloc(1)]))).toBeUndefined();
    const otherVersion = Buffer.from(bytes);
    otherVersion.writeInt16BE(2, 0);
    expect(decodeProducerSnapshot(otherVersion)).toBeUndefined();
    expect(decodeProducerSnapshot(Buffer.alloc(0))).toBeUndefined();
  });
});
