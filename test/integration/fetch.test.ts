// Fetch semantics over raw protocol: long polling woken by produce, min_bytes (0 answers at once,
// as does a fetch naming no partition; a waiting fetch counts the bytes available, not those a
// read would return), max_bytes with the first-batch rule, OFFSET_OUT_OF_RANGE, incremental fetch
// sessions (KIP-227), the broker's fetch.max.bytes over a request's max_bytes and min_bytes, and
// the last fetched epoch's check for a diverging log (v12+).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../protocol/codec/messages.js';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch, splitBatches } from '../../protocol/records/index.js';
import type { FetchRequest, FetchResponse } from '../../protocol/schema/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { createTopics } from '../helpers/create-topics.js';
import { openFrameSocket, type FrameSocket } from '../helpers/frames.js';
import { withBroker } from '../helpers/broker.js';
import { fetchRequest, produceRequest } from '../helpers/raw-requests.js';

let broker: RunningBroker;
let sock: FrameSocket;
let correlation = 0;

beforeAll(async () => {
  broker = await withBroker();
  await createTopics(broker, ['lp', 'idle', 'zero-min', 'big', 'oor', 'one-part', 'available', 'available-later', 'diverge']);
  sock = await openFrameSocket(broker.port);
});
afterAll(async () => {
  sock.end();
  await broker.stop();
});

const batchOf = (values: string[]): Buffer => encodeBatch({ records: values.map((v) => ({ key: null, value: Buffer.from(v), headers: [] })), baseTimestamp: Date.now() });

/** Produces one batch of `values`, to the file's broker unless `port` names another. */
async function produce(topic: string, partition: number, values: string[], port = broker.port): Promise<number> {
  const records = batchOf(values);
  const s = await openFrameSocket(port);
  s.send(encodeRequest(0, 9, 1, 'p', produceRequest({ topic, partition, records }, { acks: 1, timeoutMs: 1000 })));
  const res = decodeResponse(0, 9, await s.next());
  s.end();
  const p = res.body.responses[0]!.partitionResponses[0]!;
  expect(p.errorCode).toBe(0);
  return p.baseOffset;
}

async function fetch(req: FetchRequest, socket = sock): Promise<FetchResponse> {
  socket.send(encodeRequest(1, 12, ++correlation, 'f', req));
  return decodeResponse(1, 12, await socket.next()).body;
}

const recordBytes = (r: FetchResponse, t = 0, p = 0): number => {
  const rec = r.responses[t]!.partitions[p]!.records;
  return Buffer.isBuffer(rec) ? rec.length : 0;
};

/** How many record batches one partition of a response carries. */
const batchCount = (r: FetchResponse, t = 0, p = 0): number => {
  const rec = r.responses[t]!.partitions[p]!.records;
  return Buffer.isBuffer(rec) ? splitBatches(rec).length : 0;
};

describe('Fetch', () => {
  it('long-polls until a produce arrives, then answers at once', async () => {
    await produce('lp', 0, ['first']);
    const pending = fetch(fetchRequest({ topic: 'lp', partition: 0, fetchOffset: 1 }, { maxWaitMs: 10_000, minBytes: 1 }));
    let answered = false;
    void pending.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    await produce('lp', 0, ['second']);
    const res = await pending;
    expect(res.responses[0]!.partitions[0]!.highWatermark).toBe(2);
    expect(recordBytes(res)).toBeGreaterThan(0);
  });

  it('answers after max_wait_ms with no data', async () => {
    await produce('idle', 0, ['x']);
    const res = await fetch(fetchRequest({ topic: 'idle', partition: 0, fetchOffset: 1 }, { maxWaitMs: 50, minBytes: 1 }));
    expect(res.responses[0]!.partitions[0]!.errorCode).toBe(0);
    expect(recordBytes(res)).toBe(0);
  });

  it('answers at once when min_bytes is 0, whatever max_wait_ms (Kafka: 0 bytes read >= 0)', async () => {
    const started = Date.now();
    const res = await fetch(fetchRequest({ topic: 'zero-min', partition: 0, fetchOffset: 0 }, { maxWaitMs: 5000, minBytes: 0 }));
    expect(Date.now() - started).toBeLessThan(2500);
    expect(res.responses[0]!.partitions[0]!.errorCode).toBe(0);
    expect(recordBytes(res)).toBe(0);
  });

  it('answers at once an incremental fetch whose session has no partition left', async () => {
    const full = await fetch(fetchRequest({ topic: 'zero-min', partition: 0, fetchOffset: 0 }, { sessionId: 0, sessionEpoch: 0 }));
    expect(full.sessionId).toBeGreaterThan(0);
    const started = Date.now();
    const empty = await fetch(
      fetchRequest([], { sessionId: full.sessionId, sessionEpoch: 1, forgottenTopicsData: [{ topic: 'zero-min', topicId: ZERO_UUID, partitions: [0] }], maxWaitMs: 5000, minBytes: 1 }),
    );
    expect(Date.now() - started).toBeLessThan(2500);
    expect([empty.errorCode, empty.responses]).toEqual([0, []]);
  });

  it('returns the first batch even when it exceeds partition_max_bytes, and no more', async () => {
    await produce('big', 0, ['a'.repeat(5000)]);
    await produce('big', 0, ['b'.repeat(5000)]);
    const res = await fetch(fetchRequest({ topic: 'big', partition: 0, fetchOffset: 0, partitionMaxBytes: 100 }));
    const bytes = recordBytes(res);
    expect(bytes).toBeGreaterThan(5000);
    expect(bytes).toBeLessThan(10_000);
  });

  it('answers OFFSET_OUT_OF_RANGE past the log end, with no offsets (-1) as Kafka', async () => {
    await produce('oor', 0, ['x']);
    const res = await fetch(fetchRequest({ topic: 'oor', partition: 0, fetchOffset: 50 }));
    expect(res.responses[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 });
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist', async () => {
    await produce('one-part', 0, ['x']);
    const res = await fetch(fetchRequest({ topic: 'one-part', partition: 7, fetchOffset: 0 }));
    expect(res.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('runs an incremental fetch session: only partitions with news come back', async () => {
    await broker.broker.topics.create('sess', { numPartitions: 2 });
    await produce('sess', 0, ['a']);
    await produce('sess', 1, ['b']);
    const full = await fetch(
      fetchRequest([{ topic: 'sess', partition: 0, fetchOffset: 0 }, { topic: 'sess', partition: 1, fetchOffset: 0 }], { sessionId: 0, sessionEpoch: 0 }),
    );
    expect(full.errorCode).toBe(0);
    expect(full.sessionId).toBeGreaterThan(0);
    expect(full.responses[0]!.partitions).toHaveLength(2);

    // The client consumed partition 0 only: it sends that one; partition 1 still has data at the
    // offset the session remembers, so both come back.
    const inc1 = await fetch(fetchRequest({ topic: 'sess', partition: 0, fetchOffset: 1 }, { sessionId: full.sessionId, sessionEpoch: 1 }));
    expect(inc1.errorCode).toBe(0);
    expect(inc1.sessionId).toBe(full.sessionId);
    expect(inc1.responses.flatMap((t) => t.partitions.map((p) => p.partitionIndex))).toEqual([0, 1]);

    // Now it has consumed partition 1 too; with nothing new, the answer is empty.
    const inc2 = await fetch(fetchRequest({ topic: 'sess', partition: 1, fetchOffset: 1 }, { sessionId: full.sessionId, sessionEpoch: 2 }));
    expect(inc2.responses.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, recordBytes(inc2)]))).toEqual([[1, 0]]);
    await produce('sess', 1, ['c']);
    const inc3 = await fetch(fetchRequest([], { sessionId: full.sessionId, sessionEpoch: 3 }));
    expect(inc3.responses.flatMap((t) => t.partitions.map((p) => p.partitionIndex))).toEqual([1]);
    expect(inc3.responses[0]!.partitions[0]!.highWatermark).toBe(2);

    const stale = await fetch(fetchRequest([], { sessionId: full.sessionId, sessionEpoch: 3 }));
    expect(stale.errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    const unknown = await fetch(fetchRequest([], { sessionId: 987654, sessionEpoch: 1 }));
    expect(unknown.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });
});

// Kafka's DelayedFetch counts, for each partition, the bytes between the fetch position and the
// high watermark (at most the partition's max_bytes), not what a read would return: with 600 KiB
// batches a 1 MiB read takes one batch only, yet 1 MiB is available.
// Each answer as Apache Kafka 4.4.0 gives it to the same requests (checked against the reference
// broker, compat/lib/reference-broker.ts). Epochs that differ between two logs are in the unit
// tests of Partition.divergingEpoch.
describe('last fetched epoch (v12+): a fetcher whose log diverged from the leader\'s', () => {
  const at = (fetchOffset: number, lastFetchedEpoch: number) => fetchRequest({ topic: 'diverge', fetchOffset, lastFetchedEpoch });
  beforeAll(async () => {
    for (const v of ['a', 'b', 'c']) await produce('diverge', 0, [`${v}1`, `${v}2`]);
  });

  it('reads as usual while the epoch ends at or past the fetch offset', async () => {
    const res = await fetch(at(2, 0));
    expect(res.responses[0]!.partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 6, divergingEpoch: { epoch: -1, endOffset: -1 } });
    expect(batchCount(res)).toBe(2);
    expect(recordBytes(await fetch(at(6, 0)))).toBe(0);
  });

  it('answers the epoch and its end offset, without records, when the fetch offset is past that end', async () => {
    const res = await fetch(at(8, 0));
    expect(res.responses[0]!.partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 6, lastStableOffset: 6, logStartOffset: 0, divergingEpoch: { epoch: 0, endOffset: 6 } });
    expect(recordBytes(res)).toBe(0);
  });

  it('answers a waiting fetch at once when it diverges', async () => {
    const started = Date.now();
    const res = await fetch(fetchRequest({ topic: 'diverge', fetchOffset: 7, lastFetchedEpoch: 0 }, { maxWaitMs: 10_000, minBytes: 1 }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.responses[0]!.partitions[0]!.divergingEpoch).toEqual({ epoch: 0, endOffset: 6 });
  });

  it('answers OFFSET_OUT_OF_RANGE for an epoch newer than any in the log', async () => {
    const res = await fetch(at(2, 5));
    expect(res.responses[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1, logStartOffset: -1 });
    expect(recordBytes(res)).toBe(0);
  });

  it('keeps a session partition\'s last fetched epoch for the incremental fetches that leave it out', async () => {
    const full = await fetch(fetchRequest({ topic: 'diverge', fetchOffset: 8, lastFetchedEpoch: 0 }, { sessionId: 0, sessionEpoch: 0 }));
    expect(full.responses[0]!.partitions[0]!.divergingEpoch).toEqual({ epoch: 0, endOffset: 6 });
    const next = await fetch(fetchRequest([], { sessionId: full.sessionId, sessionEpoch: 1, maxWaitMs: 10_000, minBytes: 1 }));
    expect(next.responses.map((t) => t.partitions.map((p) => p.divergingEpoch))).toEqual([[{ epoch: 0, endOffset: 6 }]]);
  });
});

describe('min_bytes against the bytes available', () => {
  const BATCH_VALUE = 'a'.repeat(600 * 1024);
  const waitingFetch = (topic: string): FetchRequest =>
    fetchRequest({ topic, partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }, { maxBytes: 1 << 20, minBytes: 1 << 20, maxWaitMs: 10_000 });

  it('answers at once when enough is available though the read returns less', async () => {
    await produce('available', 0, [BATCH_VALUE]);
    await produce('available', 0, [BATCH_VALUE]);
    const started = Date.now();
    const res = await fetch(waitingFetch('available'));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(batchCount(res)).toBe(1);
  });

  it('waits while less is available, and answers once an append makes enough', async () => {
    await produce('available-later', 0, [BATCH_VALUE]);
    const pending = fetch(waitingFetch('available-later'));
    let answered = false;
    void pending.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(answered).toBe(false);
    await produce('available-later', 0, [BATCH_VALUE]);
    const appended = Date.now();
    const res = await pending;
    expect(Date.now() - appended).toBeLessThan(5000);
    expect(batchCount(res)).toBe(1);
  });
});

describe('fetch.max.bytes', () => {
  const CAP = 1024;
  let capped: RunningBroker;
  let cappedSock: FrameSocket;
  beforeAll(async () => {
    capped = await withBroker({ properties: { 'fetch.max.bytes': CAP } });
    await capped.broker.topics.create('capped', { numPartitions: 2 });
    await capped.broker.topics.create('capped-big', { numPartitions: 1 });
    await capped.broker.topics.create('capped-wait', { numPartitions: 1 });
    cappedSock = await openFrameSocket(capped.port);
  });
  afterAll(async () => {
    cappedSock.end();
    await capped.stop();
  });

  it('lowers a larger max_bytes to it: whole batches up to the cap, across partitions', async () => {
    const value = 'x'.repeat(300);
    const batchBytes = batchOf([value]).length;
    for (let i = 0; i < 8; i++) await produce('capped', 0, [value], capped.port);
    await produce('capped', 1, [value], capped.port);
    const res = await fetch(fetchRequest([{ topic: 'capped', partition: 0 }, { topic: 'capped', partition: 1 }], { maxBytes: 50 << 20 }), cappedSock);
    expect(batchCount(res, 0, 0)).toBe(Math.floor(CAP / batchBytes));
    expect(recordBytes(res, 0, 0)).toBeLessThanOrEqual(CAP);
    // What is left of the cap does not hold partition 1's batch.
    expect(recordBytes(res, 0, 1)).toBe(0);
    // A max_bytes below the cap still counts.
    expect(batchCount(await fetch(fetchRequest({ topic: 'capped', partition: 0 }, { maxBytes: batchBytes }), cappedSock))).toBe(1);
  });

  it('still gives the first batch whole when it is larger than the cap, and nothing after it', async () => {
    await produce('capped-big', 0, ['a'.repeat(5000)], capped.port);
    await produce('capped-big', 0, ['b'.repeat(5000)], capped.port);
    const res = await fetch(fetchRequest({ topic: 'capped-big', partition: 0 }, { maxBytes: 50 << 20 }), cappedSock);
    expect(batchCount(res)).toBe(1);
    expect(recordBytes(res)).toBeGreaterThan(5000);
  });

  it('lowers min_bytes to it: a fetch asking for more than the cap is answered once the cap is reached', async () => {
    await produce('capped-wait', 0, ['a'.repeat(5000)], capped.port);
    await produce('capped-wait', 0, ['b'.repeat(5000)], capped.port);
    // Without the cap, min_bytes 1 MiB would wait out max_wait_ms.
    const started = Date.now();
    const res = await fetch(fetchRequest({ topic: 'capped-wait', partition: 0 }, { maxBytes: 50 << 20, minBytes: 1 << 20, maxWaitMs: 20_000 }), cappedSock);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(batchCount(res)).toBe(1);
  });
});
