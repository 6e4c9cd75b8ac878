// When the Kafka listeners require SASL, the HTTP listener asks for the same credentials:
// HTTP Basic checked against the listener's PLAIN users and the SCRAM credential store. With an
// authorizer, the web console reads and writes as that user, under its ACLs.
import { randomBytes } from 'node:crypto';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import type { ConsoleError } from '../../src/console/console-context.js';
import type { GroupSummary } from '../../src/console/groups-api.js';
import type { TopicSummary } from '../../src/console/topics-api.js';
import { credentialFromSaltedPassword, saltedPassword, scramMechanismByName } from '../../src/security/scram.js';
import { withBroker } from '../helpers/broker.js';
import { basicAuth, httpCall, jsonCall } from '../helpers/http.js';

describe('HTTP Basic on a SASL broker', () => {
  let broker: RunningBroker;
  let url: string;

  beforeAll(async () => {
    broker = await withBroker({
      httpPort: 0,
      properties: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret";',
      },
    });
    url = broker.http!.url;
    const mechanism = scramMechanismByName('SCRAM-SHA-256')!;
    const salt = randomBytes(24);
    const credential = credentialFromSaltedPassword(mechanism, salt, saltedPassword(mechanism, 'bob-secret', salt, 4096), 4096);
    await broker.broker.scramCredentials.apply([{ user: 'bob', mechanism, credential }]);
  });
  afterAll(() => broker?.stop());

  it('asks for credentials without them or with wrong ones', async () => {
    const none = await httpCall(url, '/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="creek"/);
    expect((await httpCall(url, '/metrics', { headers: { Authorization: basicAuth('admin', 'wrong') } })).status).toBe(401);
    expect((await httpCall(url, '/metrics', { headers: { Authorization: basicAuth('bob', 'admin-secret') } })).status).toBe(401);
    expect((await httpCall(url, '/metrics', { headers: { Authorization: basicAuth('nobody', 'x') } })).status).toBe(401);
    expect((await httpCall(url, '/subjects', { headers: { Authorization: 'Bearer abc' } })).status).toBe(401);
  });

  it('accepts a PLAIN user and a SCRAM user with their passwords', async () => {
    expect((await httpCall(url, '/metrics', { headers: { Authorization: basicAuth('admin', 'admin-secret') } })).status).toBe(200);
    expect((await httpCall(url, '/metrics', { headers: { Authorization: basicAuth('bob', 'bob-secret') } })).status).toBe(200);
  });

  it('serves the schema registry to a client that sends the SCRAM user\'s credentials', async () => {
    const schema = JSON.stringify({ type: 'record', name: 'Authed', fields: [{ name: 'a', type: 'string' }] });
    const denied = new SchemaRegistry({ host: url, retry: { retries: 0 } });
    await expect(denied.register({ type: SchemaType.AVRO, schema }, { subject: 'authed' })).rejects.toMatchObject({ status: 401 });
    const client = new SchemaRegistry({ host: url, auth: { username: 'bob', password: 'bob-secret' } });
    const { id } = await client.register({ type: SchemaType.AVRO, schema }, { subject: 'authed' });
    expect(await client.decode(await client.encode(id, { a: 'x' }))).toEqual({ a: 'x' });
  });

  it('asks for the same credentials for the web console, its reads and its writes', async () => {
    for (const path of ['/', '/console/console.js', '/api/topics', '/api/cluster']) expect([path, (await httpCall(url, path)).status]).toEqual([path, 401]);
    expect((await httpCall(url, '/api/topics', { method: 'POST', json: { name: 'unauthenticated' } })).status).toBe(401);
    const created = await httpCall(url, '/api/topics', { method: 'POST', json: { name: 'authenticated' }, headers: { Authorization: basicAuth('bob', 'bob-secret') } });
    expect(created.status).toBe(201);
    const topics = (await jsonCall<TopicSummary[]>(url, '/api/topics', { headers: { Authorization: basicAuth('admin', 'admin-secret') } })).body;
    expect(topics.map((t) => t.name)).toContain('authenticated');
    expect(topics.map((t) => t.name)).not.toContain('unauthenticated');
  });

  it('leaves the health probes open', async () => {
    expect((await httpCall(url, '/health/live')).status).toBe(200);
    expect((await httpCall(url, '/health/ready')).status).toBe(200);
  });
});

describe('the console on a broker with ACLs', () => {
  let broker: RunningBroker;

  beforeAll(async () => {
    broker = await withBroker({
      httpPort: 0,
      properties: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_alice="alice-secret";',
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': 'User:admin',
      },
    });
  });
  afterAll(() => broker?.stop());

  it('makes writes as the HTTP user, so the ACLs that user has apply', async () => {
    const create = (user: string, password: string, name: string) =>
      jsonCall(broker.http!.url, '/api/topics', { method: 'POST', json: { name }, headers: { Authorization: basicAuth(user, password) } });
    const refused = await create('alice', 'alice-secret', 'by-alice');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error_code: 29, error: 'TOPIC_AUTHORIZATION_FAILED' });
    expect((await create('admin', 'admin-secret', 'by-admin')).status).toBe(201);
    expect(broker.broker.topics.get('by-alice')).toBeUndefined();
    expect(broker.broker.topics.get('by-admin')).toBeDefined();
  });

  it('shows a user only the topics and groups it may describe, records it may read, and clients only with DESCRIBE on the cluster', async () => {
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' } }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'alices' }, { topic: 'hidden' }] });
      await admin.setOffsets({ groupId: 'alices-group', topic: 'alices', partitions: [{ partition: 0, offset: '0' }] });
      await admin.setOffsets({ groupId: 'hidden-group', topic: 'hidden', partitions: [{ partition: 0, offset: '0' }] });
      const allow = { principal: 'User:alice', host: '*', permissionType: AclPermissionTypes.ALLOW, resourcePatternType: ResourcePatternTypes.LITERAL };
      await admin.createAcls({
        acl: [
          { ...allow, resourceType: AclResourceTypes.TOPIC, resourceName: 'alices', operation: AclOperationTypes.READ },
          { ...allow, resourceType: AclResourceTypes.GROUP, resourceName: 'alices-group', operation: AclOperationTypes.DESCRIBE },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    const as = (user: string, password: string) => <T = unknown>(path: string) => jsonCall<T>(broker.http!.url, path, { headers: { Authorization: basicAuth(user, password) } });
    const alice = as('alice', 'alice-secret');
    // READ implies DESCRIBE, as in Kafka.
    expect((await alice<TopicSummary[]>('/api/topics')).body.map((t) => t.name)).toEqual(['alices']);
    expect((await alice<GroupSummary[]>('/api/groups')).body.map((g) => g.groupId)).toEqual(['alices-group']);
    expect((await alice('/api/topics/alices/partitions/0/records')).status).toBe(200);
    const refused = await alice<ConsoleError>('/api/topics/hidden/partitions/0/records');
    expect([refused.status, refused.body.error]).toEqual([403, 'TOPIC_AUTHORIZATION_FAILED']);
    expect((await alice<ConsoleError>('/api/groups/hidden-group')).body.error).toBe('GROUP_AUTHORIZATION_FAILED');
    expect((await alice<ConsoleError>('/api/clients')).body.error).toBe('CLUSTER_AUTHORIZATION_FAILED');
    const superUser = as('admin', 'admin-secret');
    expect((await superUser<TopicSummary[]>('/api/topics')).body.map((t) => t.name)).toEqual(expect.arrayContaining(['alices', 'hidden']));
    expect((await superUser('/api/clients')).status).toBe(200);
  });
});
