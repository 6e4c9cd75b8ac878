// The kafkajs client the subcommands use: quiet, few retries (a wrong address fails in seconds,
// not minutes), no topic auto-creation, and every codec Creek itself reads registered.
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { Compression } from '../../protocol/records/batch-header.js';
import { compress, decompress } from '../../protocol/records/compression.js';
import { checkBootstrap } from './args.js';
import { clientSecurity, securitySettings, type ClientSecurity } from './client-security.js';

// kafkajs is CommonJS: these two are not visible as named ESM exports.
const { CompressionCodecs, CompressionTypes } = kafkajs;

function registerCodecs(): void {
  const codec = (kind: Compression) => () => ({
    compress: async (encoder: { buffer: Buffer }) => compress(kind, encoder.buffer),
    decompress: async (buffer: Buffer) => decompress(kind, buffer),
  });
  CompressionCodecs[CompressionTypes.Snappy] = codec(Compression.Snappy);
  CompressionCodecs[CompressionTypes.LZ4] = codec(Compression.Lz4);
  CompressionCodecs[CompressionTypes.ZSTD] = codec(Compression.Zstd);
}

/** The options every client subcommand shares for reaching the cluster (CONNECTION_OPTIONS). */
export interface ConnectionValues {
  bootstrap: string;
  property?: string[];
  'command-config'?: string;
}

/** The checked bootstrap address and a client for it with the given security settings; bad settings are usage errors. */
export function connectTo(values: ConnectionValues, command: string): { bootstrap: string; kafka: Kafka } {
  const bootstrap = checkBootstrap(values.bootstrap, command);
  const security = clientSecurity(securitySettings(values.property ?? [], values['command-config'], command), command);
  return { bootstrap, kafka: kafkaClient(bootstrap, security) };
}

function kafkaClient(bootstrap: string, security: ClientSecurity): Kafka {
  registerCodecs();
  return new Kafka({
    clientId: 'creek-cli',
    brokers: bootstrap.split(','),
    ...security,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

export const COMPRESSION: Record<string, number> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};
