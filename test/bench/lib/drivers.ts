// The load itself: produce at full speed, fetch at full speed, and paced produce with long-poll
// consumers for end-to-end latency — all over pipelined raw connections.
import type { ConnectionOptions } from 'node:tls';
import { decodeResponse } from '../../../protocol/codec/messages.js';
import type { FetchResponse, ProduceResponse } from '../../../protocol/schema/index.js';
import { discard, FrameConnection } from './frame-connection.js';
import { Samples, sleep } from './stats.js';
import { FETCH_VERSION, PRODUCE_VERSION, fetchFrame, forEachBatch, produceFrame, type Batch } from './workload.js';

export interface Rate {
  bytesPerSec: number;
  recordsPerSec: number;
  requestMs: Samples;
}

export interface ProduceRequestFrame {
  frame: Buffer;
  batches: number;
}

/** A load run beside others whose rates are added up (one per leader of a cluster). */
export interface SideBySide {
  /**
   * Awaited once warmed up, the load running on meanwhile: it resolves when every load beside
   * this one is warm too, so that their measured windows coincide.
   */
  startTogether?: () => Promise<void>;
}

export interface ProduceLoad extends SideBySide {
  port: number;
  /** TLS options when the port is a TLS listener. */
  tls?: ConnectionOptions;
  /** The requests each connection cycles through. */
  connections: ProduceRequestFrame[][];
  batch: Batch;
  /** Requests in flight per connection. */
  depth: number;
  warmupMs: number;
  /** Bytes answered before the measurement starts, at least (and at least warmupMs of load). */
  warmupBytes?: number;
  durationMs: number;
  /** Check every partition result (Creek); ceilings answer without partitions. */
  verify: boolean;
  /** Called when the measured window starts and when it ends (after the warm-up, before the stop). */
  onWindow?: (edge: 'start' | 'end') => void;
  /** Called with each answer, warm-up included: when it came, in ms since the load started. */
  onAnswer?: (atMs: number) => void;
  /** Ends the measured window early once true, given ms since the load started; checked every 100 ms, durationMs staying the limit. */
  endWhen?: (nowMs: number) => boolean;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/**
 * Spreads partitions over `connections` round robin and packs each connection's partitions into
 * requests of one batch per partition, at most `maxPartitions` and 1 MiB of batches each.
 */
export function spreadPartitions(parts: readonly TopicPartition[], connections: number, batch: Batch, acks: number, maxPartitions = Infinity): ProduceRequestFrame[][] {
  const perRequest = Math.max(1, Math.min(maxPartitions, Math.floor((1024 * 1024) / batch.bytes.length)));
  return Array.from({ length: connections }, (_, conn) => {
    const mine = parts.filter((_, i) => i % connections === conn);
    if (mine.length === 0) mine.push(parts[conn % parts.length]!);
    const frames: ProduceRequestFrame[] = [];
    for (let i = 0; i < mine.length; i += perRequest) {
      const group = mine.slice(i, i + perRequest);
      frames.push({ frame: produceFrame(acks, group.map((p) => ({ ...p, batch: batch.bytes }))), batches: group.length });
    }
    return frames;
  });
}

export function partitionsOf(topic: string, count: number): TopicPartition[] {
  return Array.from({ length: count }, (_, partition) => ({ topic, partition }));
}

/** The decoded response, once every partition of it answered without an error. */
export function checkProduce(frame: Buffer, batches: number): ProduceResponse {
  const { body } = decodeResponse(0, PRODUCE_VERSION, frame) as { body: ProduceResponse };
  let n = 0;
  for (const t of body.responses) {
    for (const p of t.partitionResponses) {
      if (p.errorCode !== 0) throw new Error(`produce to ${t.name}-${p.index} failed: error ${p.errorCode} ${p.errorMessage ?? ''}`);
      n++;
    }
  }
  if (n !== batches) throw new Error(`produce answered ${n} partitions, expected ${batches}`);
  return body;
}

/**
 * The warm-up: `ms` of load, and then until `bytesSoFar()` reaches `bytes` — a fresh process's
 * first GiB costs more than its steady state (fresh pages, the JIT, heap growth), so time alone
 * warms fast and slow servers unequally — and then until `together` resolves, if given. Ends
 * early when the load fails.
 */
async function warmUp(ms: number, bytes: number, bytesSoFar: () => number, failed: Promise<void>, together?: () => Promise<void>): Promise<void> {
  let over = false;
  void failed.then(() => (over = true), () => (over = true));
  await Promise.race([sleep(ms), failed]);
  while (!over && bytesSoFar() < bytes) await Promise.race([sleep(10), failed]);
  if (together) await Promise.race([together(), failed]);
}

/** Resolves after `ms`, or once `end(ms since startedAt)` holds (checked every 100 ms); rejects when the load fails. */
async function measureFor(ms: number, failed: Promise<void>, startedAt: number, end?: (nowMs: number) => boolean): Promise<void> {
  if (!end) return Promise.race([sleep(ms), failed]);
  const until = performance.now() + ms;
  for (let now = performance.now(); now < until && !end(now - startedAt); now = performance.now()) await Promise.race([sleep(Math.min(100, until - now)), failed]);
}

export async function driveProduce(load: ProduceLoad): Promise<Rate> {
  const conns = await Promise.all(load.connections.map(() => FrameConnection.open(load.port, '127.0.0.1', load.tls)));
  const requestMs = new Samples();
  const { onAnswer } = load;
  let measuring = false;
  let stopped = false;
  let batches = 0;
  let warmBatches = 0;
  const loop = async (conn: FrameConnection, frames: ProduceRequestFrame[], start: number): Promise<void> => {
    for (let i = start; !stopped; i++) {
      const f = frames[i % frames.length]!;
      const t0 = performance.now();
      const sentWhileMeasuring = measuring;
      await conn.request(f.frame, load.verify ? (response) => checkProduce(response, f.batches) : discard);
      if (onAnswer) onAnswer(performance.now() - startedAt);
      if (!measuring) warmBatches += f.batches;
      else {
        // Requests sent during the warm-up count for throughput once answered, not for latency.
        if (sentWhileMeasuring) requestMs.add(performance.now() - t0);
        batches += f.batches;
      }
    }
  };
  const startedAt = performance.now();
  const loops = conns.flatMap((c, ci) => Array.from({ length: load.depth }, (_, d) => loop(c, load.connections[ci]!, d)));
  const failed = Promise.all(loops).then(() => undefined);
  await warmUp(load.warmupMs, load.warmupBytes ?? 0, () => warmBatches * load.batch.bytes.length, failed, load.startTogether);
  measuring = true;
  load.onWindow?.('start');
  const t0 = performance.now();
  await measureFor(load.durationMs, failed, startedAt, load.endWhen);
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  load.onWindow?.('end');
  stopped = true;
  await failed;
  for (const c of conns) c.close();
  return { bytesPerSec: (batches * load.batch.bytes.length) / seconds, recordsPerSec: (batches * load.batch.records) / seconds, requestMs };
}

export interface FetchLoad extends SideBySide {
  port: number;
  /** Read one request loop each, spread round robin over the connections. */
  partitions: readonly TopicPartition[];
  connections: number;
  partitionMaxBytes: number;
  warmupMs: number;
  /** Bytes fetched before the measurement starts, at least (and at least warmupMs of load). */
  warmupBytes?: number;
  durationMs: number;
}

interface FetchedPartition {
  bytes: number;
  records: number;
  nextOffset: number;
  highWatermark: number;
}

function readFetch(frame: Buffer, offset: number): FetchedPartition {
  const { body } = decodeResponse(1, FETCH_VERSION, frame) as { body: FetchResponse };
  const p = body.responses[0]?.partitions[0];
  if (!p || p.errorCode !== 0 || (body.errorCode ?? 0) !== 0) throw new Error(`fetch failed: error ${p?.errorCode ?? body.errorCode}`);
  const records = p.records === null || p.records === undefined ? [] : Array.isArray(p.records) ? p.records : [p.records];
  const out = { bytes: 0, records: 0, nextOffset: offset, highWatermark: p.highWatermark };
  for (const r of records) {
    out.bytes += r.length;
    forEachBatch(r, (base, last) => {
      out.records += last - Math.max(base, out.nextOffset) + 1;
      out.nextOffset = last + 1;
    });
  }
  return out;
}

/** Consumes every partition from offset 0, starting over at the end, one request in flight per partition. */
export async function driveFetch(load: FetchLoad): Promise<Rate> {
  const conns = await Promise.all(Array.from({ length: load.connections }, () => FrameConnection.open(load.port)));
  const requestMs = new Samples();
  let measuring = false;
  let stopped = false;
  let bytes = 0;
  let records = 0;
  let warmBytes = 0;
  const loop = async (conn: FrameConnection, { topic, partition }: TopicPartition): Promise<void> => {
    let offset = 0;
    while (!stopped) {
      const t0 = performance.now();
      const request = fetchFrame([{ topic, partition, offset }], { maxWaitMs: 0, minBytes: 1, partitionMaxBytes: load.partitionMaxBytes });
      const got = await conn.request(request, (response) => readFetch(response, offset));
      offset = got.nextOffset >= got.highWatermark ? 0 : got.nextOffset;
      if (!measuring) warmBytes += got.bytes;
      else {
        requestMs.add(performance.now() - t0);
        bytes += got.bytes;
        records += got.records;
      }
    }
  };
  const failed = Promise.all(load.partitions.map((p, i) => loop(conns[i % conns.length]!, p))).then(() => undefined);
  await warmUp(load.warmupMs, load.warmupBytes ?? 0, () => warmBytes, failed, load.startTogether);
  measuring = true;
  const t0 = performance.now();
  await Promise.race([sleep(load.durationMs), failed]);
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  stopped = true;
  await failed;
  for (const c of conns) c.close();
  return { bytesPerSec: bytes / seconds, recordsPerSec: records / seconds, requestMs };
}

export interface LatencyLoad {
  port: number;
  /** A topic nobody else writes to, created empty: its k-th batch per partition holds offset k * records. */
  topic: string;
  partitions: number;
  batch: Batch;
  /** Batches per second across all partitions. */
  rate: number;
  /** Paced load before samples count (connections, JIT and long polls settle). */
  warmupMs: number;
  durationMs: number;
  /** Ends the measurement early once it settles, either way (durationMs stays the limit). */
  endWhen?: Promise<unknown>;
}

export interface Latency {
  endToEndMs: Samples;
  produceMs: Samples;
  achievedBytesPerSec: number;
}

/** The base offset Produce assigned to the single batch of a one-partition request. */
function producedOffset(frame: Buffer): number {
  return checkProduce(frame, 1).responses[0]!.partitionResponses[0]!.baseOffset;
}

/**
 * Paced produce (acks=1, one connection per partition so offsets follow send order) and one
 * long-polling consumer per partition, on a fresh topic. A batch's latency runs from the produce
 * call to the fetch response that delivers it; the k-th batch of a partition holds offset
 * k * records (checked against every produce ack). Batches sent during the warm-up are not sampled.
 * The first failure (a consumer's, an ack's) ends the run: every connection is closed and the
 * failure thrown, so callers' `finally` blocks stop their brokers.
 */
export async function driveLatency(load: LatencyLoad): Promise<Latency> {
  let failure: Error | undefined;
  let onFailure: () => void = () => undefined;
  const failed = new Promise<void>((resolve) => (onFailure = resolve));
  let stopped = false;
  let ended = false;
  const fail = (err: unknown): void => {
    if (stopped && (err as Error).message === 'connection closed') return; // the long polls in flight when it ends
    failure ??= err as Error;
    ended = true;
    onFailure();
  };
  const stopMeasuring = (): void => void (ended = true);
  void load.endWhen?.then(stopMeasuring, stopMeasuring);
  const connections: FrameConnection[] = [];
  const open = async (): Promise<FrameConnection> => {
    const c = await FrameConnection.open(load.port);
    connections.push(c);
    return c;
  };
  try {
    const producers = await Promise.all(Array.from({ length: load.partitions }, open));
    const consumers = await Promise.all(Array.from({ length: load.partitions }, open));
    const frames = Array.from({ length: load.partitions }, (_, partition) => produceFrame(1, [{ topic: load.topic, partition, batch: load.batch.bytes }]));
    const sentAt: number[][] = Array.from({ length: load.partitions }, () => []);
    const endToEndMs = new Samples();
    const produceMs = new Samples();
    let delivered = 0;
    let measureFrom = Infinity;

    /** Samples the batches a fetch response delivers; the offset to fetch next. */
    const deliver = (partition: number, offset: number, response: Buffer): number => {
      const now = performance.now();
      const { body } = decodeResponse(1, FETCH_VERSION, response) as { body: FetchResponse };
      const p = body.responses[0]?.partitions[0];
      if (!p || p.errorCode !== 0) throw new Error(`fetch failed: error ${p?.errorCode}`);
      const records = p.records === null || p.records === undefined ? [] : Array.isArray(p.records) ? p.records : [p.records];
      let next = offset;
      for (const r of records) {
        forEachBatch(r, (base, last) => {
          const sent = sentAt[partition]![base / load.batch.records];
          if (sent === undefined) throw new Error(`partition ${partition} delivered offset ${base}, which was not produced by this run`);
          if (sent >= measureFrom) endToEndMs.add(now - sent);
          delivered++;
          next = last + 1;
        });
      }
      return next;
    };
    const consume = async (partition: number): Promise<void> => {
      let offset = 0;
      while (!stopped && failure === undefined) {
        const request = fetchFrame([{ topic: load.topic, partition, offset }], { maxWaitMs: 500, minBytes: 1, partitionMaxBytes: 1024 * 1024 });
        const from = offset;
        offset = await consumers[partition]!.request(request, (response) => deliver(partition, from, response));
      }
    };
    const consuming = Promise.all(consumers.map((_, p) => consume(p).catch(fail)));

    // Acks are counted, not kept: a promise per batch held to the end would fill the generator's
    // old generation, and its mark-compacts would be read as the broker's latency.
    let unacked = 0;
    let onAllAcked: () => void = () => undefined;
    const acked = (): void => {
      if (--unacked === 0) onAllAcked();
    };
    const start = performance.now();
    const end = start + load.warmupMs + load.durationMs;
    let sent = 0;
    let measuredSent = 0;
    for (let now = start; now < end && !ended; now = performance.now()) {
      if (measureFrom === Infinity && now - start >= load.warmupMs) measureFrom = now;
      const due = Math.floor(((now - start) / 1000) * load.rate);
      for (; sent < due; sent++) {
        const partition = sent % load.partitions;
        const t0 = performance.now();
        const k = sentAt[partition]!.push(t0) - 1;
        if (t0 >= measureFrom) measuredSent++;
        unacked++;
        producers[partition]!.request(frames[partition]!, producedOffset).then((offset) => {
          if (offset !== k * load.batch.records) throw new Error(`partition ${partition}: batch ${k} got offset ${offset}; the topic was not empty`);
          if (t0 >= measureFrom) produceMs.add(performance.now() - t0);
        }).catch(fail).finally(acked);
      }
      await new Promise((r) => setImmediate(r));
    }
    const seconds = (performance.now() - measureFrom) / 1000;
    if (unacked > 0) await Promise.race([new Promise<void>((resolve) => (onAllAcked = resolve)), failed]);
    const deadline = performance.now() + 5000;
    while (failure === undefined && delivered < sent && performance.now() < deadline) await Promise.race([sleep(5), failed]);
    stopped = true;
    for (const c of connections) c.close();
    await consuming;
    if (failure !== undefined) throw failure;
    if (delivered < sent) throw new Error(`only ${delivered} of ${sent} batches were delivered within 5 s of the last produce`);
    return { endToEndMs, produceMs, achievedBytesPerSec: (measuredSent * load.batch.bytes.length) / seconds };
  } finally {
    stopped = true;
    for (const c of connections) c.close();
  }
}
