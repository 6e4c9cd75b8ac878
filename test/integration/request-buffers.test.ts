// Produce requests of 4-64 KiB are read into reused buffers (src/server/frame-pool.ts): what the
// log stores must be copies, whichever the storage, so records read back are the ones produced
// even after later requests have refilled the same buffers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../protocol/codec/messages.js';
import { encodeBatch } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { tempDir, withBroker } from '../helpers/broker.js';
import { openFrameSocket } from '../helpers/frames.js';
import { readPartition } from '../helpers/read-partition.js';

/** 16 records of 1 KiB, all carrying `n`: one produce request of ~16.5 KiB. */
function values(n: number): string[] {
  return Array.from({ length: 16 }, (_, i) => `${n}:${i}:`.padEnd(1024, String.fromCharCode(97 + (n % 26))));
}

async function produceMany(broker: RunningBroker, topic: string, requests: number): Promise<void> {
  const s = await openFrameSocket(broker.port);
  // Pipelined, so that several frames are in flight and buffers are taken back and handed out again.
  for (let n = 0; n < requests; n++) {
    const records = encodeBatch({ records: values(n).map((v) => ({ key: null, value: Buffer.from(v), headers: [] })), baseTimestamp: Date.now() });
    s.send(encodeRequest(0, 9, n, 'p', { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] }));
  }
  for (let n = 0; n < requests; n++) {
    const p = decodeResponse(0, 9, await s.next()).body.responses[0]!.partitionResponses[0]!;
    expect(p.errorCode).toBe(0);
    expect(p.baseOffset).toBe(n * 16);
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
});
