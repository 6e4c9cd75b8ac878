// The two engine hooks of fault injection without sockets: a partition log's held appends (written,
// not acknowledged, reads go on) and a replica manager withholding a partition's leadership from
// produce, consumer reads and offset lookups.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { SingleNodeCluster } from '../../../src/cluster/single-node-cluster.js';
import { topicLogConfig } from '../../../src/config/topic-log-config.js';
import { MemoryLog } from '../../../src/log/memory-log.js';
import { ReplicaManager } from '../../../src/replica/replica-manager.js';
import type { Topic } from '../../../src/topics/topic-registry.js';
import { errorCodeOf } from '../../helpers/error-code.js';
import { makeBatch } from '../log/batches.js';

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('PartitionLog.holdWrites', () => {
  it('acknowledges appends only when the hold lets go; earlier data stays readable', async () => {
    const log = new MemoryLog();
    await log.append(makeBatch(), { leaderEpoch: 0 });
    log.advanceHighWatermark(1);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let waits = 0;
    const remove = log.holdWrites({ wait: () => (waits++, released) });
    let acknowledged = false;
    const appending = log.append(makeBatch({ fill: 0x62 }), { leaderEpoch: 0 }).then((r) => ((acknowledged = true), r));
    await turns(5);
    expect([acknowledged, waits]).toEqual([false, 1]);
    expect((await log.read(0, 1 << 20)).chunks.length).toBeGreaterThan(0);
    expect(log.highWatermark).toBe(1);
    release();
    expect(await appending).toMatchObject({ baseOffset: 1, lastOffset: 1 });
    remove();
    expect(await log.append(makeBatch(), { leaderEpoch: 0 })).toMatchObject({ baseOffset: 2 });
    expect(waits).toBe(1);
  });
});

describe('ReplicaManager leadershipWithheld', () => {
  it('answers NOT_LEADER_OR_FOLLOWER for the withheld partition only, on every leader path', async () => {
    const overrides = new Map<string, string>();
    const topic: Topic = {
      name: 't',
      id: 't-id',
      internal: false,
      partitions: [new MemoryLog(), new MemoryLog()],
      replicas: [[1], [1]],
      overrides,
      config: topicLogConfig(overrides, { staticProps: new Map() }),
    };
    const cluster = new SingleNodeCluster(1, () => 'c', [], { replicasOf: (_t, p) => topic.replicas[p], generation: 0 });
    let withheld = true;
    const replicas = new ReplicaManager({
      localId: 1,
      topics: { get: () => topic, getById: () => topic, list: () => [topic] },
      cluster,
      replicaLagTimeMaxMs: () => 1000,
      leadershipWithheld: (name, partition) => withheld && name === 't' && partition === 1,
    });
    const write = (p: number) => replicas.appendRecords(topic, p, { requiredAcks: 1, timeoutMs: 1000 }, (partition) => partition.appendAsLeader(makeBatch()));
    expect(await errorCodeOf(() => write(1))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(await errorCodeOf(() => replicas.leaderPartition(topic, 1))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(await errorCodeOf(() => replicas.getPartition(topic, 1)!.read(0, 1024))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(await errorCodeOf(() => write(0))).toBeUndefined();
    withheld = false;
    expect(await write(1)).toMatchObject({ baseOffset: 0 });
  });
});
