// Log writes through the libuv pool, where a broker makes them once a write on the event loop has
// slept in the kernel (src/log/write-placement.ts): the broker warns once, and what kafkajs
// produces with acks=all is read back whole and in order, also after a clean restart on the same
// data dir. The sleep itself is the kernel's and cannot be brought on here; the placement is told
// of one as the write queue tells it.
import pino from 'pino';
import { expect, it } from 'vitest';
import { sharedWritePlacement } from '../../src/log/write-placement.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';
import { LogLines } from '../helpers/log-lines.js';
import { readPartition } from '../helpers/read-partition.js';

const WARNING = 'a log write slept in the kernel (the page cache being written back); log writes go through the I/O thread pool for a while, so one slow write no longer stalls every connection';
const TOPIC = 'pool-writes';

it('warns once when writes move to the pool, and keeps every acknowledged record in order through a restart', async () => {
  const dir = tempDir();
  const logs = new LogLines();
  const start = () => withBroker({ dataDir: dir.path, logger: pino({ level: 'warn' }, logs), properties: { 'num.partitions': 1, 'log.segment.bytes': 1024 * 1024 } });
  let broker = await start();
  try {
    expect(sharedWritePlacement.onLoop).toBe(true);
    sharedWritePlacement.took(250, 16 * 1024, true);
    sharedWritePlacement.took(400, 16 * 1024, false);
    expect(sharedWritePlacement.onLoop).toBe(false);
    expect(logs.withMessage(WARNING)).toEqual([expect.objectContaining({ level: 40, ms: 250, bytes: 16 * 1024, holdMinutes: 10 })]);

    const values = Array.from({ length: 2000 }, (_, i) => `record ${i} ${'x'.repeat(i % 1500)}`);
    const producer = kafkaFor(broker).producer({ idempotent: true });
    await producer.connect();
    for (let i = 0; i < values.length; i += 100) {
      await producer.send({ topic: TOPIC, acks: -1, messages: values.slice(i, i + 100).map((value) => ({ value })) });
    }
    await producer.disconnect();
    expect((await readPartition(broker, TOPIC)).map((r) => r.value)).toEqual(values);

    await broker.stop();
    broker = await start();
    const after = await readPartition(broker, TOPIC);
    expect(after.map((r) => r.offset)).toEqual(values.map((_, i) => i));
    expect(after.map((r) => r.value)).toEqual(values);
  } finally {
    await broker.stop();
    dir.remove();
  }
});
