// Request bytes are bounded across connections (queued.max.request.bytes): over the bound the
// broker stops reading (backpressure) instead of failing, a frame's buffer grows as its bytes arrive
// instead of being allocated from its announced size, and a frame trickled in for longer than
// creek.request.read.timeout.ms closes its connection. Other clients are served throughout and
// nothing produced is lost.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeResponse, encodeRequest } from '../../protocol/codec/messages.js';
import { encodeBatch } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { announceFrame, openFrameSocket, sizePrefixed } from '../helpers/frames.js';
import { consumeDigestsByKey, kafkaFor, stillServes, withBroker, sha256 } from '../helpers/broker.js';
import { LogLines } from '../helpers/log-lines.js';
import { produceRequest } from '../helpers/raw-requests.js';

const MiB = 1024 * 1024;

let broker: RunningBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

describe('request memory', () => {
  it('pauses reading while queued.max.request.bytes is used up, and loses nothing', async () => {
    const lines = new LogLines();
    broker = await withBroker({ logger: pino({ level: 'debug' }, lines), properties: { 'queued.max.request.bytes': MiB, 'socket.request.max.bytes': MiB, 'group.initial.rebalance.delay.ms': 0 } });
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'memory-bound' }] });
    await admin.disconnect();
    const producers = [kafka.producer(), kafka.producer(), kafka.producer(), kafka.producer()];
    await Promise.all(producers.map((p) => p.connect()));
    const sent = new Map<string, string>();

    // Two raw clients announce 600 KiB produce requests and send only their start: once the broker
    // has read both, together they hold more than the 1 MiB bound, and every other request waits.
    const holders = await Promise.all(
      ['holder-1', 'holder-2'].map(async (key) => {
        const value = randomBytes(600 * 1024);
        sent.set(key, sha256(value));
        const records = encodeBatch({ records: [{ key: Buffer.from(key), value, headers: [] }], baseTimestamp: Date.now() });
        const request = encodeRequest(0, 9, 1, key, produceRequest({ topic: 'memory-bound', records }, { acks: 1 }));
        const s = await openFrameSocket(broker!.port);
        s.send(request.subarray(0, 1000));
        return { s, rest: request.subarray(1000) };
      }),
    );
    const sending = Promise.all(
      producers.map(async (producer, p) => {
        for (let i = 0; i < 4; i++) {
          const value = randomBytes(300 * 1024);
          const key = `p${p}-${i}`;
          sent.set(key, sha256(value));
          await producer.send({ topic: 'memory-bound', messages: [{ key, value }] });
        }
      }),
    );
    await vi.waitFor(() => expect(lines.withMessage('request memory used up (queued.max.request.bytes); reading paused').length).toBeGreaterThan(0), { timeout: 20_000, interval: 20 });
    for (const { s, rest } of holders) {
      s.send(rest);
      const res = decodeResponse(0, 9, await s.next());
      expect(res.body.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
      s.end();
    }
    await sending;
    await Promise.all(producers.map((p) => p.disconnect()));
    expect(await consumeDigestsByKey(kafka, 'memory-bound', sent.size)).toEqual(sent);
  });

  it('allocates announced frames as their bytes arrive', async () => {
    broker = await withBroker({ properties: { 'queued.max.request.bytes': -1 } });
    const before = process.memoryUsage().arrayBuffers;
    // Ten connections each announcing a 90 MiB request (under socket.request.max.bytes) and sending 10 bytes.
    const liars = await Promise.all(Array.from({ length: 10 }, () => announceFrame(broker!.port, 90 * MiB)));
    await stillServes(broker); // by now the broker has read every announcement
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(grown).toBeLessThan(100 * MiB);
    for (const s of liars) s.socket.destroy();
  });

  it('closes connections that trickle a frame past creek.request.read.timeout.ms, freeing memory for others', async () => {
    broker = await withBroker({ properties: { 'queued.max.request.bytes': 10 * MiB, 'socket.request.max.bytes': 10 * MiB, 'creek.request.read.timeout.ms': 500 } });
    // Two announced 8 MiB frames use up the 10 MiB: until they go, no other request can begin.
    const liars = await Promise.all([announceFrame(broker.port, 8 * MiB), announceFrame(broker.port, 8 * MiB)]);
    await Promise.all(liars.map((s) => s.closed));
    await stillServes(broker);
    // A frame sent whole in pieces within the deadline is served.
    const s = await openFrameSocket(broker.port);
    const request = encodeRequest(18, 3, 9, 'pieces', { clientSoftwareName: 'x', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
    s.send(request.subarray(0, 7));
    await new Promise((r) => setTimeout(r, 50));
    s.send(request.subarray(7));
    expect((await s.next()).readInt32BE(0)).toBe(9);
    s.end();
  });
});

describe('warnings from bad clients', () => {
  it('logs a bounded number of bad-request warnings and counts the rest', async () => {
    const lines = new LogLines();
    broker = await withBroker({ logger: pino({ level: 'warn' }, lines) });
    const garbage = sizePrefixed(Buffer.from([0x27, 0x0f, 0, 0, 0, 0, 0, 1, 0xff, 0xff]));
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const s = await openFrameSocket(broker!.port);
          s.send(garbage);
          await s.closed;
        }),
      );
    }
    await stillServes(broker);
    await broker.stop();
    broker = undefined;
    const logged = lines.withMessage('closing connection: bad request').length;
    const summaries = lines.withMessage('log lines suppressed: too many caused by clients');
    const suppressed = summaries.reduce((n, l) => n + (l.suppressed as number), 0);
    expect(logged).toBeGreaterThan(0);
    expect(logged).toBeLessThan(100);
    expect(logged + suppressed).toBe(100);
  });
});
