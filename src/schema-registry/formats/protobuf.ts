// Protobuf: protobufjs parses the .proto text (referenced schemas, named as the import statements
// name them, are parsed into the same root first) and resolves every type. Compatibility follows
// the wire format, with the rules Confluent's registry applies: the package and syntax stay, no
// message type disappears, and a field number keeps a wire-compatible kind (scalars within their
// wire-compatible group, the same message or enum type, map stays map, repeated stays repeated);
// proto2 required fields are neither added nor removed. Removing or adding optional fields is
// compatible (unknown fields are skipped, missing ones take defaults).
import type * as protobuf from 'protobufjs';
import { onFirstUse } from '../../../protocol/load-on-first-use.js';
import { InvalidSchemaError, type ParsedSchema, type ResolvedReference, type SchemaFormat } from './format.js';

const protobufjs = onFirstUse<typeof protobuf>('protobufjs');

/** Scalars that decode each other's bytes (protobuf's documented compatible changes). */
const WIRE_GROUPS: readonly (readonly string[])[] = [
  ['int32', 'uint32', 'int64', 'uint64', 'bool'],
  ['sint32', 'sint64'],
  ['fixed32', 'sfixed32'],
  ['fixed64', 'sfixed64'],
  ['string', 'bytes'],
  ['float'],
  ['double'],
];

interface FieldShape {
  name: string;
  /** scalar:<type>, message:<full name>, enum (enums are varints: int-compatible), map:<key>:<value shape>. */
  kind: string;
  repeated: boolean;
  required: boolean;
  oneof: string | undefined;
}

class ProtobufSchema implements ParsedSchema {
  constructor(
    readonly pkg: string,
    readonly syntax: string,
    readonly messages: ReadonlyMap<string, ReadonlyMap<number, FieldShape>>,
    readonly canonical: string,
    /** The message types the schema declares at top level, in declaration order (Confluent's message indexes count them). */
    private readonly topLevel: readonly protobuf.Type[],
  ) {}

  decode(payload: Buffer): unknown {
    // Confluent's framing: a zigzag varint count of message indexes, then the indexes (a path
    // through nested types); a count of 0 stands for [0], the first message type.
    const reader = protobufjs().Reader.create(payload);
    const count = reader.sint32();
    const path = count === 0 ? [0] : Array.from({ length: count }, () => reader.sint32());
    let candidates = this.topLevel;
    let type: protobuf.Type | undefined;
    for (const index of path) {
      type = candidates[index];
      if (type === undefined) throw new Error(`message index ${index} names no message type of the schema`);
      candidates = type.nestedArray.filter((n): n is protobuf.Type => n instanceof protobufjs().Type);
    }
    const message = type!.decode(payload.subarray(reader.pos));
    return type!.toObject(message, { longs: String, enums: String, bytes: String, oneofs: true });
  }

  readIncompatibilities(writer: ParsedSchema): string[] {
    if (!(writer instanceof ProtobufSchema)) return ['the previous schema is not a Protobuf schema'];
    const errors: string[] = [];
    if (writer.pkg !== this.pkg) errors.push(`PACKAGE_CHANGED: ${writer.pkg || '(none)'} -> ${this.pkg || '(none)'}`);
    if (writer.syntax !== this.syntax) errors.push(`SYNTAX_VERSION_CHANGED: ${writer.syntax} -> ${this.syntax}`);
    for (const [message, writerFields] of writer.messages) {
      const readerFields = this.messages.get(message);
      if (readerFields === undefined) {
        errors.push(`MESSAGE_REMOVED: ${message}`);
        continue;
      }
      for (const [id, w] of writerFields) {
        const r = readerFields.get(id);
        if (r === undefined) {
          if (w.required) errors.push(`REQUIRED_FIELD_REMOVED: ${message}.${w.name} (${id})`);
          continue;
        }
        if (w.repeated !== r.repeated) errors.push(`FIELD_KIND_CHANGED: ${message}.${r.name} (${id}) repeated changed`);
        else if (!kindsCompatible(w.kind, r.kind)) errors.push(`FIELD_KIND_CHANGED: ${message}.${r.name} (${id}) ${w.kind} -> ${r.kind}`);
      }
      for (const [id, r] of readerFields) if (r.required && !writerFields.has(id)) errors.push(`REQUIRED_FIELD_ADDED: ${message}.${r.name} (${id})`);
      const movedToOneof = [...readerFields].filter(([id, r]) => r.oneof !== undefined && writerFields.has(id) && writerFields.get(id)!.oneof === undefined);
      if (movedToOneof.length > 1) errors.push(`MULTIPLE_FIELDS_MOVED_TO_ONEOF: ${message} (${movedToOneof.map(([id]) => id).join(', ')})`);
    }
    return errors;
  }
}

function kindsCompatible(a: string, b: string): boolean {
  if (a === b) return true;
  const scalar = (k: string): string | undefined => (k === 'enum' ? 'int32' : k.startsWith('scalar:') ? k.slice(7) : undefined);
  const sa = scalar(a);
  const sb = scalar(b);
  return sa !== undefined && sb !== undefined && WIRE_GROUPS.some((g) => g.includes(sa) && g.includes(sb));
}

function shapeOf(field: protobuf.Field): string {
  const resolved = field.resolvedType;
  const kind = resolved instanceof protobufjs().Enum ? 'enum' : resolved instanceof protobufjs().Type ? `message:${resolved.fullName}` : `scalar:${field.type}`;
  return field.map ? `map:${(field as unknown as protobuf.MapField).keyType}:${kind}` : kind;
}

function collectMessages(ns: protobuf.NamespaceBase, out: Map<string, Map<number, FieldShape>>, local: Set<string>): void {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobufjs().Type && local.has(nested.fullName)) {
      const fields = new Map<number, FieldShape>();
      for (const f of nested.fieldsArray) {
        fields.set(f.id, { name: f.name, kind: shapeOf(f), repeated: f.repeated, required: f.required, oneof: f.partOf?.name });
      }
      out.set(nested.fullName, fields);
    }
    if (nested instanceof protobufjs().Namespace || nested instanceof protobufjs().Type) collectMessages(nested, out, local);
  }
}

function typeNames(ns: protobuf.NamespaceBase, out: Set<string>): Set<string> {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobufjs().Type) out.add(nested.fullName);
    if (nested instanceof protobufjs().Namespace || nested instanceof protobufjs().Type) typeNames(nested, out);
  }
  return out;
}

export const protobufFormat: SchemaFormat = {
  type: 'PROTOBUF',
  parse(schema: string, references: readonly ResolvedReference[]): ParsedSchema {
    try {
      const root = new (protobufjs().Root)();
      for (const ref of references) protobufjs().parse(ref.schema, root, { keepCase: true });
      const fromReferences = typeNames(root, new Set());
      const parsed = protobufjs().parse(schema, root, { keepCase: true });
      for (const imported of parsed.imports ?? []) {
        if (references.some((r) => r.name === imported)) continue;
        // Well-known types (google/protobuf/timestamp.proto, ...) ship with protobufjs.
        const wellKnown = protobufjs().common.get(imported);
        if (wellKnown === null) throw new Error(`import "${imported}" is not among the schema's references`);
        root.addJSON(wellKnown.nested ?? {});
      }
      root.resolveAll();
      const local = new Set([...typeNames(root, new Set())].filter((n) => !fromReferences.has(n) && !n.startsWith('.google.protobuf.')));
      const messages = new Map<string, Map<number, FieldShape>>();
      collectMessages(root, messages, local);
      const syntax = /^\s*syntax\s*=\s*["'](proto[23])["']/m.exec(schema)?.[1] ?? 'proto2';
      const home = parsed.package === undefined ? root : root.lookup(parsed.package);
      const topLevel = home instanceof protobufjs().Namespace || home instanceof protobufjs().Root ? home.nestedArray.filter((n): n is protobuf.Type => n instanceof protobufjs().Type && local.has(n.fullName)) : [];
      return new ProtobufSchema(parsed.package ?? '', syntax, messages, canonicalProto(schema), topLevel);
    } catch (err) {
      throw new InvalidSchemaError(`Invalid schema ${schema}: ${(err as Error).message}`);
    }
  },
};

/** The text without comments and with whitespace collapsed, so formatting does not make schemas differ. */
function canonicalProto(schema: string): string {
  return schema
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};=<>,()[\]])\s*/g, '$1')
    .trim();
}
