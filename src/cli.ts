#!/usr/bin/env node
// The `creek` command: loads configuration (defaults < server.properties < environment < flags),
// starts the broker, prints the bootstrap address, and stops gracefully on SIGINT/SIGTERM.
import { loadBrokerConfig } from './config/broker-config.js';
import { BROKER_USAGE } from './config/cli-args.js';
import { ConfigError } from './config/config-error.js';
import { runBroker } from './broker.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(BROKER_USAGE);
    return;
  }
  let config;
  try {
    config = loadBrokerConfig({ argv, env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`creek: ${err.message}\n\n${BROKER_USAGE}`);
      process.exit(2);
    }
    throw err;
  }
  for (const warning of config.warnings) console.error(`creek: warning: ${warning}`);
  const running = await runBroker(config);
  const where = config.storage === 'memory' ? 'in memory' : `data in ${config.logDir}`;
  const listeners = running.listeners.length > 1 ? `; listeners ${running.listeners.map((l) => `${l.name}://${l.bootstrap}`).join(' ')}` : '';
  console.log(`Creek is ready: bootstrap ${running.bootstrap} (${where})${listeners}`);

  let signals = 0;
  const shutdown = (signal: string): void => {
    if (++signals > 1) process.exit(1);
    running.broker.log.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('creek: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
