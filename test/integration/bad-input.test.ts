// Bad input closes only the offending connection (or gets Kafka's error answer), and the broker
// keeps serving everyone else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../protocol/codec/messages.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { RunningBroker } from '../../src/broker.js';
import { openFrameSocket, sizePrefixed } from '../helpers/frames.js';
import { kafkaFor, stillServes, withBroker } from '../helpers/broker.js';
import { produceRequest } from '../helpers/raw-requests.js';

let broker: RunningBroker;
beforeAll(async () => {
  broker = await withBroker({ properties: { 'socket.request.max.bytes': 1024 * 1024 } });
});
afterAll(async () => {
  await broker.stop();
});

describe('bad input', () => {
  it('answers ApiVersions at an unknown version with a v0 response and UNSUPPORTED_VERSION', async () => {
    const s = await openFrameSocket(broker.port);
    const req = encodeRequest(18, 3, 42, 'bad', { clientSoftwareName: 'x', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
    req.writeInt16BE(99, 6); // api version field, after size(4) + api key(2)
    s.send(req);
    const res = decodeResponse(18, 0, await s.next());
    expect(res.correlationId).toBe(42);
    expect(res.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(res.body.apiKeys.find((k) => k.apiKey === 18)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 5 });
    s.end();
  });

  it('closes the connection on an unsupported API key', async () => {
    const s = await openFrameSocket(broker.port);
    const body = Buffer.alloc(10);
    body.writeInt16BE(9999, 0);
    body.writeInt16BE(0, 2);
    body.writeInt32BE(1, 4);
    body.writeInt16BE(-1, 8);
    s.send(sizePrefixed(body));
    await s.closed;
    await stillServes(broker);
  });

  it('closes the connection on a frame larger than socket.request.max.bytes', async () => {
    const s = await openFrameSocket(broker.port);
    const header = Buffer.alloc(4);
    header.writeInt32BE(64 * 1024 * 1024, 0);
    s.send(header);
    await s.closed;
    await stillServes(broker);
  });

  it('closes the connection on a negative frame size', async () => {
    const s = await openFrameSocket(broker.port);
    s.send(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    await s.closed;
  });

  it('closes the connection on a truncated request body', async () => {
    const s = await openFrameSocket(broker.port);
    const good = encodeRequest(3, 9, 7, 'bad', {
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'x' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const cut = good.subarray(4, good.length - 3);
    s.send(sizePrefixed(cut));
    await s.closed;
    await stillServes(broker);
  });

  it('answers a produce with a corrupted CRC with CORRUPT_MESSAGE and keeps the connection', async () => {
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'crc-topic' }] });
    await admin.disconnect();
    const { encodeBatch } = await import('../../protocol/records/index.js');
    const batch = encodeBatch({ records: [{ key: null, value: Buffer.from('v'), headers: [] }], baseTimestamp: Date.now() });
    batch[batch.length - 1] ^= 0xff;
    const s = await openFrameSocket(broker.port);
    const produce = (records: Buffer, correlationId: number): Buffer => encodeRequest(0, 9, correlationId, 'bad', produceRequest({ topic: 'crc-topic', records }, { acks: 1, timeoutMs: 1000 }));
    s.send(produce(batch, 1));
    const res = decodeResponse(0, 9, await s.next());
    expect(res.body.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    const good = encodeBatch({ records: [{ key: null, value: Buffer.from('ok'), headers: [] }], baseTimestamp: Date.now() });
    s.send(produce(good, 2));
    const ok = decodeResponse(0, 9, await s.next());
    expect(ok.correlationId).toBe(2);
    expect(ok.body.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0 });
    s.end();
  });

  it('answers pipelined requests strictly in order', async () => {
    const s = await openFrameSocket(broker.port);
    const reqs = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? encodeRequest(18, 3, i, 'pipe', { clientSoftwareName: 'x', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 })
        : encodeRequest(3, 12, i, 'pipe', { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }),
    );
    s.send(Buffer.concat(reqs));
    for (let i = 0; i < 20; i++) {
      const frame = await s.next();
      expect(frame.readInt32BE(0)).toBe(i);
    }
    s.end();
  });
});
