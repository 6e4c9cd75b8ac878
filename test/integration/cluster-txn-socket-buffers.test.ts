// The connections a broker opens to the others for transactions — the coordinator's to partition
// leaders for WriteTxnMarkers, and a leader's to the coordinator for KIP-890 verification — have
// socket.receive.buffer.bytes as their SO_RCVBUF, as Kafka's TransactionMarkerChannelManager and
// AddPartitionsToTxnManager give their network clients. Read with `ss` on a two-broker cluster
// whose internal and test topics have no followers, so that once the test's clients have closed,
// the one connection to each broker's port is the other broker's transaction connection.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { startCluster, type RunningCluster } from '../../src/index.js';
import { clusterKafka, connectTo, readyCoordinator, withAdmin } from '../helpers/cluster.js';
import { requireProgram } from '../helpers/programs.js';
import { socketBufferSizes, type SocketBufferSizes } from '../helpers/socket-memory.js';
import { addPartitions, endTxn, initTxn, produceTxn } from '../helpers/txn-raw.js';
import { until } from '../helpers/until.js';

/** Neither Kafka's default, nor replica.socket.receive.buffer.bytes's, nor what Linux gives an unset socket. */
const RECEIVE_BUFFER_BYTES = 40960;
const TRANSACTIONAL_ID = 'buffered-tx';
const TOPIC = 'marked';

let cluster: RunningCluster;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 2,
    brokerOptions: {
      logLevel: 'silent',
      properties: { 'socket.receive.buffer.bytes': RECEIVE_BUFFER_BYTES, 'transaction.state.log.num.partitions': 1, 'transaction.state.log.replication.factor': 1 },
    },
  });
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

/** The connections to a broker's port, as their connecting sides see them. */
const toBroker = (nodeId: number): SocketBufferSizes[] => socketBufferSizes(`( dport = :${cluster.broker(nodeId)!.port} )`);

it.skipIf(requireProgram('ss', { install: 'apt-get install iproute2' }))(
  'gives the transaction marker and verification connections between brokers socket.receive.buffer.bytes as SO_RCVBUF',
  async () => {
    const coordinatorId = await readyCoordinator(cluster, 'transaction', TRANSACTIONAL_ID);
    const leaderId = cluster.nodeIds.find((id) => id !== coordinatorId)!;
    await withAdmin(clusterKafka(cluster, 'txn-buffers-test'), (admin) => admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [leaderId] }] }], waitForLeaders: true }));

    const coordinator = await connectTo(cluster, coordinatorId);
    const leader = await connectTo(cluster, leaderId);
    try {
      const p = await initTxn(coordinator, TRANSACTIONAL_ID);
      expect(await addPartitions(coordinator, p, TOPIC, [0])).toEqual([ErrorCode.NONE]);
      // The leader verifies the write with the coordinator; the commit sends the leader a marker.
      expect((await produceTxn(leader, p, TOPIC, ['marked'])).errorCode).toBe(ErrorCode.NONE);
      expect(await endTxn(coordinator, p, true)).toBe(ErrorCode.NONE);
    } finally {
      coordinator.close();
      leader.close();
    }

    await until(() => toBroker(leaderId).length === 1 && toBroker(coordinatorId).length === 1, 'one transaction connection to each broker alone');
    // Linux reports twice the size set.
    expect(toBroker(leaderId)[0]!.receiveBytes).toBe(2 * RECEIVE_BUFFER_BYTES);
    expect(toBroker(coordinatorId)[0]!.receiveBytes).toBe(2 * RECEIVE_BUFFER_BYTES);
  },
  60_000,
);
