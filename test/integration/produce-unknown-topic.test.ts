// Produce never creates a topic, as in Kafka, even with auto.create.topics.enable on: every
// partition of an unknown topic is UNKNOWN_TOPIC_OR_PARTITION and the topic stays unknown, while
// the known topics of the same request are written. A Metadata request allowing auto-creation is
// what creates it; the same Produce is then stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { withBroker } from '../helpers/broker.js';
import { createTopics } from '../helpers/create-topics.js';
import { readPartition } from '../helpers/read-partition.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: RunningBroker;
let raw: RawClient;

beforeAll(async () => {
  broker = await withBroker({ properties: { 'auto.create.topics.enable': 'true', 'num.partitions': '2' } });
  await createTopics(broker, ['known'], 2);
  raw = await RawClient.connect(broker.host, broker.port);
});
afterAll(async () => {
  raw?.close();
  await broker?.stop();
});

/** One record to partitions 0 and 1 of each topic; per topic, each partition's [index, error code, base offset]. */
async function produce(version: number, topics: readonly string[], value: string, acks = -1): Promise<[string, [number, number, number][]][]> {
  const res = await raw.send(0, version, {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: topics.map((name) => ({ name, topicId: ZERO_UUID, partitionData: [0, 1].map((index) => ({ index, records: encodeBatch({ records: [{ value: Buffer.from(value) }] }) })) })),
  });
  return res.responses.map((t) => [t.name, t.partitionResponses.map((p): [number, number, number] => [p.index, p.errorCode, Number(p.baseOffset)])]);
}

const metadata = (topics: string[] | null, allowAutoTopicCreation: boolean) =>
  raw.send(3, 12, {
    topics: topics === null ? null : topics.map((name) => ({ name, topicId: ZERO_UUID })),
    allowAutoTopicCreation,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });

describe('Produce to a topic the broker does not know', () => {
  it('answers UNKNOWN_TOPIC_OR_PARTITION for each of its partitions at every version, writes the known topic, and creates nothing', async () => {
    const versions = [3, 8, 9, 11, 12];
    for (const [i, version] of versions.entries()) {
      expect(await produce(version, ['known', 'nowhere'], `v${version}`)).toEqual([
        ['known', [[0, ErrorCode.NONE, i], [1, ErrorCode.NONE, i]]],
        ['nowhere', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1], [1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]]],
      ]);
    }
    expect((await metadata(null, false)).topics.filter((t) => !t.isInternal).map((t) => t.name)).toEqual(['known']);
    expect((await metadata(['nowhere'], false)).topics.map((t) => [t.name, t.errorCode])).toEqual([['nowhere', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
    expect((await readPartition(broker, 'known')).map((r) => r.value)).toEqual(versions.map((v) => `v${v}`));
  });

  it('is created by a Metadata request allowing auto-creation, after which the same Produce is stored', async () => {
    expect(await produce(9, ['later'], 'early')).toEqual([['later', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1], [1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]]]]);
    const created = await metadata(['later'], true);
    expect(created.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([['later', ErrorCode.NONE, 2]]);
    expect(await produce(9, ['later'], 'stored')).toEqual([['later', [[0, ErrorCode.NONE, 0], [1, ErrorCode.NONE, 0]]]]);
    expect((await readPartition(broker, 'later')).map((r) => r.value)).toEqual(['stored']);
  });

  it('is UNKNOWN_TOPIC_OR_PARTITION even with invalid acks, which Kafka checks only for partitions that exist', async () => {
    expect(await produce(9, ['known', 'nowhere'], 'acks-2', 2)).toEqual([
      ['known', [[0, ErrorCode.INVALID_REQUIRED_ACKS, -1], [1, ErrorCode.INVALID_REQUIRED_ACKS, -1]]],
      ['nowhere', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1], [1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]]],
    ]);
  });
});
