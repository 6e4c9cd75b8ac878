// Test helpers: an in-process broker per test file, and kafkajs clients pointed at it.
import { Kafka, logLevel } from 'kafkajs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker, type StartOptions } from '../../src/broker.js';

export async function withBroker(options: StartOptions = {}): Promise<RunningBroker> {
  return startBroker({ logLevel: 'silent', ...options });
}

export function kafkaFor(broker: { bootstrap: string }, clientId = 'creek-test'): Kafka {
  return new Kafka({
    clientId,
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 50, maxRetryTime: 500 },
  });
}

export function tempDir(prefix = 'creek-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
