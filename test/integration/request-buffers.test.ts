// Produce requests of 4 KiB-4 MiB are read into reused buffers (src/server/buffer-pool.ts): what the
// log stores must be copies, whichever the storage, so records read back are the ones produced
// even after later requests have refilled the same buffers. Fetch responses are read into reused
// buffers too, which must stay untouched until the socket has taken the whole response.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../protocol/codec/messages.js';
import { encodeBatch } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { tempDir, withBroker } from '../helpers/broker.js';
import { createTopics } from '../helpers/create-topics.js';
import { openFrameSocket } from '../helpers/frames.js';
import { fetchRequest, produceRequest } from '../helpers/raw-requests.js';
import { readPartition } from '../helpers/read-partition.js';
import { decodeBatch, splitBatches } from '../../protocol/records/index.js';

/** `count` records of 1 KiB, all carrying `n`: with 16, one produce request of ~16.5 KiB. */
function values(n: number, count = 16): string[] {
  return Array.from({ length: count }, (_, i) => `${n}:${i}:`.padEnd(1024, String.fromCharCode(97 + (n % 26))));
}

async function produceMany(broker: RunningBroker, topic: string, requests: number, perBatch = 16): Promise<void> {
  const s = await openFrameSocket(broker.port);
  // Pipelined, so that several frames are in flight and buffers are taken back and handed out again.
  for (let n = 0; n < requests; n++) {
    const records = encodeBatch({ records: values(n, perBatch).map((v) => ({ key: null, value: Buffer.from(v), headers: [] })), baseTimestamp: Date.now() });
    s.send(encodeRequest(0, 9, n, 'p', produceRequest({ topic, records }, { acks: 1 })));
  }
  for (let n = 0; n < requests; n++) {
    const p = decodeResponse(0, 9, await s.next()).body.responses[0]!.partitionResponses[0]!;
    expect(p.errorCode).toBe(0);
    expect(p.baseOffset).toBe(n * perBatch);
  }
  s.end();
}

describe.each([
  ['memory', false],
  ['disk', true],
])('produce requests in reused buffers, %s storage', (_, disk) => {
  let broker: RunningBroker;
  const dir = tempDir('creek-request-buffers-');
  beforeAll(async () => {
    broker = await withBroker(disk ? { dataDir: dir.path } : {});
    await createTopics(broker, ['reused', 'refill']);
  });
  afterAll(async () => {
    await broker.stop();
    dir.remove();
  });

  it('stores every batch as produced', async () => {
    // Fewer than the pool keeps, and within the disk log's in-memory tail.
    await produceMany(broker, 'reused', 40);
    // More requests refill the buffers that carried the first topic's batches.
    await produceMany(broker, 'refill', 100);
    const seen = await readPartition(broker, 'reused');
    expect(seen.map((r) => r.value)).toEqual(Array.from({ length: 40 }, (_, n) => values(n)).flat());
  });

  it.each([
    ['256 KiB', 256, 3],
    ['1 MiB', 1000, 1],
  ])('stores every %s batch as produced', async (_, perBatch, requests) => {
    // Batches too large for the small slabs (the disk log's tail takes them into large ones), few
    // enough to stay in the tail; the second topic's requests refill the frames that carried them.
    await createTopics(broker, [`large-${perBatch}`, `large-refill-${perBatch}`]);
    await produceMany(broker, `large-${perBatch}`, requests, perBatch);
    await produceMany(broker, `large-refill-${perBatch}`, 8, perBatch);
    const seen = await readPartition(broker, `large-${perBatch}`);
    expect(seen.length).toBe(requests * perBatch);
    expect(seen.map((r) => r.value)).toEqual(Array.from({ length: requests }, (_, n) => values(n, perBatch)).flat());
  });
});

describe.each([
  ['memory', false],
  ['disk', true],
])('fetch responses in reused buffers, %s storage', (_, disk) => {
  let broker: RunningBroker;
  const dir = tempDir('creek-response-buffers-');
  beforeAll(async () => {
    broker = await withBroker(disk ? { dataDir: dir.path } : {});
    await createTopics(broker, ['fetched']);
  });
  afterAll(async () => {
    await broker.stop();
    dir.remove();
  });

  it('sends every pipelined response intact while the client reads none of them', async () => {
    // Responses of one 8 KiB batch each, below the socket's high-water mark: once the kernel's
    // buffer is full they wait in the socket while the connection goes on to the next request.
    await produceMany(broker, 'fetched', 100, 8);
    const s = await openFrameSocket(broker.port);
    const starts = Array.from({ length: 2000 }, (_, i) => (i % 100) * 8);
    for (const [i, from] of starts.entries()) {
      s.send(encodeRequest(1, 12, i, 'reader', fetchRequest({ topic: 'fetched', fetchOffset: from, partitionMaxBytes: 8 * 1024 })));
    }
    for (const from of starts) {
      const p = decodeResponse(1, 12, await s.next()).body.responses[0]!.partitions[0]!;
      expect(p.errorCode).toBe(0);
      const [batch, ...more] = splitBatches(p.records as Buffer);
      expect(more).toEqual([]);
      const { header, records } = decodeBatch(batch!);
      expect(header.baseOffset).toBe(from);
      expect(records.map((r) => r.value?.toString())).toEqual(values(from / 8, 8));
    }
    s.end();
  });
});
