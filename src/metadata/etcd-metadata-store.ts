// The metadata store of a cluster in etcd: each document is JSON at `metadata/<kind>/<key>` under
// the cluster's prefix (the key URI-encoded; a cluster-wide document's key is empty), and its
// version is the etcd mod revision of that key. Compare-and-swap writes are etcd transactions on
// the mod revision (ABSENT: the key must not exist); a controller's writes also compare the
// controller key's create revision with its epoch, in the same transaction. Reads come from a
// local view of the prefix (PrefixView: loaded, then watched from the revision loaded; frozen
// while etcd is away and caught up when it returns). Kinds are not listed here: any kind
// MetadataRecords names is stored the same way.
import type { Namespace } from 'etcd3';
import type { Logger } from 'pino';
import { CONTROLLER_KEY, METADATA_PREFIX as ROOT } from '../cluster/etcd/keys.js';
import { PrefixView } from '../cluster/etcd/prefix-view.js';
import {
  ABSENT,
  ControllerFenced,
  MetadataConflict,
  type ControllerFence,
  type MetadataChange,
  type MetadataKind,
  type MetadataRecords,
  type MetadataStore,
  type Versioned,
} from './metadata-store.js';

/** How long a conflicting write waits for the view to show the version that beat it. */
const CONFLICT_CATCH_UP_MS = 2000;

type AnyChange = MetadataChange<MetadataKind>;

type TxnResult = Awaited<ReturnType<ReturnType<Namespace['if']>['commit']>>;

function etcdKey(kind: string, key: string): string {
  return `${ROOT}${kind}/${encodeURIComponent(key)}`;
}

export class EtcdMetadataStore implements MetadataStore {
  private readonly docs = new Map<string, Map<string, Versioned<unknown>>>();
  private readonly watchers = new Map<string, Set<(change: AnyChange) => void>>();
  private view!: PrefixView;

  private constructor(
    private readonly etcd: Namespace,
    private readonly log: Logger,
  ) {}

  /** Loads every document under the cluster namespace `etcd` and starts watching. */
  static async open(etcd: Namespace, log: Logger): Promise<EtcdMetadataStore> {
    const store = new EtcdMetadataStore(etcd, log);
    store.view = await PrefixView.open(etcd, ROOT, (key, value, revision) => store.apply(key, value, revision), log);
    return store;
  }

  get<K extends MetadataKind>(kind: K, key: string): Versioned<MetadataRecords[K]> | undefined {
    return this.docs.get(kind)?.get(key) as Versioned<MetadataRecords[K]> | undefined;
  }

  list<K extends MetadataKind>(kind: K): Map<string, Versioned<MetadataRecords[K]>> {
    return new Map(this.docs.get(kind) as Map<string, Versioned<MetadataRecords[K]>> | undefined);
  }

  /** Resolves once etcd holds the write and the local view (and every watcher) has seen it. */
  async put<K extends MetadataKind>(kind: K, key: string, value: MetadataRecords[K], expectedVersion?: number, fence?: ControllerFence): Promise<number> {
    const path = etcdKey(kind, key);
    const json = JSON.stringify(value);
    let revision: number;
    if (expectedVersion === undefined && fence === undefined) {
      revision = Number((await this.etcd.put(path).value(json).exec()).header.revision);
    } else {
      const res = await this.conditions(path, expectedVersion, fence).then(this.etcd.put(path).value(json)).else(this.etcd.get(CONTROLLER_KEY)).commit();
      if (!res.succeeded) return this.refused(res, kind, key, expectedVersion, fence);
      revision = Number(res.header.revision);
    }
    await this.view.reaches(revision);
    return revision;
  }

  async delete(kind: MetadataKind, key: string, expectedVersion?: number, fence?: ControllerFence): Promise<void> {
    const path = etcdKey(kind, key);
    let deleted: boolean;
    let revision: number;
    if (expectedVersion === undefined && fence === undefined) {
      const res = await this.etcd.delete().key(path).exec();
      deleted = res.deleted !== '0';
      revision = Number(res.header.revision);
    } else {
      const res = await this.conditions(path, expectedVersion, fence).then(this.etcd.delete().key(path)).else(this.etcd.get(CONTROLLER_KEY)).commit();
      if (!res.succeeded) return this.refused(res, kind, key, expectedVersion, fence);
      deleted = res.responses[0]?.response_delete_range?.deleted !== '0';
      revision = Number(res.header.revision);
    }
    if (deleted) await this.view.reaches(revision);
  }

  /** A transaction comparing the document's version and the controller epoch, as asked. */
  private conditions(path: string, expectedVersion: number | undefined, fence: ControllerFence | undefined) {
    if (fence === undefined) return this.etcd.if(path, 'Mod', '==', expectedVersion!);
    const txn = this.etcd.if(CONTROLLER_KEY, 'Create', '==', fence.controllerEpoch);
    return expectedVersion === undefined ? txn : txn.and(path, 'Mod', '==', expectedVersion);
  }

  /** A refused conditional write: the controller epoch moved on (read in the else branch), or the document's version. */
  private refused(res: TxnResult, kind: MetadataKind, key: string, expectedVersion: number | undefined, fence: ControllerFence | undefined): Promise<never> {
    if (fence !== undefined) {
      const controller = res.responses[0]?.response_range?.kvs?.[0] as { create_revision: string } | undefined;
      if (Number(controller?.create_revision ?? 0) !== fence.controllerEpoch) throw new ControllerFenced(kind, key, fence.controllerEpoch);
    }
    return this.conflict(kind, key, expectedVersion!);
  }

  watch<K extends MetadataKind>(kind: K, listener: (change: MetadataChange<K>) => void): () => void {
    let set = this.watchers.get(kind);
    if (set === undefined) this.watchers.set(kind, (set = new Set()));
    const entry = listener as (change: AnyChange) => void;
    set.add(entry);
    return () => set.delete(entry);
  }

  /** Stops watching etcd; writes waiting for the view fail. The etcd client is the caller's. */
  close(): Promise<void> {
    return this.view.close();
  }

  /**
   * A CAS write lost: the stored version differs from the expected one. Waits (briefly) until the
   * view shows another version, so a caller retrying from the view does not retry the same one.
   */
  private async conflict(kind: MetadataKind, key: string, expected: number): Promise<never> {
    const current = (): number => this.docs.get(kind)?.get(key)?.version ?? ABSENT;
    const timeout = new Promise((r) => setTimeout(r, CONFLICT_CATCH_UP_MS).unref());
    await Promise.race([this.view.until(() => current() !== expected), timeout]).catch(() => undefined);
    throw new MetadataConflict(kind, key, expected, current());
  }

  private apply(path: string, value: Buffer | null, version: number): void {
    const slash = path.indexOf('/');
    if (slash <= 0) return;
    const kind = path.slice(0, slash);
    const key = decodeURIComponent(path.slice(slash + 1));
    let docs = this.docs.get(kind);
    if (docs === undefined) this.docs.set(kind, (docs = new Map()));
    let parsed: unknown = null;
    if (value === null) {
      if (!docs.delete(key)) return;
    } else {
      try {
        parsed = JSON.parse(value.toString('utf8'));
      } catch (err) {
        this.log.error({ err, kind, key }, 'ignoring unreadable metadata document in etcd');
        return;
      }
      docs.set(key, { value: parsed, version });
    }
    const change = { kind, key, value: parsed, version } as AnyChange;
    for (const listener of this.watchers.get(kind) ?? []) listener(change);
  }
}
