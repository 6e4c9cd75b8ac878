// Test helper: kafkajs's own record-batch encoder/decoder, with compression codecs that none of
// us wrote registered on kafkajs's codec table: kafkajs-snappy (snappyjs), lz4js, and for zstd
// the reference libzstd to compress plus the independent fzstd to decompress.
import { createRequire } from 'node:module';
import { compress as zstdCompress } from 'zstd-napi';
import { decompress as fzstdDecompress } from 'fzstd';

const require = createRequire(import.meta.url);

interface KafkajsEncoder {
  buffer: Buffer;
}
interface KafkajsCodec {
  compress(encoder: KafkajsEncoder): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

const lz4js = require('lz4js') as { compress(src: Uint8Array): Uint8Array; decompress(src: Uint8Array): Uint8Array };
const snappyCodec = (require('kafkajs-snappy') as () => KafkajsCodec)();
const { CompressionCodecs, CompressionTypes } = require('kafkajs') as {
  CompressionCodecs: { [type: number]: () => KafkajsCodec };
  CompressionTypes: { [name: string]: number };
};

const lz4Codec: KafkajsCodec = {
  compress: async (encoder) => Buffer.from(lz4js.compress(encoder.buffer)),
  decompress: async (buffer) => Buffer.from(lz4js.decompress(buffer)),
};
const zstdCodec: KafkajsCodec = {
  compress: async (encoder) => zstdCompress(encoder.buffer),
  decompress: async (buffer) => Buffer.from(fzstdDecompress(buffer)),
};

CompressionCodecs[CompressionTypes.Snappy as number] = () => snappyCodec;
CompressionCodecs[CompressionTypes.LZ4 as number] = () => lz4Codec;
CompressionCodecs[CompressionTypes.ZSTD as number] = () => zstdCodec;

export { lz4js, snappyCodec };
export const snappyjs = require('snappyjs') as { compress(b: Buffer): Buffer; uncompress(b: Buffer): Buffer };
export const xxh32 = require('lz4js/xxh32.js') as { hash(seed: number, src: Uint8Array, start: number, len: number): number };
export { fzstdDecompress };

export interface KafkajsRecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers?: { [key: string]: Buffer };
  offsetDelta: number;
  timestampDelta: number;
}

export interface KafkajsDecodedRecord {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  timestamp: string;
  headers: { [key: string]: Buffer | Buffer[] };
  isControlRecord: boolean;
}

export interface KafkajsDecodedBatch {
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  records: KafkajsDecodedRecord[];
}

const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch(options: object): Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: KafkajsRecordInput) => unknown;
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<KafkajsDecodedBatch>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;

export interface KafkajsBatchOptions {
  compression: number;
  firstOffset: number;
  firstTimestamp: number;
  maxTimestamp: number;
  lastOffsetDelta: number;
  transactional?: boolean;
  producerId?: number;
  producerEpoch?: number;
  firstSequence?: number;
  records: KafkajsRecordInput[];
}

export async function kafkajsEncodeBatch(options: KafkajsBatchOptions): Promise<Buffer> {
  const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: number): unknown };
  const encoded = await RecordBatch({
    ...options,
    firstOffset: Long.fromValue(options.firstOffset),
    producerId: Long.fromValue(options.producerId ?? -1),
    records: options.records.map(Record),
  });
  return encoded.buffer;
}

export function kafkajsDecodeBatch(buf: Buffer): Promise<KafkajsDecodedBatch> {
  return decodeKafkajsBatch(new Decoder(buf));
}
