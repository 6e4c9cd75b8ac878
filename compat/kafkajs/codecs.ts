// kafkajs ships gzip only; users register the other codecs. These are the usual packages:
// kafkajs-snappy, and small adapters over lz4-napi (LZ4 frame format) and zstd-napi. Not lz4js:
// its frames are flagged as linked blocks, which Apache Kafka refuses (UNKNOWN_SERVER_ERROR).
import kafkajs from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import { compressFrame as lz4Compress, decompressFrame as lz4Decompress } from 'lz4-napi';
import { compress as zstdCompress, decompress as zstdDecompress } from 'zstd-napi';

// kafkajs is CommonJS: these two are not visible as named ESM exports.
const { CompressionCodecs, CompressionTypes } = kafkajs;

type Encoder = { buffer: Buffer };

export function registerKafkajsCodecs(): void {
  CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder: Encoder) => lz4Compress(encoder.buffer),
    decompress: async (buffer: Buffer) => lz4Decompress(buffer),
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: async (encoder: Encoder) => zstdCompress(encoder.buffer),
    decompress: async (buffer: Buffer) => zstdDecompress(buffer),
  });
}
