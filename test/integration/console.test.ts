// The web console: its JSON (topics with offsets, records as text or base64, groups with lag),
// its assets (served by the broker, with a strict Content-Security-Policy, uPlot included), and
// a real browser (Debian's chromium driven by playwright-core) showing a <script> record value as
// text, and a page on another origin failing to make the browser change anything.
// The browser part skips with a printed reason when chromium is not installed (programs.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import type { GroupSummary } from '../../src/console/groups-api.js';
import type { RecordsPage } from '../../src/console/records-api.js';
import type { TopicSummary } from '../../src/console/topics-api.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { launchChromium } from '../helpers/browser.js';
import { httpCall, jsonCall } from '../helpers/http.js';
import { requireProgram } from '../helpers/programs.js';

const noChromium = requireProgram('chromium');
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
    const topics = (await jsonCall<TopicSummary[]>(url, '/api/topics')).body;
    expect(topics.find((t) => t.name === 'console-topic')).toMatchObject({ partitions: [{ partition: 0, logStartOffset: 0, highWatermark: 3 }] });
    const page = (await jsonCall<RecordsPage>(url, '/api/topics/console-topic/partitions/0/records?offset=1&limit=5')).body;
    expect(page.records.map((r) => r.offset)).toEqual([1, 2]);
    expect(page.records[0]).toMatchObject({ key: { text: 'k2', encoding: 'utf8' }, value: { text: HOSTILE, encoding: 'utf8' }, headers: [{ key: 'trace', value: { text: 'abc', encoding: 'utf8' } }] });
    expect(page.records[1]).toMatchObject({ key: null, value: { text: Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64'), encoding: 'base64' } });
    expect((await httpCall(url, '/api/topics/nope/partitions/0/records')).status).toBe(404);
    const groups = (await jsonCall<GroupSummary[]>(url, '/api/groups')).body;
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
    // The charting library comes from the installed uplot package, never from a CDN.
    const uplot = await httpCall(url, '/console/uPlot.js');
    expect(uplot.status).toBe(200);
    expect(uplot.body).toContain('uPlot');
    expect((await httpCall(url, '/console/uPlot.css')).headers['content-type']).toContain('text/css');
  });

  describe.skipIf(noChromium)('in a browser', () => {
    let browser: Browser | undefined;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(() => browser?.close());

    it('shows topics, groups, and a <script> record value as text without running it', async () => {
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
      expect(lagRow).toEqual(['console-group', 'Empty', 'classic', 'console-topic', '0', '2', '3', '1']);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('shows values as hex on request, still as text', async () => {
      const page = await browser!.newPage();
      await page.goto(`${url}/#messages/console-topic/0`);
      await page.locator('#message-table td', { hasText: 'plain text' }).waitFor();
      await page.selectOption('#messages-format', 'hex');
      const values = await page.locator('#message-table tbody tr td:nth-child(4)').allTextContents();
      expect(values[0]).toBe(Buffer.from('plain text').toString('hex').replace(/(..)(?!$)/g, '$1 '));
      expect(values[2]).toBe('ff fe 00 01');
      expect(await page.locator('#message-table script, #message-table img').count()).toBe(0);
      await page.close();
    });

    describe('a page on another origin', () => {
      let hostile: Server;
      let hostileUrl: string;
      beforeAll(async () => {
        // What an attacker's site could do without a CORS preflight: a form posted across
        // origins (text/plain, so the body can be JSON-looking), and a no-cors fetch.
        hostile = createServer((_req, res) => {
          res.writeHead(200, { 'Content-Type': 'text/html' });
          res.end(`<!doctype html><body>
            <script>fetch(${JSON.stringify(`${url}/api/topics`)}, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{"name":"csrf-by-fetch"}' });</script>
            <form id="f" method="POST" enctype="text/plain" action=${JSON.stringify(`${url}/api/topics`)}><input name='{"name":"csrf-by-form","x":"' value='"}'></form>
            <script>setTimeout(() => document.getElementById('f').submit(), 300);</script></body>`);
        });
        await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
        hostileUrl = `http://localhost:${(hostile.address() as AddressInfo).port}/`;
      });
      afterAll(() => new Promise<void>((resolve) => hostile.close(() => resolve())));

      it('cannot make the browser create a topic through the console', async () => {
        const page = await browser!.newPage();
        const refusals: number[] = [];
        page.on('response', (r) => {
          if (r.url().startsWith(`${url}/api/topics`)) refusals.push(r.status());
        });
        const formPosted = page.waitForResponse((r) => r.url() === `${url}/api/topics` && r.request().resourceType() === 'document');
        await page.goto(hostileUrl);
        expect((await formPosted).status()).toBe(403);
        await page.close();
        const admin = kafkaFor(broker).admin();
        await admin.connect();
        const topics = await admin.listTopics();
        await admin.disconnect();
        expect(topics.filter((t) => t.startsWith('csrf'))).toEqual([]);
        expect(refusals.every((s) => s === 403)).toBe(true);
      });
    });
  });
});
