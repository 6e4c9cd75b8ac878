#!/usr/bin/env node
// The `creek` command: loads configuration (defaults < server.properties < environment < flags),
// starts the broker, prints the bootstrap address, and stops gracefully on SIGINT/SIGTERM.
// Signals are handled from the first moment: one that arrives during start-up stops the broker
// as soon as start-up completes (nothing is left half-written); a second signal exits at once.
import pino from 'pino';
import { loadBrokerConfig } from './config/broker-config.js';
import { BROKER_USAGE } from './config/cli-args.js';
import { ConfigError } from './config/config-error.js';
import { runBroker, type RunningBroker } from './broker.js';

async function main(): Promise<void> {
  let running: RunningBroker | undefined;
  let requested: NodeJS.Signals | undefined;
  const stop = (broker: RunningBroker, signal: NodeJS.Signals): void => {
    broker.broker.log.info({ signal }, 'shutting down');
    broker.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (requested !== undefined) process.exit(1);
    requested = signal;
    if (running !== undefined) stop(running, signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

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
  const log = pino({ level: config.logLevel, name: 'creek' });
  log.info({ storage: config.storage === 'memory' ? 'memory' : config.logDir }, 'starting');
  running = await runBroker(config, log);
  if (requested !== undefined) {
    log.info({ signal: requested }, 'signal received during start-up');
    stop(running, requested);
    return;
  }
  const where = config.storage === 'memory' ? 'in memory' : `data in ${config.logDir}`;
  const listeners = running.listeners.length > 1 ? `; listeners ${running.listeners.map((l) => `${l.name}://${l.bootstrap}`).join(' ')}` : '';
  const http = running.http === undefined ? '' : `; console, /metrics and schema registry at ${running.http.url}`;
  console.log(`Creek is ready: bootstrap ${running.bootstrap} (${where})${listeners}${http}`);
}

main().catch((err: unknown) => {
  console.error('creek: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
