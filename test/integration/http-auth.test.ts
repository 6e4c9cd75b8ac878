// When the Kafka listeners require SASL, the HTTP listener asks for the same credentials:
// HTTP Basic checked against the listener's PLAIN users and the SCRAM credential store.
import { randomBytes } from 'node:crypto';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { credentialFromSaltedPassword, saltedPassword, scramMechanismByName } from '../../src/security/scram.js';
import { withBroker } from '../helpers/broker.js';
import { basicAuth, httpCall } from '../helpers/http.js';

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

  it('leaves the health probes open', async () => {
    expect((await httpCall(url, '/health/live')).status).toBe(200);
    expect((await httpCall(url, '/health/ready')).status).toBe(200);
  });
});
