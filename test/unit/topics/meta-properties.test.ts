// meta.properties: a new data dir gets the cluster id, node id and a directory.id; a data dir
// written before directory.id existed gets one added, its other lines kept; the id then stays.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { isKafkaUuid } from '../../../src/kafka-uuid.js';
import { loadNodeIdentity, readDirectoryId } from '../../../src/topics/meta-properties.js';
import { tempDir } from '../../helpers/broker.js';

const dirs: { remove(): void }[] = [];
const fresh = (): string => {
  const dir = tempDir('creek-meta-');
  dirs.push(dir);
  return dir.path;
};
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

describe('meta.properties', () => {
  it('gives a new data dir a directory.id that later starts keep', async () => {
    const dir = fresh();
    expect(readDirectoryId(dir)).toBeUndefined();
    const config = resolveBrokerConfig({ dataDir: dir, nodeId: 3 });
    const first = await loadNodeIdentity(config, dir);
    expect(isKafkaUuid(first.directoryId)).toBe(true);
    expect(first.clusterId).toBe(config.clusterId);
    expect(readFileSync(join(dir, 'meta.properties'), 'utf8')).toBe(`version=1\ncluster.id=${config.clusterId}\nnode.id=3\ndirectory.id=${first.directoryId}\n`);
    expect(readDirectoryId(dir)).toBe(first.directoryId);
    expect(await loadNodeIdentity(resolveBrokerConfig({ dataDir: dir, nodeId: 3 }), dir)).toEqual(first);
  });

  it('adds a directory.id to a data dir that has none, keeping its cluster id and other lines', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'meta.properties'), '#written by an older broker\nversion=1\ncluster.id=old-cluster\nnode.id=1');
    const identity = await loadNodeIdentity(resolveBrokerConfig({ dataDir: dir, nodeId: 1 }), dir);
    expect(identity.clusterId).toBe('old-cluster');
    expect(readFileSync(join(dir, 'meta.properties'), 'utf8')).toBe(`#written by an older broker\nversion=1\ncluster.id=old-cluster\nnode.id=1\ndirectory.id=${identity.directoryId}\n`);
    expect(readDirectoryId(dir)).toBe(identity.directoryId);
  });

  it("refuses a data dir of another node id, and leaves it as it was", async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'meta.properties'), 'version=1\ncluster.id=c\nnode.id=1\n');
    await expect(loadNodeIdentity(resolveBrokerConfig({ dataDir: dir, nodeId: 2 }), dir)).rejects.toThrow(/Stored node id 1 doesn't match the configured node id 2/);
    expect(readFileSync(join(dir, 'meta.properties'), 'utf8')).toBe('version=1\ncluster.id=c\nnode.id=1\n');
  });
});
