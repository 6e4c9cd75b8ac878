// Kafka's legacy SASL flow: after SaslHandshake v0 the client sends raw SASL tokens (size-prefixed
// frames, not SaslAuthenticate requests) and gets raw size-prefixed tokens back. Debian's
// kafka-python 2.0.2 logs in this way (PLAIN and SCRAM produce/consume; skipped with a printed
// reason when /usr/bin/python3 cannot import kafka); raw sockets check a good and a bad password
// and the size limit before authentication.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../protocol/codec/messages.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { RunningBroker } from '../../src/broker.js';
import { openFrameSocket, sizePrefixed, type FrameSocket } from '../helpers/frames.js';
import { plainClient, saslBroker, setScramPassword } from '../helpers/sasl.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

async function kafkaPythonMissing(): Promise<string | undefined> {
  try {
    await run(PYTHON, ['-c', 'import kafka'], { timeout: 30_000 });
    return undefined;
  } catch (err) {
    return `kafka-python cannot be imported by ${PYTHON} (install python3-kafka): ${(err as Error).message.split('\n').filter(Boolean).at(-1)}`;
  }
}

// Produces three records with a SASL login, then reads them back with a consumer group.
const SCRIPT = `
import json, sys
from kafka import KafkaProducer, KafkaConsumer
bootstrap, mechanism, user, password, topic = sys.argv[1:6]
auth = dict(bootstrap_servers=bootstrap, security_protocol='SASL_PLAINTEXT', sasl_mechanism=mechanism,
            sasl_plain_username=user, sasl_plain_password=password, api_version=(2, 5, 0))
producer = KafkaProducer(acks='all', **auth)
for i in range(3):
    producer.send(topic, ('%s-%d' % (mechanism, i)).encode()).get(timeout=30)
producer.close()
consumer = KafkaConsumer(topic, group_id=topic + '-group', auto_offset_reset='earliest', consumer_timeout_ms=20000, **auth)
seen = []
for message in consumer:
    seen.append(message.value.decode())
    if len(seen) == 3:
        break
consumer.close()
print(json.dumps(seen))
`;

const MAX_RECEIVE = 4096;
let broker: RunningBroker;
let missing: string | undefined;
beforeAll(async () => {
  missing = await kafkaPythonMissing();
  if (missing) console.log(`skipping kafka-python SASL tests: ${missing}`);
  broker = await saslBroker({ properties: { 'sasl.server.max.receive.size': MAX_RECEIVE, 'connection.failed.authentication.delay.ms': 50 } });
  const admin = await plainClient(broker);
  const set = await setScramPassword(admin, 'carol', 'SCRAM-SHA-256', 'carol-secret');
  expect(set.results[0]!.errorCode).toBe(ErrorCode.NONE);
  admin.close();
});
afterAll(async () => {
  await broker.stop();
});

/** A connection that sent SaslHandshake v0 for `mechanism` and got NONE. */
async function handshakeV0(mechanism: string): Promise<FrameSocket> {
  const s = await openFrameSocket(broker.port);
  s.send(encodeRequest(17, 0, 1, 'legacy', { mechanism }));
  const res = decodeResponse(17, 0, await s.next());
  expect(res.body.errorCode).toBe(ErrorCode.NONE);
  return s;
}

describe('SaslHandshake v0 then raw tokens', () => {
  it('logs in with a raw PLAIN token, answered by an empty raw token, then serves requests', async () => {
    const s = await handshakeV0('PLAIN');
    s.send(sizePrefixed(Buffer.from('\0alice\0alice-secret')));
    expect(await s.next()).toEqual(Buffer.alloc(0));
    s.send(encodeRequest(3, 12, 2, 'legacy', { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }));
    const metadata = decodeResponse(3, 12, await s.next());
    expect(metadata.correlationId).toBe(2);
    expect(metadata.body.brokers.map((b) => b.port)).toEqual([broker.port]);
    s.end();
  });

  it('closes the connection without an answer after a bad password', async () => {
    const s = await handshakeV0('PLAIN');
    const answers: Buffer[] = [];
    s.socket.on('data', (chunk: Buffer) => answers.push(chunk));
    s.send(sizePrefixed(Buffer.from('\0alice\0wrong')));
    await s.closed;
    expect(answers).toEqual([]);
  });

  it('closes the connection after a raw SCRAM exchange with a bad proof', async () => {
    const s = await handshakeV0('SCRAM-SHA-256');
    s.send(sizePrefixed(Buffer.from('n,,n=carol,r=clientnonce')));
    const serverFirst = (await s.next()).toString();
    expect(serverFirst).toMatch(/^r=clientnonce[^,]+,s=[^,]+,i=4096$/);
    const nonce = serverFirst.split(',')[0]!.slice(2);
    s.send(sizePrefixed(Buffer.from(`c=biws,r=${nonce},p=${Buffer.alloc(32).toString('base64')}`)));
    await s.closed;
  });

  it('closes the connection on a raw token larger than sasl.server.max.receive.size', async () => {
    const s = await handshakeV0('PLAIN');
    s.send(sizePrefixed(Buffer.alloc(MAX_RECEIVE + 1, 1)));
    await s.closed;
  });
});

describe('kafka-python 2.0 (SaslHandshake v0, raw tokens)', () => {
  for (const [mechanism, user, password] of [
    ['PLAIN', 'alice', 'alice-secret'],
    ['SCRAM-SHA-256', 'carol', 'carol-secret'],
  ] as const) {
    it(`produces and consumes with SASL/${mechanism}`, { timeout: 90_000 }, async (ctx) => {
      if (missing) return ctx.skip();
      const topic = `legacy-${mechanism.toLowerCase()}`;
      const { stdout } = await run(PYTHON, ['-c', SCRIPT, broker.bootstrap, mechanism, user, password, topic], { timeout: 80_000 });
      expect(JSON.parse(stdout)).toEqual([0, 1, 2].map((i) => `${mechanism}-${i}`));
    });
  }
});
