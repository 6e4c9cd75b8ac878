// Limits on clients that have not authenticated on a SASL listener: requests larger than
// sasl.server.max.receive.size close the connection (as Kafka's SaslServerAuthenticator), a
// malformed SCRAM message of any length is answered SASL_AUTHENTICATION_FAILED, and a failed
// authentication is answered only after connection.failed.authentication.delay.ms. Authenticated
// clients keep socket.request.max.bytes, and others are served throughout.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import type { RunningBroker } from '../../src/broker.js';
import { produceAndConsume } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { kafkaWith, saslBroker } from '../helpers/sasl.js';

const ADMIN = { mechanism: 'plain', username: 'admin', password: 'admin-secret' } as const;
const DELAY_MS = 300;

let broker: RunningBroker;
beforeAll(async () => {
  broker = await saslBroker({ properties: { 'sasl.server.max.receive.size': 16 * 1024 * 1024, 'connection.failed.authentication.delay.ms': DELAY_MS } });
});
afterAll(async () => {
  await broker.stop();
});

async function scramClient(): Promise<RawClient> {
  const client = await RawClient.connect(broker.host, broker.port);
  expect((await client.send(17, 1, { mechanism: 'SCRAM-SHA-256' })).errorCode).toBe(ErrorCode.NONE);
  return client;
}

describe('before SASL authentication', () => {
  it('answers a SCRAM first message with millions of attributes with SASL_AUTHENTICATION_FAILED', async () => {
    const client = await scramClient();
    const first = Buffer.from(`n,,n=admin,r=abc${',x=1'.repeat(3_000_000)}`);
    const auth = await client.send(36, 2, { authBytes: first });
    expect(auth.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    await expect(client.send(18, 0, { clientSoftwareName: '', clientSoftwareVersion: '', clusterId: null, nodeId: -1 })).rejects.toThrow('connection closed');
    expect(await produceAndConsume(kafkaWith(broker, ADMIN), 'after-malformed-scram')).toEqual(['one', 'two']);
  });

  it('answers a failed authentication only after the delay, while other clients are served', async () => {
    const started = Date.now();
    const failures = Array.from({ length: 20 }, async () => {
      const client = await RawClient.connect(broker.host, broker.port);
      await client.send(17, 1, { mechanism: 'PLAIN' });
      const auth = await client.send(36, 2, { authBytes: Buffer.from('\0admin\0wrong') });
      return { errorCode: auth.errorCode, after: Date.now() - started };
    });
    expect(await produceAndConsume(kafkaWith(broker, ADMIN), 'during-failures')).toEqual(['one', 'two']);
    for (const { errorCode, after } of await Promise.all(failures)) {
      expect(errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      expect(after).toBeGreaterThanOrEqual(DELAY_MS);
    }
  });
});

describe('sasl.server.max.receive.size', () => {
  let limited: RunningBroker;
  beforeAll(async () => {
    limited = await saslBroker();
  });
  afterAll(async () => {
    await limited.stop();
  });

  it('closes an unauthenticated connection sending more than 512 KiB, and serves authenticated clients up to socket.request.max.bytes', async () => {
    const client = await RawClient.connect(limited.host, limited.port);
    expect((await client.send(17, 1, { mechanism: 'SCRAM-SHA-256' })).errorCode).toBe(ErrorCode.NONE);
    await expect(client.send(36, 2, { authBytes: Buffer.alloc(600 * 1024, 0x61) })).rejects.toThrow('connection closed');

    const kafka = kafkaWith(limited, ADMIN);
    const producer = kafka.producer();
    await producer.connect();
    const [sent] = await producer.send({ topic: 'big-after-auth', messages: [{ value: randomBytes(900 * 1024) }] });
    expect(sent!.errorCode).toBe(0);
    await producer.disconnect();
  });
});
