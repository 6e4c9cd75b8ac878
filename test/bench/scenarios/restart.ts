// Restart with data: start-up of a disk broker whose data dir holds 1 GiB (--quick: 128 MiB) of
// idempotent producers' batches (16 KiB each) across 20 partitions, written straight through the
// file storage before the first start. Each round starts the broker three times: without
// producer-state snapshots (every partition replayed from its log start, as before snapshots
// existed); after that broker's clean shutdown (snapshots, clean-shutdown marker: no segment is
// read); and after killing that one with SIGKILL (no marker: the segments past each recovery point
// are scanned, CRCs checked only for data written after it, here none). Medians of the rounds.
// The data was just written, so whatever is read comes from the page cache: a cold cache makes
// the replay and the recovery slower still.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { rewriteCrc } from '../../../protocol/records/batch-header.js';
import { encodeBatch } from '../../../protocol/records/index.js';
import { FileStorage } from '../../../src/log/file-storage.js';
import { FileMetadataStore } from '../../../src/metadata/file-metadata-store.js';
import { DEFAULT_LOG_CONFIG } from '../../../src/log/log-config.js';
import { freePort, ROOT, ServerProcess, tempDir } from '../lib/processes.js';
import { sleep } from '../lib/stats.js';
import { MIB, sizeLabel, type BenchContext } from './context.js';
import { appendCommitted } from '../../helpers/append-committed.js';

const PARTITIONS = 20;
const BATCH_RECORDS = 16;
const RECORD_BYTES = 1024;
const BASE_SEQUENCE_AT = 53;

/** Writes `bytes` of idempotent batches (one producer per partition) into a new data dir. */
async function writeData(dataDir: string, bytes: number): Promise<void> {
  const logger = pino({ level: 'warn' });
  const topic = 'restart';
  await FileMetadataStore.open(dataDir, logger).put('topic', topic, { name: topic, topicId: randomBytes(16).toString('base64url'), partitions: PARTITIONS, configs: {} });
  const storage = new FileStorage(dataDir, logger);
  await storage.open([{ name: topic, partitions: PARTITIONS }]);
  const template = (producerId: number): Buffer =>
    encodeBatch({ producerId, producerEpoch: 0, baseSequence: 0, records: Array.from({ length: BATCH_RECORDS }, () => ({ value: randomBytes(RECORD_BYTES) })) });
  await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, p) => {
      const log = await storage.openLog(topic, p, { ...DEFAULT_LOG_CONFIG });
      const batch = template(1000 + p);
      const count = Math.ceil(bytes / PARTITIONS / batch.length);
      for (let i = 0; i < count; i++) {
        const copy = Buffer.from(batch);
        copy.writeInt32BE((i * BATCH_RECORDS) % 0x7fffffff, BASE_SEQUENCE_AT);
        rewriteCrc(copy);
        await appendCommitted(log, copy, { leaderEpoch: 0, crcVerified: true });
      }
      await log.close();
    }),
  );
  await storage.close();
}

/** Paths of the producer-state snapshots in the data dir. */
function snapshotFiles(dataDir: string): string[] {
  return readdirSync(dataDir)
    .filter((d) => d.startsWith('restart-'))
    .flatMap((d) => readdirSync(join(dataDir, d)).filter((f) => f.endsWith('.snapshot')).map((f) => join(dataDir, d, f)));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });
}

/** Spawns the broker on an existing data dir; start-up is spawn to the first accepted connection. */
async function startOn(ctx: BenchContext, dataDir: string): Promise<ServerProcess> {
  const port = await freePort();
  const started = performance.now();
  const args = [ctx.cli, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn', '--data-dir', dataDir];
  const child = spawn('taskset', ['-c', String(ctx.cores.server), 'node', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`broker exited (${child.exitCode}) before listening`);
    if (performance.now() - started > 600_000) {
      child.kill('SIGKILL');
      throw new Error('broker did not listen within 10 min');
    }
    await sleep(5);
  }
  return new ServerProcess('creek', child, port, performance.now() - started, () => undefined);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function restartScenario(ctx: BenchContext): Promise<void> {
  const bytes = ctx.quick ? 128 * MIB : 1024 * MIB;
  const dataDir = tempDir('creek-bench-restart-');
  try {
    const t0 = performance.now();
    await writeData(dataDir, bytes);
    console.log(`  wrote ${sizeLabel(bytes)} across ${PARTITIONS} partitions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const full: number[] = [];
    const snapshots: number[] = [];
    const afterKill: number[] = [];
    for (let round = 0; round < (ctx.quick ? 1 : 3); round++) {
      snapshotFiles(dataDir).forEach((f) => unlinkSync(f));
      const replayed = await startOn(ctx, dataDir);
      full.push(replayed.startupMs);
      await replayed.stop();
      if (snapshotFiles(dataDir).length < PARTITIONS) throw new Error('the clean shutdown wrote no snapshots');
      const clean = await startOn(ctx, dataDir);
      snapshots.push(clean.startupMs);
      await clean.kill();
      const recovered = await startOn(ctx, dataDir);
      afterKill.push(recovered.startupMs);
      await recovered.stop();
    }
    const scenario = `restart, ${sizeLabel(bytes)} in ${PARTITIONS} partitions (16 KiB idempotent batches)`;
    ctx.results.add('restart', { scenario, metric: 'start-up, full log replay (no snapshots)', value: median(full), unit: 'ms' });
    ctx.results.add('restart', { scenario, metric: 'start-up after a clean shutdown (snapshots, no segment read)', value: median(snapshots), unit: 'ms', target: { text: '< 1 s', met: (f) => f.value < 1000 } });
    ctx.results.add('restart', { scenario, metric: 'start-up after SIGKILL (segments past the recovery points scanned)', value: median(afterKill), unit: 'ms' });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
