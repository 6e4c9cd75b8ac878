// __consumer_offsets record formats round trip, and Kafka's key versions are kept.
import { describe, expect, it } from 'vitest';
import {
  decodeConsumerGroupValue,
  decodeGroupValue,
  decodeKey,
  decodeOffsetValue,
  encodeConsumerGroupValue,
  encodeGroupValue,
  encodeKey,
  encodeOffsetValue,
  encodeStreamsTopologyValue,
  decodeStreamsTopologyValue,
} from '../../../src/groups/group-records.js';

describe('group records', () => {
  it('round-trips keys, with Kafka key versions 1 (offset) and 2 (group)', () => {
    const offsetKey = { type: 'offset' as const, group: 'g', topic: 't', partition: 7 };
    expect(encodeKey(offsetKey).readInt16BE(0)).toBe(1);
    expect(decodeKey(encodeKey(offsetKey))).toEqual(offsetKey);
    expect(encodeKey({ type: 'group', group: 'g' }).readInt16BE(0)).toBe(2);
    expect(decodeKey(encodeKey({ type: 'consumer-group', group: 'g' }))).toEqual({ type: 'consumer-group', group: 'g' });
    expect(decodeKey(Buffer.from([0, 99, 0, 0]))).toBeUndefined();
  });

  it('keys streams groups with Kafka key versions 17 (group) and 23 (topology), and round-trips a large topology', () => {
    expect(encodeKey({ type: 'streams-group', group: 'g' }).readInt16BE(0)).toBe(17);
    expect(encodeKey({ type: 'streams-topology', group: 'g' }).readInt16BE(0)).toBe(23);
    expect(decodeKey(encodeKey({ type: 'streams-topology', group: 'g' }))).toEqual({ type: 'streams-topology', group: 'g' });
    const subtopologies = Array.from({ length: 500 }, (_, i) => ({
      subtopologyId: String(i),
      sourceTopics: [`source-topic-with-a-long-name-${i}`],
      repartitionSinkTopics: [],
      stateChangelogTopics: [{ name: `app-store-${i}-changelog`, partitions: 0, replicationFactor: 0, configs: [['cleanup.policy', 'compact']] as [string, string][] }],
      repartitionSourceTopics: [],
      copartitionGroups: [],
    }));
    const topology = { epoch: 3, subtopologies };
    expect(decodeStreamsTopologyValue(encodeStreamsTopologyValue(topology))).toEqual(topology);
  });

  it('round-trips offset values with and without an expire timestamp', () => {
    const v3 = { offset: 2 ** 40, leaderEpoch: 3, metadata: 'm', commitTimestamp: 1_700_000_000_000, expireTimestamp: null };
    expect(encodeOffsetValue(v3).readInt16BE(0)).toBe(3);
    expect(decodeOffsetValue(encodeOffsetValue(v3))).toEqual(v3);
    const v1 = { ...v3, leaderEpoch: -1, expireTimestamp: 1_700_000_060_000 };
    expect(encodeOffsetValue(v1).readInt16BE(0)).toBe(1);
    expect(decodeOffsetValue(encodeOffsetValue(v1))).toEqual(v1);
  });

  it('round-trips group metadata with members', () => {
    const value = {
      protocolType: 'consumer',
      generation: 4,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 123,
      members: [
        { memberId: 'm1', groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1', rebalanceTimeoutMs: 60000, sessionTimeoutMs: 30000, subscription: Buffer.from('s'), assignment: Buffer.from('a') },
        { memberId: 'm2', groupInstanceId: 'i2', clientId: 'c', clientHost: '/127.0.0.1', rebalanceTimeoutMs: 1, sessionTimeoutMs: 2, subscription: Buffer.alloc(0), assignment: Buffer.alloc(0) },
      ],
    };
    expect(decodeGroupValue(encodeGroupValue(value))).toEqual(value);
    const empty = { ...value, protocol: null, leader: null, members: [] };
    expect(decodeGroupValue(encodeGroupValue(empty))).toEqual(empty);
    expect(decodeConsumerGroupValue(encodeConsumerGroupValue({ epoch: 9 }))).toEqual({ epoch: 9 });
  });
});
