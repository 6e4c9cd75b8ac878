import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { createLogManager, type LogManagerOptions } from '../../../src/log/create-log-manager.js';
import type { LogManager } from '../../../src/log/log-manager.js';
import { baseOffsets, makeBatch } from './batches.js';

const root = mkdtempSync(join(tmpdir(), 'creek-log-manager-'));
let dirs = 0;
const silent = pino({ level: 'silent' });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const meta = { leaderEpoch: 0 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function errorCodeOf(work: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await work();
    return undefined;
  } catch (err) {
    return (err as { errorCode?: number }).errorCode;
  }
}

const managers: LogManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});
async function start(options: LogManagerOptions): Promise<LogManager> {
  const manager = await createLogManager(options, silent);
  managers.push(manager);
  return manager;
}

describe.each([
  ['memory', (): LogManagerOptions => ({ memory: true })],
  ['files', (): LogManagerOptions => ({ dataDir: join(root, `d-${dirs++}`) })],
])('LogManager over %s', (_name, options) => {
  it('creates topics with partition logs and a topic id', async () => {
    const m = await start(options());
    const info = await m.createTopic('orders', { partitions: 3, configs: { 'retention.ms': '1000' } });
    expect(info).toMatchObject({ name: 'orders', partitions: 3, configs: { 'retention.ms': '1000' } });
    expect(info.topicId).toMatch(UUID);
    expect(m.topicById(info.topicId)).toBe(info);
    expect(m.log('orders', 2)?.config.retentionMs).toBe(1000);
    expect(m.log('orders', 3)).toBeUndefined();
    expect(m.log('missing', 0)).toBeUndefined();
    await m.log('orders', 1)!.append(makeBatch(), meta);
    expect(baseOffsets((await m.log('orders', 1)!.read(0, 1000)).chunks)).toEqual([0]);
  });

  it('refuses bad topics with Kafka error codes', async () => {
    const m = await start(options());
    await m.createTopic('t', { partitions: 1 });
    expect(await errorCodeOf(() => m.createTopic('t', { partitions: 1 }))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(await errorCodeOf(() => m.createTopic('a/b', { partitions: 1 }))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(await errorCodeOf(() => m.createTopic('..', { partitions: 1 }))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(await errorCodeOf(() => m.createTopic('x'.repeat(250), { partitions: 1 }))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(await errorCodeOf(() => m.createTopic('u', { partitions: 0 }))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(await errorCodeOf(() => m.createTopic('u', { partitions: 1, configs: { 'segment.bytes': 'big' } }))).toBe(ErrorCode.INVALID_CONFIG);
    expect(await errorCodeOf(() => m.deleteTopic('nope'))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(m.topics().map((t) => t.name)).toEqual(['t']);
  });

  it('adds partitions, deletes topics and changes configs', async () => {
    const m = await start({ ...options(), defaults: { segmentBytes: 5000 } });
    await m.createTopic('grow', { partitions: 1, configs: { 'segment.ms': '100' } });
    expect((await m.createPartitions('grow', 3)).partitions).toBe(3);
    expect(m.log('grow', 2)).toBeDefined();
    expect(await errorCodeOf(() => m.createPartitions('grow', 2))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(m.log('grow', 0)!.config.segmentBytes).toBe(5000);
    await m.setTopicConfigs('grow', { 'segment.bytes': '2000' });
    expect(m.log('grow', 1)!.config).toMatchObject({ segmentBytes: 2000, segmentMs: m.defaultConfig.segmentMs });
    m.setDefaultConfig({ ...m.defaultConfig, segmentBytes: 9000, retentionMs: 5 });
    expect(m.log('grow', 2)!.config).toMatchObject({ segmentBytes: 2000, retentionMs: 5 });
    await m.deleteTopic('grow');
    expect(m.topic('grow')).toBeUndefined();
    expect(m.log('grow', 0)).toBeUndefined();
    await m.createTopic('grow', { partitions: 1 });
    expect(m.log('grow', 0)!.logEndOffset).toBe(0);
  });

  it('tells listeners which partition got data, and applies retention everywhere', async () => {
    const m = await start({ ...options(), defaults: { segmentBytes: 200, retentionBytes: 0, retentionMs: -1 } });
    await m.createTopic('a', { partitions: 2 });
    const seen: string[] = [];
    m.onAppend((topic, partition, hw) => seen.push(`${topic}-${partition}@${hw}`));
    for (let i = 0; i < 4; i++) await m.log('a', 1)!.append(makeBatch({ payload: 60 }), meta);
    expect(seen).toEqual(['a-1@1', 'a-1@2', 'a-1@3', 'a-1@4']);
    expect(await m.applyRetention()).toBe(4);
    expect(m.log('a', 1)!.logStartOffset).toBe(4);
  });
});

describe('LogManager over files, across restarts', () => {
  it('finds topics, ids, configs and data again', async () => {
    const dataDir = join(root, `d-${dirs++}`);
    const first = await createLogManager({ dataDir }, silent);
    const info = await first.createTopic('keep', { partitions: 2, configs: { 'cleanup.policy': 'delete' } });
    await first.createTopic('drop', { partitions: 1 });
    await first.createPartitions('keep', 3);
    await first.log('keep', 2)!.append(makeBatch({ records: 4 }), meta);
    await first.deleteTopic('drop');
    await first.close();
    expect(JSON.parse(readFileSync(join(dataDir, 'topics', 'keep.json'), 'utf8'))).toEqual({ ...info, partitions: 3 });
    expect(existsSync(join(dataDir, 'drop-0'))).toBe(false);

    mkdirSync(join(dataDir, 'old-0.abc-delete'));
    const again = await start({ dataDir });
    expect(again.topics()).toEqual([{ ...info, partitions: 3 }]);
    expect(again.log('keep', 2)!.logEndOffset).toBe(4);
    expect(existsSync(join(dataDir, 'old-0.abc-delete'))).toBe(false);
  });
});
