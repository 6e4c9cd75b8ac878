// Stored replica lists that name brokers other than this one (a data dir from a larger cluster):
// the other replicas are offline, this broker leads where it is a replica, a partition on other
// brokers only has no leader, and ElectLeaders answers as Kafka's controller would.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { FileMetadataStore } from '../../src/metadata/file-metadata-store.js';
import { tempDir, withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { produceRequest } from '../helpers/raw-requests.js';

const NODE_ID = 4;
const dir = tempDir();
let broker: RunningBroker;
let raw: RawClient;

beforeAll(async () => {
  const metadata = FileMetadataStore.open(dir.path, pino({ level: 'silent' }));
  await metadata.put('topic', 'shared', { name: 'shared', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: 2, configs: {}, replicas: [[9, NODE_ID], [NODE_ID, 9]] });
  await metadata.put('topic', 'elsewhere', { name: 'elsewhere', topicId: 'AAAAAAAAAAAAAAAAAAAAAg', partitions: 1, configs: {}, replicas: [[9]] });
  broker = await withBroker({ dataDir: dir.path, nodeId: NODE_ID });
  raw = await RawClient.connect(broker.host, broker.port);
});
afterAll(async () => {
  raw.close();
  await broker.stop();
  dir.remove();
});

describe('replicas on brokers that are not running', () => {
  it('reports them offline in Metadata; a partition with no live replica has no leader', async () => {
    const metadata = await raw.send(3, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    const byName = new Map(metadata.topics.map((t) => [t.name, t]));
    expect(byName.get('shared')).toMatchObject({
      partitions: [
        { partitionIndex: 0, errorCode: ErrorCode.NONE, leaderId: NODE_ID, replicaNodes: [9, NODE_ID], isrNodes: [NODE_ID], offlineReplicas: [9] },
        { partitionIndex: 1, errorCode: ErrorCode.NONE, leaderId: NODE_ID, replicaNodes: [NODE_ID, 9], isrNodes: [NODE_ID], offlineReplicas: [9] },
      ],
    });
    expect(byName.get('elsewhere')).toMatchObject({
      partitions: [{ partitionIndex: 0, errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, replicaNodes: [9], isrNodes: [], offlineReplicas: [9] }],
    });
  });

  it('takes produce only where this broker leads (NOT_LEADER_OR_FOLLOWER elsewhere)', async () => {
    const produce = (topic: string, version: number) => {
      const records = encodeBatch({ records: [{ value: Buffer.from('v') }] });
      return raw.send(0, version, produceRequest({ topic, records }));
    };
    expect((await produce('shared', 9)).responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((await produce('elsewhere', 9)).responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    // v10+ (KIP-951) also names the current leader: none here, so no endpoint either.
    const v10 = await produce('elsewhere', 10);
    expect(v10.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, currentLeader: { leaderId: -1, leaderEpoch: 0 } });
    expect(v10.nodeEndpoints ?? []).toEqual([]);
  });

  it('cannot elect an offline preferred leader; lists the partitions that need an election', async () => {
    const named = await raw.send(43, 2, { electionType: 0, topicPartitions: [{ topic: 'shared', partitions: [0, 1] }], timeoutMs: 1000 });
    expect(named.replicaElectionResults).toEqual([
      {
        topic: 'shared',
        partitionResult: [
          { partitionId: 0, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: 'Failed to elect leader for partition shared-0 under strategy PreferredReplicaPartitionLeaderElectionStrategy' },
          { partitionId: 1, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' },
        ],
      },
    ]);
    const unclean = await raw.send(43, 2, { electionType: 1, topicPartitions: null, timeoutMs: 1000 });
    // Every topic is listed (__consumer_offsets too), with only the partitions that needed an election.
    expect(unclean.replicaElectionResults.filter((r: { topic: string }) => r.topic !== '__consumer_offsets')).toEqual([
      {
        topic: 'elsewhere',
        partitionResult: [{ partitionId: 0, errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, errorMessage: 'Failed to elect leader for partition elsewhere-0 under strategy UncleanLeaderElectionStrategy' }],
      },
      { topic: 'shared', partitionResult: [] },
    ]);
  });
});
