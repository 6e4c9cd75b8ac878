// The schema formats alone: validity and the reader/writer compatibility rules of Avro (avsc's
// resolution), JSON Schema (the structural subset check) and Protobuf (wire-format rules), and
// decoding serialized values with each.
import avro from 'avsc';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { avroFormat } from '../../../src/schema-registry/formats/avro.js';
import { InvalidSchemaError, type SchemaFormat } from '../../../src/schema-registry/formats/format.js';
import { jsonSchemaFormat } from '../../../src/schema-registry/formats/json-schema.js';
import { protobufFormat } from '../../../src/schema-registry/formats/protobuf.js';

/** Whether data written with `writer` can be read with `reader`. */
function canRead(format: SchemaFormat, reader: unknown, writer: unknown): boolean {
  const text = (s: unknown) => (typeof s === 'string' ? s : JSON.stringify(s));
  return format.parse(text(reader), []).readIncompatibilities(format.parse(text(writer), [])).length === 0;
}

describe('Avro', () => {
  const rec = (fields: object[]) => ({ type: 'record', name: 'R', fields });
  it('follows Avro resolution', () => {
    expect(canRead(avroFormat, rec([{ name: 'a', type: 'long' }]), rec([{ name: 'a', type: 'int' }]))).toBe(true); // promotion
    expect(canRead(avroFormat, rec([{ name: 'a', type: 'int' }]), rec([{ name: 'a', type: 'long' }]))).toBe(false);
    expect(canRead(avroFormat, rec([{ name: 'a', type: 'int' }, { name: 'b', type: 'int', default: 1 }]), rec([{ name: 'a', type: 'int' }]))).toBe(true);
    expect(canRead(avroFormat, rec([{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }]), rec([{ name: 'a', type: 'int' }]))).toBe(false);
    expect(canRead(avroFormat, { type: 'enum', name: 'E', symbols: ['A', 'B'] }, { type: 'enum', name: 'E', symbols: ['A'] })).toBe(true);
    expect(canRead(avroFormat, { type: 'enum', name: 'E', symbols: ['A'] }, { type: 'enum', name: 'E', symbols: ['A', 'B'] })).toBe(false);
    expect(canRead(avroFormat, ['null', 'string'], '"string"')).toBe(true);
    expect(canRead(avroFormat, '"string"', ['null', 'string'])).toBe(false);
  });
  it('refuses invalid schemas and resolves references', () => {
    expect(() => avroFormat.parse('{"type":"record","name":"X"}', [])).toThrow(InvalidSchemaError);
    expect(() => avroFormat.parse('{"type":"record","name":"X","fields":[{"name":"o","type":"Other"}]}', [])).toThrow(InvalidSchemaError);
    const other = JSON.stringify({ type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] });
    expect(() => avroFormat.parse('{"type":"record","name":"X","fields":[{"name":"o","type":"Other"}]}', [{ name: 'Other', schema: other }])).not.toThrow();
  });
  it('gives identical schemas one canonical text whatever their whitespace', () => {
    expect(avroFormat.parse(JSON.stringify(rec([]), null, 2), []).canonical).toBe(avroFormat.parse(JSON.stringify(rec([])), []).canonical);
  });
});

describe('JSON Schema', () => {
  const obj = (extra: object) => ({ type: 'object', properties: { id: { type: 'integer' } }, ...extra });
  it('accepts a reader that accepts every document of the writer', () => {
    expect(canRead(jsonSchemaFormat, { type: 'number' }, { type: 'integer' })).toBe(true);
    expect(canRead(jsonSchemaFormat, { type: 'integer' }, { type: 'number' })).toBe(false);
    expect(canRead(jsonSchemaFormat, { type: ['string', 'null'] }, { type: 'string' })).toBe(true);
    expect(canRead(jsonSchemaFormat, { type: 'string' }, {})).toBe(false);
    expect(canRead(jsonSchemaFormat, {}, { type: 'string' })).toBe(true);
    expect(canRead(jsonSchemaFormat, { enum: ['a', 'b'] }, { enum: ['a'] })).toBe(true);
    expect(canRead(jsonSchemaFormat, { enum: ['a'] }, { enum: ['a', 'b'] })).toBe(false);
    expect(canRead(jsonSchemaFormat, { type: 'integer', minimum: 0 }, { type: 'integer', minimum: 5 })).toBe(true);
    expect(canRead(jsonSchemaFormat, { type: 'integer', minimum: 5 }, { type: 'integer', minimum: 0 })).toBe(false);
    expect(canRead(jsonSchemaFormat, { type: 'string', maxLength: 10 }, { type: 'string', maxLength: 20 })).toBe(false);
    expect(canRead(jsonSchemaFormat, { type: 'string', pattern: '^a' }, { type: 'string', pattern: '^b' })).toBe(false);
    expect(canRead(jsonSchemaFormat, { type: 'array', items: { type: 'number' } }, { type: 'array', items: { type: 'integer' } })).toBe(true);
    expect(canRead(jsonSchemaFormat, { type: 'array', items: { type: 'integer' } }, { type: 'array', items: { type: 'number' } })).toBe(false);
  });
  it('compares objects: required properties, open and closed content', () => {
    expect(canRead(jsonSchemaFormat, obj({ required: ['id'] }), obj({}))).toBe(false);
    expect(canRead(jsonSchemaFormat, obj({}), obj({ required: ['id'] }))).toBe(true);
    // Removing a property: fine for an open reader, not for a closed one.
    expect(canRead(jsonSchemaFormat, { type: 'object' }, obj({}))).toBe(true);
    expect(canRead(jsonSchemaFormat, { type: 'object', additionalProperties: false }, obj({}))).toBe(false);
    // Adding a typed property: the writer's open content could hold anything under that name.
    const withName = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } };
    expect(canRead(jsonSchemaFormat, withName, obj({}))).toBe(false);
    expect(canRead(jsonSchemaFormat, withName, obj({ additionalProperties: false }))).toBe(true);
    expect(canRead(jsonSchemaFormat, obj({ additionalProperties: false }), obj({}))).toBe(false);
  });
  it('compares combinators and follows $ref', () => {
    expect(canRead(jsonSchemaFormat, { anyOf: [{ type: 'string' }, { type: 'integer' }] }, { type: 'string' })).toBe(true);
    expect(canRead(jsonSchemaFormat, { type: 'string' }, { anyOf: [{ type: 'string' }, { type: 'integer' }] })).toBe(false);
    expect(canRead(jsonSchemaFormat, { oneOf: [{ type: 'string' }, { type: 'null' }] }, { oneOf: [{ type: 'string' }] })).toBe(true);
    const withRef = (t: string) => ({ definitions: { v: { type: t } }, type: 'object', properties: { v: { $ref: '#/definitions/v' } }, additionalProperties: false });
    expect(canRead(jsonSchemaFormat, withRef('number'), withRef('integer'))).toBe(true);
    expect(canRead(jsonSchemaFormat, withRef('integer'), withRef('number'))).toBe(false);
  });
  it('resolves $ref to referenced schemas by their reference name', () => {
    const address = (t: string) => JSON.stringify({ type: 'object', properties: { zip: { type: t } }, additionalProperties: false });
    const person = JSON.stringify({ type: 'object', properties: { home: { $ref: 'address.json' } }, additionalProperties: false });
    expect(() => jsonSchemaFormat.parse(person, [])).toThrow(InvalidSchemaError);
    const reader = jsonSchemaFormat.parse(person, [{ name: 'address.json', schema: address('number') }]);
    const writer = jsonSchemaFormat.parse(person, [{ name: 'address.json', schema: address('integer') }]);
    expect(reader.readIncompatibilities(writer)).toEqual([]);
    expect(writer.readIncompatibilities(reader)).not.toEqual([]);
  });

  it('refuses schemas that are not valid JSON Schema', () => {
    expect(() => jsonSchemaFormat.parse('{"type":"strin"}', [])).toThrow(InvalidSchemaError);
    expect(() => jsonSchemaFormat.parse('{"minimum":"zero"}', [])).toThrow(InvalidSchemaError);
    expect(() => jsonSchemaFormat.parse('[1]', [])).toThrow(InvalidSchemaError);
    expect(() => jsonSchemaFormat.parse('{"$schema":"https://json-schema.org/draft/2020-12/schema","prefixItems":[{"type":"string"}]}', [])).not.toThrow();
  });
});

describe('Protobuf', () => {
  const proto = (body: string, pkg = 'p') => `syntax = "proto3";\npackage ${pkg};\n${body}`;
  it('follows the wire format', () => {
    const base = proto('message M { int32 a = 1; string s = 2; }');
    expect(canRead(protobufFormat, proto('message M { int64 a = 1; bytes s = 2; }'), base)).toBe(true);
    expect(canRead(protobufFormat, proto('message M { string a = 1; string s = 2; }'), base)).toBe(false);
    expect(canRead(protobufFormat, proto('message M { sint32 a = 1; string s = 2; }'), base)).toBe(false);
    expect(canRead(protobufFormat, proto('message M { int32 a = 1; }'), base)).toBe(true); // field removed
    expect(canRead(protobufFormat, proto('message M { int32 a = 1; string s = 2; bool b = 3; }'), base)).toBe(true);
    expect(canRead(protobufFormat, proto('message M { repeated int32 a = 1; string s = 2; }'), base)).toBe(false);
    expect(canRead(protobufFormat, proto('message N { int32 a = 1; }'), base)).toBe(false); // message removed
    expect(canRead(protobufFormat, proto('message M { int32 a = 1; string s = 2; }', 'q'), base)).toBe(false);
    const nested = proto('message M { N n = 1; } message N { int32 x = 1; } message O { int32 x = 1; }');
    expect(canRead(protobufFormat, proto('message M { O n = 1; } message N { int32 x = 1; } message O { int32 x = 1; }'), nested)).toBe(false);
  });
  it('refuses invalid schemas and unresolved imports, takes well-known types', () => {
    expect(() => protobufFormat.parse('message {', [])).toThrow(InvalidSchemaError);
    expect(() => protobufFormat.parse(proto('message M { Missing m = 1; }'), [])).toThrow(InvalidSchemaError);
    expect(() => protobufFormat.parse(proto('import "other.proto";\nmessage M { int32 a = 1; }'), [])).toThrow(InvalidSchemaError);
    expect(() => protobufFormat.parse(proto('import "google/protobuf/timestamp.proto";\nmessage M { google.protobuf.Timestamp t = 1; }'), [])).not.toThrow();
    const other = proto('message Other { int32 x = 1; }');
    expect(() => protobufFormat.parse(proto('import "other.proto";\nmessage M { Other o = 1; }'), [{ name: 'other.proto', schema: other }])).not.toThrow();
  });
});

describe('decoding serialized values (the console)', () => {
  it('reads Avro binary as Avro\'s JSON encoding', () => {
    const schema = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'n', type: 'long' }, { name: 'tag', type: ['null', 'string'] }] });
    const type = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
    expect(avroFormat.parse(schema, []).decode(type.toBuffer({ n: 5, tag: 'x' }))).toEqual({ n: 5, tag: { string: 'x' } });
    expect(() => avroFormat.parse(schema, []).decode(Buffer.from([0xff]))).toThrow();
  });

  it('reads a JSON Schema value as its JSON document', () => {
    expect(jsonSchemaFormat.parse('{"type":"object"}', []).decode(Buffer.from('{"a":[1,2]}'))).toEqual({ a: [1, 2] });
  });

  it('follows Confluent\'s Protobuf message indexes, nested ones included', () => {
    const text = 'syntax = "proto3";\npackage p;\nmessage A { string a = 1; }\nmessage B { message Inner { int32 i = 1; } string b = 1; }\n';
    const root = protobuf.parse(text).root;
    const parsed = protobufFormat.parse(text, []);
    const bytesOf = (name: string, value: object) => Buffer.from(root.lookupType(name).encode(value).finish());
    // A count of 0 stands for [0], the first message type.
    expect(parsed.decode(Buffer.concat([Buffer.from([0]), bytesOf('p.A', { a: 'first' })]))).toEqual({ a: 'first' });
    // Zigzag varints: count 1, index 1 (B); count 2, indexes 1, 0 (B.Inner).
    expect(parsed.decode(Buffer.concat([Buffer.from([2, 2]), bytesOf('p.B', { b: 'second' })]))).toEqual({ b: 'second' });
    expect(parsed.decode(Buffer.concat([Buffer.from([4, 2, 0]), bytesOf('p.B.Inner', { i: 7 })]))).toEqual({ i: 7 });
    expect(() => parsed.decode(Buffer.from([2, 6]))).toThrow('message index 3 names no message type of the schema');
  });
});
