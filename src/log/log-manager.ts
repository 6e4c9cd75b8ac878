// LogManager: the broker's entry point to storage. It owns every topic's partition logs, keeps
// topic metadata (id, partition count, config overrides) in a LogStorage, turns overrides plus
// broker defaults into each log's LogConfig, and fans out append notifications for Fetch
// long-polling. API:
//   start()                                     load saved topics and open their logs
//   topics() / topic(name) / topicById(id)      metadata lookups
//   log(topic, partition)                       the PartitionLog, or undefined
//   createTopic(name, { partitions, configs?, topicId? })
//   deleteTopic(name) / createPartitions(name, total) / setTopicConfigs(name, overrides)
//   setDefaultConfig(config)                    broker-level defaults changed (AlterConfigs)
//   onAppend((topic, partition, hw) => …)       new readable data anywhere
//   applyRetention(now?) / flush() / close()
// Failures are LogError with Kafka codes (TOPIC_ALREADY_EXISTS, UNKNOWN_TOPIC_OR_PARTITION,
// INVALID_PARTITIONS, INVALID_TOPIC_EXCEPTION, INVALID_CONFIG).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { LogError } from './errors.js';
import { logConfigFrom, type LogConfig } from './log-config.js';
import type { LogStorage, TopicInfo } from './log-storage.js';
import type { PartitionLog } from './partition-log.js';

export interface CreateTopicOptions {
  partitions: number;
  configs?: Record<string, string>;
  /** Keeps a known id (e.g. restoring); a new one is generated otherwise. */
  topicId?: string;
}

export type PartitionAppendListener = (topic: string, partition: number, highWatermark: number) => void;

interface TopicState {
  info: TopicInfo;
  logs: PartitionLog[];
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;
const MAX_TOPIC_LENGTH = 249;

/** A random topic id whose base64 form does not start with '-', as Kafka's Uuid.randomUuid ensures. */
function newTopicId(): string {
  for (;;) {
    const id = randomUUID();
    if (!Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url').startsWith('-')) return id;
  }
}

function checkTopicName(name: string): void {
  if (name.length === 0 || name.length > MAX_TOPIC_LENGTH || name === '.' || name === '..' || !LEGAL_TOPIC.test(name)) {
    throw new LogError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name "${name}" is illegal`);
  }
}

export class LogManager {
  private readonly topicsByName = new Map<string, TopicState>();
  /** Names with a create, delete or partition change in progress. */
  private readonly busy = new Set<string>();
  private readonly listeners = new Set<PartitionAppendListener>();
  private defaults: LogConfig;

  constructor(
    private readonly storage: LogStorage,
    defaults: LogConfig,
    private readonly logger: Logger,
  ) {
    this.defaults = defaults;
  }

  async start(): Promise<void> {
    for (const info of await this.storage.loadTopics()) {
      const state: TopicState = { info, logs: [] };
      await this.openPartitions(state, info.partitions);
      this.topicsByName.set(info.name, state);
    }
    this.logger.info({ topics: this.topicsByName.size }, 'log manager started');
  }

  get defaultConfig(): Readonly<LogConfig> {
    return this.defaults;
  }

  topics(): TopicInfo[] {
    return [...this.topicsByName.values()].map((t) => t.info);
  }

  topic(name: string): TopicInfo | undefined {
    return this.topicsByName.get(name)?.info;
  }

  topicById(topicId: string): TopicInfo | undefined {
    return this.topics().find((t) => t.topicId === topicId);
  }

  log(topic: string, partition: number): PartitionLog | undefined {
    return this.topicsByName.get(topic)?.logs[partition];
  }

  /** The LogConfig a topic's partitions use: its overrides over the broker defaults. */
  configOf(topic: string): LogConfig {
    return logConfigFrom(this.existing(topic).info.configs, this.defaults);
  }

  async createTopic(name: string, options: CreateTopicOptions): Promise<TopicInfo> {
    checkTopicName(name);
    if (this.topicsByName.has(name) || this.busy.has(name)) {
      throw new LogError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    }
    if (!Number.isInteger(options.partitions) || options.partitions < 1) {
      throw new LogError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    }
    const configs = { ...(options.configs ?? {}) };
    logConfigFrom(configs, this.defaults);
    const info: TopicInfo = { name, topicId: options.topicId ?? newTopicId(), partitions: options.partitions, configs };
    this.busy.add(name);
    try {
      await this.storage.saveTopic(info);
      const state: TopicState = { info, logs: [] };
      await this.openPartitions(state, info.partitions);
      this.topicsByName.set(name, state);
    } finally {
      this.busy.delete(name);
    }
    this.logger.info({ topic: name, topicId: info.topicId, partitions: info.partitions }, 'created topic');
    return info;
  }

  async deleteTopic(name: string): Promise<TopicInfo> {
    const state = this.existing(name);
    this.topicsByName.delete(name);
    this.busy.add(name);
    try {
      await Promise.all(state.logs.map((l) => l.close()));
      await this.storage.removeTopic(state.info);
    } finally {
      this.busy.delete(name);
    }
    this.logger.info({ topic: name, topicId: state.info.topicId }, 'deleted topic');
    return state.info;
  }

  /** Grows a topic to `total` partitions (CreatePartitions). */
  async createPartitions(name: string, total: number): Promise<TopicInfo> {
    const state = this.existing(name);
    if (!Number.isInteger(total) || total <= state.info.partitions) {
      throw new LogError(
        ErrorCode.INVALID_PARTITIONS,
        `Topic currently has ${state.info.partitions} partitions, which is higher than or equal to the requested ${total}.`,
      );
    }
    if (this.busy.has(name)) throw new LogError(ErrorCode.INVALID_PARTITIONS, `Topic '${name}' is being changed.`);
    this.busy.add(name);
    try {
      await this.openPartitions(state, total);
      state.info = { ...state.info, partitions: total };
      await this.storage.saveTopic(state.info);
    } finally {
      this.busy.delete(name);
    }
    return state.info;
  }

  /** Replaces a topic's config overrides and applies them to its logs. */
  async setTopicConfigs(name: string, configs: Record<string, string>): Promise<TopicInfo> {
    const state = this.existing(name);
    const config = logConfigFrom(configs, this.defaults);
    state.info = { ...state.info, configs: { ...configs } };
    await this.storage.saveTopic(state.info);
    for (const log of state.logs) log.setConfig(config);
    return state.info;
  }

  /** New broker-level defaults; every topic is reconfigured with its overrides on top. */
  setDefaultConfig(config: LogConfig): void {
    this.defaults = config;
    for (const state of this.topicsByName.values()) {
      const topicConfig = logConfigFrom(state.info.configs, config);
      for (const log of state.logs) log.setConfig(topicConfig);
    }
  }

  onAppend(listener: PartitionAppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One retention pass over every partition; returns the number of segments deleted. */
  async applyRetention(now = Date.now()): Promise<number> {
    let deleted = 0;
    for (const state of [...this.topicsByName.values()]) {
      for (const log of state.logs) {
        try {
          deleted += await log.applyRetention(now);
        } catch (err) {
          this.logger.error({ err, topic: state.info.name }, 'retention failed');
        }
      }
    }
    return deleted;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.topicsByName.values()].flatMap((t) => t.logs.map((l) => l.flush())));
  }

  async close(): Promise<void> {
    await Promise.all([...this.topicsByName.values()].flatMap((t) => t.logs.map((l) => l.close())));
    this.topicsByName.clear();
    this.listeners.clear();
  }

  private existing(name: string): TopicState {
    const state = this.topicsByName.get(name);
    if (state === undefined) {
      throw new LogError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    }
    return state;
  }

  /** Opens partitions from the current count up to `total`. */
  private async openPartitions(state: TopicState, total: number): Promise<void> {
    const config = logConfigFrom(state.info.configs, this.defaults);
    const name = state.info.name;
    for (let partition = state.logs.length; partition < total; partition++) {
      const log = await this.storage.openLog(name, partition, config);
      log.onAppend((hw) => {
        for (const listener of this.listeners) listener(name, partition, hw);
      });
      state.logs.push(log);
    }
  }
}
