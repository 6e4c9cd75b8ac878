// The metadata store of a broker thread (creek cluster --threads): a local copy of the host's
// documents, kept current by the changes the host forwards, so reads stay synchronous; writes are
// calls to the host's store, which checks versions and controller fences and persists.
import {
  type ControllerFence,
  type MetadataChange,
  type MetadataKind,
  type MetadataRecords,
  type MetadataStore,
  type Versioned,
} from '../../metadata/metadata-store.js';
import type { HostLink } from './host-link.js';
import type { DocumentMessage } from './thread-messages.js';

type Listener = (change: MetadataChange<MetadataKind>) => void;

export class ThreadMetadataStore implements MetadataStore {
  private readonly docs = new Map<MetadataKind, Map<string, Versioned<MetadataRecords[MetadataKind]>>>();
  private readonly watchers = new Map<MetadataKind, Set<Listener>>();

  constructor(
    private readonly host: HostLink,
    documents: readonly DocumentMessage[],
  ) {
    for (const d of documents) if (d.value !== null) this.documents(d.kind).set(d.key, { value: d.value, version: d.version });
  }

  /** A change the host made (forwarded in the host's order): applied, then heard by this thread's watchers. */
  apply(change: DocumentMessage): void {
    if (change.value === null) this.documents(change.kind).delete(change.key);
    else this.documents(change.kind).set(change.key, { value: change.value, version: change.version });
    for (const listener of this.watchers.get(change.kind) ?? []) listener(change as MetadataChange<MetadataKind>);
  }

  get<K extends MetadataKind>(kind: K, key: string): Versioned<MetadataRecords[K]> | undefined {
    return this.documents(kind).get(key) as Versioned<MetadataRecords[K]> | undefined;
  }

  list<K extends MetadataKind>(kind: K): Map<string, Versioned<MetadataRecords[K]>> {
    return new Map(this.documents(kind)) as Map<string, Versioned<MetadataRecords[K]>>;
  }

  async put<K extends MetadataKind>(kind: K, key: string, value: MetadataRecords[K], expectedVersion?: number, fence?: ControllerFence): Promise<number> {
    return (await this.host.call({ op: 'put', kind, key, value, expectedVersion, controllerEpoch: fence?.controllerEpoch }))!;
  }

  async delete(kind: MetadataKind, key: string, expectedVersion?: number, fence?: ControllerFence): Promise<void> {
    await this.host.call({ op: 'delete', kind, key, expectedVersion, controllerEpoch: fence?.controllerEpoch });
  }

  watch<K extends MetadataKind>(kind: K, listener: (change: MetadataChange<K>) => void): () => void {
    let set = this.watchers.get(kind);
    if (set === undefined) this.watchers.set(kind, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  private documents(kind: MetadataKind): Map<string, Versioned<MetadataRecords[MetadataKind]>> {
    let map = this.docs.get(kind);
    if (map === undefined) this.docs.set(kind, (map = new Map()));
    return map;
  }
}
