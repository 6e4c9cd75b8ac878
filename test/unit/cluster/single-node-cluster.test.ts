// The single-node cluster view: itself as the only broker, controller and coordinator; partition
// state from the stored replica lists; replica placement round-robin over the brokers.
import { describe, expect, it } from 'vitest';
import { assignReplicas } from '../../../src/admin/replica-assignment.js';
import { describePartition } from '../../../src/cluster/cluster-view.js';
import { SingleNodeCluster } from '../../../src/cluster/single-node-cluster.js';
import { ErrorCode } from '../../../protocol/errors.js';

const replicas = new Map<string, number[][]>([['t', [[2], [2, 9]]]]);
const cluster = new SingleNodeCluster(2, () => 'cid', [{ name: 'PLAINTEXT', host: 'h', port: 0 }], { replicasOf: (t, p) => replicas.get(t)?.[p], generation: 0 });

describe('SingleNodeCluster', () => {
  it('names itself as the only broker, controller and coordinator, with the port its listener bound', () => {
    cluster.setBoundPort('PLAINTEXT', 9092);
    expect(cluster.brokers('PLAINTEXT')).toEqual([{ nodeId: 2, host: 'h', port: 9092, rack: null }]);
    expect(cluster.broker(3, 'PLAINTEXT')).toBeUndefined();
    expect(cluster.brokers('SSL')).toEqual([]);
    expect(cluster).toMatchObject({ clusterId: 'cid', controllerId: 2, localId: 2 });
    expect(cluster.coordinatorFor('group', 'g')).toBe(2);
    expect(cluster.coordinatorFor('transaction', 'tx')).toBe(2);
  });

  it('leads the partitions it is a replica of; other replicas are offline', () => {
    expect(cluster.partitionState('t', 0)).toEqual({ leaderId: 2, leaderEpoch: 0, replicas: [2], isr: [2], offlineReplicas: [] });
    expect(describePartition(cluster, 't', 1, 'PLAINTEXT')).toEqual({ errorCode: ErrorCode.NONE, leaderId: 2, leaderEpoch: 0, replicaNodes: [2, 9], isrNodes: [2], offlineReplicas: [9] });
    expect(cluster.partitionState('t', 2)).toBeUndefined();
    expect(describePartition(cluster, 'nope', 0, 'PLAINTEXT')).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1 });
  });
});

describe('assignReplicas', () => {
  it('places replicas round-robin over the brokers, the preferred leader first', () => {
    expect(assignReplicas([3, 1, 2], 4, 2)).toEqual([[1, 2], [2, 3], [3, 1], [1, 2]]);
    expect(assignReplicas([5], 2, 1, 3)).toEqual([[5], [5]]);
  });
});
