// The ceilings: the least a Kafka-speaking server on this machine must do, driven by the same
// load generator as the broker, so every broker figure can be given as a fraction of the best
// this machine allows.
//   sink    <port> <dir>   frames every request and appends all its bytes to <dir>/sink.log,
//                          answering once they are written (the produce-to-disk ceiling)
//   files   <port> <dir>   decodes every Produce request and appends each partition's records to a
//                          file of its own, <dir>/<topic>-<partition>.log, as a broker keeps one log
//                          per partition; answers once they are written, in request order (the
//                          produce-to-disk ceiling over several partitions)
//   discard <port> <dir>   frames every request and answers at once (the network ceiling)
//   source  <port> <dir> <file> <batchBytes> <recordsPerBatch>
//                          answers Fetch requests with the bytes of <file>, a prepared log image
//                          of equal batches (the fetch ceiling)
// Produce answers carry no partitions: the generator checks partition results only for Creek.
// Every connection gets the socket buffer sizes a broker's get by default (the defaults of
// socket.send.buffer.bytes and socket.receive.buffer.bytes, Kafka's 100 KiB), so that both use the
// same sockets.
import { createWriteStream, fstatSync, openSync, read } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { decodeRequest, encodeResponse } from '../../protocol/codec/messages.js';
import type { FetchRequest, ProduceRequest } from '../../protocol/schema/index.js';
import { FETCH_VERSION, PRODUCE_VERSION } from './lib/workload.js';
import { brokerConfigDef } from '../../src/config/broker-config-defs.js';
import { acceptedSocketBuffers } from '../../src/server/socket-buffers.js';

const [mode, portArg, dir, ...rest] = process.argv.slice(2);
const port = Number(portArg);
if (!dir || !['sink', 'files', 'discard', 'source'].includes(mode ?? '')) {
  console.error('usage: ceiling-server.ts sink|files|discard|source PORT DIR [FILE BATCH_BYTES RECORDS_PER_BATCH]');
  process.exit(2);
}

const produceAnswer = Buffer.concat(encodeResponse(0, PRODUCE_VERSION, 0, { responses: [], throttleTimeMs: 0 }));

/** A copy of the fixed Produce answer for the request `frame` (size prefix included). */
function answerTo(frame: Buffer): Buffer {
  const out = Buffer.from(produceAnswer);
  frame.copy(out, 4, 8, 12);
  return out;
}

/** Calls `onFrame` with each whole request frame (size prefix included), in order. */
function frames(socket: Socket, onFrame: (frame: Buffer) => void): void {
  let chunks: Buffer[] = [];
  let buffered = 0;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    buffered += chunk.length;
    while (buffered >= 4) {
      if (chunks[0]!.length < 4) chunks = [Buffer.concat(chunks, buffered)];
      const size = chunks[0]!.readInt32BE(0);
      if (buffered < size + 4) return;
      if (chunks.length > 1) chunks = [Buffer.concat(chunks, buffered)];
      const all = chunks[0]!;
      onFrame(all.subarray(0, size + 4));
      const tail = all.subarray(size + 4);
      chunks = tail.length > 0 ? [tail] : [];
      buffered = tail.length;
    }
  });
  socket.on('error', () => socket.destroy());
}

function sink(socket: Socket, log: ReturnType<typeof createWriteStream>): void {
  frames(socket, (frame) => log.write(frame, () => socket.write(answerTo(frame))));
}

const partitionLogs = new Map<string, ReturnType<typeof createWriteStream>>();

function appendToPartition(name: string, records: Buffer): Promise<void> {
  let log = partitionLogs.get(name);
  if (!log) {
    log = createWriteStream(join(dir!, `${name}.log`), { flags: 'a' });
    partitionLogs.set(name, log);
  }
  const stream = log;
  return new Promise((resolve, reject) => stream.write(records, (err) => (err ? reject(err) : resolve())));
}

function partitionFiles(socket: Socket): void {
  let answered = Promise.resolve();
  frames(socket, (frame) => {
    const req = decodeRequest(frame.subarray(4)).body as ProduceRequest;
    const writes = req.topicData.flatMap((t) => t.partitionData.map((p) => (p.records ? appendToPartition(`${t.name}-${p.index}`, p.records) : undefined)));
    const written = Promise.all(writes);
    answered = answered.then(() => written).then(() => void socket.write(answerTo(frame)));
  });
}

function discard(socket: Socket): void {
  frames(socket, (frame) => socket.write(answerTo(frame)));
}

function readAt(fd: number, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  return new Promise((resolve, reject) =>
    read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(buf.subarray(0, n)))),
  );
}

function source(socket: Socket, fd: number, fileSize: number, batchBytes: number, recordsPerBatch: number): void {
  const records = (fileSize / batchBytes) * recordsPerBatch;
  let queue = Promise.resolve();
  frames(socket, (frame) => {
    queue = queue.then(async () => {
      const { header, body } = decodeRequest(frame.subarray(4));
      const req = body as FetchRequest;
      const responses = [];
      for (const t of req.topics) {
        const partitions = [];
        for (const p of t.partitions) {
          const position = Math.floor(p.fetchOffset / recordsPerBatch) * batchBytes;
          const length = Math.min(fileSize - position, Math.max(batchBytes, Math.floor(p.partitionMaxBytes / batchBytes) * batchBytes));
          const data = length > 0 ? await readAt(fd, position, length) : null;
          partitions.push({
            partitionIndex: p.partition,
            errorCode: 0,
            highWatermark: records,
            lastStableOffset: records,
            logStartOffset: 0,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: data ? [data] : null,
          });
        }
        responses.push({ topic: t.topic, topicId: t.topicId, partitions });
      }
      const chunks = encodeResponse(1, FETCH_VERSION, header.correlationId, { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses });
      socket.cork();
      for (const c of chunks) socket.write(c);
      socket.uncork();
    });
  });
}

const log = mode === 'sink' ? createWriteStream(join(dir, 'sink.log'), { flags: 'a' }) : undefined;
const fd = mode === 'source' ? openSync(rest[0]!, 'r') : -1;
const fileSize = fd >= 0 ? fstatSync(fd).size : 0;
const socketBuffers = acceptedSocketBuffers((config) => Number(brokerConfigDef(config)!.default), pino());
const server = createServer({ noDelay: true }, (socket) => {
  socketBuffers.apply(socket);
  if (log) sink(socket, log);
  else if (mode === 'files') partitionFiles(socket);
  else if (mode === 'discard') discard(socket);
  else source(socket, fd, fileSize, Number(rest[1]), Number(rest[2]));
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
