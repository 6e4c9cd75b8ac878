// A --memory broker gives a deleted topic's memory back to the system. Its batches live in
// SharedArrayBuffer slabs, which V8 does not count (src/log/memory-slabs.ts), so without the
// broker announcing what it gave up no collection would free them and the process would keep them.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaFor } from '../helpers/broker.js';
import { startCli, type CliBroker } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';

const MIB = 1024 * 1024;
const TOPIC = 'memory-given-back';
const BUSY = 'memory-kept-busy';
const PRODUCED_MIB = 256;
const onLinux = process.platform === 'linux';

function rssMiB(pid: number): number {
  const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
  return Number(kib) / 1024;
}

describe.skipIf(!onLinux)('a --memory broker and a deleted topic', () => {
  let broker: CliBroker;

  beforeAll(async () => {
    // Deleted at once (file.delete.delay.ms), not a minute later as in Kafka.
    broker = await startCli(['--memory', '--port', '0', '--log-level', 'warn', '--override', 'log.segment.delete.delay.ms=0', '--override', 'log.retention.check.interval.ms=500', '--override', 'num.partitions=4']);
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('returns the memory its records held', { timeout: 120_000 }, async () => {
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    const value = Buffer.alloc(100 * 1024, 7);
    const sends: Promise<unknown>[] = [];
    for (let sent = 0; sent < PRODUCED_MIB * MIB; sent += 8 * value.length) {
      sends.push(producer.send({ topic: TOPIC, acks: 1, messages: Array.from({ length: 8 }, () => ({ value })) }));
      if (sends.length === 8) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
    await producer.disconnect();
    const pid = broker.child.pid!;
    const holding = rssMiB(pid);

    const admin = kafka.admin();
    await admin.connect();
    // Another topic stays busy throughout, so that V8 never sees the broker idle (an idle process
    // gets collections of its own, which would free the slabs anyway). Its retention keeps its own
    // memory small.
    await admin.createTopics({ topics: [{ topic: BUSY, numPartitions: 1, configEntries: [{ name: 'retention.bytes', value: String(8 * MIB) }, { name: 'segment.bytes', value: String(MIB) }] }] });
    await admin.deleteTopics({ topics: [TOPIC] });
    await admin.disconnect();
    let busy = true;
    const busyProducer = kafka.producer();
    await busyProducer.connect();
    const keepingBusy = (async () => {
      while (busy) await busyProducer.send({ topic: BUSY, acks: 1, messages: [{ value: Buffer.alloc(64 * 1024, 1) }] });
    })();
    try {
      // The collection that frees the slabs starts a second after they are given up.
      const after = await eventually(() => {
        const rss = rssMiB(pid);
        return rss < holding - PRODUCED_MIB / 2 ? rss : undefined;
      }, `the broker's RSS to fall by ${PRODUCED_MIB / 2} MiB from ${holding.toFixed(0)} MiB`, 30_000);
      expect(after).toBeLessThan(holding - PRODUCED_MIB / 2);
    } finally {
      busy = false;
      await keepingBusy;
      await busyProducer.disconnect();
    }
  });
});
