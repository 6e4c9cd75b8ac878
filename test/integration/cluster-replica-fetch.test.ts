// A follower's fetch settings in a two-broker cluster (startCluster) whose replica.fetch.max.bytes
// is smaller than the batches written: they replicate all the same, as in Kafka, because the
// leader answers a follower's fetch within each partition's max_bytes (replica.fetch.max.bytes)
// and the response's (replica.fetch.response.max.bytes) except for the first batch of the first
// partition with records, which comes whole however large; and the follower's connection to its
// leader has replica.socket.receive.buffer.bytes as its SO_RCVBUF.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch } from '../../protocol/records/index.js';
import { startCluster, type RunningCluster } from '../../src/index.js';
import { clusterKafka, stateOf, withAdmin } from '../helpers/cluster.js';
import { requireProgram } from '../helpers/programs.js';
import { RawClient } from '../helpers/raw-client.js';
import { fetchRequest, produceRequest } from '../helpers/raw-requests.js';
import { socketBufferSizes, type SocketBufferSizes } from '../helpers/socket-memory.js';
import { until } from '../helpers/until.js';

const FETCH_MAX_BYTES = 1024;
const RECEIVE_BUFFER_BYTES = 40960;
/** Each batch written: one record of this many bytes, larger than a follower's fetch asks for. */
const RECORD_BYTES = 3000;
const LEADER = 1;
const FOLLOWER = 2;

let cluster: RunningCluster;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 2,
    brokerOptions: { logLevel: 'silent', properties: { 'replica.fetch.max.bytes': FETCH_MAX_BYTES, 'replica.socket.receive.buffer.bytes': RECEIVE_BUFFER_BYTES } },
  });
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

/** A topic whose partitions broker 1 leads and broker 2 follows, in sync. */
async function createFollowedTopic(topic: string, partitions: number): Promise<void> {
  const replicaAssignment = Array.from({ length: partitions }, (_, partition) => ({ partition, replicas: [LEADER, FOLLOWER] }));
  await withAdmin(clusterKafka(cluster, 'replica-fetch-test'), (admin) => admin.createTopics({ topics: [{ topic, replicaAssignment }], waitForLeaders: true }));
  await until(() => Array.from({ length: partitions }, (_, p) => stateOf(cluster, topic, p)).every((s) => s.leaderId === LEADER && s.isr.length === 2), `${topic} in sync`);
}

/** Writes one batch of one RECORD_BYTES record to each partition, acks=all. */
async function writeLargeBatches(leader: RawClient, topic: string, partitions: number): Promise<void> {
  for (let partition = 0; partition < partitions; partition++) {
    const records = encodeBatch({ records: [{ value: Buffer.alloc(RECORD_BYTES, partition + 1) }] });
    const produced = await leader.send(0, 9, produceRequest({ topic, partition, records }, { acks: -1, timeoutMs: 20_000 }));
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
  }
}

function connectTo(nodeId: number): Promise<RawClient> {
  const broker = cluster.broker(nodeId)!;
  return RawClient.connect(broker.host, broker.port);
}

const size = (records: unknown): number => (records === null ? 0 : Array.isArray(records) ? Buffer.concat(records as Buffer[]).length : (records as Buffer).length);

describe('replica fetch settings', () => {
  it('replicate batches larger than replica.fetch.max.bytes: acks=all writes are acknowledged and the follower has them', async () => {
    const topic = 'larger-than-fetch';
    await createFollowedTopic(topic, 2);
    const leader = await connectTo(LEADER);
    try {
      await writeLargeBatches(leader, topic, 2);
    } finally {
      leader.close();
    }
    const follower = cluster.broker(FOLLOWER)!.broker;
    for (const partition of [0, 1]) expect(follower.replicas.getPartition(follower.topics.get(topic), partition)!.logEndOffset).toBe(1);
  });

  it("answer a follower's fetch within each partition's max_bytes and the response's, the first batch of the first partition with records whole however large", async () => {
    const topic = 'fetch-limits';
    await createFollowedTopic(topic, 2);
    const leader = await connectTo(LEADER);
    try {
      await writeLargeBatches(leader, topic, 2);
      const { leaderEpoch } = stateOf(cluster, topic);
      const topicId = cluster.broker(LEADER)!.broker.topics.get(topic)!.id;
      // As broker 2's fetcher asks, from the start of both partitions.
      const fetchAsFollower = async (partitionMaxBytes: number, maxBytes: number): Promise<number[]> => {
        const fetch = fetchRequest(
          [0, 1].map((partition) => ({ topic, topicId, partition, currentLeaderEpoch: leaderEpoch, partitionMaxBytes })),
          { replicaState: { replicaId: FOLLOWER, replicaEpoch: -1 }, maxBytes },
        );
        const partitions = (await leader.send(1, 15, fetch)).responses[0]!.partitions;
        expect(partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
        return partitions.map((p) => size(p.records));
      };
      // Within Kafka's defaults both batches (of the same size) come.
      const [batch, second] = await fetchAsFollower(1 << 20, 10 << 20);
      expect(batch).toBeGreaterThan(RECORD_BYTES);
      expect(second).toBe(batch);
      // replica.fetch.max.bytes below a batch: partition 0's comes all the same, partition 1's not.
      expect(await fetchAsFollower(FETCH_MAX_BYTES, 10 << 20)).toEqual([batch, 0]);
      // replica.fetch.response.max.bytes below a batch: likewise.
      expect(await fetchAsFollower(1 << 20, 1000)).toEqual([batch, 0]);
    } finally {
      leader.close();
    }
  });

  it.skipIf(requireProgram('ss', { install: 'apt-get install iproute2' }))("give the follower's connection to its leader replica.socket.receive.buffer.bytes as SO_RCVBUF", async () => {
    await createFollowedTopic('buffered', 1);
    // Once the admin client's connection has closed, the one connection to the leader's port is the follower's.
    const toLeader = (): SocketBufferSizes[] => socketBufferSizes(`( dport = :${cluster.broker(LEADER)!.port} )`);
    await until(() => toLeader().length === 1, "the follower's connection alone");
    // Linux reports twice the size set.
    expect(toLeader()[0]!.receiveBytes).toBe(2 * RECEIVE_BUFFER_BYTES);
  });
});
