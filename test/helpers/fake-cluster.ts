// A three-broker cluster view whose partition states a unit test sets, for the partition layer
// and the coordinators without sockets or a controller.
import type { BrokerNode, ClusterView, OngoingReassignment, PartitionAssignment } from '../../src/cluster/cluster-view.js';

export class FakeCluster implements ClusterView {
  readonly clusterId = 'fake-cluster';
  readonly controllerId = 3;
  /** By `${topic}-${partition}`. */
  readonly states = new Map<string, PartitionAssignment>();

  private reads = 0;

  constructor(readonly localId = 1) {}

  /** Tests set `states` directly, so every read counts as a change: nothing derived from them is kept. */
  get generation(): number {
    return ++this.reads;
  }

  brokers(): BrokerNode[] {
    return [1, 2, 3].map((nodeId) => ({ nodeId, host: `b${nodeId}`, port: 9092, rack: null }));
  }
  broker(nodeId: number): BrokerNode | undefined {
    return this.brokers().find((b) => b.nodeId === nodeId);
  }
  partitionState(topic: string, partition: number): PartitionAssignment | undefined {
    return this.states.get(`${topic}-${partition}`);
  }
  coordinatorFor(): number {
    return 2;
  }
  brokerIds(): number[] {
    return [1, 2, 3];
  }
  electLeader(): Promise<boolean> {
    return Promise.resolve(false);
  }
  /** No controller runs here: a unit test that needs reassignments uses a real cluster. */
  reassign(): Promise<void> {
    return Promise.reject(new Error('FakeCluster does not reassign partitions'));
  }
  reassignments(): OngoingReassignment[] {
    return [];
  }
  close(): void {}
}
