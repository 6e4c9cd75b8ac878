// Real clients against a disk broker, pinned to the client core: librdkafka through kcat
// (produce from a file of 1 KiB lines, acks=1; consume from the beginning without a group) and
// kafkajs (produce with acks=1; its consumer needs consumer groups). Throughput includes the
// client's connect and metadata round trips.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { decodeResponse } from '../../../protocol/codec/messages.js';
import type { ApiVersionsResponse } from '../../../protocol/schema/index.js';
import { FrameConnection } from '../lib/frame-connection.js';
import { tempDir } from '../lib/processes.js';
import { MIB } from '../lib/stats.js';
import { apiVersionsFrame } from '../lib/workload.js';
import { createTopics } from './produce.js';
import { KIB, startBroker, type BenchContext } from './context.js';

const PARTITIONS = 8;
const JOIN_GROUP = 11;

function run(core: number, cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('taskset', ['-c', String(core), cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${cmd} exited ${code}: ${stderr.slice(-500)}`))));
  });
}

async function hasGroups(port: number): Promise<boolean> {
  const conn = await FrameConnection.open(port);
  const { body } = decodeResponse(18, 3, await conn.request(apiVersionsFrame())) as { body: ApiVersionsResponse };
  conn.close();
  return body.apiKeys.some((k) => k.apiKey === JOIN_GROUP);
}

export async function clientsScenario(ctx: BenchContext): Promise<void> {
  const messages = ctx.quick ? 20_000 : 200_000;
  const mib = (messages * KIB) / MIB;
  const broker = await startBroker(ctx, 'clients', { memory: false, overrides: { 'num.partitions': PARTITIONS } });
  const dir = tempDir('creek-bench-kcat-');
  try {
    const bootstrap = `127.0.0.1:${broker.port}`;
    await createTopics(broker.port, ['kcat', 'kafkajs']);
    const scenario = (client: string, what: string): string => `${client} ${what}, ${messages} × 1 KiB records, disk, ${PARTITIONS} partitions`;

    const input = join(dir, 'records.txt');
    writeFileSync(input, `${'x'.repeat(KIB - 1)}\n`.repeat(messages));
    const produceMs = await run(ctx.cores.client, 'kcat', ['-P', '-b', bootstrap, '-t', 'kcat', '-X', 'acks=1', '-X', 'linger.ms=5', '-l', input]);
    ctx.results.add('clients', { scenario: scenario('kcat (librdkafka)', 'produce'), metric: 'throughput', value: mib / (produceMs / 1000), unit: 'MiB/s' });
    const consumeMs = await run(ctx.cores.client, 'kcat', ['-C', '-b', bootstrap, '-t', 'kcat', '-o', 'beginning', '-c', String(messages), '-q']);
    ctx.results.add('clients', { scenario: scenario('kcat (librdkafka)', 'consume'), metric: 'throughput', value: mib / (consumeMs / 1000), unit: 'MiB/s' });

    const kafka = new Kafka({ clientId: 'creek-bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const value = Buffer.alloc(KIB - 1, 'x');
    const perSend = 1000;
    const started = performance.now();
    let sent = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (sent < messages) {
          sent += perSend;
          await producer.send({ topic: 'kafkajs', acks: 1, messages: Array.from({ length: perSend }, () => ({ value })) });
        }
      }),
    );
    const kafkajsMs = performance.now() - started;
    await producer.disconnect();
    ctx.results.add('clients', { scenario: scenario('kafkajs', 'produce'), metric: 'throughput', value: mib / (kafkajsMs / 1000), unit: 'MiB/s' });
    if (!(await hasGroups(broker.port))) ctx.results.note('clients', scenario('kafkajs', 'consume'), 'skipped: groups not available (the kafkajs consumer needs JoinGroup)');
    else await kafkajsConsume(kafka, messages, mib, ctx, scenario('kafkajs', 'consume'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await broker.stop();
  }
}

async function kafkajsConsume(kafka: Kafka, messages: number, mib: number, ctx: BenchContext, scenario: string): Promise<void> {
  const consumer = kafka.consumer({ groupId: 'creek-bench', maxBytesPerPartition: MIB });
  await consumer.connect();
  await consumer.subscribe({ topic: 'kafkajs', fromBeginning: true });
  const started = performance.now();
  let received = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        received += batch.messages.length;
        if (received >= messages) resolve();
      },
    });
  });
  const ms = performance.now() - started;
  await consumer.disconnect();
  ctx.results.add('clients', { scenario, metric: 'throughput', value: mib / (ms / 1000), unit: 'MiB/s' });
}
