// The bench's routing of a load by partition leader (test/bench/lib/by-leader.ts, topics.ts):
// partitions grouped by their leader's port from a Metadata response, connections split among the
// leaders, the loads' windows started together and their rates added up.
import { describe, expect, it } from 'vitest';
import type { MetadataResponse } from '../../../protocol/schema/index.js';
import { barrier, splitConnections, sumRates } from '../../bench/lib/by-leader.js';
import { Samples } from '../../bench/lib/stats.js';
import { leadersIn } from '../../bench/lib/topics.js';

function metadata(leaders: number[], brokers = [1, 2]): MetadataResponse {
  return {
    brokers: brokers.map((nodeId) => ({ nodeId, host: '127.0.0.1', port: 9090 + nodeId })),
    topics: [{ errorCode: 0, name: 't', partitions: leaders.map((leaderId, partitionIndex) => ({ errorCode: 0, partitionIndex, leaderId, replicaNodes: [leaderId], isrNodes: [leaderId] })) }],
  };
}

describe('leaders of a topic', () => {
  it("groups partitions by their leader's port, ordered by port", () => {
    expect(leadersIn(metadata([2, 1, 2, 1]), 't')).toEqual([
      { port: 9091, partitions: [{ topic: 't', partition: 1 }, { topic: 't', partition: 3 }] },
      { port: 9092, partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 2 }] },
    ]);
  });

  it('gives a single broker all partitions', () => {
    expect(leadersIn(metadata([1, 1], [1]), 't')).toEqual([{ port: 9091, partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] }]);
  });

  it('refuses a partition without a listed leader, and a missing topic', () => {
    expect(() => leadersIn(metadata([1, -1]), 't')).toThrow(/t-1 has no leader/);
    expect(() => leadersIn(metadata([1, 3]), 't')).toThrow(/t-1 has no leader/);
    expect(() => leadersIn(metadata([1]), 'other')).toThrow(/no topic other/);
  });
});

describe('loads by leader', () => {
  it('splits connections as evenly as they go, at least one each', () => {
    expect(splitConnections(4, 1)).toEqual([4]);
    expect(splitConnections(4, 2)).toEqual([2, 2]);
    expect(splitConnections(4, 3)).toEqual([2, 1, 1]);
    expect(splitConnections(4, 6)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('lets every party through once all have arrived', async () => {
    const arrive = barrier(2);
    let through = false;
    const first = arrive().then(() => (through = true));
    await Promise.resolve();
    expect(through).toBe(false);
    await arrive();
    await first;
    expect(through).toBe(true);
    await expect(barrier(1)()).resolves.toBeUndefined();
  });

  it('adds up rates and keeps every latency sample', () => {
    const samples = (...ms: number[]): Samples => {
      const s = new Samples();
      for (const v of ms) s.add(v);
      return s;
    };
    const sum = sumRates([
      { bytesPerSec: 100, recordsPerSec: 10, requestMs: samples(1, 2) },
      { bytesPerSec: 50, recordsPerSec: 5, requestMs: samples(3) },
    ]);
    expect(sum.bytesPerSec).toBe(150);
    expect(sum.recordsPerSec).toBe(15);
    expect(sum.requestMs.count).toBe(3);
    expect(sum.requestMs.max()).toBe(3);
  });
});
