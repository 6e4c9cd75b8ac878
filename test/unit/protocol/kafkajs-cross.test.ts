// Cross-implementation check against kafkajs 2.2.4's own per-version encoders and decoders:
// for every API and version kafkajs implements that Kafka's specs still define (Kafka 4 dropped
// many early versions), a request it encodes must decode with Creek's codec to the same values,
// and a response Creek encodes must decode with kafkajs's decoder.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeRequest, encodeResponse, type AnyApiKey } from '../../../protocol/codec/messages.js';
import { apiDefs } from '../../../protocol/schema/index.js';
import { sampleBatch } from './sample-batch.js';

const require = createRequire(import.meta.url);
const KJS = 'kafkajs/src/protocol';
type Obj = Record<string, unknown>;
interface KafkajsApi {
  versions: string[];
  protocol(o: { version: number }): (args: unknown) => {
    request: { apiKey: number; apiVersion: number; encode(): Promise<{ buffer: Buffer }> };
    response: { decode(payload: Buffer): Promise<Obj> };
  };
}
const createRequest = require(`${KJS}/request.js`) as (o: { correlationId: number; clientId: string; request: unknown }) => Promise<{ buffer: Buffer }>;
const Long = require('kafkajs/src/utils/long.js') as { fromNumber(n: number): unknown };

/**
 * kafkajs gives int64 values as Long objects or bigints: compared as decimal strings. Newer
 * kafkajs versions report the broker's throttle as clientSideThrottleTime (throttleTime 0).
 */
function plain(x: unknown): unknown {
  if (typeof x === 'bigint') return String(x);
  if (Buffer.isBuffer(x) || x === null || typeof x !== 'object') return x;
  if ('high' in x && 'low' in x && 'unsigned' in x) return String(x);
  if (Array.isArray(x)) return x.map(plain);
  const o = Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
  if ('clientSideThrottleTime' in o) o.throttleTime = o.clientSideThrottleTime;
  return o;
}

const meta = Buffer.from('member-metadata');
const assignment = Buffer.from('member-assignment');
const batch = sampleBatch(3, 12, 100);
const withLength = (s: string): Buffer => {
  const b = Buffer.from(s);
  const len = Buffer.alloc(4);
  len.writeInt32BE(b.length);
  return Buffer.concat([len, b]);
};

interface Case {
  key: AnyApiKey;
  /** kafkajs arguments for the request builder (every version picks what it needs). */
  args: unknown;
  /** Expected decoded request (Creek's names), matched as a subset. */
  request: (v: number) => Obj;
  /** Creek response body (fields of every version; each version encodes its own). */
  response: Obj;
  /** Expected kafkajs-decoded response, matched as a subset. */
  decoded: (v: number) => Obj;
}

const cases: Record<string, Case> = {
  produce: {
    key: 0,
    args: {
      acks: -1,
      timeout: 30000,
      transactionalId: null,
      topicData: [{ topic: 'orders', partitions: [{ partition: 2, messages: [{ key: 'k', value: 'v', timestamp: 1_700_000_000_000 }] }] }],
    },
    request: (v) => ({
      acks: -1,
      timeoutMs: 30000,
      ...(v >= 3 ? { transactionalId: null } : {}),
      topicData: [{ name: 'orders', partitionData: [{ index: 2, records: expect.any(Buffer) }] }],
    }),
    response: {
      responses: [{ name: 'orders', partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 4242, logAppendTimeMs: 1_700_000_000_001, logStartOffset: 17 }] }],
      throttleTimeMs: 12,
    },
    decoded: (v) => ({
      topics: [
        {
          topicName: 'orders',
          partitions: [
            {
              partition: 2,
              errorCode: 0,
              ...(v >= 3 ? { baseOffset: '4242', logAppendTime: '1700000000001' } : { offset: '4242' }),
              ...(v === 2 ? { timestamp: '1700000000001' } : {}),
              ...(v >= 5 ? { logStartOffset: '17' } : {}),
            },
          ],
        },
      ],
      ...(v >= 1 ? { throttleTime: 12 } : {}),
    }),
  },
  fetch: {
    key: 1,
    args: {
      replicaId: -1,
      maxWaitTime: 500,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 1,
      sessionId: 9,
      sessionEpoch: 3,
      rackId: 'rack-a',
      topics: [{ topic: 'orders', partitions: [{ partition: 1, fetchOffset: '123456789012', maxBytes: 1048576, currentLeaderEpoch: 5, logStartOffset: 7 }] }],
    },
    request: (v) => ({
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      ...(v >= 3 ? { maxBytes: 10485760 } : {}),
      ...(v >= 4 ? { isolationLevel: 1 } : {}),
      ...(v >= 7 ? { sessionId: 9, sessionEpoch: 3, forgottenTopicsData: [] } : {}),
      ...(v >= 11 ? { rackId: 'rack-a' } : {}),
      topics: [
        {
          topic: 'orders',
          partitions: [
            {
              partition: 1,
              fetchOffset: 123456789012,
              partitionMaxBytes: 1048576,
              ...(v >= 9 ? { currentLeaderEpoch: 5 } : {}),
              ...(v >= 5 ? { logStartOffset: 7 } : {}),
            },
          ],
        },
      ],
    }),
    response: {
      throttleTimeMs: 3,
      errorCode: 0,
      sessionId: 9,
      responses: [
        {
          topic: 'orders',
          partitions: [
            {
              partitionIndex: 1,
              errorCode: 0,
              highWatermark: 103,
              lastStableOffset: 102,
              logStartOffset: 100,
              abortedTransactions: [{ producerId: 77, firstOffset: 101 }],
              preferredReadReplica: -1,
              records: [batch],
            },
          ],
        },
      ],
    },
    decoded: (v) => ({
      ...(v >= 1 ? { throttleTime: 3 } : {}),
      ...(v >= 7 ? { errorCode: 0, sessionId: 9 } : {}),
      responses: [
        {
          topicName: 'orders',
          partitions: [
            {
              partition: 1,
              errorCode: 0,
              highWatermark: '103',
              ...(v >= 4 ? { lastStableOffset: '102', abortedTransactions: [{ producerId: '77', firstOffset: '101' }] } : {}),
              ...(v >= 5 ? { lastStartOffset: '100' } : {}),
              ...(v >= 11 ? { preferredReadReplica: -1 } : {}),
              // Fetch v0-3 clients read message format v0/v1 only (Kafka down-converts, a broker
              // concern): there the batch bytes just have to arrive intact.
              messages: v >= 4 ? [0, 1, 2].map((i) => expect.objectContaining({ offset: String(100 + i), value: Buffer.alloc(12, 'v') })) : [],
            },
          ],
        },
      ],
    }),
  },
  listOffsets: {
    key: 2,
    args: { replicaId: -1, isolationLevel: 1, topics: [{ topic: 'orders', partitions: [{ partition: 3, timestamp: -2 }] }] },
    request: (v) => ({
      replicaId: -1,
      ...(v >= 2 ? { isolationLevel: 1 } : {}),
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 3, timestamp: -2, ...(v === 0 ? { maxNumOffsets: 1 } : {}) }] }],
    }),
    response: {
      throttleTimeMs: 4,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 3, errorCode: 0, oldStyleOffsets: [55], timestamp: 1_600_000_000_000, offset: 55 }] }],
    },
    decoded: (v) => ({
      ...(v >= 2 ? { throttleTime: 4 } : {}),
      responses: [
        {
          topic: 'orders',
          partitions: [{ partition: 3, errorCode: 0, ...(v === 0 ? { offsets: ['55'] } : { timestamp: '1600000000000', offset: '55' }) }],
        },
      ],
    }),
  },
  metadata: {
    key: 3,
    args: { topics: ['orders', 'audit'], allowAutoTopicCreation: false },
    request: (v) => ({ topics: [{ name: 'orders' }, { name: 'audit' }], ...(v >= 4 ? { allowAutoTopicCreation: false } : {}) }),
    response: {
      throttleTimeMs: 5,
      brokers: [{ nodeId: 1, host: 'broker-1.local', port: 9092, rack: 'r1' }],
      clusterId: 'creek-cluster',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 6, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [2] }],
        },
      ],
    },
    decoded: (v) => ({
      ...(v >= 3 ? { throttleTime: 5 } : {}),
      brokers: [{ nodeId: 1, host: 'broker-1.local', port: 9092, ...(v >= 1 ? { rack: 'r1' } : {}) }],
      ...(v >= 2 ? { clusterId: 'creek-cluster' } : {}),
      ...(v >= 1 ? { controllerId: 1 } : {}),
      topicMetadata: [
        {
          topicErrorCode: 0,
          topic: 'orders',
          ...(v >= 1 ? { isInternal: false } : {}),
          partitionMetadata: [
            { partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1, 2], isr: [1], ...(v >= 5 ? { offlineReplicas: [2] } : {}) },
          ],
        },
      ],
    }),
  },
  offsetCommit: {
    key: 8,
    args: {
      groupId: 'g',
      groupGenerationId: 4,
      memberId: 'm-1',
      retentionTime: -1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '99', metadata: 'meta' }] }],
    },
    request: (v) => ({
      groupId: 'g',
      ...(v >= 1 ? { generationIdOrMemberEpoch: 4, memberId: 'm-1' } : {}),
      ...(v >= 2 && v <= 4 ? { retentionTimeMs: -1 } : {}),
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 99, committedMetadata: 'meta' }] }],
    }),
    response: { throttleTimeMs: 6, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] },
    decoded: (v) => ({
      ...(v >= 3 ? { throttleTime: 6 } : {}),
      responses: [{ topic: 'orders', partitions: [{ partition: 0, errorCode: 0 }] }],
    }),
  },
  offsetFetch: {
    key: 9,
    args: { groupId: 'g', topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 1 }] }] },
    request: () => ({ groupId: 'g', topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }),
    response: {
      throttleTimeMs: 7,
      errorCode: 0,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 99, metadata: 'meta', errorCode: 0 }] }],
    },
    decoded: (v) => ({
      ...(v >= 3 ? { throttleTime: 7 } : {}),
      ...(v >= 2 ? { errorCode: 0 } : {}),
      responses: [{ topic: 'orders', partitions: [{ partition: 0, offset: '99', metadata: 'meta', errorCode: 0 }] }],
    }),
  },
  findCoordinator: {
    key: 10,
    args: { groupId: 'g', coordinatorType: 1 },
    request: (v) => ({ key: 'g', ...(v >= 1 ? { keyType: 1 } : {}) }),
    response: { throttleTimeMs: 8, errorCode: 0, errorMessage: null, nodeId: 3, host: 'b3', port: 9094 },
    decoded: (v) => ({
      ...(v >= 1 ? { throttleTime: 8, errorMessage: null } : {}),
      errorCode: 0,
      coordinator: { nodeId: 3, host: 'b3', port: 9094 },
    }),
  },
  joinGroup: {
    key: 11,
    args: {
      groupId: 'g',
      sessionTimeout: 10000,
      rebalanceTimeout: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      groupProtocols: [{ name: 'range', metadata: meta }],
    },
    request: (v) => ({
      groupId: 'g',
      sessionTimeoutMs: 10000,
      ...(v >= 1 ? { rebalanceTimeoutMs: 60000 } : {}),
      memberId: '',
      ...(v >= 5 ? { groupInstanceId: null } : {}),
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: meta }],
    }),
    response: {
      throttleTimeMs: 9,
      errorCode: 0,
      generationId: 2,
      protocolName: 'range',
      leader: 'm-1',
      memberId: 'm-1',
      members: [{ memberId: 'm-1', groupInstanceId: null, metadata: meta }],
    },
    decoded: (v) => ({
      ...(v >= 2 ? { throttleTime: 9 } : {}),
      errorCode: 0,
      generationId: 2,
      groupProtocol: 'range',
      leaderId: 'm-1',
      memberId: 'm-1',
      members: [{ memberId: 'm-1', ...(v >= 5 ? { groupInstanceId: null } : {}), memberMetadata: meta }],
    }),
  },
  heartbeat: {
    key: 12,
    args: { groupId: 'g', groupGenerationId: 2, memberId: 'm-1', groupInstanceId: null },
    request: (v) => ({ groupId: 'g', generationId: 2, memberId: 'm-1', ...(v >= 3 ? { groupInstanceId: null } : {}) }),
    response: { throttleTimeMs: 10, errorCode: 0 },
    decoded: (v) => ({ ...(v >= 1 ? { throttleTime: 10 } : {}), errorCode: 0 }),
  },
  leaveGroup: {
    key: 13,
    args: { groupId: 'g', memberId: 'm-1', groupInstanceId: null },
    request: (v) => ({ groupId: 'g', ...(v >= 3 ? { members: [{ memberId: 'm-1', groupInstanceId: null }] } : { memberId: 'm-1' }) }),
    response: { throttleTimeMs: 11, errorCode: 0, members: [{ memberId: 'm-1', groupInstanceId: null, errorCode: 0 }] },
    decoded: (v) => ({
      ...(v >= 1 ? { throttleTime: 11 } : {}),
      errorCode: 0,
      ...(v >= 3 ? { members: [{ memberId: 'm-1', groupInstanceId: null, errorCode: 0 }] } : {}),
    }),
  },
  syncGroup: {
    key: 14,
    args: { groupId: 'g', generationId: 2, memberId: 'm-1', groupInstanceId: null, groupAssignment: [{ memberId: 'm-1', memberAssignment: assignment }] },
    request: (v) => ({
      groupId: 'g',
      generationId: 2,
      memberId: 'm-1',
      ...(v >= 3 ? { groupInstanceId: null } : {}),
      assignments: [{ memberId: 'm-1', assignment }],
    }),
    response: { throttleTimeMs: 13, errorCode: 0, assignment },
    decoded: (v) => ({ ...(v >= 1 ? { throttleTime: 13 } : {}), errorCode: 0, memberAssignment: assignment }),
  },
  describeGroups: {
    key: 15,
    args: { groupIds: ['g', 'h'] },
    request: () => ({ groups: ['g', 'h'] }),
    response: {
      throttleTimeMs: 14,
      groups: [
        {
          errorCode: 0,
          groupId: 'g',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'range',
          members: [{ memberId: 'm-1', groupInstanceId: null, clientId: 'c', clientHost: '/10.0.0.1', memberMetadata: meta, memberAssignment: assignment }],
        },
      ],
    },
    decoded: (v) => ({
      ...(v >= 1 ? { throttleTime: 14 } : {}),
      groups: [
        {
          errorCode: 0,
          groupId: 'g',
          state: 'Stable',
          protocolType: 'consumer',
          protocol: 'range',
          members: [{ memberId: 'm-1', clientId: 'c', clientHost: '/10.0.0.1', memberMetadata: meta, memberAssignment: assignment }],
        },
      ],
    }),
  },
  listGroups: {
    key: 16,
    args: {},
    request: () => ({}),
    response: { throttleTimeMs: 15, errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer' }] },
    decoded: (v) => ({ ...(v >= 1 ? { throttleTime: 15 } : {}), errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer' }] }),
  },
  saslHandshake: {
    key: 17,
    args: { mechanism: 'SCRAM-SHA-256' },
    request: () => ({ mechanism: 'SCRAM-SHA-256' }),
    response: { errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] },
    decoded: () => ({ errorCode: 0, enabledMechanisms: ['PLAIN', 'SCRAM-SHA-256'] }),
  },
  apiVersions: {
    key: 18,
    args: {},
    request: () => ({}),
    response: { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }, { apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 16 },
    decoded: (v) => ({
      errorCode: 0,
      apiVersions: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }, { apiKey: 18, minVersion: 0, maxVersion: 4 }],
      ...(v >= 1 ? { throttleTime: 16 } : {}),
    }),
  },
  createTopics: {
    key: 19,
    args: {
      timeout: 20000,
      validateOnly: true,
      topics: [
        {
          topic: 'orders',
          numPartitions: 3,
          replicationFactor: 1,
          replicaAssignment: [{ partition: 0, replicas: [1, 2] }],
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    },
    request: (v) => ({
      timeoutMs: 20000,
      ...(v >= 1 ? { validateOnly: true } : {}),
      topics: [
        {
          name: 'orders',
          numPartitions: 3,
          replicationFactor: 1,
          assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
          configs: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    }),
    response: { throttleTimeMs: 17, topics: [{ name: 'orders', errorCode: 36, errorMessage: 'Topic already exists' }] },
    decoded: (v) => ({
      ...(v >= 2 ? { throttleTime: 17 } : {}),
      topicErrors: [{ topic: 'orders', errorCode: 36, ...(v >= 1 ? { errorMessage: 'Topic already exists' } : {}) }],
    }),
  },
  deleteTopics: {
    key: 20,
    args: { topics: ['orders', 'audit'], timeout: 15000 },
    request: () => ({ topicNames: ['orders', 'audit'], timeoutMs: 15000 }),
    response: { throttleTimeMs: 18, responses: [{ name: 'audit', errorCode: 3 }, { name: 'orders', errorCode: 0 }] },
    decoded: (v) => ({
      ...(v >= 1 ? { throttleTime: 18 } : {}),
      topicErrors: [
        { topic: 'audit', errorCode: 3 },
        { topic: 'orders', errorCode: 0 },
      ],
    }),
  },
  deleteRecords: {
    key: 21,
    args: { timeout: 9000, topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '500' }] }] },
    request: () => ({ timeoutMs: 9000, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 500 }] }] }),
    response: { throttleTimeMs: 19, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, lowWatermark: 500, errorCode: 0 }] }] },
    decoded: () => ({ throttleTime: 19, topics: [{ topic: 'orders', partitions: [{ partition: 0, lowWatermark: '500', errorCode: 0 }] }] }),
  },
  initProducerId: {
    key: 22,
    args: { transactionalId: 'tx-1', transactionTimeout: 60000 },
    request: () => ({ transactionalId: 'tx-1', transactionTimeoutMs: 60000 }),
    response: { throttleTimeMs: 20, errorCode: 0, producerId: 4000000000, producerEpoch: 3 },
    decoded: (v) => ({ throttleTime: 20, errorCode: 0, producerId: '4000000000', producerEpoch: 3 }),
  },
  addPartitionsToTxn: {
    key: 24,
    args: { transactionalId: 'tx-1', producerId: Long.fromNumber(4000000000), producerEpoch: 3, topics: [{ topic: 'orders', partitions: [0, 2] }] },
    request: () => ({
      v3AndBelowTransactionalId: 'tx-1',
      v3AndBelowProducerId: 4000000000,
      v3AndBelowProducerEpoch: 3,
      v3AndBelowTopics: [{ name: 'orders', partitions: [0, 2] }],
    }),
    response: {
      throttleTimeMs: 21,
      resultsByTopicV3AndBelow: [{ name: 'orders', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: 0 }, { partitionIndex: 2, partitionErrorCode: 0 }] }],
    },
    decoded: (v) => ({
      throttleTime: 21,
      errors: [{ topic: 'orders', partitionErrors: [{ partition: 0, errorCode: 0 }, { partition: 2, errorCode: 0 }] }],
    }),
  },
  addOffsetsToTxn: {
    key: 25,
    args: { transactionalId: 'tx-1', producerId: Long.fromNumber(4000000000), producerEpoch: 3, groupId: 'g' },
    request: () => ({ transactionalId: 'tx-1', producerId: 4000000000, producerEpoch: 3, groupId: 'g' }),
    response: { throttleTimeMs: 22, errorCode: 0 },
    decoded: (v) => ({ throttleTime: 22, errorCode: 0 }),
  },
  endTxn: {
    key: 26,
    args: { transactionalId: 'tx-1', producerId: Long.fromNumber(4000000000), producerEpoch: 3, transactionResult: true },
    request: () => ({ transactionalId: 'tx-1', producerId: 4000000000, producerEpoch: 3, committed: true }),
    response: { throttleTimeMs: 23, errorCode: 0 },
    decoded: (v) => ({ throttleTime: 23, errorCode: 0 }),
  },
  txnOffsetCommit: {
    key: 28,
    args: {
      transactionalId: 'tx-1',
      groupId: 'g',
      producerId: Long.fromNumber(4000000000),
      producerEpoch: 3,
      topics: [{ topic: 'orders', partitions: [{ partition: 1, offset: '77', metadata: null }] }],
    },
    request: () => ({
      transactionalId: 'tx-1',
      groupId: 'g',
      producerId: 4000000000,
      producerEpoch: 3,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 77, committedMetadata: null }] }],
    }),
    response: { throttleTimeMs: 24, topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, errorCode: 0 }] }] },
    decoded: (v) => ({ throttleTime: 24, topics: [{ topic: 'orders', partitions: [{ partition: 1, errorCode: 0 }] }] }),
  },
  describeAcls: {
    key: 29,
    args: { resourceType: 2, resourceName: 'orders', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
    request: (v) => ({
      resourceTypeFilter: 2,
      resourceNameFilter: 'orders',
      ...(v >= 1 ? { patternTypeFilter: 3 } : {}),
      principalFilter: 'User:alice',
      hostFilter: '*',
      operation: 3,
      permissionType: 3,
    }),
    response: {
      throttleTimeMs: 25,
      errorCode: 0,
      errorMessage: null,
      resources: [{ resourceType: 2, resourceName: 'orders', patternType: 3, acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }],
    },
    decoded: (v) => ({
      errorCode: 0,
      errorMessage: null,
      resources: [
        { resourceType: 2, resourceName: 'orders', ...(v >= 1 ? { resourcePatternType: 3 } : {}), acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] },
      ],
    }),
  },
  createAcls: {
    key: 30,
    args: {
      creations: [{ resourceType: 2, resourceName: 'orders', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }],
    },
    request: (v) => ({
      creations: [{ resourceType: 2, resourceName: 'orders', ...(v >= 1 ? { resourcePatternType: 3 } : {}), principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }],
    }),
    response: { throttleTimeMs: 26, results: [{ errorCode: 0, errorMessage: null }] },
    decoded: () => ({ creationResponses: [{ errorCode: 0, errorMessage: null }] }),
  },
  deleteAcls: {
    key: 31,
    args: {
      filters: [{ resourceType: 2, resourceName: 'orders', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }],
    },
    request: (v) => ({
      filters: [
        {
          resourceTypeFilter: 2,
          resourceNameFilter: 'orders',
          ...(v >= 1 ? { patternTypeFilter: 3 } : {}),
          principalFilter: 'User:alice',
          hostFilter: '*',
          operation: 3,
          permissionType: 3,
        },
      ],
    }),
    response: {
      throttleTimeMs: 27,
      filterResults: [
        {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', patternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }],
        },
      ],
    },
    decoded: (v) => ({
      filterResponses: [
        {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: [
            { errorCode: 0, resourceType: 2, resourceName: 'orders', ...(v >= 1 ? { resourcePatternType: 3 } : {}), principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
          ],
        },
      ],
    }),
  },
  describeConfigs: {
    key: 32,
    args: { resources: [{ type: 2, name: 'orders', configNames: ['retention.ms'] }], includeSynonyms: true },
    request: (v) => ({ resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms'] }], ...(v >= 1 ? { includeSynonyms: true } : {}) }),
    response: {
      throttleTimeMs: 28,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 2,
          resourceName: 'orders',
          configs: [
            {
              name: 'retention.ms',
              value: '1000',
              readOnly: false,
              isDefault: false,
              configSource: 1,
              isSensitive: false,
              synonyms: [{ name: 'retention.ms', value: '1000', source: 1 }],
            },
          ],
        },
      ],
    },
    decoded: (v) => ({
      throttleTime: 28,
      resources: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 2,
          resourceName: 'orders',
          configEntries: [
            {
              configName: 'retention.ms',
              configValue: '1000',
              readOnly: false,
              isDefault: false,
              configSource: 1,
              isSensitive: false,
              ...(v >= 1 ? { configSynonyms: [{ configName: 'retention.ms', configValue: '1000', configSource: 1 }] } : {}),
            },
          ],
        },
      ],
    }),
  },
  alterConfigs: {
    key: 33,
    args: { validateOnly: true, resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'retention.ms', value: '5000' }] }] },
    request: () => ({ validateOnly: true, resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', value: '5000' }] }] }),
    response: { throttleTimeMs: 29, responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' }] },
    decoded: () => ({ resources: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' }] }),
  },
  saslAuthenticate: {
    key: 36,
    // kafkajs's SASL mechanisms hand over (and expect back) bytes with their int32 length.
    args: { authBytes: withLength('\0alice\0secret') },
    request: () => ({ authBytes: Buffer.from('\0alice\0secret') }),
    response: { errorCode: 0, errorMessage: null, authBytes: Buffer.from('server-final'), sessionLifetimeMs: 3600000 },
    decoded: (v) => ({ errorCode: 0, errorMessage: null, authBytes: withLength('server-final'), ...(v >= 1 ? { sessionLifetimeMs: '3600000' } : {}) }),
  },
  createPartitions: {
    key: 37,
    args: { timeout: 7000, validateOnly: false, topicPartitions: [{ topic: 'orders', count: 6, assignments: [[1], [2]] }] },
    request: () => ({ timeoutMs: 7000, validateOnly: false, topics: [{ name: 'orders', count: 6, assignments: [{ brokerIds: [1] }, { brokerIds: [2] }] }] }),
    response: { throttleTimeMs: 30, results: [{ name: 'orders', errorCode: 0, errorMessage: null }] },
    decoded: () => ({ throttleTime: 30, topicErrors: [{ topic: 'orders', errorCode: 0 }] }),
  },
  deleteGroups: {
    key: 42,
    args: ['g', 'h'],
    request: () => ({ groupsNames: ['g', 'h'] }),
    response: { throttleTimeMs: 31, results: [{ groupId: 'g', errorCode: 0 }, { groupId: 'h', errorCode: 69 }] },
    decoded: () => ({ throttleTimeMs: 31, results: [{ groupId: 'g', errorCode: 0 }, { groupId: 'h', errorCode: 69 }] }),
  },
  alterPartitionReassignments: {
    key: 45,
    args: { timeout: 6000, topics: [{ topic: 'orders', partitionAssignment: [{ partition: 0, replicas: [2, 3] }] }] },
    request: () => ({ timeoutMs: 6000, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, replicas: [2, 3] }] }] }),
    response: {
      throttleTimeMs: 32,
      errorCode: 0,
      errorMessage: null,
      responses: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }] }],
    },
    decoded: () => ({ throttleTime: 32, errorCode: 0, responses: [{ topic: 'orders', partitions: [{ partition: 0, errorCode: 0 }] }] }),
  },
  listPartitionReassignments: {
    key: 46,
    args: { timeout: 6000, topics: [{ topic: 'orders', partitions: [0, 1] }] },
    request: () => ({ timeoutMs: 6000, topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }),
    response: {
      throttleTimeMs: 33,
      errorCode: 0,
      errorMessage: null,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [1] }] }],
    },
    decoded: () => ({
      throttleTime: 33,
      errorCode: 0,
      topics: [{ name: 'orders', partitions: [{ partition: 0, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [1] }] }],
    }),
  },
};

const apiDirs = (require('node:fs') as typeof import('node:fs'))
  .readdirSync(require.resolve(`${KJS}/requests/index.js`).replace(/index\.js$/, ''), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

it('covers every API kafkajs implements', () => {
  expect(Object.keys(cases).sort()).toEqual([...apiDirs].sort());
});

const table = Object.entries(cases).flatMap(([dir, c]) => {
  const api = require(`${KJS}/requests/${dir}/index.js`) as KafkajsApi;
  const def = apiDefs.find((d) => d.apiKey === c.key);
  return api.versions
    .map(Number)
    .filter((v) => def !== undefined && v >= def.minVersion && v <= def.maxVersion)
    .map((v) => [`${dir} v${v}`, dir, c, api, v] as const);
});

describe.each(table)('%s', (_, dir, c, api, v) => {
  const built = api.protocol({ version: v })(c.args);

  it('kafkajs request decodes with Creek', async () => {
    expect(built.request.apiKey).toBe(c.key);
    expect(built.request.apiVersion).toBe(v);
    const { buffer } = await createRequest({ correlationId: 321, clientId: 'kafkajs', request: built.request });
    expect(buffer.readInt32BE(0)).toBe(buffer.length - 4);
    const { header, body } = decodeRequest(buffer.subarray(4));
    expect(header).toEqual({ apiKey: c.key, apiVersion: v, correlationId: 321, clientId: 'kafkajs' });
    expect(body).toMatchObject(c.request(v));
  });

  it('Creek response decodes with kafkajs', async () => {
    const frame = Buffer.concat(encodeResponse(c.key, v, 321, c.response));
    expect(frame.readInt32BE(4)).toBe(321);
    // kafkajs's connection strips the size and correlation id; the decoder gets the rest.
    const decoded = plain(await built.response.decode(frame.subarray(8)));
    expect(decoded, dir).toMatchObject(c.decoded(v));
  });
});
