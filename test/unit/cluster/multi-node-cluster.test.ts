// The cluster view of a broker among several, over the in-process membership and a memory
// metadata store, with no controller running: the store's partition state is what a controller
// last wrote, so a lapsed leader can be looked at before any re-election.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { describePartition } from '../../../src/cluster/cluster-view.js';
import { InProcessMembershipRegistry } from '../../../src/cluster/in-process-membership.js';
import { MultiNodeCluster } from '../../../src/cluster/multi-node-cluster.js';
import { MemoryMetadataStore } from '../../../src/metadata/memory-metadata-store.js';
import { partitionDocKey } from '../../../src/metadata/metadata-store.js';

async function threeBrokers(): Promise<{ registry: InProcessMembershipRegistry; cluster: MultiNodeCluster; store: MemoryMetadataStore }> {
  const registry = new InProcessMembershipRegistry();
  const store = new MemoryMetadataStore(() => registry.controllerEpoch());
  for (const nodeId of [1, 2, 3]) {
    await registry.membership().register({ nodeId, endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + nodeId, securityProtocol: 'PLAINTEXT' }], rack: null, incarnation: `run-${nodeId}` });
  }
  await store.put('topic', 't', { name: 't', topicId: 'id-t', partitions: 1, configs: {}, replicas: [[2, 1, 3]] });
  await store.put('partitionState', partitionDocKey('t', 0), { topic: 't', partition: 0, leader: 2, leaderEpoch: 0, isr: [2, 1, 3] });
  return { registry, cluster: new MultiNodeCluster(1, () => 'cid', registry.membership(), store), store };
}

describe('MultiNodeCluster', () => {
  it('describes a partition led by a live broker with its leader', async () => {
    const { cluster } = await threeBrokers();
    expect(describePartition(cluster, 't', 0, 'PLAINTEXT')).toEqual({ errorCode: ErrorCode.NONE, leaderId: 2, leaderEpoch: 0, replicaNodes: [2, 1, 3], isrNodes: [2, 1, 3], offlineReplicas: [] });
  });

  it('answers LEADER_NOT_AVAILABLE (leader -1, epoch kept) while the stored leader is not live, as Kafka does for a leader it does not list', async () => {
    const { registry, cluster } = await threeBrokers();
    registry.expire(2);
    // The broker list leaves broker 2 out: a partition naming it as leader would give a client no broker to fetch from.
    expect(cluster.brokers('PLAINTEXT').map((b) => b.nodeId)).toEqual([1, 3]);
    expect(cluster.partitionState('t', 0)).toMatchObject({ leaderId: 2, leaderEpoch: 0 });
    expect(describePartition(cluster, 't', 0, 'PLAINTEXT')).toEqual({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, leaderEpoch: 0, replicaNodes: [2, 1, 3], isrNodes: [2, 1, 3], offlineReplicas: [2] });
  });

  it('answers LEADER_NOT_AVAILABLE to a client on a listener the leader does not serve', async () => {
    const { cluster } = await threeBrokers();
    expect(describePartition(cluster, 't', 0, 'SSL')).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, leaderEpoch: 0 });
  });
});
