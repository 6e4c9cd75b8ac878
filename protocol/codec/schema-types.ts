// The shape of Creek's message definitions (protocol/schema/*.ts). Each API key has one
// definition holding its request and response; fields carry the version ranges they exist in.
// Version ranges are written "N+" (N and later) or "N-M" (inclusive); "none" for never.

export type Primitive =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'uuid'
  | 'string'
  | 'bytes'
  | 'records';

export interface FieldDef {
  /** camelCase property name in the TypeScript object. */
  name: string;
  /** A primitive, or 'struct' with `fields`. */
  type: Primitive | 'struct';
  /** True for arrays of `type`. */
  array?: true;
  versions: string;
  nullable?: string;
  /** Tagged field: its tag number and the versions in which it is tagged. */
  tag?: number;
  tagged?: string;
  /** Value for versions that lack the field, and for absent tagged fields. */
  default?: number | string | boolean | null;
  /** Overrides the message's flexible versions for this field (RequestHeader's client id). */
  flexible?: string;
  fields?: FieldDef[];
}

export interface MessageDef {
  /** Interface name of the decoded value, e.g. ProduceRequest. */
  name: string;
  fields: FieldDef[];
}

export interface ApiDef {
  apiKey: number;
  /** Kafka's name for the API, e.g. Produce. */
  name: string;
  /** Lowest and highest version defined. */
  minVersion: number;
  maxVersion: number;
  /** First flexible version, or null when the API has none. */
  flexibleFrom: number | null;
  /** Kafka marks maxVersion as still in development: brokers do not advertise it by default. */
  latestVersionUnstable?: true;
  request: MessageDef;
  response: MessageDef;
}

/** A version-prefixed data schema embedded in other messages (e.g. the consumer protocol). */
export interface DataDef extends MessageDef {
  minVersion: number;
  maxVersion: number;
  flexibleFrom: number | null;
}

/** Parses "N+", "N-M", "N" or "none" into an inclusive range. */
export function parseRange(spec: string): [number, number] {
  if (spec === 'none') return [1, 0];
  if (spec.endsWith('+')) return [Number(spec.slice(0, -1)), Number.MAX_SAFE_INTEGER];
  const dash = spec.indexOf('-');
  if (dash < 0) return [Number(spec), Number(spec)];
  return [Number(spec.slice(0, dash)), Number(spec.slice(dash + 1))];
}

export function inRange(spec: string | undefined, version: number): boolean {
  if (spec === undefined) return false;
  const [lo, hi] = parseRange(spec);
  return version >= lo && version <= hi;
}
