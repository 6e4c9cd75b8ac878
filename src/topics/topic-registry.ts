// Topics of this broker: names, ids, partition logs and config overrides, with Kafka's rules for
// creating, deleting, growing and reconfiguring them. On disk the metadata lives beside the logs:
// <dataDir>/meta.properties (cluster and node id, as Kafka keeps them), <dataDir>/topics.json
// (every topic's id, partition count and overrides) and <dataDir>/broker-configs.json (dynamic
// broker configs); partition logs in <dataDir>/<topic>-<partition>/.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { BrokerConfigLayers } from '../config/describe-configs.js';
import { validateTopicConfigs } from '../config/topic-config.js';
import { topicLogConfig, type TopicLogConfig } from '../config/topic-log-config.js';
import { parseProperties } from '../config/properties.js';
import { KafkaError } from '../kafka-error.js';
import { openFileLog } from '../log/file-log.js';
import { MemoryLog } from '../log/memory-log.js';
import type { LogConfig } from '../log/log-config.js';
import type { PartitionLog } from '../log/partition-log.js';
import { readIfExists, writeFileAtomic } from '../log/atomic-file.js';
import { collisionKey, invalidTopicNameReason, isInternalTopic } from './topic-names.js';

export interface Topic {
  readonly name: string;
  /** Kafka Uuid text (22 characters base64url). */
  readonly id: string;
  readonly internal: boolean;
  readonly partitions: PartitionLog[];
  /** Topic-level config overrides (DYNAMIC_TOPIC_CONFIG). */
  overrides: Map<string, string>;
  /** Effective settings: overrides over broker configs over defaults. */
  config: TopicLogConfig;
}

export interface CreateTopicOptions {
  numPartitions: number;
  overrides?: ReadonlyMap<string, string>;
  validateOnly?: boolean;
}

interface StoredTopic {
  id: string;
  partitions: number;
  configs: Record<string, string>;
}

/** Kafka's largest partition count per request is bounded by memory, not a constant; keep one sane. */
const MAX_PARTITIONS = 100_000;

function newTopicId(): string {
  // Kafka never hands out the zero id or ids whose text starts with '-'.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA') return id;
  }
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
  };
}

export class TopicRegistry {
  private readonly byName = new Map<string, Topic>();
  private readonly byId = new Map<string, Topic>();
  readonly layers: { staticProps: ReadonlyMap<string, string>; dynamicDefault: Map<string, string>; dynamicBroker: Map<string, string> };
  clusterId: string;

  private constructor(
    private readonly brokerConfig: BrokerConfig,
    private readonly dataDir: string | null,
    private readonly log: Logger,
  ) {
    this.clusterId = brokerConfig.clusterId;
    this.layers = { staticProps: brokerConfig.staticProps, dynamicDefault: new Map(), dynamicBroker: new Map() };
  }

  static async open(config: BrokerConfig, log: Logger): Promise<TopicRegistry> {
    const dataDir = config.storage === 'memory' ? null : config.logDir;
    const registry = new TopicRegistry(config, dataDir, log.child({ component: 'topics' }));
    if (dataDir) registry.load(dataDir);
    return registry;
  }

  private load(dataDir: string): void {
    mkdirSync(dataDir, { recursive: true });
    const metaPath = join(dataDir, 'meta.properties');
    const meta = readIfExists(metaPath);
    if (meta) {
      const props = parseProperties(meta.toString('utf8'));
      const stored = props.get('cluster.id');
      if (stored && this.brokerConfig.staticProps.has('cluster.id') && stored !== this.brokerConfig.clusterId) {
        throw new Error(`The cluster id ${this.brokerConfig.clusterId} does not match the stored cluster id ${stored} in ${metaPath}`);
      }
      if (stored) this.clusterId = stored;
    } else {
      writeFileAtomic(metaPath, `version=1\ncluster.id=${this.clusterId}\nnode.id=${this.brokerConfig.nodeId}\n`);
    }
    const dynamic = readIfExists(join(dataDir, 'broker-configs.json'));
    if (dynamic) {
      const parsed = JSON.parse(dynamic.toString('utf8')) as { default: Record<string, string>; broker: Record<string, string> };
      for (const [k, v] of Object.entries(parsed.default)) this.layers.dynamicDefault.set(k, v);
      for (const [k, v] of Object.entries(parsed.broker)) this.layers.dynamicBroker.set(k, v);
    }
    const stored = readIfExists(join(dataDir, 'topics.json'));
    if (!stored) return;
    const topics = JSON.parse(stored.toString('utf8')) as Record<string, StoredTopic>;
    for (const [name, t] of Object.entries(topics)) {
      const overrides = new Map(Object.entries(t.configs));
      const config = topicLogConfig(overrides, this.layers);
      const partitions = Array.from({ length: t.partitions }, (_, p) => this.openPartition(name, p, config));
      this.add({ name, id: t.id, internal: isInternalTopic(name), partitions, overrides, config });
    }
    this.log.info({ topics: this.byName.size }, 'loaded topics');
  }

  private openPartition(name: string, partition: number, config: TopicLogConfig): PartitionLog {
    const logConfig = logConfigOf(config);
    if (!this.dataDir) return new MemoryLog(logConfig, this.log);
    return openFileLog(join(this.dataDir, `${name}-${partition}`), logConfig, this.log.child({ topic: name, partition }));
  }

  private add(t: Topic): void {
    this.byName.set(t.name, t);
    this.byId.set(t.id, t);
  }

  private persist(): void {
    if (!this.dataDir) return;
    const out: Record<string, StoredTopic> = {};
    for (const t of this.byName.values()) {
      out[t.name] = { id: t.id, partitions: t.partitions.length, configs: Object.fromEntries(t.overrides) };
    }
    writeFileAtomic(join(this.dataDir, 'topics.json'), JSON.stringify(out, null, 1));
  }

  private persistBrokerConfigs(): void {
    if (!this.dataDir) return;
    const out = { default: Object.fromEntries(this.layers.dynamicDefault), broker: Object.fromEntries(this.layers.dynamicBroker) };
    writeFileAtomic(join(this.dataDir, 'broker-configs.json'), JSON.stringify(out, null, 1));
  }

  list(): Topic[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): Topic | undefined {
    return this.byName.get(name);
  }

  getById(id: string): Topic | undefined {
    return this.byId.get(id);
  }

  /** Checks a new topic against Kafka's rules; throws KafkaError. */
  checkCreate(name: string, opts: CreateTopicOptions): TopicLogConfig {
    const reason = invalidTopicNameReason(name);
    if (reason) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, reason);
    if (this.byName.has(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    const key = collisionKey(name);
    for (const other of this.byName.keys()) {
      if (collisionKey(other) === key) {
        throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${other}`);
      }
    }
    if (!Number.isInteger(opts.numPartitions) || opts.numPartitions < 1 || opts.numPartitions > MAX_PARTITIONS) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    }
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
    const partitions = Array.from({ length: opts.numPartitions }, (_, p) => this.openPartition(name, p, config));
    const topic: Topic = { name, id: newTopicId(), internal: isInternalTopic(name), partitions, overrides, config };
    this.add(topic);
    this.persist();
    this.log.info({ topic: name, partitions: opts.numPartitions }, 'created topic');
    return topic;
  }

  /** Auto-creation on first use (auto.create.topics.enable) with num.partitions. */
  async autoCreate(name: string): Promise<Topic> {
    const existing = this.byName.get(name);
    if (existing) return existing;
    return (await this.create(name, { numPartitions: this.brokerConfig.numPartitions }))!;
  }

  async delete(name: string): Promise<Topic> {
    const topic = this.byName.get(name);
    if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist`);
    this.byName.delete(name);
    this.byId.delete(topic.id);
    this.persist();
    await Promise.all(topic.partitions.map((p) => p.close()));
    if (this.dataDir) {
      for (let p = 0; p < topic.partitions.length; p++) rmSync(join(this.dataDir, `${name}-${p}`), { recursive: true, force: true });
    }
    this.log.info({ topic: name }, 'deleted topic');
    return topic;
  }

  /** CreatePartitions: grows a topic to `total` partitions (never shrinks). */
  async addPartitions(topic: Topic, total: number, validateOnly: boolean): Promise<void> {
    const current = topic.partitions.length;
    if (total < current) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${total}.`);
    }
    if (total === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
    if (total > MAX_PARTITIONS) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Too many partitions: ${total}.`);
    if (validateOnly) return;
    for (let p = current; p < total; p++) topic.partitions.push(this.openPartition(topic.name, p, topic.config));
    this.persist();
  }

  /** Replaces a topic's overrides (already validated) and applies them to its logs. */
  setTopicOverrides(topic: Topic, overrides: Map<string, string>): void {
    topic.overrides = overrides;
    this.refresh(topic);
    this.persist();
  }

  /** Replaces a dynamic broker config layer and re-resolves every topic. */
  setBrokerOverrides(layer: 'default' | 'broker', values: Map<string, string>): void {
    const target = layer === 'default' ? this.layers.dynamicDefault : this.layers.dynamicBroker;
    target.clear();
    for (const [k, v] of values) target.set(k, v);
    for (const t of this.byName.values()) this.refresh(t);
    this.persistBrokerConfigs();
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
    await Promise.all([...this.byName.values()].flatMap((t) => t.partitions.map((p) => p.close())));
  }
}
