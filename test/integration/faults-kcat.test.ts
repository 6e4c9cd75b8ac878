// Fault injection with kcat (librdkafka): its producer retries through failed Produce requests and
// its consumer through failed ListOffsets and Fetch requests, which checks that the injected error
// responses are ones librdkafka parses. Skips when kcat is not installed.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';

const run = promisify(execFile);
const missing = spawnSync('kcat', ['-V']).error === undefined ? undefined : 'kcat is not installed';

describe('fault injection with kcat', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    if (missing !== undefined) return;
    broker = await withBroker();
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'faults-kcat' }] });
    await admin.disconnect();
  });
  afterAll(() => broker?.stop());

  const kcat = async (args: string[], input?: string): Promise<string> => {
    const child = run('kcat', ['-b', broker.bootstrap, '-X', 'retry.backoff.ms=50', ...args], { timeout: 30_000 });
    if (input !== undefined) child.child.stdin!.end(input);
    return (await child).stdout;
  };

  it('produces through failed Produce requests and consumes through failed ListOffsets and Fetch requests', async (ctx) => {
    if (missing !== undefined) {
      console.log(`skipping: ${missing}`);
      ctx.skip();
    }
    const topic = 'faults-kcat';
    const produceFails = broker.faults.failRequests({ apiKey: 'Produce', errorCode: 'NOT_LEADER_OR_FOLLOWER', count: 2, topic });
    await kcat(['-P', '-t', topic, '-p', '0'], 'one\ntwo\n');
    expect(produceFails.hits).toBe(2);
    const listOffsetsFails = broker.faults.failRequests({ apiKey: 'ListOffsets', errorCode: 'NOT_LEADER_OR_FOLLOWER', topic });
    const fetchFails = broker.faults.failRequests({ apiKey: 'Fetch', errorCode: 'NOT_LEADER_OR_FOLLOWER', topic, count: 2 });
    const out = await kcat(['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-c', '2', '-f', '%s@%o\\n']);
    expect(out.trim().split('\n')).toEqual(['one@0', 'two@1']);
    expect([listOffsetsFails.hits, fetchFails.hits]).toEqual([1, 2]);
  });
});
