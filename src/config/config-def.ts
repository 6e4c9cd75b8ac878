// Kafka's ConfigDef semantics shared by the broker and topic tables: the wire enums of
// DescribeConfigs (config types, sources), value parsing per type (trimmed, Java number rules),
// validators, and the "Invalid value X for configuration Y: reason" message Kafka answers with.
import type { ErrorCodeValue } from '../../protocol/errors.js';

/** DescribeConfigs v3+ `config_type`. */
export enum ConfigType {
  BOOLEAN = 1,
  STRING = 2,
  INT = 3,
  SHORT = 4,
  LONG = 5,
  DOUBLE = 6,
  LIST = 7,
  CLASS = 8,
  PASSWORD = 9,
}

/** DescribeConfigs v1+ `config_source` (also the synonym `source`). */
export enum ConfigSource {
  UNKNOWN = 0,
  DYNAMIC_TOPIC_CONFIG = 1,
  DYNAMIC_BROKER_CONFIG = 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG = 3,
  STATIC_BROKER_CONFIG = 4,
  DEFAULT_CONFIG = 5,
  DYNAMIC_BROKER_LOGGER_CONFIG = 6,
}

/** A refusal in Kafka's terms: the error code and message to put on the wire. */
export interface KafkaConfigError {
  errorCode: ErrorCodeValue;
  errorMessage: string;
}

export type ConfigValue = boolean | number | string | readonly string[] | null;

/** Returns a reason when the parsed value is refused, else null. */
export type Validator = (value: ConfigValue) => string | null;

/** One configuration key: its type, default (as Kafka prints it; null = no default) and checks. */
export interface ConfigDef {
  name: string;
  type: ConfigType;
  default: string | null;
  validator?: Validator;
  doc: string;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Kafka's Long.MAX_VALUE ("never"), as printed. */
export const LONG_MAX_STRING = LONG_MAX.toString();

/** The value is outside what this type can hold. */
export class ConfigValueError extends Error {}

/**
 * Parses a raw string as Kafka's ConfigDef.parseType would. LONG values beyond 2^53 (in practice
 * Long.MAX_VALUE, Kafka's "never") read as Number.MAX_SAFE_INTEGER.
 */
export function parseConfigValue(type: ConfigType, raw: string | null): ConfigValue {
  if (raw === null) return null;
  const trimmed = raw.trim();
  switch (type) {
    case ConfigType.BOOLEAN: {
      const lower = trimmed.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      throw new ConfigValueError('Expected value to be either true or false');
    }
    case ConfigType.SHORT:
      return parseJavaInteger(trimmed, -32768, 32767, 'SHORT');
    case ConfigType.INT:
      return parseJavaInteger(trimmed, INT_MIN, INT_MAX, 'INT');
    case ConfigType.LONG: {
      if (!/^[+-]?\d+$/.test(trimmed)) throw new ConfigValueError('Not a number of type LONG');
      const big = BigInt(trimmed);
      if (big < LONG_MIN || big > LONG_MAX) throw new ConfigValueError('Not a number of type LONG');
      const max = BigInt(Number.MAX_SAFE_INTEGER);
      return Number(big > max ? max : big < -max ? -max : big);
    }
    case ConfigType.DOUBLE: {
      const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(trimmed)
        ? Number.parseFloat(trimmed)
        : Number.NaN;
      if (Number.isNaN(n)) throw new ConfigValueError('Not a number of type DOUBLE');
      return n;
    }
    case ConfigType.LIST:
      return trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
    case ConfigType.STRING:
    case ConfigType.CLASS:
      return trimmed;
    case ConfigType.PASSWORD:
      return raw;
  }
}

function parseJavaInteger(text: string, min: number, max: number, typeName: string): number {
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max)) throw new ConfigValueError(`Not a number of type ${typeName}`);
  return n;
}

/** The canonical string of a raw value (Kafka's ConfigDef.convertToString after parsing); an invalid value is returned as is. */
export function canonicalValue(def: ConfigDef, raw: string | null): string | null {
  if (raw === null || checkConfigValue(def, raw) !== null) return raw;
  if (def.type === ConfigType.LONG) return BigInt(raw.trim()).toString();
  const value = parseConfigValue(def.type, raw);
  if (Array.isArray(value)) return value.join(',');
  if (def.type === ConfigType.DOUBLE && Number.isInteger(value)) return (value as number).toFixed(1);
  return String(value);
}

/** Kafka's ConfigException text. */
export function invalidValueMessage(name: string, raw: string | null, reason: string): string {
  return `Invalid value ${raw} for configuration ${name}: ${reason}`;
}

/** Parses and validates a raw value; returns the refusal message, or null when valid. */
export function checkConfigValue(def: ConfigDef, raw: string | null): string | null {
  try {
    const value = parseConfigValue(def.type, raw);
    const reason = def.validator?.(value) ?? null;
    return reason === null ? null : invalidValueMessage(def.name, raw, reason);
  } catch (e) {
    if (e instanceof ConfigValueError) return invalidValueMessage(def.name, raw, e.message);
    throw e;
  }
}

// ---- validators (messages follow ConfigDef's Range, ValidString and ValidList) ----

export function atLeast(min: number): Validator {
  return (value) => {
    if (value === null) return 'Value must be non-null';
    return (value as number) < min ? `Value must be at least ${min}` : null;
  };
}

export function between(min: number, max: number): Validator {
  return (value) => {
    if (value === null) return 'Value must be non-null';
    if ((value as number) < min) return `Value must be at least ${min}`;
    return (value as number) > max ? `Value must be no more than ${max}` : null;
  };
}

export function oneOf(...allowed: string[]): Validator {
  return (value) =>
    allowed.includes(value as string) ? null : `String must be one of: ${allowed.join(', ')}`;
}

export function listOf(...allowed: string[]): Validator {
  return (value) => {
    const items = value as readonly string[];
    const bad = items.find((item) => !allowed.includes(item));
    if (bad !== undefined) return `String must be one of: ${allowed.join(', ')}`;
    return new Set(items).size === items.length ? null : 'Values must not be duplicated';
  };
}
