// A broker's claim on its node id at start-up in a cluster. A node id already registered as live
// is refused before the data dir is touched — unless the registration names this broker's own data
// dir (its directory.id) and the data dir's lock shows that no process uses it. Then it is this
// broker's previous run, killed before its lease lapsed, and the broker waits for that lease to
// lapse, as a restarted Kafka broker waits for its old registration to time out. Without the wait,
// a supervisor that restarts a killed broker at once (systemd's Restart=, Kubernetes) would see it
// refused until the lease lapsed, and may give up on it. Registering later is create-only, so a node
// id that another broker takes meanwhile is still refused then.
import type { Logger } from 'pino';
import { lockDataDir, type DataDirLock } from '../log/data-dir-lock.js';
import { readDirectoryId } from '../topics/meta-properties.js';
import { NodeIdInUse, type BrokerRegistration, type Membership } from './membership.js';

export interface NodeIdClaim {
  membership: Pick<Membership, 'live' | 'watchLive'>;
  nodeId: number;
  /** The broker's data dir; undefined with in-memory storage (which cannot show a previous run). */
  dataDir: string | undefined;
  /** How long the previous run's registration may outlive it: its lease TTL. */
  leaseTtlMs: number;
  log: Logger;
}

/**
 * Resolves once the node id is free to register; with the data dir's lock when it had to take it
 * to know the registration was its previous run's. Throws NodeIdInUse when another broker holds it.
 */
export async function claimNodeId(claim: NodeIdClaim): Promise<DataDirLock | undefined> {
  const { membership, nodeId, dataDir, log } = claim;
  const registered = membership.live().get(nodeId);
  if (registered === undefined) return undefined;
  const directoryId = dataDir === undefined ? undefined : readDirectoryId(dataDir);
  if (directoryId === undefined || registered.directoryId !== directoryId) throw new NodeIdInUse(nodeId);
  // Refused here (DataDirInUse) when the previous run is alive after all.
  const lock = lockDataDir(dataDir!);
  // etcd counts a TTL in whole seconds, from the last keep-alive before the previous run died.
  const waitMs = 2 * Math.ceil(claim.leaseTtlMs / 1000) * 1000 + 1000;
  log.info({ nodeId, dataDir, waitMs }, "this data dir's previous run, which no longer runs, still holds the node id in the cluster: waiting for its registration to lapse");
  if (!(await lapsed(membership, registered, waitMs))) {
    lock.release();
    throw new NodeIdInUse(nodeId);
  }
  log.info({ nodeId }, "the previous run's registration lapsed");
  return lock;
}

/** Whether `registered` leaves the live set within `ms` (false: it stays, or another run takes the node id). */
function lapsed(membership: NodeIdClaim['membership'], registered: BrokerRegistration, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    let stopWatching = (): void => undefined;
    const timer = setTimeout(() => done(false), ms);
    const done = (gone: boolean): void => {
      clearTimeout(timer);
      stopWatching();
      resolve(gone);
    };
    const check = (live: ReadonlyMap<number, BrokerRegistration>): void => {
      const now = live.get(registered.nodeId);
      if (now === undefined) done(true);
      else if (now.incarnation !== registered.incarnation) done(false);
    };
    stopWatching = membership.watchLive(check);
    check(membership.live());
  });
}
