// Metadata's topic descriptions kept per topic and listener: the same objects while the
// cluster view's generation stays, described afresh when it moves, when the topic grows, or for
// a topic of the same name created again; over a real multi-node view, whose generation follows
// the metadata store and the live brokers.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { InProcessMembershipRegistry } from '../../../src/cluster/in-process-membership.js';
import { MultiNodeCluster } from '../../../src/cluster/multi-node-cluster.js';
import { TopicDescriptions } from '../../../src/cluster/topic-descriptions.js';
import { MemoryMetadataStore } from '../../../src/metadata/memory-metadata-store.js';
import { partitionDocKey } from '../../../src/metadata/metadata-store.js';

async function twoBrokers(): Promise<{ registry: InProcessMembershipRegistry; cluster: MultiNodeCluster; store: MemoryMetadataStore }> {
  const registry = new InProcessMembershipRegistry();
  const store = new MemoryMetadataStore(() => registry.controllerEpoch());
  for (const nodeId of [1, 2]) {
    await registry.membership().register({ nodeId, endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + nodeId, securityProtocol: 'PLAINTEXT' }], rack: null, incarnation: `run-${nodeId}` });
  }
  await store.put('topic', 't', { name: 't', topicId: 'id-t', partitions: 2, configs: {}, replicas: [[1, 2], [2, 1]] });
  await store.put('partitionState', partitionDocKey('t', 0), { topic: 't', partition: 0, leader: 1, leaderEpoch: 0, isr: [1, 2] });
  await store.put('partitionState', partitionDocKey('t', 1), { topic: 't', partition: 1, leader: 2, leaderEpoch: 0, isr: [2, 1] });
  return { registry, cluster: new MultiNodeCluster(1, () => 'cid', registry.membership(), store), store };
}

describe('TopicDescriptions', () => {
  it('answers the same descriptions while nothing changed', async () => {
    const { cluster } = await twoBrokers();
    const descriptions = new TopicDescriptions(cluster);
    const topic = { name: 't', id: 'id-t', internal: false, partitions: [0, 1] };
    const first = descriptions.of(topic, 'PLAINTEXT').partitions;
    expect(first).toEqual([
      { partitionIndex: 0, errorCode: ErrorCode.NONE, leaderId: 1, leaderEpoch: 0, replicaNodes: [1, 2], isrNodes: [1, 2], offlineReplicas: [] },
      { partitionIndex: 1, errorCode: ErrorCode.NONE, leaderId: 2, leaderEpoch: 0, replicaNodes: [2, 1], isrNodes: [2, 1], offlineReplicas: [] },
    ]);
    expect(descriptions.of(topic, 'PLAINTEXT').partitions).toBe(first);
    // Another listener is described for itself: the leaders serve no SSL listener.
    expect(descriptions.of(topic, 'SSL').partitions.map((p) => p.errorCode)).toEqual([ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.LEADER_NOT_AVAILABLE]);
    expect(descriptions.of(topic, 'PLAINTEXT').partitions).toBe(first);
  });

  it('describes afresh after a leader, ISR or epoch change in the store', async () => {
    const { cluster, store } = await twoBrokers();
    const descriptions = new TopicDescriptions(cluster);
    const topic = { name: 't', id: 'id-t', internal: false, partitions: [0, 1] };
    descriptions.of(topic, 'PLAINTEXT').partitions;
    await store.put('partitionState', partitionDocKey('t', 0), { topic: 't', partition: 0, leader: 2, leaderEpoch: 1, isr: [2] });
    expect(descriptions.of(topic, 'PLAINTEXT').partitions[0]).toMatchObject({ leaderId: 2, leaderEpoch: 1, isrNodes: [2] });
  });

  it('describes afresh after a broker leaves the live set', async () => {
    const { cluster, registry } = await twoBrokers();
    const descriptions = new TopicDescriptions(cluster);
    const topic = { name: 't', id: 'id-t', internal: false, partitions: [0, 1] };
    descriptions.of(topic, 'PLAINTEXT').partitions;
    registry.expire(2);
    // The in-process membership tells its watchers in a microtask.
    await Promise.resolve();
    expect(descriptions.of(topic, 'PLAINTEXT').partitions[1]).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, offlineReplicas: [2] });
  });

  it('describes afresh a topic whose partitions grew, and a topic created again under the same name', async () => {
    const { cluster, store } = await twoBrokers();
    const descriptions = new TopicDescriptions(cluster);
    const partitions = [0];
    const topic = { name: 't', id: 'id-t', internal: false, partitions };
    expect(descriptions.of(topic, 'PLAINTEXT').partitions).toHaveLength(1);
    // The local partitions open after the record changed: the count alone shows it.
    partitions.push(1);
    expect(descriptions.of(topic, 'PLAINTEXT').partitions).toHaveLength(2);
    const first = descriptions.of(topic, 'PLAINTEXT').partitions;
    const again = { name: 't', id: 'id-t', internal: false, partitions: [0, 1] };
    expect(descriptions.of(again, 'PLAINTEXT').partitions).not.toBe(first);
    await store.put('topic', 't', { name: 't', topicId: 'id-t', partitions: 2, configs: {}, replicas: [[1], [2]] });
    expect(descriptions.of(topic, 'PLAINTEXT').partitions.map((p) => p.replicaNodes)).toEqual([[1], [2]]);
  });

  it('stops following changes once closed', async () => {
    const { cluster, store } = await twoBrokers();
    const before = cluster.generation;
    await store.put('partitionState', partitionDocKey('t', 0), { topic: 't', partition: 0, leader: 2, leaderEpoch: 1, isr: [2] });
    expect(cluster.generation).toBeGreaterThan(before);
    cluster.close();
    const closed = cluster.generation;
    await store.put('partitionState', partitionDocKey('t', 0), { topic: 't', partition: 0, leader: 1, leaderEpoch: 2, isr: [1] });
    expect(cluster.generation).toBe(closed);
  });
});
