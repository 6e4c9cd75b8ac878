// kafkajs ships gzip only; users register the other codecs. These are the usual packages:
// kafkajs-snappy, and small adapters over lz4js (LZ4 frame format) and zstd-napi.
import kafkajs from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import lz4 from 'lz4js';
import { compress as zstdCompress, decompress as zstdDecompress } from 'zstd-napi';

// kafkajs is CommonJS: these two are not visible as named ESM exports.
const { CompressionCodecs, CompressionTypes } = kafkajs;

type Encoder = { buffer: Buffer };

export function registerKafkajsCodecs(): void {
  CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder: Encoder) => Buffer.from(lz4.compress(encoder.buffer)),
    decompress: async (buffer: Buffer) => Buffer.from(lz4.decompress(buffer)),
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: async (encoder: Encoder) => zstdCompress(encoder.buffer),
    decompress: async (buffer: Buffer) => zstdDecompress(buffer),
  });
}
