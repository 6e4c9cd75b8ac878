// Fault injection with @platformatic/kafka: a producer retrying through failed Produce requests
// (injected with the embedded broker's `faults`), and a consumer joining through a paused group
// coordinator and failed FindCoordinator/Fetch requests (injected over HTTP, as a test in another
// language would). The faults' own hit counts show what the client met.
import { Admin, Consumer, Producer, type Message } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { withBroker } from '../helpers/broker.js';
import { platformaticErrorResponses } from '../helpers/client-errors.js';
import { httpCall } from '../helpers/http.js';
import { ErrorCode } from '../../protocol/errors.js';

const CLIENT = { clientId: 'faults-platformatic', retries: 10, retryDelay: 50, timeout: 10_000 };

let broker: RunningBroker;
beforeAll(async () => {
  broker = await withBroker({ httpPort: 0, properties: { 'group.initial.rebalance.delay.ms': 0 } });
});
afterAll(async () => {
  await broker.stop();
});

async function createTopic(topic: string): Promise<void> {
  const admin = new Admin({ ...CLIENT, bootstrapBrokers: [broker.bootstrap] });
  try {
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
  } finally {
    await admin.close();
  }
}

async function inject(path: string, json: unknown): Promise<{ id: number }> {
  const answer = await httpCall(broker.http!.url, `/admin/faults/${path}`, { method: 'POST', json });
  expect(answer.status, answer.body).toBe(201);
  return JSON.parse(answer.body) as { id: number };
}

async function hits(id: number): Promise<number | undefined> {
  const answer = await httpCall(broker.http!.url, `/admin/faults/${id}`);
  return answer.status === 200 ? (JSON.parse(answer.body) as { hits: number }).hits : undefined;
}

describe('fault injection with @platformatic/kafka', () => {
  it('fails the next two Produce requests with REQUEST_TIMED_OUT; the producer retries and writes once', async () => {
    const topic = 'faults-plt-produce';
    await createTopic(topic);
    const produces = broker.faults.delayResponses({ apiKey: 'Produce', delayMs: 0, topic });
    const failed = broker.faults.failRequests({ apiKey: 'Produce', errorCode: 'REQUEST_TIMED_OUT', count: 2, topic });
    const clientSaw = platformaticErrorResponses();
    const producer = new Producer({ ...CLIENT, bootstrapBrokers: [broker.bootstrap] });
    try {
      const result = await producer.send({ messages: [{ topic, value: Buffer.from('once'), partition: 0 }] });
      expect(result.offsets?.map((o) => o.offset)).toEqual([0n]);
    } finally {
      await producer.close();
      clientSaw.stop();
    }
    produces.clear();
    expect([failed.hits, produces.hits]).toEqual([2, 3]);
    expect(clientSaw.seen).toEqual([
      { api: 'Produce', code: ErrorCode.REQUEST_TIMED_OUT },
      { api: 'Produce', code: ErrorCode.REQUEST_TIMED_OUT },
    ]);
  });

  it('joins through a paused coordinator and failed FindCoordinator and Fetch requests, all injected over HTTP', async () => {
    const topic = 'faults-plt-consume';
    const groupId = `${topic}-group`;
    await createTopic(topic);
    const producer = new Producer({ ...CLIENT, bootstrapBrokers: [broker.bootstrap] });
    await producer.send({ messages: ['a', 'b'].map((v) => ({ topic, value: Buffer.from(v), partition: 0 })) });
    await producer.close();

    const findCoordinator = await inject('requests/fail', { apiKey: 'FindCoordinator', errorCode: 'COORDINATOR_NOT_AVAILABLE' });
    const fetch = await inject('requests/fail', { apiKey: 'Fetch', errorCode: 'NOT_LEADER_OR_FOLLOWER', topic });
    const pause = await inject('groups/pause', { groupId, mode: 'loading' });

    const clientSaw = platformaticErrorResponses();
    const consumer = new Consumer({ ...CLIENT, bootstrapBrokers: [broker.bootstrap], groupId, maxWaitTime: 100, heartbeatInterval: 200, sessionTimeout: 10_000 });
    try {
      const joining = consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
      await vi.waitFor(async () => expect(await hits(pause.id)).toBeGreaterThanOrEqual(1), { timeout: 20_000, interval: 20 });
      expect((await httpCall(broker.http!.url, `/admin/faults/${pause.id}`, { method: 'DELETE' })).status).toBe(200);
      const stream = await joining;
      const got: string[] = [];
      for await (const m of stream as AsyncIterable<Message>) {
        got.push((m.value as Buffer).toString());
        if (got.length === 2) break;
      }
      await stream.close();
      expect(got).toEqual(['a', 'b']);
    } finally {
      await consumer.close(true);
      clientSaw.stop();
    }
    // Besides JoinGroup's MEMBER_ID_REQUIRED (the normal first answer to a new member), the client met exactly the injected errors.
    const pauseHits = (JSON.parse((await httpCall(broker.http!.url, '/admin/faults')).body) as { id: number; hits: number }[]).find((f) => f.id === pause.id)?.hits;
    const injectedSeen = clientSaw.seen.filter((e) => e.code !== ErrorCode.MEMBER_ID_REQUIRED);
    expect(injectedSeen).toHaveLength(2 + pauseHits!);
    expect(injectedSeen).toEqual(
      expect.arrayContaining([
        { api: 'FindCoordinator', code: ErrorCode.COORDINATOR_NOT_AVAILABLE },
        { api: 'Fetch', code: ErrorCode.NOT_LEADER_OR_FOLLOWER },
        ...Array.from({ length: pauseHits! }, () => ({ api: 'JoinGroup', code: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS })),
      ]),
    );
    // Used up, and listed with what they met: exactly one request each.
    const listed = JSON.parse((await httpCall(broker.http!.url, '/admin/faults')).body) as { id: number; active: boolean; hits: number }[];
    expect(listed.filter((f) => f.id === findCoordinator.id || f.id === fetch.id).map((f) => [f.active, f.hits])).toEqual([
      [false, 1],
      [false, 1],
    ]);
  });
});
