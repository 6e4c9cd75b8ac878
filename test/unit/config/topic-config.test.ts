import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { TOPIC_CONFIGS, topicConfigDef, validateTopicConfig, validateTopicConfigs } from '../../../src/config/topic-config.js';

const invalid = (errorMessage: string) => ({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage });

describe('topic config table', () => {
  it('covers Kafka 4 LogConfig with the broker synonyms in priority order', () => {
    expect(TOPIC_CONFIGS).toHaveLength(34);
    expect(topicConfigDef('retention.ms')!.synonyms).toEqual([
      { name: 'log.retention.ms' }, { name: 'log.retention.minutes', unit: 'minutes' }, { name: 'log.retention.hours', unit: 'hours' },
    ]);
    expect(topicConfigDef('segment.ms')!.synonyms.map((s) => s.name)).toEqual(['log.roll.ms', 'log.roll.hours']);
    expect(topicConfigDef('max.message.bytes')!.synonyms).toEqual([{ name: 'message.max.bytes' }]);
    expect(topicConfigDef('cleanup.policy')!.synonyms).toEqual([{ name: 'log.cleanup.policy' }]);
    expect(topicConfigDef('message.timestamp.type')!.synonyms).toEqual([{ name: 'log.message.timestamp.type' }]);
    expect(topicConfigDef('min.cleanable.dirty.ratio')!.synonyms).toEqual([{ name: 'log.cleaner.min.cleanable.ratio' }]);
    expect(topicConfigDef('remote.storage.enable')!.synonyms).toEqual([]);
  });

  it('has defaults that pass their own validation', () => {
    for (const def of TOPIC_CONFIGS) expect(validateTopicConfig(def.name, def.default), def.name).toBeNull();
  });
});

describe('validateTopicConfig', () => {
  it('accepts valid values', () => {
    for (const [name, value] of [
      ['retention.ms', '-1'], ['retention.ms', ' 1000 '], ['retention.bytes', '-1'], ['segment.bytes', '1048576'],
      ['cleanup.policy', 'compact,delete'], ['cleanup.policy', 'compact'], ['cleanup.policy', ''],
      ['compression.type', 'zstd'], ['min.cleanable.dirty.ratio', '0.01'], ['min.cleanable.dirty.ratio', '1'],
      ['unclean.leader.election.enable', 'TRUE'], ['message.timestamp.type', 'LogAppendTime'],
      ['flush.messages', '9223372036854775807'], ['compression.gzip.level', '-1'], ['compression.zstd.level', '-5'],
      ['leader.replication.throttled.replicas', '*'], ['follower.replication.throttled.replicas', '0:1,1:1'],
    ]) {
      expect(validateTopicConfig(name!, value!), `${name}=${value}`).toBeNull();
    }
  });

  it('refuses unknown names and null values', () => {
    expect(validateTopicConfig('retention.hours', '1')).toEqual(invalid('Unknown topic config name: retention.hours'));
    expect(validateTopicConfig('retention.ms', null)).toEqual(invalid('Null value not supported for topic configs: retention.ms'));
  });

  it('answers with Kafka\'s messages', () => {
    expect(validateTopicConfig('retention.ms', 'forever')).toEqual(
      invalid('Invalid value forever for configuration retention.ms: Not a number of type LONG'));
    expect(validateTopicConfig('retention.ms', '-2')).toEqual(
      invalid('Invalid value -2 for configuration retention.ms: Value must be at least -1'));
    expect(validateTopicConfig('segment.bytes', '1024')).toEqual(
      invalid('Invalid value 1024 for configuration segment.bytes: Value must be at least 1048576'));
    expect(validateTopicConfig('max.message.bytes', '2147483648')).toEqual(
      invalid('Invalid value 2147483648 for configuration max.message.bytes: Not a number of type INT'));
    expect(validateTopicConfig('flush.messages', '9223372036854775808')).toEqual(
      invalid('Invalid value 9223372036854775808 for configuration flush.messages: Not a number of type LONG'));
    expect(validateTopicConfig('cleanup.policy', 'compacted')).toEqual(
      invalid('Invalid value compacted for configuration cleanup.policy: String must be one of: compact, delete'));
    expect(validateTopicConfig('compression.type', 'brotli')).toEqual(
      invalid('Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer'));
    expect(validateTopicConfig('message.timestamp.type', 'createtime')).toEqual(
      invalid('Invalid value createtime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime'));
    expect(validateTopicConfig('min.cleanable.dirty.ratio', '1.5')).toEqual(
      invalid('Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1'));
    expect(validateTopicConfig('min.cleanable.dirty.ratio', 'half')).toEqual(
      invalid('Invalid value half for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE'));
    expect(validateTopicConfig('preallocate', 'yes')).toEqual(
      invalid('Invalid value yes for configuration preallocate: Expected value to be either true or false'));
    expect(validateTopicConfig('compression.gzip.level', '0')!.errorMessage).toMatch(/^Invalid value 0 for configuration compression.gzip.level/);
    expect(validateTopicConfig('compression.lz4.level', '18')!.errorMessage).toContain('Value must be no more than 17');
    expect(validateTopicConfig('leader.replication.throttled.replicas', '0-1')!.errorMessage).toContain("Must be the literal '*'");
    expect(validateTopicConfig('cleanup.policy', 'delete,delete')!.errorMessage).toContain('must not be duplicated');
  });
});

describe('validateTopicConfigs', () => {
  it('checks every entry', () => {
    expect(validateTopicConfigs(new Map([['retention.ms', '1'], ['segment.ms', '0']]))).toEqual(
      invalid('Invalid value 0 for configuration segment.ms: Value must be at least 1'));
    expect(validateTopicConfigs(new Map([['retention.ms', '1'], ['cleanup.policy', 'compact']]))).toBeNull();
  });

  it('refuses a minimum compaction lag above the maximum', () => {
    expect(validateTopicConfigs(new Map([['min.compaction.lag.ms', '10'], ['max.compaction.lag.ms', '5']]))).toEqual(
      invalid('conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)'));
  });

  it('refuses tiered storage as a broker without it does', () => {
    expect(validateTopicConfigs(new Map([['remote.storage.enable', 'true']]))).toEqual(
      invalid('Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.'));
    expect(validateTopicConfigs(new Map([['remote.storage.enable', 'false']]))).toBeNull();
  });
});
