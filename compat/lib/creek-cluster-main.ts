// A Creek cluster in one process, as a user's test setup starts one: `startCluster` from the
// package with N brokers, each given the `--override key=value` settings (Kafka config keys, e.g.
// `listeners` for an SSL listener beside PLAINTEXT). Prints a ready line in the format of the
// `creek` command's, with every broker's address per listener, and closes the cluster on SIGTERM
// or SIGINT. Run by compat/lib/creek-process.ts for `npm run compat -- --cluster N`.
import { parseArgs } from 'node:util';
import { startCluster, type RunningCluster } from '../../src/index.js';

const { values } = parseArgs({ options: { brokers: { type: 'string' }, override: { type: 'string', multiple: true, default: [] } } });
const brokers = Number(values.brokers);
const properties: Record<string, string> = {};
for (const pair of values.override) {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new Error(`--override takes key=value, not ${pair}`);
  properties[pair.slice(0, eq)] = pair.slice(eq + 1);
}

let cluster: RunningCluster | undefined;
let closing = false;
const close = (): void => {
  if (closing) process.exit(1);
  closing = true;
  void (cluster?.close() ?? Promise.resolve()).then(() => process.exit(0));
};
process.on('SIGTERM', close);
process.on('SIGINT', close);

cluster = await startCluster({ brokers, brokerOptions: { logLevel: 'warn', properties } });
if (closing) {
  await cluster.close();
  process.exit(0);
}
const names = cluster.broker(cluster.nodeIds[0]!)!.listeners.map((l) => l.name);
const listeners = names.map((name) => `${name}://${cluster!.listenerBootstrap(name)}`).join(' ');
console.log(`Creek is ready: bootstrap ${cluster.bootstrap} (${brokers} brokers in one process, cluster ${cluster.clusterId}); listeners ${listeners}`);
