// The half of a MetadataStore that every single-process backend shares: the documents held in
// memory, version checks, watchers. A backend supplies durable writes (persist) and, at open, the
// documents it found. Controller fences are checked against the epoch supplier given at
// construction (the in-process membership's); a store without one serves no controller.
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

type Documents = { [K in MetadataKind]: Map<string, Versioned<MetadataRecords[K]>> };
type Watchers = { [K in MetadataKind]: Set<(change: MetadataChange<K>) => void> };

export abstract class CachedMetadataStore implements MetadataStore {
  private readonly docs: Documents = {
    topic: new Map(),
    partitionState: new Map(),
    isrChangeRequest: new Map(),
    leaderElectionRequest: new Map(),
    reassignment: new Map(),
    brokerConfigs: new Map(),
    producerIdBlock: new Map(),
    scramCredentials: new Map(),
    acls: new Map(),
    clientQuotas: new Map(),
  };
  private readonly watchers: Watchers = {
    topic: new Set(),
    partitionState: new Set(),
    isrChangeRequest: new Set(),
    leaderElectionRequest: new Set(),
    reassignment: new Set(),
    brokerConfigs: new Set(),
    producerIdBlock: new Set(),
    scramCredentials: new Set(),
    acls: new Set(),
    clientQuotas: new Set(),
  };
  private lastVersion = ABSENT;

  /** `controllerEpoch`: the cluster's current controller epoch, for fenced writes. */
  constructor(private readonly controllerEpoch?: () => number) {}
  /** Writes apply one at a time, in call order, so versions and files agree. */
  private writes: Promise<unknown> = Promise.resolve();

  /** Makes a write durable; `value` null deletes. */
  protected abstract persist<K extends MetadataKind>(kind: K, key: string, value: MetadataRecords[K] | null): Promise<void>;

  /** Adds a document found at open. */
  protected load<K extends MetadataKind>(kind: K, key: string, value: MetadataRecords[K]): void {
    (this.docs[kind] as Map<string, Versioned<MetadataRecords[K]>>).set(key, { value, version: ++this.lastVersion });
  }

  get<K extends MetadataKind>(kind: K, key: string): Versioned<MetadataRecords[K]> | undefined {
    return (this.docs[kind] as Map<string, Versioned<MetadataRecords[K]>>).get(key);
  }

  list<K extends MetadataKind>(kind: K): Map<string, Versioned<MetadataRecords[K]>> {
    return new Map(this.docs[kind] as Map<string, Versioned<MetadataRecords[K]>>);
  }

  put<K extends MetadataKind>(kind: K, key: string, value: MetadataRecords[K], expectedVersion?: number, fence?: ControllerFence): Promise<number> {
    return this.serial(async () => {
      this.check(kind, key, expectedVersion, fence);
      await this.persist(kind, key, value);
      const version = ++this.lastVersion;
      (this.docs[kind] as Map<string, Versioned<MetadataRecords[K]>>).set(key, { value, version });
      this.notify(kind, { kind, key, value, version });
      return version;
    });
  }

  delete(kind: MetadataKind, key: string, expectedVersion?: number, fence?: ControllerFence): Promise<void> {
    return this.serial(async () => {
      this.check(kind, key, expectedVersion, fence);
      if (!this.docs[kind].has(key)) return;
      await this.persist(kind, key, null);
      this.docs[kind].delete(key);
      this.notify(kind, { kind, key, value: null, version: ++this.lastVersion });
    });
  }

  watch<K extends MetadataKind>(kind: K, listener: (change: MetadataChange<K>) => void): () => void {
    const set = this.watchers[kind] as Set<(change: MetadataChange<K>) => void>;
    set.add(listener);
    return () => set.delete(listener);
  }

  private check(kind: MetadataKind, key: string, expectedVersion: number | undefined, fence: ControllerFence | undefined): void {
    if (fence !== undefined) {
      if (this.controllerEpoch === undefined) throw new Error('this metadata store serves no controller');
      if (this.controllerEpoch() !== fence.controllerEpoch) throw new ControllerFenced(kind, key, fence.controllerEpoch);
    }
    if (expectedVersion === undefined) return;
    const actual = this.docs[kind].get(key)?.version ?? ABSENT;
    if (actual !== expectedVersion) throw new MetadataConflict(kind, key, expectedVersion, actual);
  }

  private notify<K extends MetadataKind>(kind: K, change: MetadataChange<K>): void {
    for (const listener of this.watchers[kind] as Set<(change: MetadataChange<K>) => void>) listener(change);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writes.then(work, work);
    this.writes = run.catch(() => undefined);
    return run;
  }
}
