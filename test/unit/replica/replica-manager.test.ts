// The replica manager without sockets: topic-partition lookups with Kafka's errors, leadership and
// epoch checks from the cluster view's state, the produce path (ISR check before the write step,
// acks=all waiting for the followers) and the ISR expiration round.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { topicLogConfig } from '../../../src/config/topic-log-config.js';
import { MemoryLog } from '../../../src/log/memory-log.js';
import type { IsrChange } from '../../../src/replica/partition.js';
import { ReplicaManager } from '../../../src/replica/replica-manager.js';
import type { Topic } from '../../../src/topics/topic-registry.js';
import { errorCodeOf } from '../../helpers/error-code.js';
import { FakeCluster } from '../../helpers/fake-cluster.js';
import { makeBatch } from '../log/batches.js';

const LOCAL = 1;

function topicWith(name: string, partitions: number, minIsr: number): Topic {
  const overrides = new Map([['min.insync.replicas', String(minIsr)]]);
  return {
    name,
    id: `${name}-id`,
    internal: false,
    partitions: Array.from({ length: partitions }, () => new MemoryLog()),
    replicas: Array.from({ length: partitions }, () => [1, 2, 3]),
    overrides,
    config: topicLogConfig(overrides, { staticProps: new Map() }),
  };
}

function setup(): { replicas: ReplicaManager; topics: Map<string, Topic>; changes: IsrChange[]; clock: { now: number } } {
  const topics = new Map<string, Topic>([['led', topicWith('led', 2, 2)], ['followed', topicWith('followed', 1, 1)]]);
  const cluster = new FakeCluster();
  cluster.states.set('led-0', { leaderId: LOCAL, leaderEpoch: 4, replicas: [1, 2, 3], isr: [1, 2], offlineReplicas: [] });
  cluster.states.set('led-1', { leaderId: LOCAL, leaderEpoch: 0, replicas: [1, 2], isr: [1], offlineReplicas: [] });
  cluster.states.set('followed-0', { leaderId: 2, leaderEpoch: 9, replicas: [1, 2], isr: [1, 2], offlineReplicas: [] });
  const changes: IsrChange[] = [];
  const clock = { now: 5_000_000 };
  const replicas = new ReplicaManager({
    localId: LOCAL,
    topics: { get: (n) => topics.get(n), getById: (id) => [...topics.values()].find((t) => t.id === id), list: () => [...topics.values()] },
    cluster,
    replicaLagTimeMaxMs: () => 1000,
    clock: () => clock.now,
    onIsrChange: (c) => changes.push(c),
  });
  return { replicas, topics, changes, clock };
}

describe('ReplicaManager', () => {
  it('finds partitions by topic name and id, with UNKNOWN_TOPIC_OR_PARTITION and UNKNOWN_TOPIC_ID otherwise', async () => {
    const { replicas } = setup();
    expect(replicas.partition('led', 1)).toMatchObject({ topic: 'led', index: 1, leaderEpoch: 0 });
    expect(replicas.partitionById('led-id', 0)).toBe(replicas.partition('led', 0));
    expect(await errorCodeOf(() => replicas.partition('led', 2))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await errorCodeOf(() => replicas.partition('nope', 0))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await errorCodeOf(() => replicas.partitionById('nope-id', 0))).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
    expect([...replicas.partitions()].map((p) => `${p.topic}-${p.index}`)).toEqual(['led-0', 'led-1', 'followed-0']);
  });

  it('takes each partition state from the cluster view: NOT_LEADER_OR_FOLLOWER where another broker leads, fencing by epoch', async () => {
    const { replicas } = setup();
    const followed = replicas.partition('followed', 0);
    expect(followed).toMatchObject({ isLeader: false, leaderId: 2, leaderEpoch: 9 });
    expect(await errorCodeOf(() => replicas.leaderPartition(undefined, 0))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const led = replicas.partition('led', 0);
    expect(await errorCodeOf(() => led.checkLeaderEpoch(3))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(await errorCodeOf(() => led.checkLeaderEpoch(5))).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(await errorCodeOf(() => followed.checkLeaderEpoch(9))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('appends through the write step and resolves acks=all once the ISR has the batch', async () => {
    const { replicas, topics } = setup();
    const led = replicas.partition('led', 0);
    let acked = false;
    const produced = replicas
      .appendRecords(topics.get('led'), 0, { requiredAcks: -1, timeoutMs: 60_000 }, (p) => p.appendAsLeader(makeBatch({ records: 3 })))
      .then((r) => {
        acked = true;
        return r;
      });
    await new Promise((resolve) => setImmediate(resolve));
    expect(acked).toBe(false);
    expect(led.logEndOffset).toBe(3);
    led.updateFollowerFetchState(2, 3);
    expect(await produced).toMatchObject({ baseOffset: 0, lastOffset: 2 });
    expect(led.highWatermark).toBe(3);
  });

  it('refuses acks=all with NOT_ENOUGH_REPLICAS before the write step runs when the ISR is below min.insync.replicas', async () => {
    const { replicas, topics } = setup();
    let wrote = false;
    const write = async () => {
      wrote = true;
      return { baseOffset: 0, lastOffset: 0, logAppendTime: -1, logStartOffset: 0 };
    };
    expect(await errorCodeOf(() => replicas.appendRecords(topics.get('led'), 1, { requiredAcks: -1, timeoutMs: 1000 }, write))).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(wrote).toBe(false);
    expect(await errorCodeOf(() => replicas.appendRecords(topics.get('followed'), 0, { requiredAcks: 1, timeoutMs: 1000 }, write))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(wrote).toBe(false);
  });

  it('drops lagging followers from the ISR of the partitions it leads, reporting each change', async () => {
    const { replicas, changes, clock } = setup();
    const led = replicas.partition('led', 0);
    await led.appendAsLeader(makeBatch());
    clock.now += 1001;
    replicas.maybeShrinkIsrs();
    expect(changes).toEqual([{ topic: 'led', partition: 0, leaderEpoch: 4, isr: [1] }]);
    expect(replicas.partition('followed', 0).isr).toEqual([1, 2]);
  });
});
