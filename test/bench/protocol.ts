// Protocol codec throughput: Produce request decode/encode with a 1 MiB batch (decode must slice
// the records, not copy), a Metadata response with 1,000 partitions, a Fetch response carrying
// ~1 MiB of batches, batch CRC32C validation, and the request-header decode with binary-parser
// against a hand-written Reader. Usage: npm run bench:protocol [-- --json FILE]
import { writeFileSync } from 'node:fs';
import { Parser } from 'binary-parser';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../protocol/codec/messages.js';
import { readRequestHeader } from '../../protocol/codec/headers.js';
import { Reader } from '../../protocol/codec/reader.js';
import { computeBatchCrc } from '../../protocol/records/batch-header.js';
import type { FetchResponse, MetadataResponse, ProduceRequest } from '../../protocol/schema/index.js';
import { produceRequest } from '../helpers/raw-requests.js';
import { sampleBatch } from '../unit/protocol/sample-batch.js';

interface Row {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
}
const rows: Row[] = [];
const MIB = 1024 * 1024;

/** Runs fn repeatedly for about `ms` (after a warm-up) and returns operations per second. */
function opsPerSecond(fn: () => unknown, ms = 700): number {
  const warmEnd = performance.now() + ms / 4;
  while (performance.now() < warmEnd) fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 16; i++) fn();
    ops += 16;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

function throughput(scenario: string, bytesPerOp: number, fn: () => unknown): void {
  const ops = opsPerSecond(fn);
  rows.push({ scenario, metric: 'rate', value: ops, unit: 'msg/s' });
  rows.push({ scenario, metric: 'bandwidth', value: (ops * bytesPerOp) / MIB, unit: 'MB/s' });
}

function produce(): void {
  const batch = sampleBatch(1024, 1000);
  const body = produceRequest({ topic: 'bench', records: batch }, { timeoutMs: 30_000 });
  const frame = encodeRequest(0, 9, 1, 'bench', body).subarray(4);
  const decoded = decodeRequest(frame).body as ProduceRequest;
  const records = decoded.topicData[0]!.partitionData[0]!.records!;
  const shared = records.buffer === frame.buffer && records.byteOffset > frame.byteOffset && records.length === batch.length;
  if (!shared) throw new Error('decoded Produce records were copied, not sliced from the frame');
  rows.push({ scenario: 'produce v9 request, 1 MiB batch', metric: 'records sliced from frame', value: 1, unit: 'yes' });
  throughput('produce v9 request, 1 MiB batch: decode', frame.length, () => decodeRequest(frame));
  throughput('produce v9 request, 1 MiB batch: encode', frame.length, () => encodeRequest(0, 9, 1, 'bench', body));
}

function metadata(): void {
  const partitions = Array.from({ length: 100 }, (_, i) => ({
    errorCode: 0,
    partitionIndex: i,
    leaderId: i % 3,
    leaderEpoch: 7,
    replicaNodes: [0, 1, 2],
    isrNodes: [0, 1, 2],
    offlineReplicas: [],
  }));
  const body: MetadataResponse = {
    throttleTimeMs: 0,
    brokers: [0, 1, 2].map((n) => ({ nodeId: n, host: `broker-${n}.creek.local`, port: 9092, rack: null })),
    clusterId: 'creek-bench-cluster',
    controllerId: 0,
    topics: Array.from({ length: 10 }, (_, t) => ({
      errorCode: 0,
      name: `topic-${t}`,
      topicId: Buffer.alloc(16, t + 1).toString('base64url'),
      isInternal: false,
      partitions,
      topicAuthorizedOperations: -2147483648,
    })),
  };
  const encode = (): Buffer[] => encodeResponse(3, 12, 1, body);
  const frame = Buffer.concat(encode()).subarray(4);
  throughput('metadata v12 response, 1,000 partitions: encode', frame.length, encode);
  throughput('metadata v12 response, 1,000 partitions: decode', frame.length, () => decodeResponse(3, 12, frame));
}

function fetch(): void {
  const batches = Array.from({ length: 8 }, (_, p) => sampleBatch(128, 1000, p * 1000));
  const body: FetchResponse = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [
      {
        topic: 'bench',
        topicId: Buffer.alloc(16, 9).toString('base64url'),
        partitions: batches.map((b, p) => ({
          partitionIndex: p,
          errorCode: 0,
          highWatermark: 1_000_000,
          lastStableOffset: 1_000_000,
          logStartOffset: 0,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: [b],
        })),
      },
    ],
  };
  const encode = (): Buffer[] => encodeResponse(1, 12, 1, body);
  const frame = Buffer.concat(encode()).subarray(4);
  const label = `fetch v12 response, 8 partitions, ${(frame.length / MIB).toFixed(2)} MiB`;
  throughput(`${label}: encode (zero-copy chunks)`, frame.length, encode);
  throughput(`${label}: decode`, frame.length, () => decodeResponse(1, 12, frame));
}

function crc(): void {
  const batch = sampleBatch(1024, 1000);
  const ops = opsPerSecond(() => computeBatchCrc(batch));
  rows.push({ scenario: 'batch CRC32C (@node-rs/crc32), 1 MiB batch', metric: 'bandwidth', value: (ops * batch.length) / 1024 ** 3, unit: 'GB/s' });
}

function header(): void {
  const frame = encodeRequest(1, 12, 12345, 'consumer-bench-1', {} as never).subarray(4);
  // The same header (non-null client id) as a binary-parser compiled parser, for comparison.
  const parser = new Parser()
    .endianness('big')
    .int16('apiKey')
    .int16('apiVersion')
    .int32('correlationId')
    .int16('clientIdLength')
    .string('clientId', { length: 'clientIdLength', encoding: 'utf8' });
  rows.push({ scenario: 'request header: readRequestHeader (Reader, used)', metric: 'rate', value: opsPerSecond(() => readRequestHeader(new Reader(frame), 2)), unit: 'msg/s' });
  rows.push({ scenario: 'request header: binary-parser compiled parser', metric: 'rate', value: opsPerSecond(() => parser.parse(frame)), unit: 'msg/s' });
  const prefix = new Parser().endianness('big').int16('apiKey').int16('apiVersion').int32('correlationId').int16('clientIdLength');
  rows.push({ scenario: 'header prefix only: binary-parser', metric: 'rate', value: opsPerSecond(() => prefix.parse(frame)), unit: 'msg/s' });
  rows.push({
    scenario: 'header prefix only: Buffer reads',
    metric: 'rate',
    value: opsPerSecond(() => ({ a: frame.readInt16BE(0), v: frame.readInt16BE(2), c: frame.readInt32BE(4), l: frame.readInt16BE(8) })),
    unit: 'msg/s',
  });
}

function format(v: number): string {
  if (v >= 100) return Math.round(v).toLocaleString('en-US');
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(2);
}

function main(): void {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
  if (jsonAt >= 0 && !jsonFile) throw new Error('--json needs a file name');
  console.log(`$ npm run bench:protocol${jsonFile ? ` -- --json ${jsonFile}` : ''}   (node ${process.version}, ${process.platform}/${process.arch})\n`);
  produce();
  metadata();
  fetch();
  crc();
  header();
  const w = [Math.max(...rows.map((r) => r.scenario.length)), Math.max(...rows.map((r) => r.metric.length)), Math.max(...rows.map((r) => format(r.value).length))];
  console.log(`${'scenario'.padEnd(w[0]!)}  ${'metric'.padEnd(w[1]!)}  ${'value'.padStart(w[2]!)}  unit`);
  for (const r of rows) console.log(`${r.scenario.padEnd(w[0]!)}  ${r.metric.padEnd(w[1]!)}  ${format(r.value).padStart(w[2]!)}  ${r.unit}`);
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(rows, null, 2) + '\n');
}

main();
