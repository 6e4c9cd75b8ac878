// Compiles a message definition, for one version, into specialized decode/encode functions.
// The generated JavaScript reads and writes the fields of exactly that version in order, with
// no per-field schema interpretation at run time. Compiled once per (message, version), cached
// by the caller (see messages.ts).
import { ProtocolError } from '../protocol-error.js';
import { Reader, ZERO_UUID } from './reader.js';
import { Writer } from './writer.js';
import { inRange, type FieldDef, type MessageDef } from './schema-types.js';

export interface MessageCodec<T = unknown> {
  decode(r: Reader): T;
  encode(w: Writer, value: T): void;
}

const EMPTY = Buffer.alloc(0);

class CodeGen {
  private readonly fns: string[] = [];
  /** Structs used as tagged fields: their default encoding D<id> is computed once. */
  private readonly defaultBytes = new Set<number>();
  private next = 0;

  constructor(
    private readonly version: number,
    private readonly flexible: boolean,
    private readonly where: string,
  ) {}

  build(fields: FieldDef[]): MessageCodec {
    const id = this.struct(fields, this.where);
    const defaults = [...this.defaultBytes].map(
      (sid) => `const D${sid} = (() => { const s = new Writer(64); e${sid}(s, z${sid}()); return s.toBuffer(); })();`,
    );
    const body = `${this.fns.join('\n')}\n${defaults.join('\n')}\nreturn { decode: d${id}, encode: e${id} };`;
    const factory = new Function('PE', 'Writer', 'ZERO_UUID', 'EMPTY', body) as (...a: unknown[]) => MessageCodec;
    return factory(ProtocolError, Writer, ZERO_UUID, EMPTY);
  }

  /** Emits d<id>/e<id>/z<id> (decode, encode, defaults) for a struct; returns id. */
  private struct(all: FieldDef[], path: string): number {
    const id = this.next++;
    const v = this.version;
    const present = all.filter((f) => inRange(f.versions, v));
    const isTagged = (f: FieldDef): boolean => this.flexible && f.tag !== undefined && inRange(f.tagged, v);
    const regular = present.filter((f) => !isTagged(f));
    const tagged = present.filter(isTagged).sort((a, b) => a.tag! - b.tag!);

    // Defaults object: every field of the definition, so decoded values have one shape. It is made
    // by a constructor, not an object literal: once a literal's objects had outlived scavenges
    // (decoded Metadata requests waiting on auto-created topics), V8 pretenured its allocation site,
    // and every later decode there went straight to the old generation, keeping its young fields
    // alive through each scavenge until a mark-compact. Objects made by `new` were not pretenured
    // so (test/bench/NOTES.md, "Dec 7, evening").
    const defaults = all.map((f) => `this${prop(f)} = ${this.defaultExpr(f, path)};`);
    this.fns.push(`function Z${id}() { ${defaults.join(' ')} }`, `function z${id}() { return new Z${id}(); }`);

    const dec: string[] = [`const o = z${id}();`];
    for (const f of regular) dec.push(this.decodeInto(`o${prop(f)}`, f, path));
    if (this.flexible) {
      const cases = tagged.map(
        (f) => `case ${f.tag}: { ${this.decodeInto(`o${prop(f)}`, f, path)} break; }`,
      );
      dec.push(
        `for (let n = r.uvarint(); n > 0; n--) {`,
        `  const tag = r.uvarint(); const size = r.uvarint(); const end = r.pos + size;`,
        `  if (size > r.remaining) throw new PE('tagged field ' + tag + ' overruns ${path}');`,
        `  switch (tag) { ${cases.join(' ')} default: r.skip(size); }`,
        `  if (r.pos !== end) throw new PE('tagged field ' + tag + ' has wrong size in ${path}');`,
        `}`,
      );
    }
    this.fns.push(`function d${id}(r) {\n${dec.join('\n')}\nreturn o;\n}`);

    const enc: string[] = [];
    for (const f of regular) {
      enc.push(`{ let x = v${prop(f)}; if (x === undefined) x = ${this.defaultExpr(f, path)};`);
      enc.push(this.encodeValue('w', 'x', f, path), '}');
    }
    if (this.flexible) {
      // Like Kafka, a tagged field is written only when it differs from its default; a struct
      // differs when its encoding differs from the encoding of the default struct.
      enc.push('let tags = 0;');
      tagged.forEach((f, i) => {
        const sid = this.isPlainStruct(f) ? this.structFor(f, path) : -1;
        if (sid >= 0) this.defaultBytes.add(sid);
        const same = sid >= 0 ? ` if (b${i}.equals(D${sid})) b${i} = null;` : '';
        enc.push(
          `const t${i} = v${prop(f)}; let b${i} = null;`,
          `if (${this.notDefault(`t${i}`, f)}) { const s = new Writer(64); ${this.encodeValue('s', `t${i}`, f, path)} b${i} = s.toBuffer();${same} }`,
          `if (b${i} !== null) tags++;`,
        );
      });
      enc.push('w.uvarint(tags);');
      tagged.forEach((f, i) => {
        enc.push(`if (b${i} !== null) { w.uvarint(${f.tag}); w.uvarint(b${i}.length); w.raw(b${i}); }`);
      });
    }
    this.fns.push(`function e${id}(w, v) {\n${enc.join('\n')}\n}`);
    return id;
  }

  private compact(f: FieldDef): boolean {
    return this.flexible && (f.flexible === undefined || inRange(f.flexible, this.version));
  }

  private nullable(f: FieldDef): boolean {
    return inRange(f.nullable, this.version);
  }

  private defaultExpr(f: FieldDef, path: string): string {
    if (f.default !== undefined && !(f.type === 'struct' && f.default === null && !f.array)) {
      return JSON.stringify(f.default);
    }
    if (f.array) return '[]';
    switch (f.type) {
      case 'bool':
        return 'false';
      case 'string':
        return "''";
      case 'uuid':
        return 'ZERO_UUID';
      case 'bytes':
        return 'EMPTY';
      case 'records':
        return 'null';
      case 'struct':
        if (this.nullable(f)) return 'null';
        return `z${this.structFor(f, path)}()`;
      default:
        return '0';
    }
  }

  /** Nested struct functions are generated once per field and reused. */
  private readonly structIds = new Map<FieldDef, number>();
  private structFor(f: FieldDef, path: string): number {
    let id = this.structIds.get(f);
    if (id === undefined) {
      id = this.struct(f.fields ?? [], `${path}.${f.name}`);
      this.structIds.set(f, id);
    }
    return id;
  }

  private isPlainStruct(f: FieldDef): boolean {
    return f.type === 'struct' && !f.array && !this.nullable(f);
  }

  /** Whether a tagged value must be written (undefined means absent: the default). */
  private notDefault(x: string, f: FieldDef): string {
    if (f.array || f.type === 'bytes' || f.type === 'records') {
      if (f.default === null) return `(${x} != null)`;
      const nonEmpty = `(${x} != null && ${x}.length > 0)`;
      return this.nullable(f) ? `(${x} === null || ${nonEmpty})` : nonEmpty;
    }
    if (f.type === 'struct') return `(${x} != null)`;
    const d = f.default !== undefined ? JSON.stringify(f.default) : this.defaultExpr(f, '');
    return `(${x} !== undefined && ${x} !== ${d})`;
  }

  private decodeInto(target: string, f: FieldDef, path: string): string {
    const nullable = this.nullable(f);
    if (f.array) {
      const len = this.compact(f) ? 'r.compactArrayLength()' : 'r.arrayLength()';
      const nullCase = nullable
        ? `${target} = null;`
        : `throw new PE('null array ${path}.${f.name}');`;
      return (
        `{ const n = ${len}; if (n < 0) { ${nullCase} } else { const a = new Array(n);` +
        ` for (let i = 0; i < n; i++) a[i] = ${this.decodeElem(f, path)}; ${target} = a; } }`
      );
    }
    if (f.type === 'struct' && nullable) {
      return `if (r.int8() < 0) ${target} = null; else ${target} = d${this.structFor(f, path)}(r);`;
    }
    return `${target} = ${this.decodeElem(f, path)};`;
  }

  private decodeElem(f: FieldDef, path: string): string {
    const c = this.compact(f);
    const n = !f.array && this.nullable(f);
    switch (f.type) {
      case 'struct':
        return `d${this.structFor(f, path)}(r)`;
      case 'string':
        return `r.${c ? (n ? 'compactNullableString' : 'compactString') : n ? 'nullableString' : 'string'}()`;
      case 'bytes':
        return `r.${c ? (n ? 'compactNullableBytes' : 'compactBytes') : n ? 'nullableBytes' : 'bytes'}()`;
      case 'records':
        return `r.${c ? 'compactNullableBytes' : 'nullableBytes'}()`;
      default:
        return `r.${f.type}()`;
    }
  }

  private encodeValue(w: string, x: string, f: FieldDef, path: string): string {
    const nullable = this.nullable(f);
    const nullErr = `throw new PE('${path}.${f.name} is not nullable in v${this.version}');`;
    if (f.array) {
      const c = this.compact(f);
      const writeNull = c ? `${w}.uvarint(0);` : `${w}.int32(-1);`;
      const writeLen = c ? `${w}.uvarint(${x}.length + 1);` : `${w}.int32(${x}.length);`;
      return (
        `if (${x} === null) { ${nullable ? writeNull : nullErr} } else { ${writeLen}` +
        ` for (let i = 0; i < ${x}.length; i++) { const el = ${x}[i]; ${this.encodeElem(w, 'el', f, path, false)} } }`
      );
    }
    if (f.type === 'struct' && nullable) {
      return `if (${x} === null) ${w}.int8(-1); else { ${w}.int8(1); e${this.structFor(f, path)}(${w}, ${x}); }`;
    }
    return this.encodeElem(w, x, f, path, nullable);
  }

  private encodeElem(w: string, x: string, f: FieldDef, path: string, nullable: boolean): string {
    const c = this.compact(f);
    const guard = nullable ? '' : `if (${x} === null) throw new PE('${path}.${f.name} is not nullable in v${this.version}'); `;
    switch (f.type) {
      case 'struct':
        return `${guard}e${this.structFor(f, path)}(${w}, ${x});`;
      case 'string':
        return `${guard}${w}.${c ? (nullable ? 'compactNullableString' : 'compactString') : nullable ? 'nullableString' : 'string'}(${x});`;
      case 'bytes':
        return `${guard}${w}.${c ? (nullable ? 'compactNullableBytes' : 'compactBytes') : nullable ? 'nullableBytes' : 'bytes'}(${x});`;
      case 'records':
        return `${w}.records(${x}, ${c});`;
      default:
        return `${w}.${f.type}(${x});`;
    }
  }
}

const key = (f: FieldDef): string => JSON.stringify(f.name);
const prop = (f: FieldDef): string => `[${key(f)}]`;

export function compileMessage<T>(def: MessageDef, version: number, flexible: boolean): MessageCodec<T> {
  return new CodeGen(version, flexible, `${def.name}v${version}`).build(def.fields) as MessageCodec<T>;
}
