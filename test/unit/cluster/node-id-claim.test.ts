// A broker's claim on its node id at start-up: a node id registered by another data dir (or by a
// broker without one) is refused at once; one registered by this data dir's previous run is waited
// for until that registration lapses, holding the data dir's lock meanwhile, and refused if it
// does not lapse in time or another run takes the node id.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { InProcessMembershipRegistry } from '../../../src/cluster/in-process-membership.js';
import { NodeIdInUse, type BrokerRegistration } from '../../../src/cluster/membership.js';
import { claimNodeId } from '../../../src/cluster/node-id-claim.js';
import { loadNodeIdentity } from '../../../src/topics/meta-properties.js';
import { tempDir } from '../../helpers/broker.js';

const log = pino({ level: 'silent' });
const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

/** A data dir that has been started once (its meta.properties written); answers its path and directory.id. */
async function startedDataDir(nodeId: number): Promise<{ path: string; directoryId: string }> {
  const dir = tempDir('creek-claim-');
  dirs.push(dir);
  const { directoryId } = await loadNodeIdentity(resolveBrokerConfig({ dataDir: dir.path, nodeId }), dir.path);
  return { path: dir.path, directoryId };
}

const registration = (nodeId: number, incarnation: string, directoryId?: string): BrokerRegistration => ({
  nodeId,
  endpoints: [],
  rack: null,
  incarnation,
  ...(directoryId === undefined ? {} : { directoryId }),
});

describe('claiming a node id at start-up', () => {
  it('claims a node id nobody holds at once, without touching the data dir', async () => {
    const registry = new InProcessMembershipRegistry();
    const dir = tempDir('creek-claim-');
    dirs.push(dir);
    expect(await claimNodeId({ membership: registry, nodeId: 1, dataDir: dir.path, leaseTtlMs: 1000, log })).toBeUndefined();
    expect(existsSync(join(dir.path, '.lock'))).toBe(false);
  });

  it('refuses a node id held by another data dir, by a broker without one, or when this broker keeps none', async () => {
    const registry = new InProcessMembershipRegistry();
    const mine = await startedDataDir(1);
    const other = await startedDataDir(1);
    registry.register(registration(1, 'theirs', other.directoryId));
    await expect(claimNodeId({ membership: registry, nodeId: 1, dataDir: mine.path, leaseTtlMs: 1000, log })).rejects.toBeInstanceOf(NodeIdInUse);
    registry.expire(1);
    registry.register(registration(1, 'no-dir'));
    await expect(claimNodeId({ membership: registry, nodeId: 1, dataDir: mine.path, leaseTtlMs: 1000, log })).rejects.toBeInstanceOf(NodeIdInUse);
    registry.expire(1);
    registry.register(registration(1, 'theirs', mine.directoryId));
    await expect(claimNodeId({ membership: registry, nodeId: 1, dataDir: undefined, leaseTtlMs: 1000, log })).rejects.toBeInstanceOf(NodeIdInUse);
    expect(existsSync(join(mine.path, '.lock'))).toBe(false);
  });

  it("waits for this data dir's previous run to lapse, holding the data dir's lock, then claims the node id", async () => {
    const registry = new InProcessMembershipRegistry();
    const mine = await startedDataDir(2);
    registry.register(registration(2, 'previous-run', mine.directoryId));
    let claimed = false;
    const claim = claimNodeId({ membership: registry, nodeId: 2, dataDir: mine.path, leaseTtlMs: 1000, log }).then((lock) => {
      claimed = true;
      return lock;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(claimed).toBe(false);
    expect(existsSync(join(mine.path, '.lock'))).toBe(true);
    registry.expire(2);
    const lock = await claim;
    expect(lock).toBeDefined();
    lock!.release();
    expect(existsSync(join(mine.path, '.lock'))).toBe(false);
  });

  it('refuses, and lets the lock go, when the previous run stays registered past twice its lease or another run takes the node id', async () => {
    const registry = new InProcessMembershipRegistry();
    const mine = await startedDataDir(3);
    registry.register(registration(3, 'previous-run', mine.directoryId));
    const started = Date.now();
    await expect(claimNodeId({ membership: registry, nodeId: 3, dataDir: mine.path, leaseTtlMs: 1000, log })).rejects.toBeInstanceOf(NodeIdInUse);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(existsSync(join(mine.path, '.lock'))).toBe(false);

    const claim = claimNodeId({ membership: registry, nodeId: 3, dataDir: mine.path, leaseTtlMs: 1000, log });
    registry.expire(3);
    registry.register(registration(3, 'someone-else'));
    await expect(claim).rejects.toBeInstanceOf(NodeIdInUse);
    expect(existsSync(join(mine.path, '.lock'))).toBe(false);
  });
});
