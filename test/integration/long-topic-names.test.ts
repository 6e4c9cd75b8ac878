// Topic names up to Kafka's limit of 249 characters on a data dir: the topic's metadata file,
// its partition directories and their temp files all stay within the 255-byte file-name limit,
// across a restart and a deletion, and nothing is left behind.
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaFor, produceAndConsume, tempDir, withBroker } from '../helpers/broker.js';
import { readPartition } from '../helpers/read-partition.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('long topic names', () => {
  it('creates, serves, reopens and deletes topics named with 238 to 249 characters', async () => {
    const names = [238, 245, 249].map((n) => `long-${'x'.repeat(n - 5)}`);
    let broker = await withBroker({ dataDir: dir.path, properties: { 'group.initial.rebalance.delay.ms': 0 } });
    let admin = kafkaFor(broker).admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: names.map((topic) => ({ topic, numPartitions: 2 })) })).toBe(true);
    await admin.disconnect();
    for (const topic of names) expect((await produceAndConsume(kafkaFor(broker), topic)).sort()).toEqual(['one', 'two']);
    await broker.stop();

    broker = await withBroker({ dataDir: dir.path });
    for (const topic of names) {
      const stored = [...(await readPartition(broker, topic, 0)), ...(await readPartition(broker, topic, 1))];
      expect(stored.map((r) => r.value).sort()).toEqual(['one', 'two']);
    }
    admin = kafkaFor(broker).admin();
    await admin.connect();
    expect((await admin.listTopics()).filter((t) => names.includes(t)).sort()).toEqual([...names].sort());
    await admin.deleteTopics({ topics: names });
    expect((await admin.listTopics()).filter((t) => names.includes(t))).toEqual([]);
    await admin.disconnect();
    await broker.stop();
    expect(readdirSync(dir.path).filter((e) => e.startsWith('long-'))).toEqual([]);
    expect(readdirSync(`${dir.path}/topics`).filter((e) => e.startsWith('long-') || e.endsWith('.tmp'))).toEqual([]);
  });
});
