// SASL on a SASL_PLAINTEXT listener: kafkajs with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512
// (produce, consume, admin, wrong passwords), kcat (librdkafka) with PLAIN and SCRAM, the
// pre-authentication gate and failure answers at the protocol level, SCRAM credentials that
// survive a restart, and the SASL APIs on a PLAINTEXT listener.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ConfigError } from '../../src/config/config-error.js';
import { produceAndConsume, tempDir, withBroker } from '../helpers/broker.js';
import { requireProgram } from '../helpers/programs.js';
import { RawClient } from '../helpers/raw-client.js';
import { kafkaWith, plainClient, saslBroker, setScramPassword } from '../helpers/sasl.js';

const run = promisify(execFile);
const noKcat = requireProgram('kcat');

/** Resolves when the server has closed the connection (a request then fails). */
async function expectClosed(client: RawClient): Promise<void> {
  await expect(client.send(18, 0, { clientSoftwareName: '', clientSoftwareVersion: '', clusterId: null, nodeId: -1 })).rejects.toThrow('connection closed');
}

async function roundTrip(kafka: Kafka, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic }] });
  await admin.disconnect();
  return produceAndConsume(kafka, topic);
}

describe('SASL_PLAINTEXT listener', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await saslBroker();
    const admin = await plainClient(broker);
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
      const result = await setScramPassword(admin, 'bob', mechanism, 'bob-secret');
      expect(result.results).toEqual([{ user: 'bob', errorCode: ErrorCode.NONE, errorMessage: null }]);
    }
    admin.close();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('kafkajs with PLAIN produces, consumes and administers', async () => {
    const kafka = kafkaWith(broker, { mechanism: 'plain', username: 'alice', password: 'alice-secret' });
    expect(await roundTrip(kafka, 'plain-topic')).toEqual(['one', 'two']);
  });

  it('kafkajs with a wrong PLAIN password fails with Kafka\'s message', async () => {
    const admin = kafkaWith(broker, { mechanism: 'plain', username: 'alice', password: 'wrong' }, 0).admin();
    await expect(admin.connect()).rejects.toMatchObject({
      name: 'KafkaJSSASLAuthenticationError',
      message: 'SASL PLAIN authentication failed: Authentication failed: Invalid username or password',
    });
  });

  it('kafkajs with SCRAM-SHA-256 and SCRAM-SHA-512 produces and consumes', async () => {
    expect(await roundTrip(kafkaWith(broker, { mechanism: 'scram-sha-256', username: 'bob', password: 'bob-secret' }), 'scram256-topic')).toEqual(['one', 'two']);
    expect(await roundTrip(kafkaWith(broker, { mechanism: 'scram-sha-512', username: 'bob', password: 'bob-secret' }), 'scram512-topic')).toEqual(['one', 'two']);
  });

  it('kafkajs with a wrong SCRAM password or unknown user fails without telling which', async () => {
    for (const [username, password] of [['bob', 'wrong'], ['nobody', 'bob-secret']] as const) {
      const admin = kafkaWith(broker, { mechanism: 'scram-sha-256', username, password }, 0).admin();
      await expect(admin.connect()).rejects.toMatchObject({
        name: 'KafkaJSSASLAuthenticationError',
        message: expect.stringContaining('Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256'),
      });
    }
  });

  it.skipIf(noKcat)('kcat (librdkafka) produces and consumes with PLAIN and SCRAM-SHA-256', async () => {
    const plain = ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret'];
    const scram = ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=SCRAM-SHA-256', '-X', 'sasl.username=bob', '-X', 'sasl.password=bob-secret'];
    const producer = run('kcat', ['-b', broker.bootstrap, ...plain, '-P', '-t', 'kcat-sasl', '-p', '0'], { timeout: 30_000 });
    producer.child.stdin!.end('a\nb\n');
    await producer;
    const { stdout } = await run('kcat', ['-b', broker.bootstrap, ...scram, '-C', '-t', 'kcat-sasl', '-p', '0', '-o', 'beginning', '-e', '-f', '%s@%o\\n'], { timeout: 30_000 });
    expect(stdout.trim().split('\n')).toEqual(['a@0', 'b@1']);
  });

  it.skipIf(noKcat)('kcat with a wrong SCRAM password fails to connect', async () => {
    const args = ['-b', broker.bootstrap, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=SCRAM-SHA-256', '-X', 'sasl.username=bob', '-X', 'sasl.password=nope', '-L', '-m', '3'];
    await expect(run('kcat', args, { timeout: 30_000 })).rejects.toMatchObject({ stderr: expect.stringContaining('Authentication failed') });
  });

  it('serves only ApiVersions and SaslHandshake before the handshake: anything else closes the connection', async () => {
    const client = await RawClient.connect(broker.host, broker.port);
    const versions = await client.send(18, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
    expect(versions.apiKeys.map((k) => k.apiKey)).toEqual(expect.arrayContaining([17, 36]));
    await expect(client.send(3, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })).rejects.toThrow('connection closed');
  });

  it('serves only SaslAuthenticate after the handshake', async () => {
    const client = await RawClient.connect(broker.host, broker.port);
    await client.send(17, 1, { mechanism: 'PLAIN' });
    await expectClosed(client);
  });

  it('refuses a mechanism that is not enabled with the enabled list, then closes', async () => {
    const client = await RawClient.connect(broker.host, broker.port);
    const handshake = await client.send(17, 1, { mechanism: 'GSSAPI' });
    expect(handshake).toEqual({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
    await expectClosed(client);
  });

  it('answers a failed PLAIN authentication with SASL_AUTHENTICATION_FAILED, then closes', async () => {
    const client = await RawClient.connect(broker.host, broker.port);
    await client.send(17, 1, { mechanism: 'PLAIN' });
    const auth = await client.send(36, 1, { authBytes: Buffer.from('\0alice\0bad') });
    expect(auth).toEqual({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed: Invalid username or password',
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0,
    });
    await expectClosed(client);
  });

  it('refuses an authorization id other than the user', async () => {
    const client = await RawClient.connect(broker.host, broker.port);
    await client.send(17, 1, { mechanism: 'PLAIN' });
    const auth = await client.send(36, 0, { authBytes: Buffer.from('admin\0alice\0alice-secret') });
    expect(auth.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(auth.errorMessage).toBe('Authentication failed: Client requested an authorization id that is different from username');
  });

  it('after authentication serves every API and answers SASL requests with ILLEGAL_SASL_STATE', async () => {
    const client = await plainClient(broker, 'alice', 'alice-secret');
    const metadata = await client.send(3, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(metadata.brokers).toHaveLength(1);
    expect(await client.send(17, 1, { mechanism: 'PLAIN' })).toEqual({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] });
    const again = await client.send(36, 2, { authBytes: Buffer.from('\0alice\0alice-secret') });
    expect(again.errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    expect(again.errorMessage).toBe('SaslAuthenticate request received after successful authentication');
    client.close();
  });

  it('describes SCRAM users with their mechanisms and iterations', async () => {
    const client = await plainClient(broker);
    const all = await client.send(50, 0, { users: null });
    expect(all.results).toEqual([{ user: 'bob', errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 4096 }, { mechanism: 2, iterations: 4096 }] }]);
    const named = await client.send(50, 0, { users: [{ name: 'bob' }, { name: 'carol' }, { name: 'carol' }] });
    expect(named.results.map((r) => [r.user, r.errorCode, r.errorMessage])).toEqual([
      ['bob', ErrorCode.NONE, null],
      ['carol', ErrorCode.DUPLICATE_RESOURCE, 'Cannot describe SCRAM credentials for the same user twice in a single request: carol'],
    ]);
    const unknown = await client.send(50, 0, { users: [{ name: 'carol' }] });
    expect(unknown.results).toEqual([{ user: 'carol', errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to describe a user credential that does not exist: carol', credentialInfos: [] }]);
    client.close();
  });

  it('checks SCRAM alterations as Kafka does and a deleted credential no longer authenticates', async () => {
    const client = await plainClient(broker);
    await setScramPassword(client, 'dave', 'SCRAM-SHA-256', 'dave-secret');
    const result = await client.send(51, 0, {
      deletions: [{ name: 'dave', mechanism: 1 }, { name: 'erin', mechanism: 1 }, { name: '', mechanism: 1 }],
      upsertions: [
        { name: 'few', mechanism: 1, iterations: 4095, salt: Buffer.from('s'), saltedPassword: Buffer.alloc(32) },
        { name: 'many', mechanism: 2, iterations: 16385, salt: Buffer.from('s'), saltedPassword: Buffer.alloc(64) },
        { name: 'odd', mechanism: 0, iterations: 4096, salt: Buffer.from('s'), saltedPassword: Buffer.alloc(32) },
        { name: 'twice', mechanism: 1, iterations: 4096, salt: Buffer.from('s'), saltedPassword: Buffer.alloc(32) },
        { name: 'twice', mechanism: 2, iterations: 4096, salt: Buffer.from('s'), saltedPassword: Buffer.alloc(64) },
      ],
    });
    expect(result.results.map((r) => [r.user, r.errorCode, r.errorMessage])).toEqual([
      ['dave', ErrorCode.NONE, null],
      ['erin', ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'],
      ['', ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty'],
      ['few', ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations'],
      ['many', ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations'],
      ['odd', ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism'],
      ['twice', ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request'],
    ]);
    client.close();
    const admin = kafkaWith(broker, { mechanism: 'scram-sha-256', username: 'dave', password: 'dave-secret' }, 0).admin();
    await expect(admin.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
  });
});

describe('SCRAM credentials on disk', () => {
  it('survive a restart in <dataDir>/scram-credentials.json', async () => {
    const dir = tempDir();
    try {
      const first = await saslBroker({ dataDir: dir.path });
      const client = await plainClient(first);
      await setScramPassword(client, 'frank', 'SCRAM-SHA-512', 'frank-secret', 8192);
      client.close();
      await first.stop();
      expect(existsSync(join(dir.path, 'scram-credentials.json'))).toBe(true);

      const second = await saslBroker({ dataDir: dir.path });
      try {
        const admin = kafkaWith(second, { mechanism: 'scram-sha-512', username: 'frank', password: 'frank-secret' }).admin();
        await admin.connect();
        expect(await admin.listTopics()).toContain('__consumer_offsets');
        await admin.disconnect();
        const raw = await plainClient(second);
        expect((await raw.send(50, 0, { users: [{ name: 'frank' }] })).results[0]!.credentialInfos).toEqual([{ mechanism: 2, iterations: 8192 }]);
        raw.close();
      } finally {
        await second.stop();
      }
    } finally {
      dir.remove();
    }
  });
});

describe('SASL APIs on a PLAINTEXT listener', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await withBroker();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('answer ILLEGAL_SASL_STATE as Kafka\'s request handler does', async () => {
    const client = await RawClient.connect(broker.host, broker.port);
    expect(await client.send(17, 1, { mechanism: 'PLAIN' })).toEqual({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] });
    const auth = await client.send(36, 1, { authBytes: Buffer.from('\0a\0b') });
    expect(auth).toEqual({
      errorCode: ErrorCode.ILLEGAL_SASL_STATE,
      errorMessage: 'SaslAuthenticate request received after successful authentication',
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0,
    });
    const metadata = await client.send(3, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(metadata.brokers).toHaveLength(1);
    client.close();
  });
});

describe('SASL configuration', () => {
  it('refuses mechanisms Creek does not implement (Kafka\'s default GSSAPI included)', async () => {
    await expect(startBroker({ logLevel: 'silent', properties: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0' } })).rejects.toThrow(ConfigError);
    await expect(startBroker({ logLevel: 'silent', properties: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0' } })).rejects.toThrow(
      'SASL mechanism GSSAPI in sasl.enabled.mechanisms is not supported by Creek',
    );
  });

  it('requires a PlainLoginModule JAAS config for PLAIN and reports a malformed one', async () => {
    const base = { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN' };
    await expect(startBroker({ logLevel: 'silent', properties: base })).rejects.toThrow('set listener.name.sasl_plaintext.plain.sasl.jaas.config');
    await expect(
      startBroker({ logLevel: 'silent', properties: { ...base, 'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'PlainLoginModule required user_a="x"' } }),
    ).rejects.toThrow('must end with ";"');
  });

  it('takes the listener-prefixed mechanism list over the broker-wide one', async () => {
    const broker = await withBroker({
      properties: {
        listeners: 'CLIENTS://127.0.0.1:0',
        'listener.security.protocol.map': 'CLIENTS:SASL_PLAINTEXT',
        'listener.name.clients.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      },
    });
    try {
      const client = await RawClient.connect(broker.host, broker.port);
      expect(await client.send(17, 1, { mechanism: 'PLAIN' })).toEqual({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['SCRAM-SHA-512'] });
    } finally {
      await broker.stop();
    }
  });
});
