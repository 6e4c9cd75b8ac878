// What the registry needs from a schema format: parse a schema text (with the schemas it
// references) into something comparable, and tell whether a reader schema can read data written
// with a writer schema (the building block of every compatibility level).

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';
export const SCHEMA_TYPES: readonly SchemaType[] = ['JSON', 'PROTOBUF', 'AVRO'];

/** A referenced schema, resolved to its text: `name` is how the referring schema names it. */
export interface ResolvedReference {
  name: string;
  schema: string;
}

export interface ParsedSchema {
  /** The text identical schemas share (whitespace and key order of the JSON formats normalized). */
  readonly canonical: string;
  /** Reasons data written with `writer` cannot be read with this schema; empty when it can. */
  readIncompatibilities(writer: ParsedSchema): string[];
  /**
   * A serialized value (what follows Confluent's magic byte and schema id) as JSON data: Avro's
   * JSON encoding, the JSON document, or a Protobuf message (after its message indexes) as
   * protobufjs's toObject gives it. Throws when the bytes are not a value of this schema.
   */
  decode(payload: Buffer): unknown;
}

export interface SchemaFormat {
  readonly type: SchemaType;
  /** Throws InvalidSchemaError with the parser's reason. */
  parse(schema: string, references: readonly ResolvedReference[]): ParsedSchema;
}

export class InvalidSchemaError extends Error {}
