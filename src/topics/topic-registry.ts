// Topics of this broker: names, ids, partition logs and config overrides, with Kafka's rules for
// creating, deleting, growing and reconfiguring them. Topics and dynamic broker configs are kept
// in the metadata store (src/metadata/; the configs through DynamicBrokerConfigs), partition logs
// in a LogStorage backend (files or memory); on disk the broker also keeps
// <dataDir>/meta.properties (meta-properties.ts).
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { BrokerConfigLayers } from '../config/describe-configs.js';
import { DynamicBrokerConfigs, type DynamicLayer } from '../config/dynamic-broker-configs.js';
import { validateTopicConfigs } from '../config/topic-config.js';
import { topicLogConfig, type TopicLogConfig } from '../config/topic-log-config.js';
import { KafkaError } from '../kafka-error.js';
import { FileStorage } from '../log/file-storage.js';
import { MemoryStorage } from '../log/memory-storage.js';
import { OpenFiles } from '../log/open-files.js';
import { TailBudget } from '../log/tail-budget.js';
import type { LogConfig } from '../log/log-config.js';
import type { LogStorage } from '../log/log-storage.js';
import type { PartitionLog } from '../log/partition-log.js';
import { ABSENT, MetadataConflict, type MetadataStore, type TopicRecord } from '../metadata/metadata-store.js';
import { collisionKey, invalidTopicNameReason, isInternalTopic } from './topic-names.js';
import { newKafkaUuid } from '../kafka-uuid.js';
import { loadNodeIdentity } from './meta-properties.js';

export interface Topic {
  readonly name: string;
  /** Kafka Uuid text (22 characters base64url). */
  readonly id: string;
  readonly internal: boolean;
  readonly partitions: PartitionLog[];
  /** Each partition's replicas (broker ids, the preferred leader first). */
  readonly replicas: (readonly number[])[];
  /** Topic-level config overrides (DYNAMIC_TOPIC_CONFIG). */
  overrides: Map<string, string>;
  /** Effective settings: overrides over broker configs over defaults. */
  config: TopicLogConfig;
}

export interface CreateTopicOptions {
  numPartitions: number;
  /** Each partition's replicas; by default every partition is on this broker alone. */
  replicas?: readonly (readonly number[])[];
  overrides?: ReadonlyMap<string, string>;
  validateOnly?: boolean;
}

export function logConfigOf(c: TopicLogConfig): LogConfig {
  return {
    segmentBytes: c.segmentBytes,
    segmentMs: c.segmentMs,
    retentionMs: c.delete ? c.retentionMs : -1,
    retentionBytes: c.delete ? c.retentionBytes : -1,
    indexIntervalBytes: c.indexIntervalBytes,
    flushMessages: c.flushMessages,
    flushMs: c.flushMs,
    maxMessageBytes: c.maxMessageBytes,
    timestampType: c.messageTimestampType,
    compact: c.compact,
    deleteRetentionMs: c.deleteRetentionMs,
    minCompactionLagMs: c.minCompactionLagMs,
    maxCompactionLagMs: c.maxCompactionLagMs,
    minCleanableDirtyRatio: c.minCleanableDirtyRatio,
  };
}

/** How much of its bound the file logs' in-memory tails use (creek.log.tail.cache.max.bytes). */
export interface TailCacheUse {
  readonly heldBytes: number;
  readonly maxBytes: number;
}

export class TopicRegistry {
  private readonly byName = new Map<string, Topic>();
  private readonly byId = new Map<string, Topic>();
  /** Topics whose creation is under way, by name. */
  private readonly creating = new Map<string, Promise<Topic | undefined>>();
  /** Partitions of this broker: of its topics and of those being created or grown (max.broker.partitions). */
  private partitionCount = 0;
  private changes = 0;
  /** The broker's config layers topics resolve through: static properties and the dynamic layers. */
  readonly layers: Required<BrokerConfigLayers>;
  clusterId: string;
  /** The data dir's directory.id (meta.properties); none with in-memory storage. */
  readonly directoryId: string | undefined;
  /**
   * Partitions of a cluster that this broker is not a replica of get an empty in-memory log from
   * here, so that no file is made for them; it is never written (this broker neither leads nor
   * follows them, and answers NOT_LEADER_OR_FOLLOWER for them). Handlers and engines index a
   * topic's logs by partition number, so every partition keeps a place.
   */
  private readonly elsewhere: LogStorage;

  private constructor(
    private readonly brokerConfig: BrokerConfig,
    private readonly storage: LogStorage,
    private readonly metadata: MetadataStore,
    private readonly dynamicConfigs: DynamicBrokerConfigs,
    identity: { clusterId: string; directoryId: string | undefined },
    private readonly log: Logger,
    /** What the file logs' in-memory tails hold, against their bound; none with in-memory storage. */
    readonly tailCache?: TailCacheUse,
  ) {
    this.elsewhere = new MemoryStorage(log);
    this.clusterId = identity.clusterId;
    this.directoryId = identity.directoryId;
    this.layers = { staticProps: brokerConfig.staticProps, dynamicDefault: dynamicConfigs.dynamicDefault, dynamicBroker: dynamicConfigs.dynamicBroker };
    dynamicConfigs.onChange(() => {
      for (const t of this.byName.values()) this.refresh(t);
    });
  }

  /** `listener` hears of each change of the broker's dynamic configs, once `layers` holds the new values. */
  onBrokerConfigsChange(listener: () => void): void {
    this.dynamicConfigs.onChange(listener);
  }

  static async open(config: BrokerConfig, metadata: MetadataStore, log: Logger): Promise<TopicRegistry> {
    const dataDir = config.storage === 'memory' ? null : config.logDir;
    const topicsLog = log.child({ component: 'topics' });
    const tailBudget = dataDir ? new TailBudget(config.tailCacheMaxBytes) : undefined;
    const storage = dataDir ? new FileStorage(dataDir, topicsLog, { openFiles: new OpenFiles(config.maxOpenFiles), tailBudget }) : new MemoryStorage(topicsLog);
    // The data dir is checked to be this node's before anything is migrated in it.
    const identity = dataDir ? await loadNodeIdentity(config, dataDir) : { clusterId: config.clusterId, directoryId: undefined };
    const dynamicConfigs = await DynamicBrokerConfigs.open(metadata, config.nodeId, log.child({ component: 'configs' }));
    const registry = new TopicRegistry(config, storage, metadata, dynamicConfigs, identity, topicsLog, tailBudget);
    try {
      await registry.loadTopics();
    } catch (err) {
      dynamicConfigs.close();
      throw err;
    }
    return registry;
  }

  private async loadTopics(): Promise<void> {
    const stored = [...this.metadata.list('topic').values()].map((v) => v.value);
    await this.storage.open(stored);
    for (const t of stored) {
      const overrides = new Map(Object.entries(t.configs));
      const config = topicLogConfig(overrides, this.layers);
      const replicas = t.replicas ?? this.onThisBroker(t.partitions);
      const partitions = await this.openPartitions(t.name, 0, t.partitions, config, replicas);
      this.partitionCount += partitions.length;
      this.add({ name: t.name, id: t.topicId, internal: isInternalTopic(t.name), partitions, replicas, overrides, config });
    }
    if (this.byName.size > 0) this.log.info({ topics: this.byName.size }, 'loaded topics');
  }

  /** Opens the logs of partitions `from` until `to`: in storage where this broker is among their replicas, else in `elsewhere`. */
  private async openPartitions(name: string, from: number, to: number, config: TopicLogConfig, replicas: readonly (readonly number[])[], into: PartitionLog[] = []): Promise<PartitionLog[]> {
    const logConfig = logConfigOf(config);
    for (let p = from; p < to; p++) into.push(await this.storageFor(replicas[p]).openLog(name, p, logConfig));
    return into;
  }

  private storageFor(replicas: readonly number[] | undefined): LogStorage {
    return replicas === undefined || replicas.includes(this.brokerConfig.nodeId) ? this.storage : this.elsewhere;
  }

  /**
   * A partition's replicas changed (the metadata store's record): a log is opened in storage when
   * this broker became a replica, and one it no longer hosts is closed and given a place in
   * `elsewhere`, its data removed (a later move back starts it empty, as a new follower).
   * A new log object means a new replica: the replica manager and the producer state key theirs by log.
   */
  private async rehost(topic: Topic, replicas: readonly (readonly number[])[]): Promise<void> {
    for (let p = 0; p < topic.partitions.length; p++) {
      const before = this.storageFor(topic.replicas[p]);
      const after = this.storageFor(replicas[p]);
      if (before === after) continue;
      await topic.partitions[p]!.close();
      await before.removeLog(topic.name, p);
      topic.partitions[p] = await after.openLog(topic.name, p, logConfigOf(topic.config));
    }
  }

  /** Refuses `count` more partitions beyond max.broker.partitions (POLICY_VIOLATION). */
  private checkRoom(count: number): void {
    const max = this.brokerConfig.maxBrokerPartitions;
    if (this.partitionCount + count > max) {
      throw new KafkaError(
        ErrorCode.POLICY_VIOLATION,
        `Cannot add ${count} partition(s): this broker has ${this.partitionCount} of at most ${max} (max.broker.partitions).`,
      );
    }
  }

  /** Counts `count` more partitions against max.broker.partitions, or refuses them. */
  private reservePartitions(count: number): void {
    this.checkRoom(count);
    this.partitionCount += count;
  }

  private add(t: Topic): void {
    this.byName.set(t.name, t);
    this.byId.set(t.id, t);
    this.changes++;
  }

  private remove(t: Topic): void {
    this.byName.delete(t.name);
    this.byId.delete(t.id);
    this.changes++;
  }

  /** Moves whenever a topic is added, deleted or grown, or its replicas change. */
  get generation(): number {
    return this.changes;
  }

  /** Writes a topic's record; `expectedVersion` ABSENT creates only (another broker may have created it). */
  private async save(t: Topic, expectedVersion?: number): Promise<void> {
    const replicas = t.replicas.map((r) => [...r]);
    await this.metadata.put('topic', t.name, { name: t.name, topicId: t.id, partitions: t.partitions.length, configs: Object.fromEntries(t.overrides), replicas }, expectedVersion);
  }

  /**
   * Follows topic records written by other brokers sharing the metadata store (a cluster):
   * opens the logs of new topics and partitions, applies config and replica changes, closes
   * deleted topics. `changed` hears each topic name once its logs are open. Returns the
   * unsubscribe function.
   */
  followStore(changed: (topic: string) => void): () => void {
    let applying: Promise<void> = Promise.resolve();
    const apply = (name: string, record: TopicRecord | null): void => {
      applying = applying
        .then(() => this.applyStored(name, record))
        .then(() => changed(name))
        .catch((err: unknown) => this.log.error({ err, topic: name }, 'could not apply a topic change from the metadata store'));
    };
    const unsubscribe = this.metadata.watch('topic', (change) => apply(change.key, change.value));
    // What changed since open: topics created or deleted by others meanwhile.
    for (const [name, { value }] of this.metadata.list('topic')) apply(name, value);
    for (const t of this.byName.values()) if (this.metadata.get('topic', t.name) === undefined) apply(t.name, null);
    return unsubscribe;
  }

  private async applyStored(name: string, record: TopicRecord | null): Promise<void> {
    // This broker's own create is under way; it adds the topic itself.
    if (this.creating.has(name)) return;
    const local = this.byName.get(name);
    if (record === null) {
      if (local === undefined) return;
      this.remove(local);
      await Promise.all(local.partitions.map((p) => p.close()));
      await this.storage.removeTopic({ name, partitions: local.partitions.length }, async () => undefined);
      this.log.info({ topic: name }, 'deleted topic (metadata store)');
      return;
    }
    const overrides = new Map(Object.entries(record.configs));
    const replicas = record.replicas ?? this.onThisBroker(record.partitions);
    if (local === undefined || local.id !== record.topicId) {
      const config = topicLogConfig(overrides, this.layers);
      const partitions = await this.openPartitions(name, 0, record.partitions, config, replicas);
      this.add({ name, id: record.topicId, internal: isInternalTopic(name), partitions, replicas, overrides, config });
      this.log.info({ topic: name, partitions: record.partitions }, 'opened topic (metadata store)');
      return;
    }
    await this.rehost(local, replicas);
    if (record.partitions > local.partitions.length) local.partitions.push(...(await this.openPartitions(name, local.partitions.length, record.partitions, local.config, replicas)));
    local.replicas.splice(0, local.replicas.length, ...replicas);
    this.changes++;
    if (!sameEntries(local.overrides, overrides)) {
      local.overrides = overrides;
      this.refresh(local);
    }
  }

  /** The default placement: `count` partitions on this broker alone. */
  private onThisBroker(count: number): number[][] {
    return Array.from({ length: count }, () => [this.brokerConfig.nodeId]);
  }

  list(): Topic[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): Topic | undefined {
    return this.byName.get(name);
  }

  /** A partition's replicas (broker ids, the preferred leader first); undefined for an unknown topic-partition. */
  replicasOf(topic: string, partition: number): readonly number[] | undefined {
    return this.byName.get(topic)?.replicas[partition];
  }

  getById(id: string): Topic | undefined {
    return this.byId.get(id);
  }

  /** Checks a new topic against Kafka's rules; throws KafkaError. */
  checkCreate(name: string, opts: CreateTopicOptions): TopicLogConfig {
    const reason = invalidTopicNameReason(name);
    if (reason) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, reason);
    if (this.byName.has(name) || this.creating.has(name)) {
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    }
    const other = this.collidingWith(name);
    if (other !== undefined) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${other}`);
    if (!Number.isInteger(opts.numPartitions) || opts.numPartitions < 1) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    }
    this.checkRoom(opts.numPartitions);
    const overrides = opts.overrides ?? new Map<string, string>();
    const invalid = validateTopicConfigs(overrides);
    if (invalid) throw new KafkaError(invalid.errorCode, invalid.errorMessage);
    return topicLogConfig(overrides, this.layers);
  }

  /** Creates a topic (or only validates, with validateOnly). Throws KafkaError. */
  async create(name: string, opts: CreateTopicOptions): Promise<Topic | undefined> {
    const config = this.checkCreate(name, opts);
    if (opts.validateOnly) return undefined;
    const overrides = new Map(opts.overrides ?? []);
    const replicas = opts.replicas?.map((r) => [...r]) ?? this.onThisBroker(opts.numPartitions);
    const topic: Topic = { name, id: newKafkaUuid(), internal: isInternalTopic(name), partitions: [], replicas, overrides, config };
    // Visible to lookups only once complete; a concurrent create of the same name waits or fails.
    this.reservePartitions(opts.numPartitions);
    const creating = (async () => {
      try {
        await this.openPartitions(name, 0, opts.numPartitions, config, replicas, topic.partitions);
        await this.save(topic, ABSENT);
      } catch (err) {
        this.partitionCount -= opts.numPartitions;
        if (err instanceof MetadataConflict) {
          // Another broker of the cluster created it first: its record stands, and this broker follows it.
          await Promise.all(topic.partitions.map((p) => p.close()));
          throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
        }
        await this.undoCreate(topic, opts.numPartitions);
        throw err;
      }
      this.add(topic);
      this.log.info({ topic: name, partitions: opts.numPartitions }, 'created topic');
      return topic;
    })();
    this.creating.set(name, creating);
    try {
      return await creating;
    } finally {
      this.creating.delete(name);
    }
  }

  /** A creation failed midway (out of file descriptors, disk full): nothing of the topic may stay behind. */
  private async undoCreate(topic: Topic, numPartitions: number): Promise<void> {
    try {
      await Promise.all(topic.partitions.map((p) => p.close()));
      const forget = async (): Promise<void> => {
        if (this.metadata.get('topic', topic.name) !== undefined) await this.metadata.delete('topic', topic.name);
      };
      await this.storage.removeTopic({ name: topic.name, partitions: numPartitions }, forget);
    } catch (err) {
      this.log.error({ err, topic: topic.name }, 'removing a topic whose creation failed');
    }
  }

  /**
   * Auto-creation of a topic a Metadata request names (auto.create.topics.enable; as in Kafka,
   * Produce never creates one) with num.partitions, each partition on the replicas `place` gives
   * for that many partitions (asked only when the topic is created).
   */
  async autoCreate(name: string, place: (partitions: number) => number[][]): Promise<Topic> {
    const existing = this.byName.get(name) ?? (await this.creating.get(name));
    if (existing) return existing;
    // Kafka's broker checks only the name and leaves the rest to its controller, which refuses a
    // colliding name after the broker answered "not there yet": clients see UNKNOWN_TOPIC_OR_PARTITION.
    if (invalidTopicNameReason(name) === null && this.collidingWith(name) !== undefined) {
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' collides with an existing topic and is not auto-created`);
    }
    const numPartitions = this.brokerConfig.numPartitions;
    try {
      return (await this.create(name, { numPartitions, replicas: place(numPartitions) }))!;
    } catch (err) {
      // Another broker auto-created it at the same moment: the topic exists, only this broker has
      // not seen it yet. Kafka answers a topic its auto-creation raced with as not yet led, which
      // clients retry, never with TOPIC_ALREADY_EXISTS.
      if (!(err instanceof KafkaError) || err.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) throw err;
      const known = this.byName.get(name);
      if (known) return known;
      throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `Topic '${name}' is being created by another broker`);
    }
  }

  /** An existing topic whose name differs from `name` only by '.' vs '_'. */
  private collidingWith(name: string): string | undefined {
    const key = collisionKey(name);
    for (const other of this.byName.keys()) if (collisionKey(other) === key) return other;
    return undefined;
  }

  async delete(name: string): Promise<Topic> {
    const topic = this.byName.get(name);
    if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist`);
    this.remove(topic);
    this.partitionCount -= topic.partitions.length;
    await Promise.all(topic.partitions.map((p) => p.close()));
    await this.storage.removeTopic({ name, partitions: topic.partitions.length }, () => this.metadata.delete('topic', name));
    this.log.info({ topic: name }, 'deleted topic');
    return topic;
  }

  /** CreatePartitions: grows a topic to `total` partitions (never shrinks), placed on `replicas` or on this broker. */
  async addPartitions(topic: Topic, total: number, validateOnly: boolean, replicas?: readonly (readonly number[])[]): Promise<void> {
    const current = topic.partitions.length;
    if (total < current) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${total}.`);
    }
    if (total === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
    if (validateOnly) return this.checkRoom(total - current);
    this.reservePartitions(total - current);
    const added = replicas?.map((r) => [...r]) ?? this.onThisBroker(total - current);
    try {
      topic.partitions.push(...(await this.openPartitions(topic.name, current, total, topic.config, [...topic.replicas, ...added])));
    } catch (err) {
      this.partitionCount -= total - current;
      throw err;
    }
    topic.replicas.push(...added);
    this.changes++;
    await this.save(topic);
  }

  /** Replaces a topic's overrides (already validated) and applies them to its logs. */
  async setTopicOverrides(topic: Topic, overrides: Map<string, string>): Promise<void> {
    topic.overrides = overrides;
    this.refresh(topic);
    await this.save(topic);
  }

  /** Edits a dynamic broker config layer (DynamicBrokerConfigs.update); every topic is re-resolved once it is stored. */
  updateBrokerConfigs(layer: DynamicLayer, edit: (current: ReadonlyMap<string, string>) => Map<string, string> | undefined): Promise<void> {
    return this.dynamicConfigs.update(layer, edit);
  }

  private refresh(topic: Topic): void {
    topic.config = topicLogConfig(topic.overrides, this.layers);
    const logConfig = logConfigOf(topic.config);
    for (const p of topic.partitions) p.setConfig(logConfig);
  }

  async applyRetention(): Promise<void> {
    for (const t of this.byName.values()) {
      for (const p of t.partitions) {
        try {
          await p.applyRetention();
        } catch (err) {
          this.log.error({ err, topic: t.name }, 'retention failed');
        }
      }
    }
  }

  async close(): Promise<void> {
    this.dynamicConfigs.close();
    await Promise.all([...this.byName.values()].flatMap((t) => t.partitions.map((p) => p.close())));
    await this.storage.close();
  }
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}
