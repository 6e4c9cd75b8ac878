// DescribeConfigs answers for TOPIC (2) and BROKER (4) resources, and the check of a broker
// config alteration. A value's source and synonyms follow Kafka's ConfigHelper: the topic override
// (DYNAMIC_TOPIC_CONFIG) first, then each broker synonym as set for this broker
// (DYNAMIC_BROKER_CONFIG), cluster-wide (DYNAMIC_DEFAULT_BROKER_CONFIG), in the static config
// (STATIC_BROKER_CONFIG) and by default (DEFAULT_CONFIG); the first one gives value and source.
import { ErrorCode } from '../../protocol/errors.js';
import { BROKER_CONFIGS, brokerConfigDef, brokerSynonyms, listenerKey, listenerOverrideBase, listenerOverrideDef, type BrokerConfigDef } from './broker-config-defs.js';
import {
  ConfigSource,
  ConfigType,
  canonicalValue,
  checkConfigValue,
  type ConfigDef,
  type KafkaConfigError,
} from './config-def.js';
import { TOPIC_CONFIGS, type BrokerSynonym } from './topic-config.js';

/** The broker's configuration as its layers; the dynamic ones come from AlterConfigs. */
export interface BrokerConfigLayers {
  staticProps: ReadonlyMap<string, string>;
  /** Set on the cluster-wide default broker resource (name ""). */
  dynamicDefault?: ReadonlyMap<string, string>;
  /** Set on this broker's resource (name = node id). */
  dynamicBroker?: ReadonlyMap<string, string>;
}

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSource;
}

/** One DescribeConfigs entry; drop synonyms/documentation when the request did not ask. */
export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: ConfigSource;
  isSensitive: boolean;
  synonyms: ConfigSynonym[];
  configType: ConfigType;
  documentation: string;
}

const EMPTY = new Map<string, string>();

/** Broker settings of `names`, grouped by source, then by the given name order. */
function brokerSynonymChain(names: readonly string[], layers: BrokerConfigLayers): ConfigSynonym[] {
  const sources: [ReadonlyMap<string, string>, ConfigSource][] = [
    [layers.dynamicBroker ?? EMPTY, ConfigSource.DYNAMIC_BROKER_CONFIG],
    [layers.dynamicDefault ?? EMPTY, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    [layers.staticProps, ConfigSource.STATIC_BROKER_CONFIG],
  ];
  const chain: ConfigSynonym[] = [];
  for (const [map, source] of sources) {
    for (const name of names) {
      const value = map.get(name);
      if (value !== undefined) chain.push({ name, value, source });
    }
  }
  for (const name of names) {
    const value = brokerConfigDef(name)?.default ?? null;
    if (value !== null) chain.push({ name, value, source: ConfigSource.DEFAULT_CONFIG });
  }
  return chain;
}

function convertSynonym(value: string | null, unit: BrokerSynonym['unit']): string | null {
  if (value === null || unit === undefined) return value;
  const factor = unit === 'hours' ? 3_600_000n : 60_000n;
  return (BigInt(value.trim()) * factor).toString();
}

function entry(def: ConfigDef, value: string | null, source: ConfigSource, synonyms: ConfigSynonym[], readOnly: boolean): DescribedConfig {
  const isSensitive = def.type === ConfigType.PASSWORD;
  return {
    name: def.name,
    value: isSensitive ? null : value,
    readOnly,
    source,
    isSensitive,
    synonyms: isSensitive ? synonyms.map((s) => ({ ...s, value: null })) : synonyms,
    configType: def.type,
    documentation: def.doc,
  };
}

/** Every topic config of a topic with the given overrides, with effective value and source. */
export function describeTopicConfigs(overrides: ReadonlyMap<string, string>, layers: BrokerConfigLayers): DescribedConfig[] {
  return TOPIC_CONFIGS.map((def) => {
    const chain = brokerSynonymChain(def.synonyms.map((s) => s.name), layers);
    const override = overrides.get(def.name);
    if (override !== undefined) {
      const synonyms = [{ name: def.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG }, ...chain];
      return entry(def, canonicalValue(def, override), ConfigSource.DYNAMIC_TOPIC_CONFIG, synonyms, false);
    }
    const head = chain[0];
    if (head === undefined) return entry(def, def.default, ConfigSource.DEFAULT_CONFIG, chain, false);
    const unit = def.synonyms.find((s) => s.name === head.name)?.unit;
    return entry(def, canonicalValue(def, convertSynonym(head.value, unit)), head.source, chain, false);
  });
}

/**
 * Broker configs as DescribeConfigs shows them: for this broker's resource every config (Creek's
 * own excepted); for the cluster-wide default resource only those set there.
 */
export function describeBrokerConfigs(layers: BrokerConfigLayers, resource: 'broker' | 'default'): DescribedConfig[] {
  const described: DescribedConfig[] = [];
  const describe = (def: BrokerConfigDef, readOnly: boolean, fromOwnSetting = false): void => {
    let chain = brokerSynonymChain(brokerSynonyms(def.name), layers);
    if (resource === 'default') {
      if (!layers.dynamicDefault?.has(def.name)) return;
      chain = chain.filter((s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    }
    if (fromOwnSetting) chain = chain.slice(chain.findIndex((s) => s.name === def.name));
    const own = chain.find((s) => s.name === def.name);
    const value = own === undefined ? null : canonicalValue(def, own.value);
    described.push(entry(def, value, chain[0]?.source ?? ConfigSource.DEFAULT_CONFIG, chain, readOnly));
  };
  for (const def of BROKER_CONFIGS) if (!def.creek) describe(def, !def.dynamic);
  // Kafka lists the listener overrides that are set, read-only as it marks every key outside its
  // table of dynamic configs (they can be altered all the same), their synonyms from their own
  // first setting on (the broker-wide key set in a higher layer is not one of them).
  for (const name of setListenerConnectionOverrides(layers)) describe(listenerOverrideDef(name)!, true, true);
  return described;
}

const LISTENER_CONNECTION_LIMITS = ['max.connections', 'max.connection.creation.rate'] as const;

/** The per-listener max.connections and max.connection.creation.rate overrides set in any layer, in name order. */
function setListenerConnectionOverrides(layers: BrokerConfigLayers): string[] {
  const names = new Set<string>();
  const connectionLimits: readonly string[] = LISTENER_CONNECTION_LIMITS;
  for (const map of [layers.dynamicBroker ?? EMPTY, layers.dynamicDefault ?? EMPTY, layers.staticProps]) {
    for (const name of map.keys()) if (connectionLimits.includes(listenerOverrideBase(name)?.name ?? '')) names.add(name);
  }
  return [...names].sort();
}

/** The effective value of one broker config or per-listener override (what DescribeConfigs shows for it), null when unset. */
export function brokerConfigValue(layers: BrokerConfigLayers, name: string): string | null {
  const def = brokerConfigDef(name) ?? listenerOverrideDef(name);
  const own = brokerSynonymChain(brokerSynonyms(name), layers).find((s) => s.name === name);
  return def === undefined || own === undefined ? null : canonicalValue(def, own.value);
}

/**
 * Checks an alteration of broker configs (value null = delete) as Kafka does before applying it:
 * read-only keys refuse the whole resource with INVALID_REQUEST, as do bad values. Unknown keys
 * pass, as in Kafka.
 */
export function validateBrokerConfigAlter(changes: ReadonlyMap<string, string | null>): KafkaConfigError | null {
  const readOnly = [...changes.keys()].filter((name) => {
    const def = brokerConfigDef(name);
    return def !== undefined && !def.dynamic;
  });
  if (readOnly.length > 0) {
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Cannot update these configs dynamically: [${readOnly.join(', ')}]` };
  }
  for (const [name, value] of changes) {
    // As Kafka, a per-listener override is checked as its broker-wide key, under that key's name.
    const def = brokerConfigDef(name) ?? listenerOverrideBase(name);
    const message = def === undefined || value === null ? null : checkConfigValue(def, value);
    if (message !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: message };
  }
  return null;
}

/**
 * Kafka's check of a listener's connection limits when an alteration changes them
 * (ListenerConnectionQuota.validateReconfiguration, for each listener of this broker): its
 * max.connections and max.connection.creation.rate (its listener override, else the broker-wide
 * value) must be positive, even where the broker-wide keys allow 0. Kafka's refusal is its
 * "Invalid dynamic configuration" ConfigException wrapping the listener's, hence the message.
 */
export function validateListenerConnectionLimits(before: BrokerConfigLayers, after: BrokerConfigLayers, listeners: readonly string[]): KafkaConfigError | null {
  const limits = (layers: BrokerConfigLayers, listener: string): string[] =>
    LISTENER_CONNECTION_LIMITS.map((key) => brokerConfigValue(layers, listenerKey(listener, key)) ?? brokerConfigValue(layers, key)!);
  for (const listener of listeners) {
    const next = limits(after, listener);
    const previous = limits(before, listener);
    if (next.every((value, i) => value === previous[i])) continue;
    const invalid = LISTENER_CONNECTION_LIMITS.findIndex((_, i) => Number(next[i]) <= 0);
    if (invalid < 0) continue;
    const cause = `org.apache.kafka.common.config.ConfigException: Invalid ${LISTENER_CONNECTION_LIMITS[invalid]} ${next[invalid]}`;
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Invalid value ${cause} for configuration Invalid dynamic configuration` };
  }
  return null;
}
