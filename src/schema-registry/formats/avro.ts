// Avro through avsc: parsing (named types of referenced schemas are registered first, as
// Confluent's AvroSchema does) and schema resolution — avsc's createResolver applies the Avro
// specification's rules (promotions, defaults for added fields, enum symbols, union branches,
// names and aliases) and throws when a reader cannot read a writer's data.
import type * as avro from 'avsc';
import { onFirstUse } from '../../../protocol/load-on-first-use.js';
import { InvalidSchemaError, type ParsedSchema, type ResolvedReference, type SchemaFormat } from './format.js';

const avsc = onFirstUse<typeof avro>('avsc');

class AvroSchema implements ParsedSchema {
  constructor(
    readonly type: avro.Type,
    readonly canonical: string,
  ) {}

  readIncompatibilities(writer: ParsedSchema): string[] {
    if (!(writer instanceof AvroSchema)) return ['the previous schema is not an Avro schema'];
    try {
      this.type.createResolver(writer.type);
      return [];
    } catch (err) {
      return [`reader schema ${this.canonical} cannot read data written with ${writer.canonical}: ${(err as Error).message}`];
    }
  }

  decode(payload: Buffer): unknown {
    // Avro's JSON encoding (bytes as code points, unions as {"branch": value}), as Confluent's Avro console consumer prints it.
    return JSON.parse(this.type.toString(this.type.fromBuffer(payload))) as unknown;
  }
}

export const avroFormat: SchemaFormat = {
  type: 'AVRO',
  parse(schema: string, references: readonly ResolvedReference[]): ParsedSchema {
    const registry: Record<string, avro.Type> = {};
    try {
      for (const ref of references) avsc().Type.forSchema(JSON.parse(ref.schema) as avro.Schema, { registry });
      const json = JSON.parse(schema) as avro.Schema;
      const type = avsc().Type.forSchema(json, { registry });
      return new AvroSchema(type, JSON.stringify(json));
    } catch (err) {
      throw new InvalidSchemaError(`Invalid schema ${schema}: ${(err as Error).message}`);
    }
  },
};
