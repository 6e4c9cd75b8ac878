// The web console: its JSON (topics with offsets, records as text or base64, groups with lag),
// its assets (served by the broker, with a strict Content-Security-Policy), and a real browser
// (Debian's chromium driven by playwright-core) showing a <script> record value as text.
// The browser part skips with a printed reason when chromium is not installed.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { httpCall } from '../helpers/http.js';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = '<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">';

describe('web console', () => {
  let broker: RunningBroker;
  let url: string;

  beforeAll(async () => {
    broker = await withBroker({ httpPort: 0, properties: { 'group.initial.rebalance.delay.ms': 0 } });
    url = broker.http!.url;
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'console-topic',
      messages: [
        { key: 'k1', value: 'plain text' },
        { key: 'k2', value: HOSTILE, headers: { trace: 'abc' } },
        { key: null, value: Buffer.from([0xff, 0xfe, 0x00, 0x01]) },
      ],
    });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'console-group', topic: 'console-topic', partitions: [{ partition: 0, offset: '2' }] });
    await admin.disconnect();
  });
  afterAll(() => broker?.stop());

  it('lists topics with their offsets, records as text or base64, and groups with lag', async () => {
    const topics = JSON.parse((await httpCall(url, '/api/topics')).body);
    expect(topics.find((t: { name: string }) => t.name === 'console-topic')).toMatchObject({ partitions: [{ partition: 0, logStartOffset: 0, highWatermark: 3 }] });
    const page = JSON.parse((await httpCall(url, '/api/topics/console-topic/partitions/0/records?offset=1&limit=5')).body);
    expect(page.records.map((r: { offset: number }) => r.offset)).toEqual([1, 2]);
    expect(page.records[0]).toMatchObject({ key: { text: 'k2', encoding: 'utf8' }, value: { text: HOSTILE, encoding: 'utf8' }, headers: [{ key: 'trace', value: { text: 'abc', encoding: 'utf8' } }] });
    expect(page.records[1]).toMatchObject({ key: null, value: { text: Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64'), encoding: 'base64' } });
    expect((await httpCall(url, '/api/topics/nope/partitions/0/records')).status).toBe(404);
    const groups = JSON.parse((await httpCall(url, '/api/groups')).body);
    expect(groups).toEqual([expect.objectContaining({ groupId: 'console-group', lag: 1, partitions: [{ topic: 'console-topic', partition: 0, committed: 2, highWatermark: 3, lag: 1 }] })]);
  });

  it('serves its page and assets from the broker with a strict Content-Security-Policy', async () => {
    const page = await httpCall(url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).not.toMatch(/https?:\/\//);
    expect((await httpCall(url, '/console/console.js')).headers['content-type']).toContain('text/javascript');
    expect((await httpCall(url, '/console/console.css')).status).toBe(200);
  });

  describe('in a browser', () => {
    let browser: Browser | undefined;
    const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium)`;
    beforeAll(async () => {
      if (missing !== undefined) return;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
    });
    afterAll(() => browser?.close());

    it('shows topics, groups, and a <script> record value as text without running it', async (ctx) => {
      if (missing !== undefined) {
        console.log(`skipping: ${missing}`);
        ctx.skip();
      }
      const page = await browser!.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${url}/#topics`);
      await page.locator('#topic-table td', { hasText: 'console-topic' }).first().waitFor();
      await page.locator('#topic-table a[href="#messages/console-topic/0"]').click();
      await page.locator('#message-table td', { hasText: 'plain text' }).waitFor();
      const values = await page.locator('#message-table tbody tr td:nth-child(4)').allTextContents();
      expect(values).toEqual(['plain text', HOSTILE, Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64')]);
      expect(await page.locator('#message-table script, #message-table img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
      await page.goto(`${url}/#groups`);
      await page.locator('#group-table td', { hasText: 'console-group' }).first().waitFor();
      const lagRow = await page.locator('#group-table tbody tr').first().locator('td').allTextContents();
      expect(lagRow).toEqual(['console-group', 'Empty', 'console-topic', '0', '2', '3', '1']);
      expect(errors).toEqual([]);
      await page.close();
    });
  });
});
