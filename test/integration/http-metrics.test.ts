// The broker's HTTP listener: /metrics counts a known kafkajs load per topic (records and bytes
// in equal what was produced and stored, bytes out what was fetched, lag per group and
// partition), health probes, and the request guard (Host header, cross-site writes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';
import { httpCall, promSample } from '../helpers/http.js';

describe('HTTP /metrics and guard', () => {
  let broker: RunningBroker;
  let url: string;

  beforeAll(async () => {
    broker = await withBroker({ httpPort: 0, properties: { 'group.initial.rebalance.delay.ms': 0 } });
    url = broker.http!.url;
  });
  afterAll(() => broker?.stop());

  it('is off unless asked for, and binds loopback on a free port when asked', async () => {
    const plain = await withBroker();
    expect(plain.http).toBeUndefined();
    await plain.stop();
    expect(broker.http!.host).toBe('127.0.0.1');
    expect(broker.http!.port).toBeGreaterThan(0);
  });

  it('counts records and bytes produced and fetched per topic, and lag per group and partition', async () => {
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'metrics-a', numPartitions: 2 }, { topic: 'metrics-b', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 4; i++) {
      await producer.send({ topic: 'metrics-a', messages: Array.from({ length: 5 }, (_, j) => ({ value: `a-${i}-${j}`, partition: j % 2 })) });
    }
    await producer.send({ topic: 'metrics-b', messages: [{ value: 'b-1' }, { value: 'b-2' }, { value: 'b-3' }] });

    const consumer = kafka.consumer({ groupId: 'metrics-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'metrics-a', fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      consumer.run({ eachMessage: async () => void (++seen === 20 && resolve()) }).catch(reject);
    });
    await consumer.disconnect();
    const before = (await httpCall(url, '/metrics')).body;
    const storedBefore = [0, 1].reduce((n, p) => n + promSample(before, 'kafka_log_log_size', { topic: 'metrics-a', partition: String(p) })!, 0);
    // The consumer read every batch of metrics-a stored so far.
    expect(promSample(before, 'kafka_server_brokertopicmetrics_bytesout_total', { topic: 'metrics-a' })).toBeGreaterThanOrEqual(storedBefore);
    // Produced after the group committed: the lag of partition 0 is exactly these three.
    await producer.send({ topic: 'metrics-a', messages: [{ value: 'late-1', partition: 0 }, { value: 'late-2', partition: 0 }, { value: 'late-3', partition: 0 }] });
    await producer.disconnect();

    const res = await httpCall(url, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    const sample = (name: string, labels: Record<string, string> = {}) => promSample(text, name, labels);
    expect(sample('kafka_server_brokertopicmetrics_messagesin_total', { topic: 'metrics-a' })).toBe(23);
    expect(sample('kafka_server_brokertopicmetrics_messagesin_total', { topic: 'metrics-b' })).toBe(3);
    // Batches are stored as produced: bytes in equals the bytes the partitions hold.
    const stored = (topic: string, partitions: number) =>
      Array.from({ length: partitions }, (_, p) => sample('kafka_log_log_size', { topic, partition: String(p) })!).reduce((a, b) => a + b, 0);
    expect(stored('metrics-a', 2)).toBeGreaterThan(0);
    expect(sample('kafka_server_brokertopicmetrics_bytesin_total', { topic: 'metrics-a' })).toBe(stored('metrics-a', 2));
    expect(sample('kafka_server_brokertopicmetrics_bytesin_total', { topic: 'metrics-b' })).toBe(stored('metrics-b', 1));
    expect(sample('kafka_server_brokertopicmetrics_bytesout_total', { topic: 'metrics-b' })).toBeUndefined();
    expect(sample('kafka_log_log_logendoffset', { topic: 'metrics-a', partition: '0' })).toBe(15);
    expect(sample('kafka_log_log_logendoffset', { topic: 'metrics-a', partition: '1' })).toBe(8);
    expect(sample('kafka_consumergroup_lag', { consumergroup: 'metrics-group', topic: 'metrics-a', partition: '0' })).toBe(3);
    expect(sample('kafka_consumergroup_lag', { consumergroup: 'metrics-group', topic: 'metrics-a', partition: '1' })).toBe(0);
    expect(sample('kafka_consumergroup_current_offset', { consumergroup: 'metrics-group', topic: 'metrics-a', partition: '0' })).toBe(12);
    expect(sample('kafka_coordinator_group_groupmetadatamanager_numgroups')).toBe(1);
    expect(sample('kafka_network_requestmetrics_requests_total', { request: 'Produce' })).toBeGreaterThanOrEqual(6);
    expect(sample('kafka_network_requestmetrics_totaltimems_count', { request: 'Fetch' })).toBeGreaterThan(0);
    // The request-time histogram, built from counts kept before the first scrape: cumulative
    // buckets ending at +Inf with every request counted, as many as the requests handled.
    expect(text).toContain('# TYPE kafka_network_requestmetrics_totaltimems histogram');
    const produced = sample('kafka_network_requestmetrics_totaltimems_count', { request: 'Produce' })!;
    expect(produced).toBe(sample('kafka_network_requestmetrics_requests_total', { request: 'Produce' }));
    const buckets = ['1', '2', '5', '10', '25', '50', '100', '250', '500', '1000', '2500', '5000', '10000', '+Inf'].map((le) => sample('kafka_network_requestmetrics_totaltimems_bucket', { request: 'Produce', le })!);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
    expect(buckets.at(-1)).toBe(produced);
    expect(sample('kafka_network_requestmetrics_totaltimems_sum', { request: 'Produce' })).toBeGreaterThan(0);
    expect(sample('kafka_server_brokertopicmetrics_failedproducerequests_total', { topic: 'metrics-a' })).toBeUndefined();
    // Node process metrics (prom-client's defaults).
    expect(sample('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('reports what the in-memory tails of a disk broker hold against their bound', async () => {
    const dir = tempDir();
    const disk = await withBroker({ dataDir: dir.path, httpPort: 0, properties: { 'creek.log.tail.cache.max.bytes': 4 * 1024 * 1024 } });
    try {
      const scrape = async (name: string) => promSample((await httpCall(disk.http!.url, '/metrics')).body, name)!;
      expect(await scrape('creek_log_tail_cache_max_bytes')).toBe(4 * 1024 * 1024);
      const producer = kafkaFor(disk).producer();
      await producer.connect();
      await producer.send({ topic: 'tails', messages: Array.from({ length: 50 }, (_, i) => ({ value: 'x'.repeat(1000) + i })) });
      await producer.disconnect();
      const body = (await httpCall(disk.http!.url, '/metrics')).body;
      // Each partition keeps up to 1 MiB of its latest appends, so the topic's bytes are all held still.
      const stored = promSample(body, 'kafka_log_log_size', { topic: 'tails', partition: '0' })!;
      expect(stored).toBeGreaterThan(50 * 1000);
      expect(promSample(body, 'creek_log_tail_cache_bytes')).toBeGreaterThanOrEqual(stored);
      expect(promSample(body, 'creek_log_tail_cache_bytes')).toBeLessThanOrEqual(4 * 1024 * 1024);
    } finally {
      await disk.stop();
      dir.remove();
    }
    // The shared broker of these tests keeps its logs in memory: no tails.
    expect(promSample((await httpCall(url, '/metrics')).body, 'creek_log_tail_cache_max_bytes')).toBe(0);
  });

  it('drops the counts of a deleted topic', async () => {
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'metrics-gone', messages: [{ value: 'x' }] });
    await producer.disconnect();
    expect(promSample((await httpCall(url, '/metrics')).body, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'metrics-gone' })).toBe(1);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: ['metrics-gone'] });
    await admin.disconnect();
    const text = (await httpCall(url, '/metrics')).body;
    expect(promSample(text, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'metrics-gone' })).toBeUndefined();
    expect(promSample(text, 'kafka_log_log_size', { topic: 'metrics-gone', partition: '0' })).toBeUndefined();
  });

  it('answers 404 for unknown paths and 405 for a known path with another method', async () => {
    expect((await httpCall(url, '/nothing-here')).status).toBe(404);
    const wrongMethod = await httpCall(url, '/metrics', { method: 'DELETE' });
    expect([wrongMethod.status, JSON.parse(wrongMethod.body).error_code]).toEqual([405, 405]);
  });

  it('answers the health probes', async () => {
    expect((await httpCall(url, '/health/live')).status).toBe(200);
    const ready = await httpCall(url, '/health/ready');
    expect([ready.status, JSON.parse(ready.body)]).toEqual([200, { status: 'ready' }]);
  });

  it('refuses a Host header that is not the listener address or localhost (DNS rebinding)', async () => {
    const port = broker.http!.port;
    expect((await httpCall(url, '/metrics', { headers: { Host: `evil.example:${port}` } })).status).toBe(421);
    expect((await httpCall(url, '/metrics', { headers: { Host: `localhost.evil.example:${port}` } })).status).toBe(421);
    expect((await httpCall(url, '/metrics', { headers: { Host: `localhost:${port + 1}` } })).status).toBe(421);
    expect((await httpCall(url, '/metrics', { headers: { Host: `localhost:${port}` } })).status).toBe(200);
    expect((await httpCall(url, '/metrics', { headers: { Host: `127.0.0.1:${port}` } })).status).toBe(200);
  });

  it('refuses cross-site writes and accepts same-origin and non-browser ones', async () => {
    const host = `127.0.0.1:${broker.http!.port}`;
    const post = (headers: Record<string, string>) => httpCall(url, '/config', { method: 'PUT', json: { compatibility: 'BACKWARD' }, headers });
    expect((await post({ Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ Origin: `http://${host}`, 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await post({ 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    expect((await httpCall(url, '/config', { method: 'PUT', body: 'compatibility=NONE', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    // Past the guard: the route answers (404 until a route exists there is still "not refused").
    expect((await post({ Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin' })).status).not.toBe(403);
    expect((await post({})).status).not.toBe(403);
  });
});
