// How the coordinator's markers reach the partition leaders, without sockets to real brokers: the
// local leader's markers are written here, a leader that cannot be reached or that refuses with a
// retriable error is tried again with the leadership known by then, a deleted partition needs no
// marker, and the sender gives up when the coordinator lost the transaction or on a fatal error.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import type { BrokerNode } from '../../../src/cluster/cluster-view.js';
import { KafkaError, errorCodeOf } from '../../../src/kafka-error.js';
import { BrokerConnections } from '../../../src/replica/broker-connections.js';
import { TxnMarkerSender, type TxnMarker } from '../../../src/txn/txn-marker-sender.js';
import { FakeCluster } from '../../helpers/fake-cluster.js';

const LOCAL = 1;
const marker: TxnMarker = { producerId: 7, producerEpoch: 0, commit: true, coordinatorEpoch: 3 };

/** Brokers other than this one are at a loopback port nothing listens on: connections are refused. */
class UnreachableOthers extends FakeCluster {
  override broker(nodeId: number): BrokerNode | undefined {
    return { nodeId, host: '127.0.0.1', port: 1, rack: null };
  }
}

function lead(cluster: FakeCluster, topic: string, partition: number, leaderId: number): void {
  cluster.states.set(`${topic}-${partition}`, { leaderId, leaderEpoch: 1, replicas: [1, 2, 3], isr: [1, 2, 3], offlineReplicas: [] });
}

function sender(cluster: FakeCluster, writeLocal: (topic: string, partition: number) => Promise<void>, deadlineMs = 5_000): TxnMarkerSender {
  return new TxnMarkerSender({
    localId: LOCAL,
    cluster,
    connections: new BrokerConnections(cluster, { listenerName: 'PLAINTEXT' }, 'marker-sender-test', 30_000, pino({ level: 'silent' })),
    writeLocal: (topic, partition, m) => {
      expect(m).toEqual(marker);
      return writeLocal(topic, partition);
    },
    retryBackoffMs: 5,
    deadlineMs,
    log: pino({ level: 'silent' }),
  });
}

const partitions = (entries: [string, number[]][]) => new Map(entries.map(([t, ps]) => [t, new Set(ps)]));

describe('TxnMarkerSender', () => {
  it('writes local markers, skips deleted partitions, and retries an unreachable leader at the leader known next', async () => {
    const cluster = new UnreachableOthers(LOCAL);
    lead(cluster, 'orders', 0, LOCAL);
    lead(cluster, 'orders', 1, 2);
    const written: string[] = [];
    const s = sender(cluster, async (topic, partition) => {
      written.push(`${topic}-${partition}`);
    });
    let attempts = 0;
    const sent = s.send(marker, partitions([['orders', [0, 1]], ['deleted', [0]]]), () => {
      // Broker 2 cannot be reached; by the second retry the controller has moved the partition here.
      if (++attempts === 2) lead(cluster, 'orders', 1, LOCAL);
      return true;
    });
    await sent;
    s.close();
    expect(written.sort()).toEqual(['orders-0', 'orders-1']);
    expect(attempts).toBeGreaterThanOrEqual(2);
  });

  it('retries a leader that answers NOT_LEADER_OR_FOLLOWER, and fails at once on a fatal error', async () => {
    const cluster = new FakeCluster(LOCAL);
    lead(cluster, 'orders', 0, LOCAL);
    let calls = 0;
    const s = sender(cluster, async () => {
      if (++calls < 3) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    });
    await s.send(marker, partitions([['orders', [0]]]), () => true);
    expect(calls).toBe(3);
    const fenced = sender(cluster, () => Promise.reject(new KafkaError(ErrorCode.TRANSACTION_COORDINATOR_FENCED)));
    expect(errorCodeOf(await fenced.send(marker, partitions([['orders', [0]]]), () => true).catch((e: unknown) => e))).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
  });

  it('stops with NOT_COORDINATOR once the coordinator lost the transaction, and after its deadline otherwise', async () => {
    const cluster = new FakeCluster(LOCAL);
    lead(cluster, 'orders', 0, -1);
    const s = sender(cluster, async () => undefined);
    expect(errorCodeOf(await s.send(marker, partitions([['orders', [0]]]), () => false).catch((e: unknown) => e))).toBe(ErrorCode.NOT_COORDINATOR);
    const short = sender(cluster, async () => undefined, 0);
    expect(errorCodeOf(await short.send(marker, partitions([['orders', [0]]]), () => true).catch((e: unknown) => e))).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
  });
});
