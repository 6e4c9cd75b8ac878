// A broker of a cluster keeps files only for the partitions it is a replica of: the topic registry
// follows topic records in the shared metadata store and opens each partition's log on disk or,
// for a partition hosted elsewhere, as an empty in-memory place; a changed replica set moves it,
// and a partition moved away leaves no directory behind (moved back, it starts empty).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { MemoryMetadataStore } from '../../../src/metadata/memory-metadata-store.js';
import { TopicRegistry } from '../../../src/topics/topic-registry.js';
import { appendCommitted } from '../../helpers/append-committed.js';
import { until } from '../../helpers/until.js';
import { makeBatch } from '../log/batches.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function brokerTwo(metadata: MemoryMetadataStore): Promise<{ topics: TopicRegistry; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'creek-hosted-'));
  dirs.push(dataDir);
  const topics = await TopicRegistry.open(resolveBrokerConfig({ nodeId: 2, dataDir }), metadata, pino({ level: 'silent' }));
  return { topics, dataDir };
}

const record = (replicas: number[][]) => ({ name: 'spread', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: replicas.length, configs: {}, replicas });

describe('partition logs of a broker among several', () => {
  it('are files only where the broker is a replica, and follow a changed replica set', async () => {
    const metadata = new MemoryMetadataStore();
    const { topics, dataDir } = await brokerTwo(metadata);
    const seen: string[] = [];
    const stop = topics.followStore((name) => seen.push(name));
    try {
      const version = await metadata.put('topic', 'spread', record([[1], [2, 3], [3, 1]]));
      await until(() => seen.length === 1, 'the topic opened');
      expect([0, 1, 2].map((p) => existsSync(join(dataDir, `spread-${p}`)))).toEqual([false, true, false]);
      // Partitions hosted elsewhere still have their place, empty.
      expect(topics.get('spread')!.partitions.map((log) => log.logEndOffset)).toEqual([0, 0, 0]);

      await metadata.put('topic', 'spread', record([[1, 2], [3], [3, 1]]), version);
      await until(() => seen.length === 2, 'the replica change applied');
      expect(existsSync(join(dataDir, 'spread-0'))).toBe(true);
      expect(topics.get('spread')!.replicas).toEqual([[1, 2], [3], [3, 1]]);
    } finally {
      stop();
      await topics.close();
    }
  });

  it('removes the directory of a partition moved away; moved back, its log starts empty', async () => {
    const metadata = new MemoryMetadataStore();
    const { topics, dataDir } = await brokerTwo(metadata);
    const seen: string[] = [];
    const stop = topics.followStore((name) => seen.push(name));
    try {
      let version = await metadata.put('topic', 'spread', record([[2, 1]]));
      await until(() => seen.length === 1, 'the topic opened');
      await appendCommitted(topics.get('spread')!.partitions[0]!, makeBatch({ records: 3 }), { leaderEpoch: 0 });
      expect(topics.get('spread')!.partitions[0]!.logEndOffset).toBe(3);

      version = await metadata.put('topic', 'spread', record([[1, 3]]), version);
      await until(() => seen.length === 2, 'the move away applied');
      expect(existsSync(join(dataDir, 'spread-0'))).toBe(false);
      // Nor is it left under its deletion name.
      expect(readdirSync(dataDir).filter((d) => d.startsWith('spread'))).toEqual([]);
      expect(topics.get('spread')!.partitions[0]!.logEndOffset).toBe(0);

      await metadata.put('topic', 'spread', record([[1, 2]]), version);
      await until(() => seen.length === 3, 'the move back applied');
      expect(existsSync(join(dataDir, 'spread-0'))).toBe(true);
      expect(topics.get('spread')!.partitions[0]!.logEndOffset).toBe(0);
    } finally {
      stop();
      await topics.close();
    }
  });
});
