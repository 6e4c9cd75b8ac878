// The table of Kafka topic configurations (Kafka 4.x LogConfig): type, default, valid values,
// the broker configs that supply each default (ServerTopicConfigSynonyms, in priority order) and
// validation answering INVALID_CONFIG with Kafka's messages.
import { ErrorCode } from '../../protocol/errors.js';
import {
  ConfigType,
  LONG_MAX_STRING,
  atLeast,
  between,
  checkConfigValue,
  listOf,
  oneOf,
  parseConfigValue,
  type ConfigDef,
  type KafkaConfigError,
  type Validator,
} from './config-def.js';

/** A broker config standing in for a topic config; `unit` converts it to the topic's unit. */
export interface BrokerSynonym {
  name: string;
  unit?: 'hours' | 'minutes';
}

export interface TopicConfigDef extends ConfigDef {
  /** Broker configs giving the default, highest priority first; empty when there is none. */
  synonyms: readonly BrokerSynonym[];
}

const throttledReplicas: Validator = (value) => {
  const items = value as readonly string[];
  if (items.length === 1 && items[0] === '*') return null;
  return items.every((item) => /^\d+:\d+$/.test(item))
    ? null
    : "Must be the literal '*' or a list of replicas in the format [partitionId]:[brokerId],[partitionId]:[brokerId],...";
};

const gzipLevel: Validator = (value) =>
  value === -1 || ((value as number) >= 1 && (value as number) <= 9)
    ? null
    : 'Value must be between 1 and 9, or equal to -1';

function topic(
  name: string,
  type: ConfigType,
  defaultValue: string | null,
  synonyms: readonly (string | BrokerSynonym)[],
  doc: string,
  validator?: Validator,
): TopicConfigDef {
  return {
    name,
    type,
    default: defaultValue,
    synonyms: synonyms.map((s) => (typeof s === 'string' ? { name: s } : s)),
    doc,
    ...(validator === undefined ? {} : { validator }),
  };
}

const { BOOLEAN, STRING, INT, LONG, DOUBLE, LIST } = ConfigType;
const hours = (name: string): BrokerSynonym => ({ name, unit: 'hours' });
const minutes = (name: string): BrokerSynonym => ({ name, unit: 'minutes' });
const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];

/** Every topic config, in Kafka's documentation order. */
export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  topic('cleanup.policy', LIST, 'delete', ['log.cleanup.policy'],
    'Which retention to apply to old segments: "delete" drops them past the retention limits, "compact" keeps the latest record per key; both may be given.',
    listOf('compact', 'delete')),
  topic('compression.type', STRING, 'producer', ['compression.type'],
    'Final compression codec of the topic; "producer" keeps whatever the producer used, "uncompressed" stores without compression.',
    oneOf(...COMPRESSION_TYPES)),
  topic('compression.gzip.level', INT, '-1', ['compression.gzip.level'],
    'Compression level used when compression.type is gzip.', gzipLevel),
  topic('compression.lz4.level', INT, '9', ['compression.lz4.level'],
    'Compression level used when compression.type is lz4.', between(1, 17)),
  topic('compression.zstd.level', INT, '3', ['compression.zstd.level'],
    'Compression level used when compression.type is zstd.', between(-131072, 22)),
  topic('delete.retention.ms', LONG, '86400000', ['log.cleaner.delete.retention.ms'],
    'How long tombstones are kept in a compacted topic, which also bounds how long a reader from offset 0 has to see them.',
    atLeast(0)),
  topic('file.delete.delay.ms', LONG, '60000', ['log.segment.delete.delay.ms'],
    'Delay before a deleted segment file is removed from the filesystem.', atLeast(0)),
  topic('flush.messages', LONG, LONG_MAX_STRING, ['log.flush.interval.messages'],
    'Number of messages after which the log is fsynced; leave unset to rely on replication and the OS.',
    atLeast(1)),
  topic('flush.ms', LONG, LONG_MAX_STRING, ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
    'Time after which the log is fsynced; leave unset to rely on replication and the OS.', atLeast(0)),
  topic('follower.replication.throttled.replicas', LIST, '', [],
    'Replicas whose replication is throttled on the follower side: "*" or partitionId:brokerId pairs.',
    throttledReplicas),
  topic('index.interval.bytes', INT, '4096', ['log.index.interval.bytes'],
    'How many bytes of records may pass between two offset index entries.', atLeast(0)),
  topic('leader.replication.throttled.replicas', LIST, '', [],
    'Replicas whose replication is throttled on the leader side: "*" or partitionId:brokerId pairs.',
    throttledReplicas),
  topic('local.retention.bytes', LONG, '-2', ['log.local.retention.bytes'],
    'Bytes kept locally when tiered storage is enabled; -2 means retention.bytes.', atLeast(-2)),
  topic('local.retention.ms', LONG, '-2', ['log.local.retention.ms'],
    'Time data is kept locally when tiered storage is enabled; -2 means retention.ms.', atLeast(-2)),
  topic('max.compaction.lag.ms', LONG, LONG_MAX_STRING, ['log.cleaner.max.compaction.lag.ms'],
    'Longest time a record may stay uncompacted in a compacted topic.', atLeast(1)),
  topic('max.message.bytes', INT, '1048588', ['message.max.bytes'],
    'Largest record batch size the topic accepts, after compression.', atLeast(0)),
  topic('message.downconversion.enable', BOOLEAN, 'true', ['log.message.downconversion.enable'],
    'Deprecated and without effect since Kafka 4.0: old message formats are no longer served.'),
  topic('message.timestamp.after.max.ms', LONG, '3600000', ['log.message.timestamp.after.max.ms'],
    'How far in the future a CreateTime timestamp may be, relative to the broker clock, before the batch is refused.',
    atLeast(0)),
  topic('message.timestamp.before.max.ms', LONG, LONG_MAX_STRING, ['log.message.timestamp.before.max.ms'],
    'How far in the past a CreateTime timestamp may be, relative to the broker clock, before the batch is refused.',
    atLeast(0)),
  topic('message.timestamp.type', STRING, 'CreateTime', ['log.message.timestamp.type'],
    'Whether record timestamps are the producer\'s (CreateTime) or the broker\'s append time (LogAppendTime).',
    oneOf('CreateTime', 'LogAppendTime')),
  topic('min.cleanable.dirty.ratio', DOUBLE, '0.5', ['log.cleaner.min.cleanable.ratio'],
    'Share of uncompacted log above which the cleaner compacts the topic.', between(0, 1)),
  topic('min.compaction.lag.ms', LONG, '0', ['log.cleaner.min.compaction.lag.ms'],
    'Shortest time a record stays uncompacted in a compacted topic.', atLeast(0)),
  topic('min.insync.replicas', INT, '1', ['min.insync.replicas'],
    'Fewest in-sync replicas needed for an acks=all write to succeed.', atLeast(1)),
  topic('preallocate', BOOLEAN, 'false', ['log.preallocate'],
    'Whether segment files are preallocated on disk when created.'),
  topic('remote.log.copy.disable', BOOLEAN, 'false', [],
    'Stops copying segments to tiered storage while keeping what is already there readable.'),
  topic('remote.log.delete.on.disable', BOOLEAN, 'false', [],
    'Confirms that turning tiered storage off deletes the remote data.'),
  topic('remote.storage.enable', BOOLEAN, 'false', [],
    'Whether the topic uses tiered storage (not available in Creek).'),
  topic('retention.bytes', LONG, '-1', ['log.retention.bytes'],
    'Largest size a partition may grow to before old segments are deleted; -1 for no limit.'),
  topic('retention.ms', LONG, '604800000',
    ['log.retention.ms', minutes('log.retention.minutes'), hours('log.retention.hours')],
    'How long records are kept before old segments are deleted; -1 for no limit.', atLeast(-1)),
  topic('segment.bytes', INT, '1073741824', ['log.segment.bytes'],
    'Size at which a new segment is rolled.', atLeast(1024 * 1024)),
  topic('segment.index.bytes', INT, '10485760', ['log.index.size.max.bytes'],
    'Size of the offset and time index files of a segment.', atLeast(4)),
  topic('segment.jitter.ms', LONG, '0', ['log.roll.jitter.ms', hours('log.roll.jitter.hours')],
    'Largest random delay subtracted from segment.ms so segments do not roll all at once.', atLeast(0)),
  topic('segment.ms', LONG, '604800000', ['log.roll.ms', hours('log.roll.hours')],
    'Time after which a new segment is rolled even if the active one is not full.', atLeast(1)),
  topic('unclean.leader.election.enable', BOOLEAN, 'false', ['unclean.leader.election.enable'],
    'Whether an out-of-sync replica may become leader, at the cost of losing data.'),
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((def) => [def.name, def]));

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}

function invalid(errorMessage: string): KafkaConfigError {
  return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage };
}

/** Validates one topic config as CreateTopics/AlterConfigs would; null when acceptable. */
export function validateTopicConfig(name: string, value: string | null): KafkaConfigError | null {
  const def = BY_NAME.get(name);
  if (def === undefined) return invalid(`Unknown topic config name: ${name}`);
  if (value === null) return invalid(`Null value not supported for topic configs: ${name}`);
  const message = checkConfigValue(def, value);
  return message === null ? null : invalid(message);
}

/**
 * Validates a topic's whole set of overrides (after an alter, the resulting set): each entry,
 * then the checks spanning several keys that Kafka makes.
 */
export function validateTopicConfigs(configs: ReadonlyMap<string, string>): KafkaConfigError | null {
  for (const [name, value] of configs) {
    const error = validateTopicConfig(name, value);
    if (error !== null) return error;
  }
  const read = (name: string): number =>
    parseConfigValue(ConfigType.LONG, configs.get(name) ?? BY_NAME.get(name)!.default) as number;
  const minLag = read('min.compaction.lag.ms');
  const maxLag = read('max.compaction.lag.ms');
  if (minLag > maxLag) {
    return invalid(
      `conflict topic config setting min.compaction.lag.ms (${configs.get('min.compaction.lag.ms')}) > max.compaction.lag.ms (${configs.get('max.compaction.lag.ms') ?? LONG_MAX_STRING})`,
    );
  }
  if (parseConfigValue(ConfigType.BOOLEAN, configs.get('remote.storage.enable') ?? 'false') === true) {
    return invalid(
      'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
    );
  }
  return null;
}
