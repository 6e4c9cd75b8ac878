// A walk through the web console in headless Chromium, as a user would take it: the cluster
// overview, creating a topic, producing a message from the page and seeing it, following the
// partition live while a Kafka client produces, values decoded with their schema from the
// registry, resetting a consumer group's offsets and watching its lag fall to 0 as a kafkajs
// consumer catches up, then the clients, transactions and live charts pages. Each page is kept
// as a screenshot in test-artifacts/console/ (the README shows copies from docs/console/).
// Skips with a printed reason when chromium is not installed.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { launchChromium, screenshot } from '../helpers/browser.js';
import { requireProgram } from '../helpers/programs.js';

const noChromium = requireProgram('chromium');
const SHOTS = 'console';

describe.skipIf(noChromium)('the web console, walked through in a browser', () => {
  let broker: RunningBroker;
  let browser: Browser;
  let page: Page;
  let url: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    broker = await withBroker({ httpPort: 0, properties: { 'group.initial.rebalance.delay.ms': 0 } });
    url = broker.http!.url;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Console errors include Content-Security-Policy violations (a blocked script or style).
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().includes('Failed to load resource')) pageErrors.push(m.text());
    });
    page.on('dialog', (d) => void d.accept());
  });
  afterAll(async () => {
    await browser?.close();
    await broker?.stop();
  });

  const kafka = () => kafkaFor(broker, 'walkthrough-app');
  const cellText = (table: string, text: string) => page.locator(`#${table} td`, { hasText: text }).first();

  it('opens on the cluster overview', async () => {
    await page.goto(`${url}/`);
    await page.locator('#broker-table tbody tr').first().waitFor();
    expect(await page.locator('#broker-table tbody tr td').first().textContent()).toBe('1');
    expect(await page.locator('#broker-table tbody tr td:nth-child(3)').textContent()).toBe(`PLAINTEXT (PLAINTEXT) ${broker.host}:${broker.port}`);
    expect(await page.locator('#cluster-id').textContent()).toBe(broker.broker.clusterId);
    await screenshot(page, SHOTS, '1-overview');
  });

  it('creates a topic from the topics page', async () => {
    await page.click('nav a[data-view=topics]');
    await page.fill('#create-topic-name', 'orders');
    await page.fill('#create-topic-partitions', '3');
    await page.fill('#create-topic-configs', 'retention.ms=86400000');
    await page.click('#create-topic-form button[type=submit]');
    await cellText('topic-table', 'orders').waitFor();
    expect(await page.locator('#status').textContent()).toBe('Created topic orders with 3 partitions');
    const admin = kafka().admin();
    await admin.connect();
    const [metadata] = (await admin.fetchTopicMetadata({ topics: ['orders'] })).topics;
    await admin.disconnect();
    expect(metadata!.partitions).toHaveLength(3);
    await screenshot(page, SHOTS, '2-topics');
    await page.click('#topic-table a[href="#topic/orders"]');
    await cellText('config-table', 'retention.ms').waitFor();
    expect(await page.locator('#partition-table tbody tr').count()).toBe(3);
    await screenshot(page, SHOTS, '3-topic', { fullPage: false });
  });

  it('produces a message from the page and shows it, then follows the partition live', async () => {
    await page.click('#partition-table a[href="#messages/orders/0"]');
    await page.locator('#messages-title', { hasText: 'orders / partition 0' }).waitFor();
    await page.fill('#produce-key', 'order-1');
    await page.fill('#produce-value', '{"item":"tea","quantity":2}');
    await page.fill('#produce-headers', 'source=console');
    await page.click('#produce-form button[type=submit]');
    await cellText('message-table', '"item": "tea"').waitFor();
    expect(await page.locator('#message-table tbody tr td:nth-child(3)').allTextContents()).toEqual(['order-1']);
    expect(await page.locator('#message-table tbody tr td:nth-child(5)').allTextContents()).toEqual(['source=console']);

    await page.check('#messages-follow');
    const producer = kafka().producer();
    await producer.connect();
    await producer.send({ topic: 'orders', messages: [{ partition: 0, key: 'order-2', value: '{"item":"coffee","quantity":1}' }] });
    await producer.disconnect();
    await cellText('message-table', '"item": "coffee"').waitFor();
    expect(await page.locator('#message-table tbody tr td:nth-child(1)').allTextContents()).toEqual(['0', '1']);
    await screenshot(page, SHOTS, '4-messages');
    await page.uncheck('#messages-follow');
  });

  it('shows values serialized with the schema registry decoded by their schema', async () => {
    const registry = new SchemaRegistry({ host: url });
    const schema = { type: 'record', name: 'Payment', namespace: 'shop', fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double' }, { name: 'currency', type: { type: 'enum', name: 'Currency', symbols: ['EUR', 'USD'] } }] };
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: 'payments-value' });
    const producer = kafka().producer();
    await producer.connect();
    await producer.send({
      topic: 'payments',
      messages: [
        { key: 'p-1', value: await registry.encode(id, { id: 'p-1', amount: 12.5, currency: 'EUR' }) },
        { key: 'p-2', value: await registry.encode(id, { id: 'p-2', amount: 99, currency: 'USD' }) },
      ],
    });
    await producer.disconnect();
    await page.goto(`${url}/#messages/payments/0`);
    await page.locator('#message-table .schema-label').first().waitFor();
    expect(await page.locator('#message-table .schema-label').allTextContents()).toEqual([`AVRO schema ${id} (payments-value)`, `AVRO schema ${id} (payments-value)`]);
    expect(JSON.parse((await page.locator('#message-table td.schema pre').first().textContent())!)).toEqual({ id: 'p-1', amount: 12.5, currency: 'EUR' });
    await screenshot(page, SHOTS, '5-messages-avro');
  });

  it('resets a consumer group to the earliest offsets and watches its lag fall to 0 as a consumer catches up', async () => {
    const producer = kafka().producer();
    await producer.connect();
    await producer.send({ topic: 'orders', messages: Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, key: `k${i}`, value: `order ${i}` })) });
    await producer.disconnect();
    // A group that does not exist yet: its page offers the reset that creates it, as kafka-consumer-groups does.
    await page.goto(`${url}/#group/billing`);
    await page.locator('#group-facts dd', { hasText: 'Unknown' }).waitFor();
    await page.selectOption('#reset-topic', 'orders');
    await page.selectOption('#reset-to', 'earliest');
    await page.click('#reset-form button[type=submit]');
    await page.locator('#status', { hasText: 'Reset orders-0 to 0' }).waitFor();
    expect(await page.locator('#lag-table tbody tr td:nth-child(5)').allTextContents()).toEqual(['12', '10', '10']);
    expect(await page.locator('#group-facts dd').allTextContents()).toEqual(['Empty', 'classic (no protocol)', '0', '32']);

    // To the latest offsets and back to the earliest.
    await page.selectOption('#reset-to', 'latest');
    await page.click('#reset-form button[type=submit]');
    await page.locator('#status', { hasText: 'Reset orders-0 to 12' }).waitFor();
    expect(await page.locator('#lag-table tbody tr td:nth-child(5)').allTextContents()).toEqual(['0', '0', '0']);
    await page.selectOption('#reset-to', 'earliest');
    await page.click('#reset-form button[type=submit]');
    await page.locator('#status', { hasText: 'Reset orders-0 to 0' }).waitFor();
    expect(await page.locator('#lag-table tbody tr td:nth-child(5)').allTextContents()).toEqual(['12', '10', '10']);
    await screenshot(page, SHOTS, '6-group-lagging');

    const consumer = kafka().consumer({ groupId: 'billing' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders' });
    await consumer.run({ eachMessage: async () => {} });
    try {
      // The page refreshes itself: the lag column falls to 0 and the member shows up.
      await page.waitForFunction(() => [...document.querySelectorAll('#lag-table tbody tr td:nth-child(5)')].every((td) => td.textContent === '0'), undefined, { timeout: 30_000 });
      await page.locator('#member-table td', { hasText: 'walkthrough-app' }).first().waitFor();
      await screenshot(page, SHOTS, '7-group-caught-up');
      await page.click('nav a[data-view=groups]');
      await cellText('group-table', 'billing').waitFor();
      await screenshot(page, SHOTS, '8-groups');
      await page.click('nav a[data-view=clients]');
      await cellText('client-table', 'walkthrough-app').waitFor();
      await screenshot(page, SHOTS, '9-clients');
    } finally {
      await consumer.disconnect();
    }
  });

  it('shows an open transaction', async () => {
    const producer = kafka().producer({ transactionalId: 'invoicer', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    try {
      await txn.send({ topic: 'orders', messages: [{ partition: 1, value: 'invoiced' }] });
      await page.click('nav a[data-view=transactions]');
      await cellText('transaction-table', 'invoicer').waitFor();
      expect(await page.locator('#transaction-table tbody tr td:nth-child(2)').textContent()).toBe('Ongoing');
      expect(await page.locator('#transaction-table tbody tr td:nth-child(7)').textContent()).toBe('orders-1');
      await screenshot(page, SHOTS, '10-transactions');
    } finally {
      await txn.abort();
      await producer.disconnect();
    }
  });

  it('charts bytes, records and requests live', async () => {
    await page.click('nav a[data-view=charts]');
    const producer = kafka().producer();
    await producer.connect();
    const consumer = kafka().consumer({ groupId: 'charted' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders' });
    await consumer.run({ eachMessage: async () => {} });
    // A steady load while the charts read the broker's counts every second (a point is the
    // difference of two readings), until they hold a few points.
    let producing = true;
    const load = (async () => {
      for (let i = 0; producing; i++) {
        await producer.send({ topic: 'orders', messages: Array.from({ length: 20 }, (_, j) => ({ value: `load ${i}-${j}` })) });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      await page.waitForFunction(() => Number(/\((\d+) points\)/.exec(document.getElementById('status')!.textContent ?? '')?.[1] ?? 0) >= 6, undefined, { timeout: 30_000 });
      expect(await page.locator('#charts canvas').count()).toBe(3);
      expect(await page.locator('#chart-requests .u-legend', { hasText: 'Produce' }).count()).toBe(1);
      await screenshot(page, SHOTS, '11-charts');
    } finally {
      producing = false;
      await load;
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('deletes a topic from the topics page, after asking', async () => {
    await page.click('nav a[data-view=topics]');
    await page.fill('#create-topic-name', 'scratch');
    await page.click('#create-topic-form button[type=submit]');
    await cellText('topic-table', 'scratch').waitFor();
    await page.click('#topic-table button[data-topic=scratch]');
    await page.locator('#status', { hasText: 'Deleted topic scratch' }).waitFor();
    expect(await page.locator('#topic-table td', { hasText: 'scratch' }).count()).toBe(0);
    const admin = kafka().admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).not.toContain('scratch');
    expect(topics).toContain('orders');
    expect(pageErrors).toEqual([]);
  });
});
