// The metadata store of a cluster in etcd: each document is JSON at `metadata/<kind>/<key>` under
// the cluster's prefix (the key URI-encoded; a cluster-wide document's key is empty), and its
// version is the etcd mod revision of that key. Compare-and-swap writes are etcd transactions on
// the mod revision (ABSENT: the key must not exist). Reads come from a local view loaded with one
// range read and kept current by a watch that starts right after the revision read, so no change
// is missed; when the watch breaks (etcd restarted or unreachable) the view stays as it was, and
// is reloaded and re-watched the same way once etcd answers again. Kinds are not listed here:
// any kind a MetadataRecords entry names is stored the same way.
import type { Namespace, Watcher } from 'etcd3';
import type { Logger } from 'pino';
import {
  ABSENT,
  MetadataConflict,
  type MetadataChange,
  type MetadataKind,
  type MetadataRecords,
  type MetadataStore,
  type Versioned,
} from './metadata-store.js';

const ROOT = 'metadata/';
/** Between attempts to reload the view while etcd does not answer. */
const RETRY_MS = 500;

type AnyChange = MetadataChange<MetadataKind>;
interface KeyValue {
  key: Buffer;
  value: Buffer;
  mod_revision: string;
}

function etcdKey(kind: string, key: string): string {
  return `${ROOT}${kind}/${encodeURIComponent(key)}`;
}

function parseKey(etcdKey: string): { kind: string; key: string } | undefined {
  const rest = etcdKey.slice(ROOT.length);
  const slash = rest.indexOf('/');
  return slash <= 0 ? undefined : { kind: rest.slice(0, slash), key: decodeURIComponent(rest.slice(slash + 1)) };
}

export class EtcdMetadataStore implements MetadataStore {
  private readonly docs = new Map<string, Map<string, Versioned<unknown>>>();
  private readonly watchers = new Map<string, Set<(change: AnyChange) => void>>();
  /** The etcd revision the view has caught up with. */
  private revision = 0;
  private readonly waiting = new Set<{ done: () => boolean; resolve: () => void; reject: (err: Error) => void }>();
  private watcher: Watcher | undefined;
  private reconnecting = false;
  private closed = false;

  private constructor(
    private readonly etcd: Namespace,
    private readonly log: Logger,
  ) {}

  /** Loads every document under the cluster namespace `etcd` and starts watching. */
  static async open(etcd: Namespace, log: Logger): Promise<EtcdMetadataStore> {
    const store = new EtcdMetadataStore(etcd, log);
    await store.load();
    return store;
  }

  get<K extends MetadataKind>(kind: K, key: string): Versioned<MetadataRecords[K]> | undefined {
    return this.docs.get(kind)?.get(key) as Versioned<MetadataRecords[K]> | undefined;
  }

  list<K extends MetadataKind>(kind: K): Map<string, Versioned<MetadataRecords[K]>> {
    return new Map(this.docs.get(kind) as Map<string, Versioned<MetadataRecords[K]>> | undefined);
  }

  /** Resolves once etcd holds the write and the local view (and every watcher) has seen it. */
  async put<K extends MetadataKind>(kind: K, key: string, value: MetadataRecords[K], expectedVersion?: number): Promise<number> {
    const path = etcdKey(kind, key);
    const json = JSON.stringify(value);
    let revision: number;
    if (expectedVersion === undefined) {
      revision = Number((await this.etcd.put(path).value(json).exec()).header.revision);
    } else {
      const res = await this.etcd.if(path, 'Mod', '==', expectedVersion).then(this.etcd.put(path).value(json)).commit();
      if (!res.succeeded) return this.conflict(kind, key, expectedVersion);
      revision = Number(res.header.revision);
    }
    await this.viewReaches(revision);
    return revision;
  }

  async delete(kind: MetadataKind, key: string, expectedVersion?: number): Promise<void> {
    const path = etcdKey(kind, key);
    let deleted: boolean;
    let revision: number;
    if (expectedVersion === undefined) {
      const res = await this.etcd.delete().key(path).exec();
      deleted = res.deleted !== '0';
      revision = Number(res.header.revision);
    } else {
      const res = await this.etcd.if(path, 'Mod', '==', expectedVersion).then(this.etcd.delete().key(path)).commit();
      if (!res.succeeded) return this.conflict(kind, key, expectedVersion);
      deleted = res.responses[0]?.response_delete_range?.deleted !== '0';
      revision = Number(res.header.revision);
    }
    if (deleted) await this.viewReaches(revision);
  }

  watch<K extends MetadataKind>(kind: K, listener: (change: MetadataChange<K>) => void): () => void {
    let set = this.watchers.get(kind);
    if (set === undefined) this.watchers.set(kind, (set = new Set()));
    const entry = listener as (change: AnyChange) => void;
    set.add(entry);
    return () => set.delete(entry);
  }

  /** Stops watching etcd; pending writes that wait for the view fail. The etcd client is the caller's. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting) w.reject(new Error('metadata store closed'));
    this.waiting.clear();
    await this.stopWatching();
  }

  /**
   * A CAS write lost: the stored version differs from the expected one. Waits (briefly) until the
   * view shows a version other than the expected one, so a caller that retries from the view
   * does not retry against the same stale version.
   */
  private async conflict(kind: MetadataKind, key: string, expected: number): Promise<never> {
    const current = (): number => this.docs.get(kind)?.get(key)?.version ?? ABSENT;
    await Promise.race([this.until(() => current() !== expected), new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => undefined);
    throw new MetadataConflict(kind, key, expected, current());
  }

  private viewReaches(revision: number): Promise<void> {
    return this.until(() => this.revision >= revision);
  }

  private until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('metadata store closed'));
    return new Promise<void>((resolve, reject) => this.waiting.add({ done, resolve, reject }));
  }

  private advance(revision: number): void {
    if (revision > this.revision) this.revision = revision;
    for (const w of this.waiting) {
      if (w.done()) {
        this.waiting.delete(w);
        w.resolve();
      }
    }
  }

  /** Reads everything, brings the view to it (telling watchers what changed), then watches on. */
  private async load(): Promise<void> {
    const res = await this.etcd.getAll().prefix(ROOT).exec();
    const at = Number(res.header.revision);
    const seen = new Map<string, Set<string>>();
    for (const kv of res.kvs as KeyValue[]) {
      const id = parseKey(kv.key.toString());
      if (id === undefined) continue;
      if (!seen.has(id.kind)) seen.set(id.kind, new Set());
      seen.get(id.kind)!.add(id.key);
      const version = Number(kv.mod_revision);
      if (this.docs.get(id.kind)?.get(id.key)?.version !== version) this.apply(id.kind, id.key, kv.value, version);
    }
    for (const [kind, docs] of this.docs) {
      for (const key of [...docs.keys()]) if (!seen.get(kind)?.has(key)) this.apply(kind, key, null, at);
    }
    this.advance(at);
    this.watchFrom(at + 1);
  }

  private watchFrom(revision: number): void {
    // watcher() rather than create(): the listeners are in place before the first event, and a
    // watch that breaks before etcd confirmed it is noticed too.
    const watcher = this.etcd.watch().prefix(ROOT).startRevision(String(revision)).watcher();
    this.watcher = watcher;
    const onKv = (kv: KeyValue, deleted: boolean): void => {
      if (this.watcher !== watcher) return;
      const id = parseKey(kv.key.toString());
      const version = Number(kv.mod_revision);
      if (id !== undefined) this.apply(id.kind, id.key, deleted ? null : kv.value, version);
      this.advance(version);
    };
    watcher
      .on('put', (kv) => onKv(kv as KeyValue, false))
      .on('delete', (kv) => onKv(kv as KeyValue, true))
      // A broken watch (etcd gone, or the revision compacted away) is replaced by a reload.
      .on('disconnected', (err: Error) => this.reconnect(watcher, err))
      .on('error', (err: Error) => this.reconnect(watcher, err));
  }

  private apply(kind: string, key: string, value: Buffer | null, version: number): void {
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

  private reconnect(watcher: Watcher, err: Error): void {
    if (this.watcher !== watcher || this.reconnecting || this.closed) return;
    this.reconnecting = true;
    this.log.warn({ err: err.message, revision: this.revision }, 'etcd watch lost: the metadata view stays as it is until etcd answers again');
    void (async () => {
      await this.stopWatching();
      while (!this.closed) {
        try {
          await this.load();
          this.log.info({ revision: this.revision }, 'etcd answers again: metadata view caught up');
          break;
        } catch {
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
      this.reconnecting = false;
    })();
  }

  private async stopWatching(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = undefined;
    if (watcher === undefined) return;
    watcher.removeAllListeners();
    watcher.on('error', () => undefined);
    // Cancelling waits for etcd's answer while the watch is connected; a watch etcd already
    // dropped may get none.
    await Promise.race([watcher.cancel().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}
