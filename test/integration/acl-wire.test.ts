// ACLs at the protocol level: CreateAcls/DescribeAcls/DeleteAcls at every version with their
// filters and Kafka's validation errors, and the checks of Metadata, FindCoordinator,
// InitProducerId, Produce, OffsetCommit, WriteTxnMarkers, DescribeConfigs, DescribeGroups and
// ConsumerGroupDescribe (errors and authorized-operation sets), for SASL/PLAIN users of a broker
// with the StandardAuthorizer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch } from '../../protocol/records/index.js';
import type { RunningBroker } from '../../src/broker.js';
import { AclOperation as Op, PatternType as Pat, PermissionType as Perm, ResourceType as Res } from '../../src/security/authorizer/acl.js';
import { withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { produceRequest } from '../helpers/raw-requests.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="a" user_alice="a" user_bob="b";';
const properties = (extra: Record<string, string> = {}) => ({
  listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
  'sasl.enabled.mechanisms': 'PLAIN',
  'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
  'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'super.users': 'User:admin',
  ...extra,
});

const creation = (c: Partial<{ resourceType: number; resourceName: string; resourcePatternType: number; principal: string; host: string; operation: number; permissionType: number }>) => ({
  resourceType: Res.TOPIC,
  resourceName: 'wire',
  resourcePatternType: Pat.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: Op.READ,
  permissionType: Perm.ALLOW,
  ...c,
});
/** Kafka's authorized_operations when the request did not ask for them (or the group is refused). */
const NOT_REQUESTED = -2147483648;
const ANY_FILTER = { resourceTypeFilter: Res.ANY, resourceNameFilter: null, patternTypeFilter: Pat.ANY, principalFilter: null, hostFilter: null, operation: Op.ANY, permissionType: Perm.ANY };
const metadata = (topics: string[] | null, allowAutoTopicCreation = false) => ({
  topics: topics === null ? null : topics.map((name) => ({ name, topicId: ZERO_UUID })),
  allowAutoTopicCreation,
  includeClusterAuthorizedOperations: true,
  includeTopicAuthorizedOperations: true,
});

let broker: RunningBroker;
let admin: RawClient;
let alice: RawClient;

async function grant(...creations: ReturnType<typeof creation>[]): Promise<void> {
  const { results } = await admin.send(30, 3, { creations });
  expect(results.every((r) => r.errorCode === ErrorCode.NONE)).toBe(true);
}

async function revokeAll(): Promise<void> {
  await admin.send(31, 3, { filters: [ANY_FILTER] });
}

beforeAll(async () => {
  broker = await withBroker({ properties: properties() });
  admin = await RawClient.connectPlain(broker.host, broker.port, 'admin', 'a');
  alice = await RawClient.connectPlain(broker.host, broker.port, 'alice', 'a');
  const created = await admin.send(19, 7, {
    topics: ['wire', 'wire-2', 'hidden'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
    timeoutMs: 5000,
    validateOnly: false,
  });
  expect(created.topics.map((t) => t.errorCode)).toEqual([0, 0, 0]);
});
afterAll(async () => {
  admin?.close();
  alice?.close();
  await broker?.stop();
});

describe('ACL APIs', () => {
  it('create, describe and delete at every version', async () => {
    for (let version = 1; version <= 3; version++) {
      const prefixed = [creation({ resourceName: 'wi', resourcePatternType: Pat.PREFIXED })];
      const created = await admin.send(30, version, { creations: [creation({}), ...prefixed] });
      expect(created.results).toEqual([creation({}), ...prefixed].map(() => ({ errorCode: 0, errorMessage: null })));
      const described = await admin.send(29, version, { ...ANY_FILTER, patternTypeFilter: Pat.ANY });
      expect(described.errorCode).toBe(ErrorCode.NONE);
      expect(described.resources.map((r) => r.resourceName).sort()).toEqual(['wi', 'wire']);
      expect(described.resources.find((r) => r.resourceName === 'wire')!.acls).toEqual([{ principal: 'User:alice', host: '*', operation: Op.READ, permissionType: Perm.ALLOW }]);
      const deleted = await admin.send(31, version, { filters: [{ ...ANY_FILTER, patternTypeFilter: Pat.ANY }] });
      expect(deleted.filterResults[0]!.matchingAcls).toHaveLength(2);
      expect(deleted.filterResults[0]!.matchingAcls[0]).toMatchObject({ errorCode: 0, resourceType: Res.TOPIC, principal: 'User:alice', operation: Op.READ });
      expect((await admin.send(29, version, { ...ANY_FILTER, patternTypeFilter: Pat.LITERAL })).resources).toEqual([]);
    }
  });

  it('describes with MATCH every pattern that applies to a name, and with null fields as wildcards', async () => {
    await grant(
      creation({}),
      creation({ resourceName: '*' }),
      creation({ resourceName: 'wi', resourcePatternType: Pat.PREFIXED }),
      creation({ resourceName: 'other' }),
      creation({ resourceType: Res.GROUP, resourceName: 'wire', principal: 'User:bob', host: '10.0.0.1' }),
    );
    try {
      const match = await admin.send(29, 3, { ...ANY_FILTER, resourceTypeFilter: Res.TOPIC, resourceNameFilter: 'wire', patternTypeFilter: Pat.MATCH });
      expect(match.resources.map((r) => `${r.patternType}:${r.resourceName}`).sort()).toEqual([`${Pat.LITERAL}:*`, `${Pat.LITERAL}:wire`, `${Pat.PREFIXED}:wi`]);
      const byPrincipal = await admin.send(29, 3, { ...ANY_FILTER, principalFilter: 'User:bob', hostFilter: '10.0.0.1' });
      expect(byPrincipal.resources).toEqual([{ resourceType: Res.GROUP, resourceName: 'wire', patternType: Pat.LITERAL, acls: [{ principal: 'User:bob', host: '10.0.0.1', operation: Op.READ, permissionType: Perm.ALLOW }] }]);
      const deleteOne = await admin.send(31, 3, { filters: [{ ...ANY_FILTER, resourceTypeFilter: Res.TOPIC, resourceNameFilter: 'other', patternTypeFilter: Pat.LITERAL }] });
      expect(deleteOne.filterResults[0]!.matchingAcls.map((a) => a.resourceName)).toEqual(['other']);
    } finally {
      await revokeAll();
    }
  });

  it('refuses invalid creations one by one and unknown filters with INVALID_REQUEST, losing nothing already granted', async () => {
    await grant(creation({ resourceName: 'kept' }));
    const { results } = await admin.send(30, 3, {
      creations: [
        creation({ resourceType: Res.ANY }),
        creation({ resourcePatternType: Pat.MATCH }),
        creation({ operation: Op.ANY }),
        creation({ permissionType: Perm.ANY }),
        creation({ principal: 'alice' }),
        creation({ resourceName: '' }),
        creation({ resourceType: Res.CLUSTER, resourceName: 'cluster' }),
        creation({ resourceName: 'valid' }),
      ],
    });
    expect(results.map((r) => r.errorCode)).toEqual([42, 42, 42, 42, 42, 42, 42, 0]);
    expect(results.map((r) => r.errorMessage)).toEqual([
      'Invalid resourceType ANY',
      'Invalid patternType MATCH',
      'Invalid operation ANY',
      'Invalid permissionType ANY',
      'Could not parse principal from `alice` (no colon is present separating the principal type from the principal name)',
      'Invalid empty resource name',
      'The only valid name for the CLUSTER resource is kafka-cluster',
      null,
    ]);
    expect((await admin.send(29, 3, { ...ANY_FILTER, resourceTypeFilter: Res.UNKNOWN })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    const deleted = await admin.send(31, 3, { filters: [{ ...ANY_FILTER, patternTypeFilter: Pat.UNKNOWN }, { ...ANY_FILTER, operation: Op.UNKNOWN }, ANY_FILTER] });
    expect(deleted.filterResults.map((r) => [r.errorCode, r.errorMessage])).toEqual([[42, 'Unknown patternFilter.'], [42, 'Unknown entryFilter.'], [0, null]]);
    expect(deleted.filterResults[2]!.matchingAcls.map((a) => a.resourceName)).toEqual(['kept', 'valid']);
  });

  it('needs DESCRIBE on the cluster to describe and ALTER to create or delete', async () => {
    expect((await alice.send(29, 3, ANY_FILTER)).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    expect((await alice.send(30, 3, { creations: [creation({}), creation({})] })).results.map((r) => r.errorCode)).toEqual([31, 31]);
    expect((await alice.send(31, 3, { filters: [ANY_FILTER] })).filterResults.map((r) => r.errorCode)).toEqual([31]);
    await grant(creation({ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.ALTER }));
    try {
      // ALTER implies DESCRIBE.
      expect((await alice.send(29, 3, ANY_FILTER)).errorCode).toBe(ErrorCode.NONE);
      expect((await alice.send(30, 3, { creations: [creation({ principal: 'User:bob' })] })).results[0]!.errorCode).toBe(ErrorCode.NONE);
    } finally {
      await revokeAll();
    }
  });
});

describe('checks in the APIs', () => {
  it('Metadata hides topics from "all topics", refuses named ones and auto-creation without CREATE, and reports operations', async () => {
    await grant(creation({ operation: Op.WRITE }), creation({ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.DESCRIBE }));
    try {
      const all = await alice.send(3, 10, metadata(null));
      expect(all.topics.map((t) => t.name)).toEqual(['wire']);
      expect(all.topics[0]!.topicAuthorizedOperations).toBe((1 << Op.WRITE) | (1 << Op.DESCRIBE));
      expect(all.clusterAuthorizedOperations).toBe(1 << Op.DESCRIBE);
      const named = await alice.send(3, 10, metadata(['wire', 'hidden', 'not-there'], true));
      expect(named.topics.map((t) => [t.name, t.errorCode])).toEqual([['wire', 0], ['hidden', 29], ['not-there', 29]]);
      // CREATE does not imply DESCRIBE, which Metadata checks first.
      await grant(creation({ resourceName: 'not-', resourcePatternType: Pat.PREFIXED, operation: Op.CREATE }));
      expect((await alice.send(3, 10, metadata(['not-there'], true))).topics[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      await grant(creation({ resourceName: 'not-', resourcePatternType: Pat.PREFIXED, operation: Op.DESCRIBE }));
      const created = await alice.send(3, 10, metadata(['not-there'], true));
      expect(created.topics.map((t) => [t.name, t.errorCode])).toEqual([['not-there', 0]]);
    } finally {
      await revokeAll();
    }
  });

  it('FindCoordinator needs DESCRIBE on the group or transactional id', async () => {
    const v4 = await alice.send(10, 4, { key: '', keyType: 0, coordinatorKeys: ['g1', 'g2'] });
    expect(v4.coordinators?.map((c) => c.errorCode)).toEqual([ErrorCode.GROUP_AUTHORIZATION_FAILED, ErrorCode.GROUP_AUTHORIZATION_FAILED]);
    expect((await alice.send(10, 3, { key: 'tx', keyType: 1, coordinatorKeys: [] })).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    await grant(creation({ resourceType: Res.GROUP, resourceName: 'g1' }), creation({ resourceType: Res.TRANSACTIONAL_ID, resourceName: 'tx', operation: Op.WRITE }));
    try {
      const after = await alice.send(10, 4, { key: '', keyType: 0, coordinatorKeys: ['g1', 'g2'] });
      expect(after.coordinators?.map((c) => c.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.GROUP_AUTHORIZATION_FAILED]);
      expect((await alice.send(10, 3, { key: 'tx', keyType: 1, coordinatorKeys: [] })).errorCode).toBe(ErrorCode.NONE);
    } finally {
      await revokeAll();
    }
  });

  it('InitProducerId for an idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic', async () => {
    const idempotent = { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false };
    expect((await alice.send(22, 4, idempotent)).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    await grant(creation({ resourceName: 'some-', resourcePatternType: Pat.PREFIXED, operation: Op.WRITE }));
    expect((await alice.send(22, 4, idempotent)).errorCode).toBe(ErrorCode.NONE);
    await revokeAll();
    await grant(creation({ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.IDEMPOTENT_WRITE }));
    expect((await alice.send(22, 4, idempotent)).errorCode).toBe(ErrorCode.NONE);
    await revokeAll();
  });

  it('OffsetCommit needs READ on the group, then READ on each topic', async () => {
    const commit = {
      groupId: 'committer', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
      topics: ['wire', 'wire-2'].map((name) => ({ name, topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: '' }] })),
    };
    const codes = async () => (await alice.send(8, 8, commit)).topics.map((t) => t.partitions[0]!.errorCode);
    expect(await codes()).toEqual([ErrorCode.GROUP_AUTHORIZATION_FAILED, ErrorCode.GROUP_AUTHORIZATION_FAILED]);
    await grant(creation({ resourceType: Res.GROUP, resourceName: 'committer' }), creation({}));
    try {
      expect(await codes()).toEqual([ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
    } finally {
      await revokeAll();
    }
  });

  it('Produce with transactional records needs WRITE on its transactional id (and an id), as Kafka', async () => {
    await grant(creation({ operation: Op.WRITE }));
    try {
      const transactional = encodeBatch({ records: [{ value: Buffer.from('t') }], producerId: 7, producerEpoch: 0, baseSequence: 0, transactional: true });
      const errorOf = async (records: Buffer, transactionalId: string | null) =>
        (await alice.send(0, 9, produceRequest({ topic: 'wire', records }, { transactionalId, timeoutMs: 1000 }))).responses[0]!.partitionResponses[0]!.errorCode;
      expect(await errorOf(transactional, 'not-mine')).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      expect(await errorOf(transactional, null)).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      // Without transactional batches the id is not checked: a plain batch is written.
      expect(await errorOf(encodeBatch({ records: [{ value: Buffer.from('plain') }] }), 'not-mine')).toBe(ErrorCode.NONE);
    } finally {
      await revokeAll();
    }
  });

  it('Produce checks WRITE on a topic before telling it does not exist, and never creates it', async () => {
    const produce = async (version: number, topics: { name: string; topicId: string }[], acks = -1) =>
      (await alice.send(0, version, {
        transactionalId: null,
        acks,
        timeoutMs: 5000,
        topicData: topics.map((t) => ({ ...t, partitionData: [{ index: 0, records: encodeBatch({ records: [{ value: Buffer.from('v') }] }) }] })),
      })).responses.map((t) => t.partitionResponses[0]!.errorCode);
    const byName = [{ name: 'wire', topicId: ZERO_UUID }, { name: 'not-yet', topicId: ZERO_UUID }];
    expect(await produce(9, byName)).toEqual([ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
    // Invalid acks are checked only once the topic is known to be writable and to exist.
    expect(await produce(9, byName, 2)).toEqual([ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
    // A topic id the broker does not know is told before any authorization, as Kafka does.
    expect(await produce(13, [{ name: '', topicId: 'XZscLgAAQACAAAAAAAAAAQ' }])).toEqual([ErrorCode.UNKNOWN_TOPIC_ID]);
    // Even a client that may create the topic (and auto.create.topics.enable is on) only learns it is unknown.
    await grant(
      creation({ operation: Op.WRITE }),
      creation({ resourceName: 'not-yet', operation: Op.WRITE }),
      creation({ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.CREATE }),
    );
    try {
      expect(await produce(9, byName)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
      expect((await admin.send(3, 10, metadata(null))).topics.map((t) => t.name)).not.toContain('not-yet');
    } finally {
      await revokeAll();
    }
  });

  it('WriteTxnMarkers needs CLUSTER_ACTION on the cluster', async () => {
    const markers = (topic: string) => ({
      markers: [{ producerId: 4242, producerEpoch: 0, transactionResult: false, coordinatorEpoch: 0, transactionVersion: 0, topics: [{ name: topic, partitionIndexes: [0] }] }],
    });
    const codes = (r: { markers: { topics: { partitions: { errorCode: number }[] }[] }[] }) => r.markers.flatMap((m) => m.topics.flatMap((t) => t.partitions.map((p) => p.errorCode)));
    await grant(creation({ operation: Op.ALL }), creation({ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.ALTER }));
    try {
      expect(codes(await alice.send(27, 1, markers('wire')))).toEqual([ErrorCode.CLUSTER_AUTHORIZATION_FAILED]);
    } finally {
      await revokeAll();
    }
    await grant(creation({ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.CLUSTER_ACTION }));
    try {
      expect(codes(await alice.send(27, 2, markers('wire')))).toEqual([ErrorCode.NONE]);
      expect(codes(await alice.send(27, 1, markers('no-such-topic')))).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    } finally {
      await revokeAll();
    }
  });

  it('DescribeConfigs needs DESCRIBE_CONFIGS on the topic or the cluster; ALTER_CONFIGS implies it', async () => {
    const describe = async () =>
      (await alice.send(32, 4, {
        resources: [{ resourceType: 2, resourceName: 'wire', configurationKeys: ['retention.ms'] }, { resourceType: 4, resourceName: '1', configurationKeys: ['num.partitions'] }],
        includeSynonyms: false,
        includeDocumentation: false,
      })).results.map((r) => r.errorCode);
    expect(await describe()).toEqual([ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.CLUSTER_AUTHORIZATION_FAILED]);
    await grant(creation({ operation: Op.ALTER_CONFIGS }));
    try {
      expect(await describe()).toEqual([ErrorCode.NONE, ErrorCode.CLUSTER_AUTHORIZATION_FAILED]);
    } finally {
      await revokeAll();
    }
  });

  it('DescribeGroups refuses groups without DESCRIBE and reports the allowed operations', async () => {
    await grant(creation({ resourceType: Res.GROUP, resourceName: 'seen' }));
    try {
      const { groups } = await alice.send(15, 5, { groups: ['seen', 'unseen'], includeAuthorizedOperations: true });
      expect(groups.map((g) => g.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.GROUP_AUTHORIZATION_FAILED]);
      expect(groups[0]!.authorizedOperations).toBe((1 << Op.READ) | (1 << Op.DESCRIBE));
    } finally {
      await revokeAll();
    }
  });

  it('ConsumerGroupDescribe reports exactly the operations allowed on the group, and Kafka\'s sentinel when not asked', async () => {
    const joined = await admin.send(68, 0, { groupId: 'described-848', memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 5000, subscribedTopicNames: ['wire'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] });
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    await grant(creation({ resourceType: Res.GROUP, resourceName: 'described-848', operation: Op.DESCRIBE }));
    try {
      const describe = async (client: RawClient, includeAuthorizedOperations: boolean) => {
        const { groups } = await client.send(69, 1, { groupIds: ['described-848', 'unseen-848'], includeAuthorizedOperations });
        return groups.map((g) => [g.errorCode, g.authorizedOperations]);
      };
      // Kafka's AclEntry.supportedOperations(GROUP): READ, DESCRIBE, DELETE, DESCRIBE_CONFIGS, ALTER_CONFIGS.
      const allGroupOperations = [Op.READ, Op.DESCRIBE, Op.DELETE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS].reduce((bits, op) => bits | (1 << op), 0);
      expect(await describe(alice, true)).toEqual([[ErrorCode.NONE, 1 << Op.DESCRIBE], [ErrorCode.GROUP_AUTHORIZATION_FAILED, NOT_REQUESTED]]);
      expect(await describe(alice, false)).toEqual([[ErrorCode.NONE, NOT_REQUESTED], [ErrorCode.GROUP_AUTHORIZATION_FAILED, NOT_REQUESTED]]);
      expect(await describe(admin, true)).toEqual([[ErrorCode.NONE, allGroupOperations], [ErrorCode.GROUP_ID_NOT_FOUND, NOT_REQUESTED]]);
      expect(await describe(admin, false)).toEqual([[ErrorCode.NONE, NOT_REQUESTED], [ErrorCode.GROUP_ID_NOT_FOUND, NOT_REQUESTED]]);
    } finally {
      await revokeAll();
      await admin.send(68, 0, { groupId: 'described-848', memberId: joined.memberId!, memberEpoch: -1, instanceId: null, rackId: null, rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null });
    }
  });
});

// One row per API the tests above do not cover: refused without the operation Kafka's table names
// (with its error, where the API answers it), answered without that error once the operation is
// granted on that resource alone.
interface ApiCheck {
  api: string;
  /** The refusal expected without a grant. */
  refused: number;
  /** The grant that lifts it. */
  grant: ReturnType<typeof creation>;
  /** Sends the request as alice; the error codes of the answer's items (or its top-level code). */
  codes(): Promise<number[]>;
}
const cluster = (operation: number) => creation({ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation });
const API_CHECKS: ApiCheck[] = [
  {
    api: 'ListOffsets (DESCRIBE topic)', refused: ErrorCode.TOPIC_AUTHORIZATION_FAILED, grant: creation({ operation: Op.DESCRIBE }),
    codes: async () => (await alice.send(2, 9, { replicaId: -1, isolationLevel: 0, timeoutMs: 5000, topics: [{ name: 'wire', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] })).topics.flatMap((t) => t.partitions.map((x) => x.errorCode)),
  },
  {
    api: 'OffsetForLeaderEpoch (DESCRIBE topic)', refused: ErrorCode.TOPIC_AUTHORIZATION_FAILED, grant: creation({ operation: Op.DESCRIBE }),
    codes: async () => (await alice.send(23, 4, { replicaId: -1, topics: [{ topic: 'wire', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] })).topics.flatMap((t) => t.partitions.map((x) => x.errorCode)),
  },
  {
    api: 'DescribeTopicPartitions (DESCRIBE topic)', refused: ErrorCode.TOPIC_AUTHORIZATION_FAILED, grant: creation({ operation: Op.DESCRIBE }),
    codes: async () => (await alice.send(75, 0, { topics: [{ name: 'wire' }], responsePartitionLimit: 100, cursor: null })).topics.map((t) => t.errorCode),
  },
  {
    api: 'DescribeProducers (READ topic)', refused: ErrorCode.TOPIC_AUTHORIZATION_FAILED, grant: creation({ operation: Op.READ }),
    codes: async () => (await alice.send(61, 0, { topics: [{ name: 'wire', partitionIndexes: [0] }] })).topics.flatMap((t) => t.partitions.map((x) => x.errorCode)),
  },
  {
    api: 'DeleteRecords (DELETE topic)', refused: ErrorCode.TOPIC_AUTHORIZATION_FAILED, grant: creation({ resourceName: 'api-records', operation: Op.DELETE }),
    codes: async () => (await alice.send(21, 2, { topics: [{ name: 'api-records', partitions: [{ partitionIndex: 0, offset: 0 }] }], timeoutMs: 5000 })).topics.flatMap((t) => t.partitions.map((x) => x.errorCode)),
  },
  {
    api: 'CreatePartitions (ALTER topic)', refused: ErrorCode.TOPIC_AUTHORIZATION_FAILED, grant: creation({ resourceName: 'api-grows', operation: Op.ALTER }),
    codes: async () => (await alice.send(37, 3, { topics: [{ name: 'api-grows', count: 2, assignments: null }], timeoutMs: 5000, validateOnly: true })).results.map((r) => r.errorCode),
  },
  {
    api: 'DeleteTopics (DELETE topic)', refused: ErrorCode.TOPIC_AUTHORIZATION_FAILED, grant: creation({ resourceName: 'api-doomed', operation: Op.DELETE }),
    codes: async () => (await alice.send(20, 6, { topics: [{ name: 'api-doomed', topicId: ZERO_UUID }], topicNames: [], timeoutMs: 5000 })).responses.map((r) => r.errorCode),
  },
  {
    api: 'IncrementalAlterConfigs (ALTER_CONFIGS topic)', refused: ErrorCode.TOPIC_AUTHORIZATION_FAILED, grant: creation({ operation: Op.ALTER_CONFIGS }),
    codes: async () => (await alice.send(44, 1, { resources: [{ resourceType: 2, resourceName: 'wire', configs: [{ name: 'retention.ms', configOperation: 0, value: '3600000' }] }], validateOnly: true })).responses.map((r) => r.errorCode),
  },
  {
    api: 'AlterConfigs (ALTER_CONFIGS topic)', refused: ErrorCode.TOPIC_AUTHORIZATION_FAILED, grant: creation({ operation: Op.ALTER_CONFIGS }),
    codes: async () => (await alice.send(33, 2, { resources: [{ resourceType: 2, resourceName: 'wire', configs: [{ name: 'retention.ms', value: '3600000' }] }], validateOnly: true })).responses.map((r) => r.errorCode),
  },
  {
    api: 'OffsetFetch (DESCRIBE group)', refused: ErrorCode.GROUP_AUTHORIZATION_FAILED, grant: creation({ resourceType: Res.GROUP, resourceName: 'api-group', operation: Op.DESCRIBE }),
    codes: async () => (await alice.send(9, 8, { groupId: '', topics: [], groups: [{ groupId: 'api-group', memberId: null, memberEpoch: -1, topics: null }], requireStable: false })).groups!.map((g) => g.errorCode!),
  },
  {
    api: 'DeleteGroups (DELETE group)', refused: ErrorCode.GROUP_AUTHORIZATION_FAILED, grant: creation({ resourceType: Res.GROUP, resourceName: 'api-group', operation: Op.DELETE }),
    codes: async () => (await alice.send(42, 2, { groupsNames: ['api-group'] })).results.map((r) => r.errorCode),
  },
  {
    api: 'DescribeTransactions (DESCRIBE transactional id)', refused: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, grant: creation({ resourceType: Res.TRANSACTIONAL_ID, resourceName: 'api-tx', operation: Op.DESCRIBE }),
    codes: async () => (await alice.send(65, 0, { transactionalIds: ['api-tx'] })).transactionStates.map((t) => t.errorCode),
  },
  {
    api: 'DescribeLogDirs (DESCRIBE cluster)', refused: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, grant: cluster(Op.DESCRIBE),
    codes: async () => [(await alice.send(35, 4, { topics: null })).errorCode!],
  },
  {
    api: 'ListPartitionReassignments (DESCRIBE cluster)', refused: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, grant: cluster(Op.DESCRIBE),
    codes: async () => [(await alice.send(46, 0, { timeoutMs: 5000, topics: null })).errorCode],
  },
  {
    api: 'DescribeUserScramCredentials (DESCRIBE cluster)', refused: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, grant: cluster(Op.DESCRIBE),
    codes: async () => [(await alice.send(50, 0, { users: null })).errorCode],
  },
  {
    api: 'ElectLeaders (ALTER cluster)', refused: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, grant: cluster(Op.ALTER),
    codes: async () => [(await alice.send(43, 2, { electionType: 0, topicPartitions: [{ topic: 'wire', partitions: [0] }], timeoutMs: 5000 })).errorCode!],
  },
  {
    api: 'AlterPartitionReassignments (ALTER cluster)', refused: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, grant: cluster(Op.ALTER),
    codes: async () => [(await alice.send(45, 0, { timeoutMs: 5000, allowReplicationFactorChange: true, topics: [{ name: 'wire', partitions: [{ partitionIndex: 0, replicas: null }] }] })).errorCode],
  },
];

describe('authorized operations', () => {
  it('DescribeCluster and DescribeTopicPartitions report what the asking principal may do', async () => {
    const describeCluster = { includeClusterAuthorizedOperations: true, endpointType: 1, includeFencedBrokers: false };
    await grant(cluster(Op.DESCRIBE), cluster(Op.ALTER_CONFIGS), creation({ operation: Op.READ }), creation({ operation: Op.ALTER_CONFIGS }));
    try {
      // ALTER_CONFIGS implies DESCRIBE_CONFIGS; READ implies DESCRIBE.
      expect((await alice.send(60, 2, describeCluster)).clusterAuthorizedOperations).toBe((1 << Op.DESCRIBE) | (1 << Op.ALTER_CONFIGS) | (1 << Op.DESCRIBE_CONFIGS));
      const [topic] = (await alice.send(75, 0, { topics: [{ name: 'wire' }], responsePartitionLimit: 100, cursor: null })).topics;
      expect(topic!.topicAuthorizedOperations).toBe((1 << Op.READ) | (1 << Op.DESCRIBE) | (1 << Op.ALTER_CONFIGS) | (1 << Op.DESCRIBE_CONFIGS));
    } finally {
      await revokeAll();
    }
  });
});

describe('the check of every other API', () => {
  beforeAll(async () => {
    const created = await admin.send(19, 7, {
      topics: ['api-records', 'api-grows', 'api-doomed'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(created.topics.map((t) => t.errorCode)).toEqual([0, 0, 0]);
  });

  it.each(API_CHECKS)('$api', async ({ refused, grant: lift, codes }) => {
    const before = await codes();
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((c) => c === refused)).toBe(true);
    await grant(lift);
    try {
      expect(await codes()).not.toContain(refused);
    } finally {
      await revokeAll();
    }
  });
});

describe('principals without SASL', () => {
  it('a plaintext client is User:ANONYMOUS', async () => {
    const both = await withBroker({ properties: properties({ listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0' }) });
    const [host, port] = both.listeners.find((l) => l.name === 'SASL_PLAINTEXT')!.bootstrap.split(':');
    const su = await RawClient.connectPlain(host!, Number(port), 'admin', 'a');
    const plain = await RawClient.connect(both.host, both.port);
    try {
      await su.send(19, 7, { topics: [{ name: 'open', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
      expect((await plain.send(3, 10, metadata(['open']))).topics[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      await su.send(30, 3, { creations: [creation({ resourceName: 'open', principal: 'User:ANONYMOUS', operation: Op.DESCRIBE })] });
      expect((await plain.send(3, 10, metadata(['open']))).topics[0]!.errorCode).toBe(ErrorCode.NONE);
    } finally {
      su.close();
      plain.close();
      await both.stop();
    }
  });
});

describe('hosts', () => {
  it.skipIf(process.platform !== 'linux')('an ACL naming a host applies only to clients connecting from that address', async () => {
    const other = await RawClient.connectPlain(broker.host, broker.port, 'alice', 'a', '127.0.0.2');
    try {
      await grant(creation({ host: '127.0.0.2', operation: Op.DESCRIBE }));
      const code = async (client: RawClient) => (await client.send(3, 10, metadata(['wire']))).topics[0]!.errorCode;
      expect(await code(other)).toBe(ErrorCode.NONE);
      expect(await code(alice)).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      // A DENY for the other address leaves this one's ALLOW alone.
      await grant(creation({ host: '*', operation: Op.DESCRIBE }), creation({ host: '127.0.0.2', operation: Op.DESCRIBE, permissionType: Perm.DENY }));
      expect(await code(alice)).toBe(ErrorCode.NONE);
      expect(await code(other)).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    } finally {
      other.close();
      await revokeAll();
    }
  });
});

describe('allow.everyone.if.no.acl.found', () => {
  it('opens resources without ACLs and keeps resources with ACLs to their principals', async () => {
    const open = await withBroker({ properties: properties({ 'allow.everyone.if.no.acl.found': 'true' }) });
    const su = await RawClient.connectPlain(open.host, open.port, 'admin', 'a');
    const bob = await RawClient.connectPlain(open.host, open.port, 'bob', 'b');
    try {
      await su.send(19, 7, { topics: [{ name: 'free', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }, { name: 'kept', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
      await su.send(30, 3, { creations: [creation({ resourceName: 'kept', principal: 'User:alice', operation: Op.ALL })] });
      const seen = await bob.send(3, 10, metadata(['free', 'kept']));
      expect(seen.topics.map((t) => [t.name, t.errorCode])).toEqual([['free', 0], ['kept', 29]]);
    } finally {
      su.close();
      bob.close();
      await open.stop();
    }
  });
});
