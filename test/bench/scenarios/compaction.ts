// Compaction: a disk broker's log cleaner on one partition of 256 MiB (--quick: 32 MiB) of keyed
// 1 KiB records in 16 KiB batches over 8 segments, each key written 4 times (so a quarter
// remains), written straight through the file storage with cleanup.policy=delete. The ceiling
// reads the same segment files and writes their bytes to new files with plain synchronous file
// I/O (1 MiB chunks, an fsync per file) in a process on the broker's core. The broker first
// serves paced produce (acks=1, 16 KiB batches, 4 partitions of a topic of its own) without
// cleaning; then the topic is switched to cleanup.policy=compact (AlterConfigs) under the same
// load, which is measured until the broker logs the cleaning as done. Cleaner throughput is the
// input bytes over the cleaning time the broker reports. The data was just written, so reads
// come from the page cache for both.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import pino from 'pino';
import { encodeBatch } from '../../../protocol/records/index.js';
import { FileStorage } from '../../../src/log/file-storage.js';
import { FileMetadataStore } from '../../../src/metadata/file-metadata-store.js';
import { DEFAULT_LOG_CONFIG } from '../../../src/log/log-config.js';
import { driveLatency, type Latency } from '../lib/drivers.js';
import { freePort, ROOT, ServerProcess, tempDir, tryConnect } from '../lib/processes.js';
import { sleep } from '../lib/stats.js';
import { makeBatch } from '../lib/workload.js';
import { createTopics } from './produce.js';
import { KIB, MIB, sizeLabel, type BenchContext } from './context.js';
import { appendCommitted } from '../../helpers/append-committed.js';

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs; // CommonJS: its enums are not named exports
const TOPIC = 'table';
const BATCH_RECORDS = 16;
const RECORD_BYTES = KIB;
const SEGMENTS = 8;
const WRITES_PER_KEY = 4;
/** The paced load beside the cleaner: 16 KiB batches per second over 4 partitions (8 MiB/s). */
const LOAD = { partitions: 4, rate: 512 };

/** Writes `bytes` of keyed batches to partition 0 of TOPIC in a new data dir; returns the number of keys. */
async function writeData(dataDir: string, bytes: number, segmentBytes: number): Promise<number> {
  const logger = pino({ level: 'warn' });
  await FileMetadataStore.open(dataDir, logger).put('topic', TOPIC, { name: TOPIC, topicId: randomBytes(16).toString('base64url'), partitions: 1, configs: { 'segment.bytes': String(segmentBytes) } });
  const storage = new FileStorage(dataDir, logger);
  await storage.open([{ name: TOPIC, partitions: 1 }]);
  const log = await storage.openLog(TOPIC, 0, { ...DEFAULT_LOG_CONFIG, segmentBytes });
  const value = randomBytes(RECORD_BYTES);
  const batches = Math.ceil(bytes / (BATCH_RECORDS * (RECORD_BYTES + 20)));
  const keys = Math.floor((batches * BATCH_RECORDS) / WRITES_PER_KEY);
  for (let b = 0; b < batches; b++) {
    const records = Array.from({ length: BATCH_RECORDS }, (_, r) => ({ key: Buffer.from(`key-${(b * BATCH_RECORDS + r) % keys}`), value }));
    await appendCommitted(log, encodeBatch({ records }), { leaderEpoch: 0 });
  }
  await log.close();
  await storage.close();
  return keys;
}

/** Plain file I/O over the same bytes: read each segment in 1 MiB chunks, write them to a new file, fsync it. */
const COPY_SCRIPT = `
const fs = require('node:fs');
const [src, dst] = process.argv.slice(1);
const buf = Buffer.allocUnsafe(1 << 20);
const t0 = performance.now();
let bytes = 0;
for (const name of fs.readdirSync(src).filter((f) => f.endsWith('.log')).sort()) {
  const input = fs.openSync(src + '/' + name, 'r');
  const output = fs.openSync(dst + '/' + name, 'w');
  for (let n; (n = fs.readSync(input, buf, 0, buf.length, null)) > 0; bytes += n) fs.writeSync(output, buf, 0, n);
  fs.fsyncSync(output);
  fs.closeSync(input);
  fs.closeSync(output);
}
console.log(JSON.stringify({ bytes, ms: performance.now() - t0 }));
`;

function ceilingCopy(ctx: BenchContext, partitionDir: string): { bytes: number; ms: number } {
  const out = tempDir('creek-bench-copy-');
  try {
    return JSON.parse(execFileSync('taskset', ['-c', String(ctx.cores.server), 'node', '-e', COPY_SCRIPT, partitionDir, out]).toString()) as { bytes: number; ms: number };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

interface CleanedLine { msg: string; topic?: string; bytesRead: number; bytesWritten: number; ms: number }

/** The broker on `dataDir` at log level info; resolves `cleaned` with the first 'cleaned log' line of TOPIC. */
async function startBroker(ctx: BenchContext, dataDir: string): Promise<{ proc: ServerProcess; cleaned: Promise<CleanedLine> }> {
  const port = await freePort();
  const args = [ctx.cli, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'info', '--data-dir', dataDir, '--override', 'log.cleaner.backoff.ms=100', '--override', `num.partitions=${LOAD.partitions}`];
  const profile = ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(ctx.profileDir, 'compaction')}`] : [];
  const child = spawn('taskset', ['-c', String(ctx.cores.server), 'node', ...profile, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const cleaned = new Promise<CleanedLine>((resolve) => {
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      const lines = (pending + d.toString()).split('\n');
      pending = lines.pop()!;
      for (const line of lines.filter((l) => l.includes('"cleaned log"'))) {
        const entry = JSON.parse(line) as CleanedLine;
        if (entry.topic === TOPIC) resolve(entry);
      }
    });
  });
  const started = performance.now();
  while (!(await tryConnect(port))) {
    if (child.exitCode !== null) throw new Error(`broker exited (${child.exitCode}) before listening`);
    if (performance.now() - started > 60_000) throw new Error('broker did not listen within 60 s');
    await sleep(20);
  }
  return { proc: new ServerProcess('creek', child, port, performance.now() - started, () => undefined), cleaned };
}

async function setCompact(port: number, segmentBytes: number): Promise<void> {
  const admin = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const configEntries = [{ name: 'cleanup.policy', value: 'compact' }, { name: 'segment.bytes', value: String(segmentBytes) }];
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries }] });
  await admin.disconnect();
}

export async function compactionScenario(ctx: BenchContext): Promise<void> {
  const bytes = ctx.quick ? 32 * MIB : 256 * MIB;
  const segmentBytes = bytes / SEGMENTS;
  const dataDir = tempDir('creek-bench-compaction-');
  try {
    const keys = await writeData(dataDir, bytes, segmentBytes);
    const partitionDir = join(dataDir, readdirSync(dataDir).find((d) => d.startsWith(`${TOPIC}-`))!);
    const ceiling = ceilingCopy(ctx, partitionDir);
    const batch = makeBatch({ recordSize: KIB, batchBytes: 16 * KIB });
    const { proc, cleaned } = await startBroker(ctx, dataDir);
    let quiet: Latency;
    let busy: Latency;
    let stats: CleanedLine;
    try {
      const durationMs = ctx.quick ? 1000 : 2500;
      await createTopics(proc.port, ['load-quiet', 'load-cleaning']);
      quiet = await driveLatency({ port: proc.port, topic: 'load-quiet', ...LOAD, batch, warmupMs: 500, durationMs });
      // The switch to compact goes out when the measurement starts (after the warm-up); it ends with the cleaning.
      const switched = sleep(500).then(() => setCompact(proc.port, segmentBytes));
      busy = await driveLatency({ port: proc.port, topic: 'load-cleaning', ...LOAD, batch, warmupMs: 500, durationMs: 120_000, endWhen: Promise.all([switched, cleaned]) });
      await switched;
      stats = await cleaned;
    } finally {
      await proc.stop();
    }
    const scenario = `compaction, ${sizeLabel(bytes)} in ${SEGMENTS} segments, ${keys} keys × ${WRITES_PER_KEY} writes, 1 KiB records in 16 KiB batches`;
    const mbps = (b: number, ms: number): number => b / MIB / (ms / 1000);
    ctx.results.add('compaction', {
      scenario,
      metric: `cleaner throughput (input; ${sizeLabel(Math.round(stats.bytesWritten / MIB) * MIB)} written, ${(stats.ms / 1000).toFixed(1)} s)`,
      value: mbps(stats.bytesRead, stats.ms),
      unit: 'MiB/s',
      ceiling: { name: 'read + write + fsync the same files', value: mbps(ceiling.bytes, ceiling.ms) },
    });
    const load = `paced produce beside it, ${((LOAD.rate * batch.bytes.length) / MIB).toFixed(1)} MiB/s in 16 KiB batches, ${LOAD.partitions} partitions`;
    ctx.results.add('compaction', { scenario: load, metric: 'p50 produce ack, no cleaning', value: quiet.produceMs.percentile(50), unit: 'ms' });
    ctx.results.add('compaction', { scenario: load, metric: 'p50 produce ack while cleaning', value: busy.produceMs.percentile(50), unit: 'ms' });
    ctx.results.add('compaction', { scenario: load, metric: 'p99 produce ack, no cleaning', value: quiet.produceMs.percentile(99), unit: 'ms' });
    ctx.results.add('compaction', { scenario: load, metric: 'p99 produce ack while cleaning', value: busy.produceMs.percentile(99), unit: 'ms' });
    ctx.results.add('compaction', { scenario: load, metric: 'p99 produce→delivery, no cleaning', value: quiet.endToEndMs.percentile(99), unit: 'ms' });
    ctx.results.add('compaction', { scenario: load, metric: 'p99 produce→delivery while cleaning', value: busy.endToEndMs.percentile(99), unit: 'ms' });
    ctx.results.add('compaction', { scenario: load, metric: 'batches sampled while cleaning', value: busy.produceMs.count, unit: 'batches' });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
