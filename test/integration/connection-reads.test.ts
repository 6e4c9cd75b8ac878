// Connections read into one buffer shared by every socket (src/server/socket-reads.ts): requests
// from several connections at once, frames larger than the read buffer, many frames in one
// read and frames dribbled in pieces must all arrive intact.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../protocol/codec/messages.js';
import type { RunningBroker } from '../../src/broker.js';
import { openFrameSocket } from '../helpers/frames.js';
import { consumeDigestsByKey, kafkaFor, withBroker, sha256 } from '../helpers/broker.js';

let broker: RunningBroker;
beforeAll(async () => {
  broker = await withBroker({ properties: { 'group.initial.rebalance.delay.ms': 0 } });
});
afterAll(async () => {
  await broker.stop();
});


describe('connection reads', () => {
  it('keeps large records from concurrent producers intact', async () => {
    const kafka = kafkaFor(broker);
    const producers = [kafka.producer(), kafka.producer(), kafka.producer()];
    await Promise.all(producers.map((p) => p.connect()));
    // 300-700 KiB values: each request spans several reads of the 256 KiB shared buffer, and the
    // three connections' reads interleave.
    const sent = new Map<string, string>();
    await Promise.all(
      producers.map(async (producer, p) => {
        for (let i = 0; i < 6; i++) {
          const value = randomBytes(300 * 1024 + ((p * 7 + i * 13) % 5) * 100 * 1024);
          const key = `p${p}-${i}`;
          sent.set(key, sha256(value));
          await producer.send({ topic: 'shared-reads', messages: [{ key, value }] });
        }
      }),
    );
    await Promise.all(producers.map((p) => p.disconnect()));

    const received = await consumeDigestsByKey(kafka, 'shared-reads', sent.size);
    expect(received).toEqual(sent);
  });

  it('answers many requests arriving in one read, and a request arriving a byte at a time', async () => {
    const s = await openFrameSocket(broker.port);
    const requests = Array.from({ length: 300 }, (_, i) =>
      encodeRequest(18, 3, i, `client-${i}`, { clientSoftwareName: 'reads', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 }),
    );
    s.send(Buffer.concat(requests));
    for (let i = 0; i < requests.length; i++) {
      const res = decodeResponse(18, 3, await s.next());
      expect(res.correlationId).toBe(i);
      expect(res.body.errorCode).toBe(0);
    }
    const last = encodeRequest(18, 3, 1000, 'dribbled', { clientSoftwareName: 'reads', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
    for (const byte of last) {
      s.send(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    expect(decodeResponse(18, 3, await s.next()).correlationId).toBe(1000);
    s.end();
  });
});
