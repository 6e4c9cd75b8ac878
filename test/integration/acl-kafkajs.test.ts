// ACLs end to end: a SASL_PLAINTEXT broker with the StandardAuthorizer, an admin super user who
// grants and revokes with kafkajs, and other users whose produce, consume, group and
// transactional requests are refused before a grant, served after it and refused again after
// DeleteAcls; PREFIXED and DENY ACLs; topics hidden from metadata; grants kept across a restart.
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  ResourcePatternTypes,
  logLevel,
  type AclEntry,
  type Admin,
} from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker, StartOptions } from '../../src/broker.js';
import { tempDir, withBroker } from '../helpers/broker.js';

const USERS = { admin: 'admin-secret', alice: 'alice-secret', bob: 'bob-secret' } as const;
type User = keyof typeof USERS;

const PROPERTIES = {
  listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
  'sasl.enabled.mechanisms': 'PLAIN',
  'listener.name.sasl_plaintext.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required ${Object.entries(USERS)
    .map(([u, p]) => `user_${u}="${p}"`)
    .join(' ')};`,
  'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'super.users': 'User:admin',
  'group.initial.rebalance.delay.ms': 0,
};

function aclBroker(options: StartOptions = {}): Promise<RunningBroker> {
  return withBroker({ ...options, properties: { ...PROPERTIES, ...options.properties } });
}

function kafkaAs(broker: RunningBroker, user: User, retries = 0): Kafka {
  return new Kafka({
    clientId: `acl-${user}`,
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 50, maxRetryTime: 300 },
    sasl: { mechanism: 'plain', username: user, password: USERS[user] },
  });
}

function acl(partial: Partial<AclEntry> & { resourceName: string }): AclEntry {
  return {
    resourceType: AclResourceTypes.TOPIC,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: AclOperationTypes.ALL,
    permissionType: AclPermissionTypes.ALLOW,
    ...partial,
  };
}

/** The Kafka error types in a kafkajs failure, through its causes and aggregated errors. */
function errorTypes(err: unknown): string[] {
  if (typeof err !== 'object' || err === null) return [];
  const e = err as { type?: string; cause?: unknown; originalError?: unknown; errors?: unknown[] };
  return [...(e.type ? [e.type] : []), ...errorTypes(e.cause), ...errorTypes(e.originalError), ...(e.errors ?? []).flatMap(errorTypes)];
}

/** Resolves to the error types of a failure; fails the test when the call succeeds. */
async function refusal(call: Promise<unknown>): Promise<string[]> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the call should have been refused').toBeDefined();
  return errorTypes(err);
}

async function produce(kafka: Kafka, topic: string, opts: { transactionalId?: string } = {}): Promise<void> {
  const producer = kafka.producer(opts.transactionalId ? { transactionalId: opts.transactionalId, idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } } : { allowAutoTopicCreation: false });
  await producer.connect();
  try {
    if (opts.transactionalId) {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: [{ value: 'in a transaction' }] });
      await txn.commit();
    } else {
      await producer.send({ topic, messages: [{ value: 'hello' }] });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Reads the first message of a topic with a consumer group; rejects with the group's failure. */
async function consumeOne(kafka: Kafka, topic: string, groupId: string): Promise<string> {
  const consumer = kafka.consumer({ groupId, retry: { retries: 0 } });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('ACLs with kafkajs over SASL/PLAIN', () => {
  let broker: RunningBroker;
  let admin: Admin;
  beforeAll(async () => {
    broker = await aclBroker();
    admin = kafkaAs(broker, 'admin', 3).admin();
    await admin.connect();
    await admin.createTopics({ topics: ['orders', 'app-events', 'other', 'secret', 'grouped', 'txn-out'].map((topic) => ({ topic })) });
  });
  afterAll(async () => {
    await admin?.disconnect();
    await broker?.stop();
  });

  it('refuses a write before the grant, allows it after, refuses it again after DeleteAcls', async () => {
    const alice = kafkaAs(broker, 'alice');
    expect(await refusal(produce(alice, 'orders'))).toContain('TOPIC_AUTHORIZATION_FAILED');
    const grant = acl({ resourceName: 'orders', operation: AclOperationTypes.WRITE });
    await admin.createAcls({ acl: [grant] });
    await produce(alice, 'orders');
    const deleted = await admin.deleteAcls({ filters: [grant] });
    expect(deleted.filterResponses[0]!.matchingAcls).toHaveLength(1);
    expect(await refusal(produce(alice, 'orders'))).toContain('TOPIC_AUTHORIZATION_FAILED');
  });

  it('applies PREFIXED grants to every topic starting with the prefix', async () => {
    await admin.createAcls({ acl: [acl({ resourceName: 'app-', resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:bob', operation: AclOperationTypes.WRITE })] });
    const bob = kafkaAs(broker, 'bob');
    await produce(bob, 'app-events');
    expect(await refusal(produce(bob, 'other'))).toContain('TOPIC_AUTHORIZATION_FAILED');
  });

  it('lets a DENY override a wildcard ALLOW', async () => {
    await admin.createAcls({
      acl: [
        acl({ resourceName: '*', principal: 'User:bob', operation: AclOperationTypes.WRITE }),
        acl({ resourceName: 'secret', principal: 'User:bob', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.DENY }),
      ],
    });
    const bob = kafkaAs(broker, 'bob');
    await produce(bob, 'other');
    expect(await refusal(produce(bob, 'secret'))).toContain('TOPIC_AUTHORIZATION_FAILED');
  });

  it('hides topics a user may not describe from the topic list', async () => {
    await admin.createAcls({ acl: [acl({ resourceName: 'orders', principal: 'User:carol', operation: AclOperationTypes.DESCRIBE })] });
    const alice = kafkaAs(broker, 'alice').admin();
    await alice.connect();
    try {
      await admin.createAcls({ acl: [acl({ resourceName: 'orders', operation: AclOperationTypes.READ })] });
      expect(await alice.listTopics()).toEqual(['orders']);
    } finally {
      await alice.disconnect();
    }
  });

  it('needs READ on the group as well as on the topic to consume', async () => {
    const alice = kafkaAs(broker, 'alice');
    await admin.createAcls({ acl: [acl({ resourceName: 'grouped', operation: AclOperationTypes.READ })] });
    const writer = kafkaAs(broker, 'admin');
    await produce(writer, 'grouped');
    // Without DESCRIBE on the group even its coordinator is not named (kafkajs then reports no coordinator).
    expect(await refusal(consumeOne(alice, 'grouped', 'alice-group'))).toBeDefined();
    await admin.createAcls({ acl: [acl({ resourceType: AclResourceTypes.GROUP, resourceName: 'alice-group', operation: AclOperationTypes.DESCRIBE })] });
    expect(await refusal(consumeOne(alice, 'grouped', 'alice-group'))).toContain('GROUP_AUTHORIZATION_FAILED');
    await admin.createAcls({ acl: [acl({ resourceType: AclResourceTypes.GROUP, resourceName: 'alice-', resourcePatternType: ResourcePatternTypes.PREFIXED, operation: AclOperationTypes.READ })] });
    expect(await consumeOne(alice, 'grouped', 'alice-group')).toBe('hello');
    const offsets = await admin.fetchOffsets({ groupId: 'alice-group', topics: ['grouped'] });
    expect(offsets[0]!.partitions[0]!.offset).toBe('1');
  });

  it('needs WRITE on the transactional id for a transactional producer', async () => {
    const alice = kafkaAs(broker, 'alice');
    await admin.createAcls({ acl: [acl({ resourceName: 'txn-out', operation: AclOperationTypes.WRITE })] });
    expect(await refusal(produce(alice, 'txn-out', { transactionalId: 'alice-tx' }))).toBeDefined();
    await admin.createAcls({ acl: [acl({ resourceType: AclResourceTypes.TRANSACTIONAL_ID, resourceName: 'alice-tx', operation: AclOperationTypes.DESCRIBE })] });
    expect(await refusal(produce(alice, 'txn-out', { transactionalId: 'alice-tx' }))).toContain('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
    await admin.createAcls({ acl: [acl({ resourceType: AclResourceTypes.TRANSACTIONAL_ID, resourceName: 'alice-tx', operation: AclOperationTypes.WRITE })] });
    await produce(alice, 'txn-out', { transactionalId: 'alice-tx' });
  });

  it('describes ACLs by filter to the super user only', async () => {
    const bobs = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal: 'User:bob',
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const patterns = bobs.resources.map((r) => `${r.resourcePatternType}:${r.resourceName}`).sort();
    expect(patterns).toEqual([`${ResourcePatternTypes.LITERAL}:*`, `${ResourcePatternTypes.LITERAL}:secret`, `${ResourcePatternTypes.PREFIXED}:app-`]);
    const matching = await admin.describeAcls({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: 'app-events',
      resourcePatternType: ResourcePatternTypes.MATCH,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    expect(matching.resources.map((r) => r.resourceName).sort()).toEqual(['*', 'app-']);
    const alice = kafkaAs(broker, 'alice').admin();
    await alice.connect();
    try {
      expect(await refusal(alice.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }))).toContain('CLUSTER_AUTHORIZATION_FAILED');
      expect(await refusal(alice.createAcls({ acl: [acl({ resourceName: 'x' })] }))).toContain('CLUSTER_AUTHORIZATION_FAILED');
      expect(await refusal(alice.createTopics({ topics: [{ topic: 'alice-new' }] }))).toContain('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await alice.disconnect();
    }
  });

  it('refuses invalid ACLs with INVALID_REQUEST', async () => {
    expect(await refusal(admin.createAcls({ acl: [acl({ resourceType: AclResourceTypes.CLUSTER, resourceName: 'not-the-cluster' })] }))).toContain('INVALID_REQUEST');
    expect(await refusal(admin.createAcls({ acl: [acl({ resourceName: 'orders', principal: 'alice' })] }))).toContain('INVALID_REQUEST');
  });
});

describe('ACLs in a data dir', () => {
  it('keeps grants across a restart', async () => {
    const dir = tempDir();
    try {
      let broker = await aclBroker({ dataDir: dir.path });
      const admin = kafkaAs(broker, 'admin', 3).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'kept' }] });
      await admin.createAcls({ acl: [acl({ resourceName: 'kept', operation: AclOperationTypes.WRITE })] });
      await admin.disconnect();
      await broker.stop();
      broker = await aclBroker({ dataDir: dir.path });
      try {
        await produce(kafkaAs(broker, 'alice'), 'kept');
        expect(await refusal(produce(kafkaAs(broker, 'bob'), 'kept'))).toContain('TOPIC_AUTHORIZATION_FAILED');
      } finally {
        await broker.stop();
      }
    } finally {
      dir.remove();
    }
  });
});
