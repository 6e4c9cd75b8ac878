// Cluster-operation and security APIs a stock client may send, answered as Apache Kafka answers
// them on a single node without an authorizer or delegation tokens: ACLs (kafkajs admin and raw,
// every version), delegation tokens on PLAINTEXT and SASL connections, ElectLeaders and partition
// reassignments.
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

const NODE_ID = 3;
let broker: RunningBroker;
let raw: RawClient;

beforeAll(async () => {
  broker = await withBroker({ nodeId: NODE_ID });
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'ops', numPartitions: 2 }] });
  await admin.disconnect();
  raw = await RawClient.connect(broker.host, broker.port);
});
afterAll(async () => {
  raw.close();
  await broker.stop();
});

describe('ACL APIs without an authorizer', () => {
  const acl = {
    resourceType: AclResourceTypes.TOPIC,
    resourceName: 'ops',
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: AclOperationTypes.READ,
    permissionType: AclPermissionTypes.ALLOW,
  };

  it('kafkajs describeAcls, createAcls and deleteAcls get SECURITY_DISABLED', async () => {
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    try {
      await expect(admin.describeAcls(acl)).rejects.toMatchObject({ type: 'SECURITY_DISABLED' });
      await expect(admin.createAcls({ acl: [acl] })).rejects.toMatchObject({ type: 'SECURITY_DISABLED' });
      await expect(admin.deleteAcls({ filters: [acl] })).rejects.toMatchObject({ type: 'SECURITY_DISABLED' });
    } finally {
      await admin.disconnect();
    }
  });

  it('DescribeAcls v1-v3 answer SECURITY_DISABLED for the request', async () => {
    for (let version = 1; version <= 3; version++) {
      const response = await raw.send(29, version, {
        resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 3, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1,
      });
      expect(response).toMatchObject({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker', resources: [] });
    }
  });

  it('CreateAcls and DeleteAcls v1-v3 answer SECURITY_DISABLED per creation and per filter', async () => {
    const creation = { resourceType: 2, resourceName: 'ops', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 };
    const filter = { resourceTypeFilter: 2, resourceNameFilter: 'ops', patternTypeFilter: 3, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };
    const refused = { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' };
    for (let version = 1; version <= 3; version++) {
      expect((await raw.send(30, version, { creations: [creation, creation] })).results).toEqual([refused, refused]);
      expect((await raw.send(31, version, { filters: [filter] })).filterResults).toEqual([{ ...refused, matchingAcls: [] }]);
    }
  });
});

describe('delegation tokens (never enabled)', () => {
  it('are not allowed on a PLAINTEXT connection, as Kafka refuses them before anything else', async () => {
    const created = await raw.send(38, 3, { ownerPrincipalType: null, ownerPrincipalName: null, renewers: [], maxLifetimeMs: -1 });
    expect(created).toMatchObject({
      errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED,
      principalType: 'User',
      principalName: 'ANONYMOUS',
      tokenRequesterPrincipalType: 'User',
      tokenRequesterPrincipalName: 'ANONYMOUS',
      issueTimestampMs: -1,
      expiryTimestampMs: -1,
      maxTimestampMs: -1,
      tokenId: '',
    });
    const renewed = await raw.send(39, 2, { hmac: Buffer.from('x'), renewPeriodMs: 1000 });
    const expired = await raw.send(40, 2, { hmac: Buffer.from('x'), expiryTimePeriodMs: 1000 });
    for (const answer of [renewed, expired]) expect(answer).toEqual({ errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, expiryTimestampMs: -1, throttleTimeMs: 0 });
    expect(await raw.send(41, 3, { owners: null })).toEqual({ errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, tokens: [], throttleTimeMs: 0 });
  });

  it('answer DELEGATION_TOKEN_AUTH_DISABLED on a SASL-authenticated connection', async () => {
    const sasl = await withBroker({
      properties: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
      },
    });
    const client = await RawClient.connect(sasl.host, sasl.port);
    try {
      await client.send(17, 1, { mechanism: 'PLAIN' });
      expect((await client.send(36, 2, { authBytes: Buffer.from('\0alice\0alice-secret') })).errorCode).toBe(ErrorCode.NONE);
      const created = await client.send(38, 3, { ownerPrincipalType: 'User', ownerPrincipalName: 'bob', renewers: [{ principalType: 'User', principalName: 'carol' }], maxLifetimeMs: -1 });
      expect(created).toMatchObject({
        errorCode: ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED,
        principalName: 'bob',
        tokenRequesterPrincipalName: 'alice',
        issueTimestampMs: 0,
        tokenId: '',
      });
      const badRenewer = await client.send(38, 1, { ownerPrincipalType: null, ownerPrincipalName: null, renewers: [{ principalType: 'Group', principalName: 'g' }], maxLifetimeMs: -1 });
      expect(badRenewer).toMatchObject({ errorCode: ErrorCode.INVALID_PRINCIPAL_TYPE, principalName: 'alice', issueTimestampMs: -1 });
      expect(await client.send(39, 1, { hmac: Buffer.from('x'), renewPeriodMs: 1 })).toEqual({ errorCode: ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED, expiryTimestampMs: 0, throttleTimeMs: 0 });
      expect(await client.send(40, 1, { hmac: Buffer.from('x'), expiryTimePeriodMs: 1 })).toEqual({ errorCode: ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED, expiryTimestampMs: 0, throttleTimeMs: 0 });
      expect(await client.send(41, 2, { owners: [] })).toEqual({ errorCode: ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED, tokens: [], throttleTimeMs: 0 });
    } finally {
      client.close();
      await sasl.stop();
    }
  });
});

describe('ElectLeaders', () => {
  it('answers ELECTION_NOT_NEEDED for known partitions and UNKNOWN_TOPIC_OR_PARTITION otherwise', async () => {
    for (const version of [0, 1, 2]) {
      const response = await raw.send(43, version, {
        electionType: 0,
        topicPartitions: [{ topic: 'ops', partitions: [0, 1, 2] }, { topic: 'missing', partitions: [0] }],
        timeoutMs: 1000,
      });
      expect(response.replicaElectionResults).toEqual([
        {
          topic: 'ops',
          partitionResult: [
            { partitionId: 0, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' },
            { partitionId: 1, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' },
            { partitionId: 2, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such partition as ops-2' },
          ],
        },
        { topic: 'missing', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such topic as missing' }] },
      ]);
      if (version >= 1) expect(response.errorCode).toBe(ErrorCode.NONE);
    }
  });

  it('for all partitions lists every topic with no partition needing an election', async () => {
    const response = await raw.send(43, 2, { electionType: 1, topicPartitions: null, timeoutMs: 1000 });
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.replicaElectionResults).toEqual(expect.arrayContaining([{ topic: 'ops', partitionResult: [] }]));
    expect(response.replicaElectionResults.every((r) => r.partitionResult.length === 0)).toBe(true);
  });

  it('refuses an unknown election type with INVALID_REQUEST', async () => {
    const response = await raw.send(43, 1, { electionType: 7, topicPartitions: [{ topic: 'ops', partitions: [0] }], timeoutMs: 1000 });
    expect(response).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      replicaElectionResults: [{ topic: 'ops', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown election type 7' }] }],
    });
  });
});

describe('partition reassignments', () => {
  it('lists none, leaving unknown topics out', async () => {
    for (const topics of [null, [{ name: 'ops', partitionIndexes: [0, 1] }, { name: 'missing', partitionIndexes: [0] }]]) {
      expect(await raw.send(46, 0, { timeoutMs: 1000, topics })).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] });
    }
  });

  it('accepts [this node] as target, refuses other brokers, cancels nothing', async () => {
    const response = await raw.send(45, 0, {
      timeoutMs: 1000,
      allowReplicationFactorChange: true,
      topics: [
        {
          name: 'ops',
          partitions: [
            { partitionIndex: 0, replicas: [NODE_ID] },
            { partitionIndex: 1, replicas: [NODE_ID, 9] },
            { partitionIndex: 1, replicas: [NODE_ID, NODE_ID] },
            { partitionIndex: 0, replicas: [] },
            { partitionIndex: 0, replicas: null },
            { partitionIndex: 5, replicas: [NODE_ID] },
          ],
        },
        { name: 'missing', partitions: [{ partitionIndex: 0, replicas: [NODE_ID] }] },
      ],
    });
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.responses).toEqual([
      {
        name: 'ops',
        partitions: [
          { partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null },
          { partitionIndex: 1, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The manual partition assignment includes broker 9, but no such broker is registered.' },
          { partitionIndex: 1, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `The manual partition assignment includes the broker ${NODE_ID} more than once.` },
          { partitionIndex: 0, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The manual partition assignment includes an empty replica list.' },
          { partitionIndex: 0, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: 'No partition reassignment is in progress.' },
          { partitionIndex: 5, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find partition ops:5.' },
        ],
      },
      { name: 'missing', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find a topic named missing.' }] },
    ]);
  });
});
