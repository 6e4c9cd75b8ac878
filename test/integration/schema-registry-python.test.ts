// confluent-kafka-python's SchemaRegistryClient (Debian's python3-confluent-kafka, with
// python3-requests) against Creek's schema registry: register, look up, check compatibility,
// read Confluent's error codes. Skips when the module is not installed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { withBroker } from '../helpers/broker.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

async function pythonRegistryMissing(): Promise<string | undefined> {
  try {
    await run(PYTHON, ['-c', 'from confluent_kafka.schema_registry import SchemaRegistryClient'], { timeout: 30_000 });
    return undefined;
  } catch (err) {
    return `confluent_kafka.schema_registry cannot be imported by ${PYTHON} (install python3-confluent-kafka and python3-requests): ${(err as Error).message.split('\n').filter(Boolean).at(-1)}`;
  }
}

const SCRIPT = `
import json, sys
from confluent_kafka.schema_registry import SchemaRegistryClient, Schema
from confluent_kafka.schema_registry.error import SchemaRegistryError
client = SchemaRegistryClient({'url': sys.argv[1]})
out = {}
v1 = json.dumps({'type': 'record', 'name': 'P', 'fields': [{'name': 'a', 'type': 'string'}]})
v2 = json.dumps({'type': 'record', 'name': 'P', 'fields': [{'name': 'a', 'type': 'string'}, {'name': 'b', 'type': 'int', 'default': 0}]})
bad = json.dumps({'type': 'record', 'name': 'P', 'fields': [{'name': 'a', 'type': 'int'}]})
out['id1'] = client.register_schema('py-value', Schema(v1, 'AVRO'))
out['id2'] = client.register_schema('py-value', Schema(v2, 'AVRO'))
latest = client.get_latest_version('py-value')
out['latest'] = [latest.schema_id, latest.version, latest.subject]
out['by_id'] = json.loads(client.get_schema(out['id1']).schema_str)['fields'][0]['name']
out['lookup'] = client.lookup_schema('py-value', Schema(v1, 'AVRO')).version
out['compatible'] = client.test_compatibility('py-value', Schema(bad, 'AVRO'))
try:
    client.register_schema('py-value', Schema(bad, 'AVRO'))
except SchemaRegistryError as e:
    out['refused'] = [e.http_status_code, e.error_code]
try:
    client.get_version('py-value', 42)
except SchemaRegistryError as e:
    out['missing'] = [e.http_status_code, e.error_code]
client.set_compatibility('py-value', 'FULL')
out['level'] = client.get_compatibility('py-value')
out['subjects'] = client.get_subjects()
out['deleted'] = client.delete_subject('py-value')
print(json.dumps(out))
`;

describe('confluent-kafka-python SchemaRegistryClient', () => {
  let broker: RunningBroker;
  let missing: string | undefined;
  beforeAll(async () => {
    missing = await pythonRegistryMissing();
    if (missing === undefined) broker = await withBroker({ httpPort: 0 });
  });
  afterAll(() => broker?.stop());

  it('registers, looks up, checks compatibility and reads error codes', async (ctx) => {
    if (missing !== undefined) {
      console.log(`skipping: ${missing}`);
      ctx.skip();
    }
    const { stdout } = await run(PYTHON, ['-c', SCRIPT, broker.http!.url], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({
      id1: 1,
      id2: 2,
      latest: [2, 2, 'py-value'],
      by_id: 'a',
      lookup: 1,
      compatible: false,
      refused: [409, 409],
      missing: [404, 40402],
      level: 'FULL',
      subjects: ['py-value'],
      deleted: [1, 2],
    });
  });
});
