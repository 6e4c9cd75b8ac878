import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { BROKER_CONFIGS, brokerSynonyms } from '../../../src/config/broker-config-defs.js';
import { resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { ConfigSource, ConfigType, checkConfigValue } from '../../../src/config/config-def.js';
import {
  describeBrokerConfigs,
  describeTopicConfigs,
  validateBrokerConfigAlter,
  validateListenerConnectionLimits,
  type BrokerConfigLayers,
  type DescribedConfig,
} from '../../../src/config/describe-configs.js';
import { topicLogConfig } from '../../../src/config/topic-log-config.js';

const { DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG } = ConfigSource;
const NO_BROKER_CONFIG: BrokerConfigLayers = { staticProps: new Map() };

function find(configs: DescribedConfig[], name: string): DescribedConfig {
  const config = configs.find((c) => c.name === name);
  if (config === undefined) throw new Error(`no ${name}`);
  return config;
}

describe('describeTopicConfigs', () => {
  it('reports Kafka defaults with the broker default behind them', () => {
    const configs = describeTopicConfigs(new Map(), NO_BROKER_CONFIG);
    expect(configs).toHaveLength(34);
    expect(find(configs, 'retention.ms')).toEqual({
      name: 'retention.ms',
      value: '604800000',
      readOnly: false,
      source: DEFAULT_CONFIG,
      isSensitive: false,
      synonyms: [{ name: 'log.retention.hours', value: '168', source: DEFAULT_CONFIG }],
      configType: ConfigType.LONG,
      documentation: expect.any(String),
    });
    expect(find(configs, 'segment.ms')).toMatchObject({ value: '604800000', synonyms: [{ name: 'log.roll.hours', value: '168' }] });
    expect(find(configs, 'cleanup.policy')).toMatchObject({ value: 'delete', configType: ConfigType.LIST });
    expect(find(configs, 'max.message.bytes')).toMatchObject({ value: '1048588', configType: ConfigType.INT });
    expect(find(configs, 'flush.ms')).toMatchObject({
      value: '9223372036854775807',
      synonyms: [{ name: 'log.flush.scheduler.interval.ms', value: '9223372036854775807', source: DEFAULT_CONFIG }],
    });
    expect(find(configs, 'min.cleanable.dirty.ratio')).toMatchObject({ value: '0.5', configType: ConfigType.DOUBLE });
    expect(find(configs, 'remote.storage.enable')).toMatchObject({ value: 'false', source: DEFAULT_CONFIG, synonyms: [] });
    expect(find(configs, 'message.timestamp.after.max.ms').value).toBe('3600000');
  });

  it('puts a topic override first and shows it canonically', () => {
    const configs = describeTopicConfigs(new Map([['retention.ms', ' 1000 '], ['cleanup.policy', 'compact , delete']]), NO_BROKER_CONFIG);
    expect(find(configs, 'retention.ms')).toMatchObject({
      value: '1000',
      source: DYNAMIC_TOPIC_CONFIG,
      synonyms: [
        { name: 'retention.ms', value: ' 1000 ', source: DYNAMIC_TOPIC_CONFIG },
        { name: 'log.retention.hours', value: '168', source: DEFAULT_CONFIG },
      ],
    });
    expect(find(configs, 'cleanup.policy').value).toBe('compact,delete');
  });

  it('converts hour and minute synonyms, ms first, grouped by source', () => {
    const layers: BrokerConfigLayers = {
      staticProps: new Map([['log.retention.hours', '2'], ['log.retention.minutes', '30']]),
      dynamicDefault: new Map([['log.retention.ms', '5000']]),
    };
    expect(find(describeTopicConfigs(new Map(), layers), 'retention.ms')).toMatchObject({
      value: '5000',
      source: DYNAMIC_DEFAULT_BROKER_CONFIG,
      synonyms: [
        { name: 'log.retention.ms', value: '5000', source: DYNAMIC_DEFAULT_BROKER_CONFIG },
        { name: 'log.retention.minutes', value: '30', source: STATIC_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '2', source: STATIC_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '168', source: DEFAULT_CONFIG },
      ],
    });
    const staticOnly = { staticProps: layers.staticProps };
    expect(find(describeTopicConfigs(new Map(), staticOnly), 'retention.ms')).toMatchObject({ value: '1800000', source: STATIC_BROKER_CONFIG });
  });

  it('orders per-broker dynamic over cluster default over static', () => {
    const layers: BrokerConfigLayers = {
      staticProps: new Map([['message.max.bytes', '100']]),
      dynamicDefault: new Map([['message.max.bytes', '200']]),
      dynamicBroker: new Map([['message.max.bytes', '300']]),
    };
    const config = find(describeTopicConfigs(new Map(), layers), 'max.message.bytes');
    expect(config.value).toBe('300');
    expect(config.source).toBe(DYNAMIC_BROKER_CONFIG);
    expect(config.synonyms.map((s) => s.source)).toEqual([DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG]);
  });

  it('takes the static layer from a resolved broker config', () => {
    const broker = resolveBrokerConfig({ properties: { 'log.segment.bytes': 2097152 } });
    const config = find(describeTopicConfigs(new Map(), { staticProps: broker.staticProps }), 'segment.bytes');
    expect(config).toMatchObject({ value: '2097152', source: STATIC_BROKER_CONFIG });
  });
});

describe('topicLogConfig', () => {
  it('types the effective values', () => {
    const layers: BrokerConfigLayers = { staticProps: new Map([['log.roll.hours', '1'], ['compression.type', 'lz4']]) };
    const config = topicLogConfig(new Map([['cleanup.policy', 'compact'], ['retention.bytes', '1024']]), layers);
    expect(config).toMatchObject({
      compact: true,
      delete: false,
      retentionBytes: 1024,
      retentionMs: 604800000,
      segmentMs: 3600000,
      compressionType: 'lz4',
      maxMessageBytes: 1048588,
      messageTimestampType: 'CreateTime',
      flushMessages: Number.MAX_SAFE_INTEGER,
      minCleanableDirtyRatio: 0.5,
      preallocate: false,
    });
  });
});

describe('describeBrokerConfigs', () => {
  const layers: BrokerConfigLayers = {
    staticProps: new Map([['num.partitions', '3'], ['log.retention.hours', '24'], ['creek.storage', 'memory']]),
    dynamicDefault: new Map([['log.retention.ms', '1000']]),
  };

  it('shows every Kafka config of the broker, with sources, synonyms and read-only flags', () => {
    const configs = describeBrokerConfigs(layers, 'broker');
    expect(configs.some((c) => c.name.startsWith('creek.') || c.name === 'cluster.id')).toBe(false);
    expect(find(configs, 'num.partitions')).toMatchObject({
      value: '3', source: STATIC_BROKER_CONFIG, readOnly: true,
      synonyms: [{ name: 'num.partitions', value: '3', source: STATIC_BROKER_CONFIG }, { name: 'num.partitions', value: '1', source: DEFAULT_CONFIG }],
    });
    expect(find(configs, 'log.retention.ms')).toMatchObject({
      value: '1000', source: DYNAMIC_DEFAULT_BROKER_CONFIG, readOnly: false,
      synonyms: [
        { name: 'log.retention.ms', value: '1000', source: DYNAMIC_DEFAULT_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '24', source: STATIC_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '168', source: DEFAULT_CONFIG },
      ],
    });
    expect(find(configs, 'log.retention.hours')).toMatchObject({ value: '24', source: STATIC_BROKER_CONFIG, readOnly: true });
    expect(find(configs, 'log.roll.ms')).toMatchObject({ value: null, source: DEFAULT_CONFIG, synonyms: [{ name: 'log.roll.hours', value: '168' }] });
    expect(find(configs, 'advertised.listeners')).toMatchObject({ value: null, source: DEFAULT_CONFIG, synonyms: [] });
    expect(find(configs, 'listeners').value).toBe('PLAINTEXT://127.0.0.1:9092');
  });

  it('shows only what is set on the cluster-wide default resource', () => {
    expect(describeBrokerConfigs(layers, 'default')).toEqual([
      expect.objectContaining({
        name: 'log.retention.ms', value: '1000', source: DYNAMIC_DEFAULT_BROKER_CONFIG,
        synonyms: [{ name: 'log.retention.ms', value: '1000', source: DYNAMIC_DEFAULT_BROKER_CONFIG }],
      }),
    ]);
  });

  it('has table defaults that pass their own validation, and synonym groups', () => {
    for (const def of BROKER_CONFIGS.filter((d) => d.default !== null)) expect(checkConfigValue(def, def.default), def.name).toBeNull();
    expect(brokerSynonyms('log.retention.minutes')).toEqual(['log.retention.minutes', 'log.retention.hours']);
    expect(brokerSynonyms('num.partitions')).toEqual(['num.partitions']);
  });
});

describe('validateBrokerConfigAlter', () => {
  it('accepts dynamic configs, deletions and unknown names', () => {
    expect(validateBrokerConfigAlter(new Map([['log.retention.ms', '1000'], ['message.max.bytes', null], ['custom.metric.x', '1']]))).toBeNull();
  });

  it('refuses read-only configs with INVALID_REQUEST, naming them all', () => {
    expect(validateBrokerConfigAlter(new Map([['log.dirs', '/x'], ['log.retention.ms', '1'], ['num.partitions', '2']]))).toEqual({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Cannot update these configs dynamically: [log.dirs, num.partitions]',
    });
    expect(validateBrokerConfigAlter(new Map([['creek.storage', 'memory']]))!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('refuses bad values with INVALID_REQUEST', () => {
    expect(validateBrokerConfigAlter(new Map([['log.cleanup.policy', 'nope']]))).toEqual({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Invalid value nope for configuration log.cleanup.policy: String must be one of: compact, delete',
    });
  });
});

describe('max.connection.creation.rate per listener', () => {
  const RATE = 'max.connection.creation.rate';
  const PLAINTEXT_RATE = 'listener.name.plaintext.max.connection.creation.rate';

  it("shows a listener override that is set, read-only as Kafka marks it, with the broker-wide key as its synonym", () => {
    const layers: BrokerConfigLayers = {
      staticProps: new Map([[PLAINTEXT_RATE, '10']]),
      dynamicBroker: new Map([[RATE, '4']]),
      dynamicDefault: new Map([[PLAINTEXT_RATE, '7']]),
    };
    const configs = describeBrokerConfigs(layers, 'broker');
    expect(find(configs, RATE)).toMatchObject({
      value: '4', source: DYNAMIC_BROKER_CONFIG, readOnly: false, configType: ConfigType.INT,
      synonyms: [{ name: RATE, value: '4', source: DYNAMIC_BROKER_CONFIG }, { name: RATE, value: '2147483647', source: DEFAULT_CONFIG }],
    });
    // Kafka's synonyms of a key start at its own first setting: the broker-wide key set per broker is not one.
    expect(find(configs, PLAINTEXT_RATE)).toMatchObject({
      value: '7', source: DYNAMIC_DEFAULT_BROKER_CONFIG, readOnly: true, configType: ConfigType.INT,
      synonyms: [
        { name: PLAINTEXT_RATE, value: '7', source: DYNAMIC_DEFAULT_BROKER_CONFIG },
        { name: PLAINTEXT_RATE, value: '10', source: STATIC_BROKER_CONFIG },
        { name: RATE, value: '2147483647', source: DEFAULT_CONFIG },
      ],
    });
    expect(describeBrokerConfigs(layers, 'default').map((c) => c.name)).toEqual([PLAINTEXT_RATE]);
    expect(describeBrokerConfigs(NO_BROKER_CONFIG, 'broker').some((c) => c.name.startsWith('listener.name.'))).toBe(false);
  });

  it('shows a listener max.connections that is set likewise, beside the rate overrides in name order', () => {
    const PLAINTEXT_MAX = 'listener.name.plaintext.max.connections';
    const layers: BrokerConfigLayers = { staticProps: new Map([['max.connections', '9'], [PLAINTEXT_RATE, '10']]), dynamicBroker: new Map([[PLAINTEXT_MAX, '3']]) };
    const configs = describeBrokerConfigs(layers, 'broker');
    expect(configs.filter((c) => c.name.startsWith('listener.name.')).map((c) => c.name)).toEqual([PLAINTEXT_RATE, PLAINTEXT_MAX]);
    expect(find(configs, PLAINTEXT_MAX)).toMatchObject({
      value: '3', source: DYNAMIC_BROKER_CONFIG, readOnly: true, configType: ConfigType.INT,
      synonyms: [
        { name: PLAINTEXT_MAX, value: '3', source: DYNAMIC_BROKER_CONFIG },
        { name: 'max.connections', value: '9', source: STATIC_BROKER_CONFIG },
        { name: 'max.connections', value: '2147483647', source: DEFAULT_CONFIG },
      ],
    });
    expect(validateListenerConnectionLimits(layers, { ...layers, dynamicBroker: new Map([[PLAINTEXT_MAX, '0']]) }, ['PLAINTEXT'])).toEqual({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Invalid value org.apache.kafka.common.config.ConfigException: Invalid max.connections 0 for configuration Invalid dynamic configuration',
    });
  });

  it('checks an override as the broker-wide key, under its name, as Kafka does', () => {
    expect(validateBrokerConfigAlter(new Map([[PLAINTEXT_RATE, '-2']]))).toEqual({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Invalid value -2 for configuration max.connection.creation.rate: Value must be at least 0',
    });
    expect(validateBrokerConfigAlter(new Map([[PLAINTEXT_RATE, '0'], [RATE, '0']]))).toBeNull();
  });

  it("refuses a change that leaves a listener of this broker a rate or max.connections of 0, as Kafka's listener check", () => {
    const before: BrokerConfigLayers = { staticProps: new Map([[RATE, '0']]) };
    const invalid = (key: string, value: string) => ({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Invalid value org.apache.kafka.common.config.ConfigException: Invalid ${key} ${value} for configuration Invalid dynamic configuration`,
    });
    const after = (dynamicBroker: [string, string][]): BrokerConfigLayers => ({ ...before, dynamicBroker: new Map(dynamicBroker) });
    // A static 0 stands (Kafka allows it); a change elsewhere does not touch the listeners.
    expect(validateListenerConnectionLimits(before, after([['log.retention.ms', '1']]), ['PLAINTEXT'])).toBeNull();
    expect(validateListenerConnectionLimits(before, after([[PLAINTEXT_RATE, '3']]), ['PLAINTEXT'])).toBeNull();
    expect(validateListenerConnectionLimits(before, after([[PLAINTEXT_RATE, '3']]), ['PLAINTEXT', 'OTHER'])).toBeNull();
    const set = (dynamicDefault: [string, string][]): BrokerConfigLayers => ({ staticProps: new Map(), dynamicDefault: new Map(dynamicDefault) });
    expect(validateListenerConnectionLimits(NO_BROKER_CONFIG, set([[PLAINTEXT_RATE, '0']]), ['PLAINTEXT'])).toEqual(invalid(RATE, '0'));
    expect(validateListenerConnectionLimits(NO_BROKER_CONFIG, set([[RATE, '0']]), ['PLAINTEXT'])).toEqual(invalid(RATE, '0'));
    expect(validateListenerConnectionLimits(NO_BROKER_CONFIG, set([['max.connections', '0'], [RATE, '0']]), ['PLAINTEXT'])).toEqual(invalid('max.connections', '0'));
    expect(validateListenerConnectionLimits(NO_BROKER_CONFIG, set([['listener.name.other.max.connection.creation.rate', '0']]), ['PLAINTEXT'])).toBeNull();
  });
});
