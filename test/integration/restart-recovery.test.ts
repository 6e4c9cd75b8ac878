// Restarts on a data dir. A clean stop leaves the clean-shutdown marker and recovery points, so
// the next start recovers nothing (observed through the broker's log lines) and serves the same
// records, across segment rolls and DeleteRecords. A CLI broker killed with SIGKILL while kafkajs
// produces recovers every acknowledged record, and a torn tail is cut to the last whole batch.
// A signal during start-up stops the CLI cleanly once start-up completes. Memory mode keeps
// nothing on disk.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { encodeBatch } from '../../protocol/records/index.js';
import { FileStorage } from '../../src/log/file-storage.js';
import { FileMetadataStore } from '../../src/metadata/file-metadata-store.js';
import { DEFAULT_LOG_CONFIG } from '../../src/log/log-config.js';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';
import { spawnCli, startCli } from '../helpers/cli.js';
import { LogLines } from '../helpers/log-lines.js';
import { readPartition } from '../helpers/read-partition.js';

const MARKER = '.kafka_cleanshutdown';
/** Log lines of start-up work that reads segments. */
const RECOVERY_LINES = ['recovered log', 'rebuilding missing or corrupt segment index', 'truncated segment to its last valid batch'];

const dirs: { remove(): void }[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));
const newDir = (): string => {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
};

/** JSON log lines of a CLI broker's output with one of `messages`. */
const cliLines = (output: string, ...messages: string[]): Record<string, unknown>[] =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => messages.includes(l.msg as string));

describe('restart after a clean stop', () => {
  it('keeps every record, rolled segments and DeleteRecords, and recovers nothing at start-up', async () => {
    const dataDir = newDir();
    const start = async (): Promise<{ broker: Awaited<ReturnType<typeof withBroker>>; lines: LogLines }> => {
      const lines = new LogLines();
      return { broker: await withBroker({ dataDir, logger: pino({ level: 'info' }, lines) }), lines };
    };
    const first = await start();
    const admin = kafkaFor(first.broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'clean', numPartitions: 2, configEntries: [{ name: 'segment.ms', value: '1' }] }] });
    const producer = kafkaFor(first.broker).producer();
    await producer.connect();
    for (let i = 0; i < 30; i++) {
      await producer.send({ topic: 'clean', messages: [0, 1].map((partition) => ({ partition, key: `k${i}`, value: `v${i}-`.padEnd(300, 'x') })) });
    }
    await producer.disconnect();
    await admin.fetchTopicMetadata({ topics: ['clean'] }); // kafkajs finds the leader in its metadata cache
    await admin.deleteTopicRecords({ topic: 'clean', partitions: [{ partition: 0, offset: '12' }] });
    await admin.disconnect();
    const before = [await readPartition(first.broker, 'clean', 0, 12), await readPartition(first.broker, 'clean', 1)];
    expect(before.map((p) => p.length)).toEqual([18, 30]);
    await first.broker.stop();

    expect(existsSync(join(dataDir, MARKER))).toBe(true);
    // Kafka's checkpoint format: version, entry count, then "topic partition offset" lines.
    const points = readFileSync(join(dataDir, 'recovery-point-offset-checkpoint'), 'utf8').trim().split('\n');
    expect(points.slice(0, 2)).toEqual(['0', String(points.length - 2)]);
    expect(points.slice(2)).toEqual(expect.arrayContaining(['clean 0 30', 'clean 1 30']));
    for (const p of [0, 1]) {
      expect(readdirSync(join(dataDir, `clean-${p}`)).filter((f) => f.endsWith('.log')).length).toBeGreaterThan(1);
    }

    const second = await start();
    expect(existsSync(join(dataDir, MARKER))).toBe(false);
    expect(second.lines.withMessage('opening logs closed by a clean shutdown')).toHaveLength(1);
    expect(second.lines.withMessage(...RECOVERY_LINES)).toEqual([]);
    expect([await readPartition(second.broker, 'clean', 0, 12), await readPartition(second.broker, 'clean', 1)]).toEqual(before);
    const again = kafkaFor(second.broker).producer();
    await again.connect();
    const [res] = await again.send({ topic: 'clean', messages: [{ partition: 0, value: 'after' }] });
    await again.disconnect();
    expect(res!.baseOffset).toBe('30');
    await second.broker.stop();
  });
});

describe('restart after SIGKILL', () => {
  it('recovers every acknowledged record of a CLI broker killed mid-produce, then cuts a torn tail', async () => {
    const dataDir = newDir();
    const args = ['--data-dir', dataDir, '--port', '0', '--log-level', 'info'];
    const first = await startCli(args);
    const producer = kafkaFor(first).producer();
    await producer.connect();
    const acked: string[] = [];
    let killed = false;
    const producing = (async () => {
      for (let i = 0; !killed; i++) {
        const values = Array.from({ length: 5 }, (_, j) => `m${i}-${j}`);
        try {
          await producer.send({ topic: 'crash', acks: -1, messages: values.map((value) => ({ value })) });
        } catch {
          return;
        }
        acked.push(...values);
      }
    })();
    await vi.waitFor(() => expect(acked.length).toBeGreaterThanOrEqual(500), { timeout: 30_000, interval: 10 });
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    killed = true;
    await producing;
    await producer.disconnect().catch(() => undefined);
    expect(existsSync(join(dataDir, MARKER))).toBe(false);
    // A marker write the crash interrupted leaves its temporary file: start-up removes it.
    const interrupted = join(dataDir, `${MARKER}.0badc0de.tmp`);
    writeFileSync(interrupted, '');

    const second = await startCli(args);
    expect(existsSync(interrupted)).toBe(false);
    expect(cliLines(second.output(), 'no clean shutdown marker: logs recover past their recovery points')).toHaveLength(1);
    const [recovered] = cliLines(second.output(), 'recovered log').filter((l) => l.topic === 'crash');
    expect(recovered).toMatchObject({ truncatedBytes: 0 });
    expect(recovered!.checkedBytes as number).toBeGreaterThan(0);
    const stored = (await readPartition(second, 'crash')).map((r) => r.value);
    // Everything acknowledged is there, in order; at most the batch in flight at the kill follows it.
    expect(stored.slice(0, acked.length)).toEqual(acked);
    expect(stored.length - acked.length).toBeLessThanOrEqual(5);

    // Killed again, idle, and the tail of the segment torn.
    expect(await second.stop('SIGKILL')).toBe('SIGKILL');
    const segment = join(dataDir, 'crash-0', '00000000000000000000.log');
    truncateSync(segment, statSync(segment).size - 10);
    const third = await startCli(args);
    expect(cliLines(third.output(), 'truncated segment to its last valid batch')).toEqual([expect.objectContaining({ topic: 'crash', droppedBytes: expect.any(Number) })]);
    const cut = (await readPartition(third, 'crash')).map((r) => r.value);
    expect(cut).toEqual(stored.slice(0, stored.length - 5));
    const again = kafkaFor(third).producer();
    await again.connect();
    const [res] = await again.send({ topic: 'crash', messages: [{ value: 'after' }] });
    await again.disconnect();
    expect(res!.baseOffset).toBe(String(cut.length));
    expect(await third.stop('SIGTERM')).toBe(0);
  });
});

describe('signals during start-up', () => {
  /** A data dir whose start-up takes a while: many partitions, each with one batch. */
  async function slowDataDir(partitions: number): Promise<string> {
    const dataDir = newDir();
    const logger = pino({ level: 'silent' });
    await FileMetadataStore.open(dataDir, logger).put('topic', 'many', { name: 'many', topicId: randomBytes(16).toString('base64url'), partitions, configs: {} });
    const storage = new FileStorage(dataDir, logger);
    await storage.open([{ name: 'many', partitions }]);
    for (let p = 0; p < partitions; p++) {
      const log = await storage.openLog('many', p, { ...DEFAULT_LOG_CONFIG });
      await log.append(encodeBatch({ records: [{ value: Buffer.from(`p${p}`) }] }), { leaderEpoch: 0 });
      await log.close();
    }
    await storage.close();
    return dataDir;
  }

  it('a SIGTERM during start-up stops the broker cleanly once it is up', async () => {
    const dataDir = await slowDataDir(400);
    const cli = spawnCli(['--data-dir', dataDir, '--port', '0', '--log-level', 'info']);
    await cli.waitFor(/"msg":"starting"/);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cliLines(cli.output(), 'signal received during start-up')).toHaveLength(1);
    expect(cliLines(cli.output(), 'broker stopped')).toHaveLength(1);
    expect(cli.output()).not.toContain('Creek is ready');
    expect(existsSync(join(dataDir, MARKER))).toBe(true);
  });
});

describe('memory mode', () => {
  it('writes nothing to disk, no marker, and a restart starts empty', async () => {
    const unused = join(newDir(), 'unused');
    const args = ['--memory', '--data-dir', unused, '--port', '0'];
    const first = await startCli(args);
    const producer = kafkaFor(first).producer();
    await producer.connect();
    await producer.send({ topic: 'in-memory', messages: [{ value: 'gone after stop' }] });
    await producer.disconnect();
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(existsSync(unused)).toBe(false);

    const second = await startCli(args);
    const admin = kafkaFor(second).admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain('in-memory');
    await admin.disconnect();
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(existsSync(unused)).toBe(false);
  });
});
