// SASL test helpers: a broker with a SASL_PLAINTEXT listener (PLAIN users admin and alice, SCRAM
// enabled), kafkajs clients with SASL options, a raw connection authenticated with SASL/PLAIN,
// and setting a SCRAM password as Kafka's admin client does.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { expect } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import type { RunningBroker, StartOptions } from '../../src/broker.js';
import { saltedPassword, scramMechanismByName } from '../../src/security/scram.js';
import { withBroker } from './broker.js';
import { RawClient } from './raw-client.js';

export const SASL_PROPERTIES = {
  listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
  'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
  'listener.name.sasl_plaintext.plain.sasl.jaas.config':
    'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";',
  'group.initial.rebalance.delay.ms': 0,
};

export function saslBroker(options: StartOptions = {}): Promise<RunningBroker> {
  return withBroker({ ...options, properties: { ...SASL_PROPERTIES, ...options.properties } });
}

export function kafkaWith(broker: RunningBroker, sasl: SASLOptions, retries = 5): Kafka {
  return new Kafka({
    clientId: 'sasl-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 50, maxRetryTime: 500 },
    sasl,
  });
}

/** A raw connection authenticated with SASL/PLAIN (handshake v1, SaslAuthenticate v2). */
export async function plainClient(broker: RunningBroker, user = 'admin', password = 'admin-secret'): Promise<RawClient> {
  const client = await RawClient.connect(broker.host, broker.port);
  const handshake = await client.send(17, 1, { mechanism: 'PLAIN' });
  expect(handshake.errorCode).toBe(ErrorCode.NONE);
  const auth = await client.send(36, 2, { authBytes: Buffer.from(`\0${user}\0${password}`) });
  expect(auth.errorCode).toBe(ErrorCode.NONE);
  return client;
}

/** Sets a user's SCRAM password the way Kafka's admin client does: salt and salted password. */
export async function setScramPassword(client: RawClient, user: string, mechanismName: string, password: string, iterations = 4096) {
  const mechanism = scramMechanismByName(mechanismName)!;
  const salt = randomBytes(24);
  return client.send(51, 0, {
    deletions: [],
    upsertions: [{ name: user, mechanism: mechanism.type, iterations, salt, saltedPassword: saltedPassword(mechanism, password, salt, iterations) }],
  });
}
