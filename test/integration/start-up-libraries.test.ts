// A broker that needs no etcd, schema registry format, PKCS12 truststore, pretty log, compression
// codec or Prometheus registry (not yet scraped) must not load them: together they cost ~130 ms of
// start-up and ~30 MiB of memory (README, "Side by side with Apache Kafka"). A broker with its HTTP listener (console,
// metrics, schema registry) is started in a plain Node process, and the CommonJS module cache —
// where Node records every package loaded, through import or require — is read.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOADED_ON_FIRST_USE = ['etcd3', 'avsc', 'protobufjs', 'ajv', 'node-forge', 'pino-pretty', 'lz4-napi', 'snappy', 'zstd-napi', 'prom-client'];

const script = `
import { createRequire } from 'node:module';
import { startBroker } from './src/index.ts';
const broker = await startBroker({ httpPort: 0 });
const packages = new Set(Object.keys(createRequire(import.meta.url).cache).map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean));
await broker.stop();
console.log(JSON.stringify([...packages]));
`;

async function packagesLoadedByABroker(): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
}

it('starts a broker (with its HTTP listener) without loading the libraries only some brokers use', async () => {
  const loaded = await packagesLoadedByABroker();
  // The check sees packages at all: the CRC32C addon every broker needs is there.
  expect(loaded).toContain('@node-rs/crc32');
  expect(loaded.filter((p) => LOADED_ON_FIRST_USE.includes(p))).toEqual([]);
}, 60_000);
