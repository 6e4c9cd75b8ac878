// This broker's dynamic configs (Kafka's KIP-226 layers), kept in the metadata store as Kafka keeps
// them: the cluster-wide default is the brokerConfigs document of resource name "" (CLUSTER_KEY),
// each broker's own is the document keyed by its node id. A broker applies the default and its own
// document only, and follows both (any broker may alter the default). Writes are compare-and-swap
// on the version an edit was computed from, retried from the newer values on a conflict, so two
// brokers altering the default at once both count.
import type { Logger } from 'pino';
import { ABSENT, brokerConfigsOf, CLUSTER_KEY, MetadataConflict, type MetadataStore } from '../metadata/metadata-store.js';

/** The cluster-wide default (resource name "") or this broker's own configs (its node id). */
export type DynamicLayer = 'default' | 'broker';

const CAS_ATTEMPTS = 5;

export class DynamicBrokerConfigs {
  private readonly defaults = new Map<string, string>();
  private readonly own = new Map<string, string>();
  private readonly ownKey: string;
  private readonly changeListeners: (() => void)[] = [];
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly metadata: MetadataStore,
    nodeId: number,
  ) {
    this.ownKey = String(nodeId);
    // Another broker's document is not this broker's concern.
    this.unsubscribe = metadata.watch('brokerConfigs', (change) => {
      if ((change.key === CLUSTER_KEY || change.key === this.ownKey) && this.reload()) for (const changed of this.changeListeners) changed();
    });
  }

  /** Reads this broker's layers, migrating an older version's single document first, and follows them until close(). */
  static async open(metadata: MetadataStore, nodeId: number, log: Logger): Promise<DynamicBrokerConfigs> {
    const configs = new DynamicBrokerConfigs(metadata, nodeId);
    await configs.migrate(log);
    configs.reload();
    return configs;
  }

  /** DYNAMIC_DEFAULT_BROKER_CONFIG: the cluster-wide document's values (kept current: one map for the broker's lifetime). */
  get dynamicDefault(): ReadonlyMap<string, string> {
    return this.defaults;
  }

  /** DYNAMIC_BROKER_CONFIG: this broker's document's values (kept current likewise). */
  get dynamicBroker(): ReadonlyMap<string, string> {
    return this.own;
  }

  /** `listener` hears of each change of the layers (by any broker, this one too), once they hold the new values. */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Stops following the store. */
  close(): void {
    this.unsubscribe();
  }

  /**
   * Older versions kept one document under CLUSTER_KEY, `default` beside the configs of the broker
   * that wrote it: they become the default document and this broker's own (a data dir's file was
   * written by the node opening it; in a shared store the first broker to open takes them, where
   * before every broker applied them). This broker's document first, so a crash in between only
   * leaves the default to migrate at the next start.
   */
  private async migrate(log: Logger): Promise<void> {
    const legacy = this.metadata.get('brokerConfigs', CLUSTER_KEY);
    if (legacy === undefined || 'configs' in legacy.value) return;
    const { default: defaults, broker } = legacy.value;
    try {
      if (Object.keys(broker).length > 0 && this.metadata.get('brokerConfigs', this.ownKey) === undefined) {
        await this.metadata.put('brokerConfigs', this.ownKey, { configs: broker }, ABSENT);
      }
      await this.metadata.put('brokerConfigs', CLUSTER_KEY, { configs: defaults }, legacy.version);
      log.info({ default: defaults, broker }, 'dynamic broker configs moved to the cluster default and this broker\'s own document');
    } catch (err) {
      // Another broker sharing the store migrated it first.
      if (!(err instanceof MetadataConflict)) throw err;
    }
  }

  private keyOf(layer: DynamicLayer): string {
    return layer === 'default' ? CLUSTER_KEY : this.ownKey;
  }

  private stored(key: string): Record<string, string> {
    return brokerConfigsOf(this.metadata.get('brokerConfigs', key)?.value);
  }

  /** Takes both layers from the store; answers whether either changed. */
  private reload(): boolean {
    const defaultChanged = replaceEntries(this.defaults, this.stored(CLUSTER_KEY));
    const brokerChanged = replaceEntries(this.own, this.stored(this.ownKey));
    return defaultChanged || brokerChanged;
  }

  /**
   * Edits a layer: `edit` gets its stored values and answers the new ones, or undefined to write
   * nothing (validate only), or throws. The layers hold the new values once this resolves.
   */
  async update(layer: DynamicLayer, edit: (current: ReadonlyMap<string, string>) => Map<string, string> | undefined): Promise<void> {
    const key = this.keyOf(layer);
    for (let attempt = 1; ; attempt++) {
      const doc = this.metadata.get('brokerConfigs', key);
      const next = edit(new Map(Object.entries(brokerConfigsOf(doc?.value))));
      if (next === undefined) return;
      try {
        await this.metadata.put('brokerConfigs', key, { configs: Object.fromEntries(next) }, doc?.version ?? ABSENT);
        this.reload();
        return;
      } catch (err) {
        if (!(err instanceof MetadataConflict) || attempt >= CAS_ATTEMPTS) throw err;
      }
    }
  }
}

/** Makes `target` hold exactly `values`; answers whether it changed. */
function replaceEntries(target: Map<string, string>, values: Record<string, string>): boolean {
  const entries = Object.entries(values);
  if (entries.length === target.size && entries.every(([k, v]) => target.get(k) === v)) return false;
  target.clear();
  for (const [k, v] of entries) target.set(k, v);
  return true;
}
