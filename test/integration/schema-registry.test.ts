// Creek's schema registry through Confluent's REST API: @kafkajs/confluent-schema-registry
// registers Avro, JSON Schema and Protobuf schemas and serializes records through Kafka with
// them; an incompatible change is refused with Confluent's status and body; the error codes of
// missing subjects, versions and schemas; deletes; and schemas that survive a restart.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';
import { httpCall } from '../helpers/http.js';

const REGISTRY_TYPE = 'application/vnd.schemaregistry.v1+json';

const userV1 = { type: 'record', name: 'User', namespace: 'creek.test', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int' }] };
const userV2 = { ...userV1, fields: [...userV1.fields, { name: 'email', type: ['null', 'string'], default: null }] };
/** Adds a field without a default: readers with it cannot read data written without it. */
const userBad = { ...userV1, fields: [...userV1.fields, { name: 'country', type: 'string' }] };

describe('schema registry', () => {
  let broker: RunningBroker;
  let url: string;
  let client: SchemaRegistry;
  const call = (path: string, method = 'GET', json?: unknown) => httpCall(url, path, { method, ...(json === undefined ? {} : { json }) });

  beforeAll(async () => {
    broker = await withBroker({ httpPort: 0 });
    url = broker.http!.url;
    client = new SchemaRegistry({ host: url });
  });
  afterAll(() => broker?.stop());

  it('serializes and deserializes Avro records through Kafka with a registered schema', async () => {
    const { id } = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(userV1) }, { subject: 'users-value' });
    expect(id).toBe(1);
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'users', messages: [{ value: await client.encode(id, { name: 'Ada', age: 36 }) }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'sr-avro' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'users', fromBeginning: true });
    const decoded = await new Promise((resolve, reject) => {
      consumer.run({ eachMessage: async ({ message }) => resolve(await client.decode(message.value!)) }).catch(reject);
    });
    await consumer.disconnect();
    expect(decoded).toEqual({ name: 'Ada', age: 36 });
    // Registering the same schema again gives the same id and no new version.
    expect((await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(userV1, null, 2) }, { subject: 'users-value' })).id).toBe(1);
    expect(JSON.parse((await call('/subjects/users-value/versions')).body)).toEqual([1]);
  });

  it('registers a compatible evolution and refuses an incompatible one with 409 and Confluent\'s body', async () => {
    const { id: id2 } = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(userV2) }, { subject: 'users-value' });
    expect(id2).toBe(2);
    // An old record decodes with the new reader's id only through resolution: encode with v2, decode gives the default.
    expect(await client.decode(await client.encode(id2, { name: 'Bo', age: 2, email: null }))).toEqual({ name: 'Bo', age: 2, email: null });

    const res = await call('/subjects/users-value/versions', 'POST', { schema: JSON.stringify(userBad) });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toBe(REGISTRY_TYPE);
    const body = JSON.parse(res.body);
    expect(body.error_code).toBe(409);
    expect(body.message).toMatch(/^Schema being registered is incompatible with an earlier schema for subject "users-value"/);
    expect(body.message).toContain("compatibility: 'BACKWARD'");
    await expect(client.register({ type: SchemaType.AVRO, schema: JSON.stringify(userBad) }, { subject: 'users-value' })).rejects.toMatchObject({ status: 409 });

    const check = await call('/compatibility/subjects/users-value/versions/latest?verbose=true', 'POST', { schema: JSON.stringify(userBad) });
    expect(JSON.parse(check.body)).toMatchObject({ is_compatible: false });
    expect(JSON.parse((await call('/compatibility/subjects/users-value/versions/latest', 'POST', { schema: JSON.stringify(userV2) })).body)).toEqual({ is_compatible: true });
    // Under NONE the same change is accepted.
    expect((await call('/config/users-value', 'PUT', { compatibility: 'NONE' })).status).toBe(200);
    expect(JSON.parse((await call('/subjects/users-value/versions', 'POST', { schema: JSON.stringify(userBad) })).body)).toEqual({ id: 3 });
    expect(JSON.parse((await call('/config/users-value')).body)).toEqual({ compatibilityLevel: 'NONE' });
    expect(JSON.parse((await call('/config')).body)).toEqual({ compatibilityLevel: 'BACKWARD' });
  });

  it('checks transitive levels against every version, forward and full both ways', async () => {
    const v = (fields: object[]) => JSON.stringify({ type: 'record', name: 'T', fields });
    await call('/config/trans', 'PUT', { compatibility: 'BACKWARD_TRANSITIVE' });
    expect((await call('/subjects/trans/versions', 'POST', { schema: v([{ name: 'a', type: 'string' }]) })).status).toBe(200);
    // v2 drops a (fine backward); v3 adds a back without default: fine against v2, not against v1.
    expect((await call('/subjects/trans/versions', 'POST', { schema: v([]) })).status).toBe(200);
    expect((await call('/subjects/trans/versions', 'POST', { schema: v([{ name: 'a', type: 'int' }]) })).status).toBe(409);
    await call('/config/trans', 'PUT', { compatibility: 'BACKWARD' });
    expect((await call('/subjects/trans/versions', 'POST', { schema: v([{ name: 'a', type: 'int' }]) })).status).toBe(409);

    await call('/config/fwd', 'PUT', { compatibility: 'FORWARD' });
    await call('/subjects/fwd/versions', 'POST', { schema: v([{ name: 'a', type: 'string' }]) });
    // Forward: the old reader must read new data: removing a field without default breaks it.
    expect((await call('/subjects/fwd/versions', 'POST', { schema: v([]) })).status).toBe(409);
    expect((await call('/subjects/fwd/versions', 'POST', { schema: v([{ name: 'a', type: 'string' }, { name: 'b', type: 'int' }]) })).status).toBe(200);
    await call('/config/full', 'PUT', { compatibility: 'FULL' });
    await call('/subjects/full/versions', 'POST', { schema: v([{ name: 'a', type: 'string' }]) });
    expect((await call('/subjects/full/versions', 'POST', { schema: v([{ name: 'a', type: 'string' }, { name: 'b', type: 'int' }]) })).status).toBe(409);
    expect((await call('/subjects/full/versions', 'POST', { schema: v([{ name: 'a', type: 'string' }, { name: 'b', type: 'int', default: 0 }]) })).status).toBe(200);
  });

  it('registers JSON Schema and Protobuf and serializes with them', async () => {
    const json = { type: 'object', properties: { id: { type: 'integer' }, tag: { type: 'string' } }, required: ['id'], additionalProperties: false };
    const { id: jsonId } = await client.register({ type: SchemaType.JSON, schema: JSON.stringify(json) }, { subject: 'events-json' });
    expect(await client.decode(await client.encode(jsonId, { id: 7, tag: 'x' }))).toEqual({ id: 7, tag: 'x' });
    await expect(client.encode(jsonId, { tag: 'no id' })).rejects.toThrow();
    // Backward: a new required property breaks readers of old data; an optional one does not.
    const addRequired = { ...json, properties: { ...json.properties, kind: { type: 'string' } }, required: ['id', 'kind'] };
    expect((await call('/subjects/events-json/versions', 'POST', { schemaType: 'JSON', schema: JSON.stringify(addRequired) })).status).toBe(409);
    const addOptional = { ...json, properties: { ...json.properties, kind: { type: 'string' } } };
    expect((await call('/subjects/events-json/versions', 'POST', { schemaType: 'JSON', schema: JSON.stringify(addOptional) })).status).toBe(200);
    const narrowed = { ...addOptional, properties: { ...addOptional.properties, id: { type: 'integer', minimum: 10 } } };
    expect((await call('/subjects/events-json/versions', 'POST', { schemaType: 'JSON', schema: JSON.stringify(narrowed) })).status).toBe(409);

    const proto = 'syntax = "proto3";\npackage creek.test;\nmessage Event {\n  string name = 1;\n  int32 count = 2;\n}\n';
    const { id: protoId } = await client.register({ type: SchemaType.PROTOBUF, schema: proto }, { subject: 'events-proto' });
    expect(await client.decode(await client.encode(protoId, { name: 'e', count: 3 }))).toMatchObject({ name: 'e', count: 3 });
    const retyped = proto.replace('int32 count = 2', 'string count = 2');
    expect((await call('/subjects/events-proto/versions', 'POST', { schemaType: 'PROTOBUF', schema: retyped })).status).toBe(409);
    const widened = proto.replace('int32 count = 2', 'int64 count = 2').replace('}\n', '  bool flag = 3;\n}\n');
    expect((await call('/subjects/events-proto/versions', 'POST', { schemaType: 'PROTOBUF', schema: widened })).status).toBe(200);
    const types = await call('/schemas/types');
    expect(JSON.parse(types.body).sort()).toEqual(['AVRO', 'JSON', 'PROTOBUF']);
  });

  it('answers with Confluent\'s error codes', async () => {
    const expectError = async (path: string, status: number, code: number, method = 'GET', json?: unknown) => {
      const res = await call(path, method, json);
      expect([res.status, JSON.parse(res.body).error_code]).toEqual([status, code]);
      expect(res.headers['content-type']).toBe(REGISTRY_TYPE);
    };
    await expectError('/subjects/nope/versions', 404, 40401);
    await expectError('/subjects/users-value/versions/99', 404, 40402);
    await expectError('/subjects/users-value/versions/zero', 422, 42202);
    await expectError('/subjects/users-value/versions/0', 422, 42202);
    await expectError('/schemas/ids/999', 404, 40403);
    await expectError('/subjects/users-value', 404, 40403, 'POST', { schema: JSON.stringify({ type: 'record', name: 'Other', fields: [] }) });
    await expectError('/subjects/bad/versions', 422, 42201, 'POST', { schema: '{"type": "record", "name": "X"}' });
    await expectError('/subjects/bad/versions', 422, 42201, 'POST', { schemaType: 'JSON', schema: '{"type": 12}' });
    await expectError('/subjects/bad/versions', 422, 42201, 'POST', { schemaType: 'PROTOBUF', schema: 'message {' });
    await expectError('/config', 422, 42203, 'PUT', { compatibility: 'SIDEWAYS' });
    await expectError('/config/nope', 404, 40408);
  });

  it('looks schemas up by subject and id, and soft- then permanently deletes', async () => {
    const latest = JSON.parse((await call('/subjects/users-value/versions/latest')).body);
    expect(latest).toMatchObject({ subject: 'users-value', version: 3, id: 3 });
    const found = JSON.parse((await call('/subjects/users-value', 'POST', { schema: JSON.stringify(userV1) })).body);
    expect(found).toMatchObject({ subject: 'users-value', version: 1, id: 1 });
    expect(JSON.parse((await call('/schemas/ids/2')).body)).toEqual({ schema: JSON.stringify(userV2) });
    expect(JSON.parse((await call('/schemas/ids/1/versions')).body)).toEqual([{ subject: 'users-value', version: 1 }]);

    expect((await call('/subjects/users-value/versions/3', 'DELETE', undefined)).body).toBe('3');
    expect((await call('/subjects/users-value/versions/3')).status).toBe(404);
    expect(JSON.parse((await call('/subjects/users-value/versions?deleted=true')).body)).toEqual([1, 2, 3]);
    const notFirst = await call('/subjects/users-value/versions/2?permanent=true', 'DELETE');
    expect([notFirst.status, JSON.parse(notFirst.body).error_code]).toEqual([404, 40407]);
    expect(JSON.parse((await call('/subjects/users-value', 'DELETE')).body)).toEqual([1, 2]);
    expect(JSON.parse((await call('/subjects')).body)).not.toContain('users-value');
    expect(JSON.parse((await call('/subjects?deleted=true')).body)).toContain('users-value');
    expect(JSON.parse((await call('/subjects/users-value?permanent=true', 'DELETE')).body)).toEqual([1, 2, 3]);
    expect((await call('/schemas/ids/1')).status).toBe(404);
  });

  it('resolves references to other subjects and guards referenced versions', async () => {
    const address = { type: 'record', name: 'Address', namespace: 'creek.ref', fields: [{ name: 'city', type: 'string' }] };
    const person = { type: 'record', name: 'Person', namespace: 'creek.ref', fields: [{ name: 'home', type: 'creek.ref.Address' }] };
    const { id: addressId } = JSON.parse((await call('/subjects/address/versions', 'POST', { schema: JSON.stringify(address) })).body);
    // Without the reference the type name is unknown.
    expect(JSON.parse((await call('/subjects/person/versions', 'POST', { schema: JSON.stringify(person) })).body).error_code).toBe(42201);
    const references = [{ name: 'creek.ref.Address', subject: 'address', version: 1 }];
    const res = await call('/subjects/person/versions', 'POST', { schema: JSON.stringify(person), references });
    expect(res.status).toBe(200);
    const { id: personId } = JSON.parse(res.body);
    expect(JSON.parse((await call(`/schemas/ids/${personId}`)).body)).toEqual({ references, schema: JSON.stringify(person) });
    expect(JSON.parse((await call('/subjects/address/versions/1/referencedby')).body)).toEqual([personId]);
    const refused = await call('/subjects/address/versions/1', 'DELETE');
    expect([refused.status, JSON.parse(refused.body).error_code]).toEqual([422, 42206]);
    expect(addressId).not.toBe(personId);
  });

  it('keeps given ids and versions in IMPORT mode', async () => {
    expect((await call('/mode/imported', 'PUT', { mode: 'IMPORT' })).status).toBe(200);
    const res = await call('/subjects/imported/versions', 'POST', { schema: '"long"', id: 500, version: 7 });
    expect(JSON.parse(res.body)).toEqual({ id: 500 });
    expect(JSON.parse((await call('/subjects/imported/versions/latest')).body)).toMatchObject({ version: 7, id: 500 });
    await call('/mode/imported', 'DELETE');
    const notImporting = await call('/subjects/other-import/versions', 'POST', { schema: '"long"', id: 501 });
    expect([notImporting.status, JSON.parse(notImporting.body).error_code]).toEqual([422, 42205]);
  });

  it('refuses writes in READONLY mode', async () => {
    expect(JSON.parse((await call('/mode')).body)).toEqual({ mode: 'READWRITE' });
    await call('/mode/frozen', 'PUT', { mode: 'READONLY' });
    const res = await call('/subjects/frozen/versions', 'POST', { schema: '"string"' });
    expect([res.status, JSON.parse(res.body).error_code]).toEqual([422, 42205]);
    await call('/mode/frozen', 'DELETE');
    expect((await call('/subjects/frozen/versions', 'POST', { schema: '"string"' })).status).toBe(200);
  });
});

describe('schema registry storage', () => {
  it('keeps schemas, versions and configs in _schemas across a restart', async () => {
    const dir = tempDir();
    try {
      let broker = await withBroker({ dataDir: dir.path, httpPort: 0 });
      let client = new SchemaRegistry({ host: broker.http!.url });
      const { id } = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(userV1) }, { subject: 'kept-value' });
      await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(userV2) }, { subject: 'kept-value' });
      await httpCall(broker.http!.url, '/config/kept-value', { method: 'PUT', json: { compatibility: 'FULL' } });
      const encoded = await client.encode(id, { name: 'Cy', age: 5 });
      await broker.stop();

      broker = await withBroker({ dataDir: dir.path, httpPort: 0 });
      try {
        client = new SchemaRegistry({ host: broker.http!.url });
        expect(await client.decode(encoded)).toEqual({ name: 'Cy', age: 5 });
        expect(await client.getLatestSchemaId('kept-value')).toBe(2);
        expect(JSON.parse((await httpCall(broker.http!.url, '/config/kept-value')).body)).toEqual({ compatibilityLevel: 'FULL' });
        // New ids continue after the stored ones.
        const { id: next } = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name: 'Other', fields: [] }) }, { subject: 'other' });
        expect(next).toBe(3);
        const admin = kafkaFor(broker).admin();
        await admin.connect();
        const described = await admin.describeConfigs({ resources: [{ type: 2, name: '_schemas' }], includeSynonyms: false });
        await admin.disconnect();
        expect(described.resources[0]!.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe('compact');
      } finally {
        await broker.stop();
      }
    } finally {
      dir.remove();
    }
  });
});
