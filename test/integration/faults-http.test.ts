// The fault injection admin routes: present only with creek.faults.enable (off for the creek
// command, on for startBroker), validated, listed with hit counts, cleared, and behind the HTTP
// listener's same-origin guard like every other write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { loadBrokerConfig } from '../../src/config/broker-config.js';
import { FaultError } from '../../src/faults/fault-injector.js';
import { withBroker } from '../helpers/broker.js';
import { httpCall } from '../helpers/http.js';
import { RawClient } from '../helpers/raw-client.js';

describe('fault injection switched off', () => {
  it('is off for the creek command unless creek.faults.enable=true', () => {
    expect(loadBrokerConfig({ argv: [], env: {} }).faultsEnable).toBe(false);
    expect(loadBrokerConfig({ argv: ['--override', 'creek.faults.enable=true'], env: {} }).faultsEnable).toBe(true);
  });

  it('has no routes and refuses injection through the embedded broker', async () => {
    const broker = await withBroker({ httpPort: 0, properties: { 'creek.faults.enable': false } });
    try {
      const answer = await httpCall(broker.http!.url, '/admin/faults/requests/fail', { method: 'POST', json: { apiKey: 0, errorCode: 6 } });
      expect(answer.status).toBe(404);
      expect((await httpCall(broker.http!.url, '/admin/faults')).status).toBe(404);
      expect(() => broker.faults.failRequests({ apiKey: 0, errorCode: 6 })).toThrow(FaultError);
    } finally {
      await broker.stop();
    }
  });
});

describe('fault injection routes', () => {
  let broker: RunningBroker;
  let url: string;
  beforeAll(async () => {
    broker = await withBroker({ httpPort: 0 });
    url = broker.http!.url;
  });
  afterAll(async () => {
    await broker.stop();
  });

  const post = (path: string, json: unknown, headers: Record<string, string> = {}) => httpCall(url, `/admin/faults/${path}`, { method: 'POST', json, headers });

  it('adds, lists, counts and clears faults', async () => {
    const created = await post('requests/fail', { apiKey: 'Metadata', errorCode: 'LEADER_NOT_AVAILABLE', count: 1, clientId: 'raw' });
    expect(created.status).toBe(201);
    const fault = JSON.parse(created.body) as { id: number };
    expect(JSON.parse(created.body)).toMatchObject({ kind: 'fail', active: true, hits: 0, remaining: 1, spec: { apiKey: 3, errorCode: 5, clientId: 'raw' } });

    const client = await RawClient.connect(broker.host, broker.port);
    try {
      const failed = await client.send(3, 12, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'nope' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      // Another client id: served as usual (the topic does not exist), and the fault not used.
      expect(failed.topics.map((t) => t.errorCode)).toEqual([3]);
    } finally {
      client.close();
    }
    expect(JSON.parse((await httpCall(url, `/admin/faults/${fault.id}`)).body)).toMatchObject({ active: true, hits: 0 });

    const delayed = JSON.parse((await post('requests/delay', { apiKey: 18, delayMs: 0 })).body) as { id: number };
    const listed = JSON.parse((await httpCall(url, '/admin/faults')).body) as { id: number; kind: string }[];
    expect(listed.map((f) => [f.id, f.kind])).toEqual([
      [fault.id, 'fail'],
      [delayed.id, 'delay'],
    ]);
    expect(JSON.parse((await httpCall(url, `/admin/faults/${delayed.id}`, { method: 'DELETE' })).body)).toEqual({ cleared: 1 });
    expect((await httpCall(url, `/admin/faults/${delayed.id}`)).status).toBe(200);
    expect(JSON.parse((await httpCall(url, '/admin/faults', { method: 'DELETE' })).body)).toEqual({ cleared: 1 });
    expect(JSON.parse((await httpCall(url, '/admin/faults')).body)).toEqual([]);
    expect((await httpCall(url, `/admin/faults/${fault.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('fails a raw Metadata request of the matching client id with its error in place', async () => {
    await post('requests/fail', { apiKey: 'Metadata', errorCode: 'LEADER_NOT_AVAILABLE', clientId: 'raw-client' });
    const client = await RawClient.connect(broker.host, broker.port);
    try {
      const request = { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'some-topic' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
      const answers = [await client.send(3, 12, request), await client.send(3, 12, request)];
      expect(answers.map((a) => a.topics.map((t) => [t.name, t.errorCode]))).toEqual([[['some-topic', 5]], [['some-topic', 3]]]);
      expect(answers[0]!.brokers.map((b) => b.port)).toEqual([broker.port]);
    } finally {
      client.close();
    }
    await httpCall(url, '/admin/faults', { method: 'DELETE' });
  });

  it('refuses bad faults with 400 and the reason', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['requests/fail', { apiKey: 'AlterConfigs', errorCode: 6 }, /cannot be failed/],
      ['requests/fail', { apiKey: 'Produce', errorCode: 'BAD' }, /unknown error code/],
      ['requests/fail', { apiKey: 'Produce', errorCode: 6, count: '2' }, /count/],
      ['requests/delay', { apiKey: 'Produce' }, /delayMs/],
      ['partitions/not-leader', { topic: 'missing' }, /unknown topic/],
      ['groups/pause', {}, /groupId/],
      ['requests/close', [], /JSON object/],
    ];
    for (const [path, body, reason] of cases) {
      const answer = await post(path, body);
      expect([path, answer.status]).toEqual([path, 400]);
      expect(JSON.parse(answer.body).message).toMatch(reason);
    }
    expect(JSON.parse((await httpCall(url, '/admin/faults')).body)).toEqual([]);
  });

  it('refuses cross-site writes, as every HTTP write', async () => {
    const answer = await post('requests/fail', { apiKey: 0, errorCode: 6 }, { Origin: 'http://evil.example' });
    expect(answer.status).toBe(403);
    expect(JSON.parse((await httpCall(url, '/admin/faults')).body)).toEqual([]);
  });

  it('closes connections by client id', async () => {
    const client = await RawClient.connect(broker.host, broker.port);
    await client.send(18, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
    const answer = await post('connections/close', { clientId: 'raw-client' });
    expect(JSON.parse(answer.body)).toEqual({ closed: 1 });
    await client.closed;
  });
});
