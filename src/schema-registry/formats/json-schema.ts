// JSON Schema: Ajv decides validity (the schema against its draft's meta-schema, and that it
// compiles with its references); compatibility is decided here, structurally: a reader can read
// a writer's data when every document the writer schema accepts, the reader schema accepts too.
// Checked per keyword (types, enum/const, numeric/string/array bounds, required properties,
// properties and closed or open content models, anyOf/oneOf branches, allOf parts, $ref) and
// conservative where a keyword's languages cannot be compared (a changed pattern is a change).
import type { Ajv, AnySchema } from 'ajv';
import type * as Ajv2019Module from 'ajv/dist/2019.js';
import type * as Ajv2020Module from 'ajv/dist/2020.js';
import { isDeepStrictEqual } from 'node:util';
import { onFirstUse } from '../../../protocol/load-on-first-use.js';
import { InvalidSchemaError, type ParsedSchema, type ResolvedReference, type SchemaFormat } from './format.js';

const ajvDraft7 = onFirstUse<typeof import('ajv')>('ajv');
const ajvDraft2019 = onFirstUse<typeof Ajv2019Module>('ajv/dist/2019.js');
const ajvDraft2020 = onFirstUse<typeof Ajv2020Module>('ajv/dist/2020.js');

type Schema = boolean | { [keyword: string]: unknown };
type Obj = { [keyword: string]: unknown };

function newAjv(schema: Schema): Ajv {
  const draft = typeof schema === 'object' && typeof schema.$schema === 'string' ? schema.$schema : '';
  const options = { strict: false, logger: false as const, validateFormats: false };
  if (draft.includes('2020-12')) return new (ajvDraft2020().Ajv2020)(options);
  if (draft.includes('2019-09')) return new (ajvDraft2019().Ajv2019)(options);
  return new (ajvDraft7().Ajv)(options);
}

class JsonSchema implements ParsedSchema {
  constructor(
    readonly root: Schema,
    readonly references: ReadonlyMap<string, Schema>,
    readonly canonical: string,
  ) {}

  readIncompatibilities(writer: ParsedSchema): string[] {
    if (!(writer instanceof JsonSchema)) return ['the previous schema is not a JSON schema'];
    const errors: string[] = [];
    new SubsetCheck(writer, this, errors).check(writer.root, this.root, '#');
    return errors;
  }

  decode(payload: Buffer): unknown {
    return JSON.parse(payload.toString('utf8')) as unknown;
  }
}

export const jsonSchemaFormat: SchemaFormat = {
  type: 'JSON',
  parse(schema: string, references: readonly ResolvedReference[]): ParsedSchema {
    let root: Schema;
    const refs = new Map<string, Schema>();
    try {
      root = JSON.parse(schema) as Schema;
      if (typeof root !== 'boolean' && (typeof root !== 'object' || root === null || Array.isArray(root))) throw new Error('a JSON schema is an object or a boolean');
      const ajv = newAjv(root);
      for (const ref of references) {
        const parsed = JSON.parse(ref.schema) as Schema;
        refs.set(ref.name, parsed);
        ajv.addSchema(parsed as AnySchema, ref.name);
      }
      if (!ajv.validateSchema(root as AnySchema)) throw new Error(ajv.errorsText(ajv.errors));
      ajv.compile(root as AnySchema);
    } catch (err) {
      throw new InvalidSchemaError(`Invalid schema ${schema}: ${(err as Error).message}`);
    }
    return new JsonSchema(root, refs, canonicalJson(root));
  },
};

/** JSON with object keys sorted, so that key order does not make two schemas differ. */
function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Obj)[k])])) : v;
  return JSON.stringify(sort(value));
}

const TYPES = ['null', 'boolean', 'object', 'array', 'number', 'integer', 'string'] as const;

/** Collects why some document valid under the writer schema is invalid under the reader schema. */
class SubsetCheck {
  /** Pairs of schemas being compared, so recursive $refs end. */
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly writer: JsonSchema,
    private readonly reader: JsonSchema,
    private readonly errors: string[],
  ) {}

  check(w: Schema, r: Schema, path: string): void {
    if (r === true || w === false) return;
    if (r === false) return this.fail(path, 'the reader accepts nothing here');
    const wo: Obj = w === true ? {} : this.deref(w, this.writer);
    const ro: Obj = this.deref(r, this.reader);
    if (Object.keys(ro).length === 0) return;
    const key = `${path}|${JSON.stringify(wo)}|${JSON.stringify(ro)}`;
    if (this.inProgress.has(key)) return;
    this.inProgress.add(key);
    try {
      this.checkObjects(wo, ro, path);
    } finally {
      this.inProgress.delete(key);
    }
  }

  private checkObjects(w: Obj, r: Obj, path: string): void {
    const rBranches = (r.anyOf ?? r.oneOf) as Schema[] | undefined;
    const wBranches = (w.anyOf ?? w.oneOf) as Schema[] | undefined;
    if (wBranches !== undefined) {
      // Every document of a writer branch (narrowed by the writer's other keywords) must fit.
      const rest = withoutKeys(w, ['anyOf', 'oneOf']);
      wBranches.forEach((b, i) => this.check(typeof b === 'boolean' ? b && rest : { allOf: [rest, b] }, r, `${path}/${w.anyOf ? 'anyOf' : 'oneOf'}/${i}`));
      return;
    }
    if (w.allOf !== undefined) {
      // The writer's documents fit every part: the reader is satisfied if one part, or the
      // writer's own keywords, already are.
      const parts = [withoutKeys(w, ['allOf']), ...(w.allOf as Schema[])];
      const fits = parts.some((p) => this.errorsOf(p, r, path).length === 0);
      if (!fits) this.errors.push(...this.errorsOf(parts[0]!, r, path));
      return;
    }
    if (rBranches !== undefined) {
      const fits = rBranches.some((b) => this.errorsOf(w, b, path).length === 0);
      if (!fits) this.fail(path, `no ${r.anyOf ? 'anyOf' : 'oneOf'} branch of the reader accepts the writer's documents`);
    }
    if (r.allOf !== undefined) (r.allOf as Schema[]).forEach((p, i) => this.check(w, p, `${path}/allOf/${i}`));
    if (r.not !== undefined && !isDeepStrictEqual(r.not, w.not)) this.fail(path, 'the reader\'s "not" changed');
    this.checkTypes(w, r, path);
    this.checkValues(w, r, path);
    const can = (t: string): boolean => {
      const types = typesOf(w);
      return types === undefined || types.includes(t) || (t === 'number' && types.includes('integer'));
    };
    if (can('number')) this.checkNumbers(w, r, path);
    if (can('string')) this.checkStrings(w, r, path);
    if (can('array')) this.checkArrays(w, r, path);
    if (can('object')) this.checkObjectsKeywords(w, r, path);
  }

  private checkTypes(w: Obj, r: Obj, path: string): void {
    const rTypes = typesOf(r);
    if (rTypes === undefined) return;
    const wTypes = typesOf(w) ?? TYPES;
    for (const t of wTypes) {
      if (rTypes.includes(t) || (t === 'integer' && rTypes.includes('number'))) continue;
      if (w.enum !== undefined || w.const !== undefined) continue; // the values are checked below
      this.fail(path, `type ${t} is no longer accepted (reader types: ${rTypes.join(', ')})`);
    }
  }

  private checkValues(w: Obj, r: Obj, path: string): void {
    const wValues = w.const !== undefined ? [w.const] : (w.enum as unknown[] | undefined);
    const rTypes = typesOf(r);
    if (wValues !== undefined && rTypes !== undefined) {
      for (const v of wValues) if (!rTypes.includes(jsonTypeOf(v)) && !(jsonTypeOf(v) === 'integer' && rTypes.includes('number'))) this.fail(path, `value ${JSON.stringify(v)} has a type the reader refuses`);
    }
    const rValues = r.const !== undefined ? [r.const] : (r.enum as unknown[] | undefined);
    if (rValues === undefined) return;
    if (wValues === undefined) return this.fail(path, 'the reader restricts the values (enum/const) where the writer did not');
    for (const v of wValues) if (!rValues.some((x) => isDeepStrictEqual(x, v))) this.fail(path, `value ${JSON.stringify(v)} is no longer accepted`);
  }

  private checkNumbers(w: Obj, r: Obj, path: string): void {
    const lower = (s: Obj): number | undefined => maxOf(num(s.minimum), num(s.exclusiveMinimum));
    const upper = (s: Obj): number | undefined => minOf(num(s.maximum), num(s.exclusiveMaximum));
    this.bound(path, 'minimum', lower(w), lower(r), 'lower');
    this.bound(path, 'maximum', upper(w), upper(r), 'upper');
    const rm = num(r.multipleOf);
    const wm = num(w.multipleOf);
    if (rm !== undefined && (wm === undefined || !Number.isInteger(wm / rm))) this.fail(path, `multipleOf ${rm} is stricter than the writer's`);
  }

  private checkStrings(w: Obj, r: Obj, path: string): void {
    this.bound(path, 'minLength', num(w.minLength), num(r.minLength), 'lower');
    this.bound(path, 'maxLength', num(w.maxLength), num(r.maxLength), 'upper');
    if (r.pattern !== undefined && r.pattern !== w.pattern) this.fail(path, `pattern ${String(r.pattern)} differs from the writer's`);
    if (r.format !== undefined && r.format !== w.format) this.fail(path, `format ${String(r.format)} differs from the writer's`);
  }

  private checkArrays(w: Obj, r: Obj, path: string): void {
    this.bound(path, 'minItems', num(w.minItems), num(r.minItems), 'lower');
    this.bound(path, 'maxItems', num(w.maxItems), num(r.maxItems), 'upper');
    if (r.uniqueItems === true && w.uniqueItems !== true) this.fail(path, 'the reader requires unique items');
    const tuple = (s: Obj): unknown => s.prefixItems ?? (Array.isArray(s.items) ? s.items : undefined);
    if (tuple(w) !== undefined || tuple(r) !== undefined) {
      if (!isDeepStrictEqual(tuple(w), tuple(r))) this.fail(path, 'tuple items changed');
      return;
    }
    if (r.items !== undefined) this.check((w.items as Schema | undefined) ?? true, r.items as Schema, `${path}/items`);
  }

  private checkObjectsKeywords(w: Obj, r: Obj, path: string): void {
    this.bound(path, 'minProperties', num(w.minProperties), num(r.minProperties), 'lower');
    this.bound(path, 'maxProperties', num(w.maxProperties), num(r.maxProperties), 'upper');
    const wRequired = (w.required as string[] | undefined) ?? [];
    for (const name of (r.required as string[] | undefined) ?? []) {
      if (!wRequired.includes(name)) this.fail(path, `property "${name}" is required by the reader but not by the writer`);
    }
    if (w.patternProperties !== undefined || r.patternProperties !== undefined) {
      if (!isDeepStrictEqual(w.patternProperties, r.patternProperties)) this.fail(path, 'patternProperties changed');
    }
    const wProps = (w.properties as Record<string, Schema> | undefined) ?? {};
    const rProps = (r.properties as Record<string, Schema> | undefined) ?? {};
    const wExtra = (w.additionalProperties as Schema | undefined) ?? true;
    const rExtra = (r.additionalProperties as Schema | undefined) ?? true;
    for (const [name, schema] of Object.entries(wProps)) this.check(schema, rProps[name] ?? rExtra, `${path}/properties/${name}`);
    // A property only the reader describes may come from the writer's open content.
    for (const [name, schema] of Object.entries(rProps)) if (!(name in wProps)) this.check(wExtra, schema, `${path}/properties/${name}`);
    this.check(wExtra, rExtra, `${path}/additionalProperties`);
  }

  /** The writer's bound must be at least as tight as the reader's. */
  private bound(path: string, keyword: string, w: number | undefined, r: number | undefined, side: 'lower' | 'upper'): void {
    if (r === undefined) return;
    if (w === undefined || (side === 'lower' ? w < r : w > r)) this.fail(path, `${keyword} ${r} is stricter than the writer's (${w ?? 'none'})`);
  }

  private errorsOf(w: Schema, r: Schema, path: string): string[] {
    const errors: string[] = [];
    new SubsetCheck(this.writer, this.reader, errors).check(w, r, path);
    return errors;
  }

  /** Follows $ref to local definitions and to referenced schemas; an unresolvable $ref stays as is. */
  private deref(s: Schema, side: JsonSchema): Obj {
    let current: Schema = s;
    for (let hops = 0; hops < 32 && typeof current === 'object' && typeof current.$ref === 'string'; hops++) {
      const target = resolveRef(current.$ref as string, side);
      if (target === undefined) break;
      current = typeof target === 'boolean' ? target : { ...withoutKeys(current, ['$ref']), ...target };
    }
    return current === true ? {} : current === false ? { not: {} } : current;
  }

  private fail(path: string, reason: string): void {
    this.errors.push(`${path}: ${reason}`);
  }
}

function resolveRef(ref: string, side: JsonSchema): Schema | undefined {
  const hash = ref.indexOf('#');
  const doc = hash === -1 ? ref : ref.slice(0, hash);
  const pointer = hash === -1 ? '' : ref.slice(hash + 1);
  const base = doc === '' ? side.root : side.references.get(doc);
  if (base === undefined) return undefined;
  let node: unknown = base;
  for (const part of pointer.split('/').filter((p) => p !== '')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Obj)[decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node === undefined ? undefined : (node as Schema);
}

function typesOf(s: Obj): readonly string[] | undefined {
  return typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? (s.type as string[]) : undefined;
}

function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function withoutKeys(s: Obj, keys: string[]): Obj {
  return Object.fromEntries(Object.entries(s).filter(([k]) => !keys.includes(k)));
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const maxOf = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.max(a, b));
const minOf = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
