// Two brokers auto-creating one topic at the same moment: the one whose record lost the
// compare-and-swap must answer as Kafka does for a topic still being created (retriable), never
// TOPIC_ALREADY_EXISTS, which clients treat as fatal for a produce.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { MemoryMetadataStore } from '../../../src/metadata/memory-metadata-store.js';
import { TopicRegistry } from '../../../src/topics/topic-registry.js';
import { until } from '../../helpers/until.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function broker(nodeId: number, metadata: MemoryMetadataStore): Promise<TopicRegistry> {
  const dataDir = mkdtempSync(join(tmpdir(), 'creek-autocreate-'));
  dirs.push(dataDir);
  return TopicRegistry.open(resolveBrokerConfig({ nodeId, dataDir }), metadata, pino({ level: 'silent' }));
}

const onBoth = (partitions: number): number[][] => Array.from({ length: partitions }, () => [1, 2]);

describe('auto-creation racing on two brokers', () => {
  it('answers LEADER_NOT_AVAILABLE on the broker that lost, then serves the topic it learns from the store', async () => {
    const metadata = new MemoryMetadataStore();
    const one = await broker(1, metadata);
    const two = await broker(2, metadata);
    try {
      const created = await one.autoCreate('raced', onBoth);
      // Broker 2 has not followed the store yet, so it tries to create the topic itself and loses.
      const lost = await two.autoCreate('raced', onBoth).then(
        () => undefined,
        (err: { errorCode?: number }) => err.errorCode,
      );
      expect(lost).toBe(ErrorCode.LEADER_NOT_AVAILABLE);
      const stop = two.followStore(() => {});
      try {
        await until(() => two.get('raced') !== undefined, 'broker 2 learned the topic');
        expect((await two.autoCreate('raced', onBoth)).id).toBe(created.id);
      } finally {
        stop();
      }
    } finally {
      await one.close();
      await two.close();
    }
  });
});
