// The schema registry's operations with Confluent Schema Registry's semantics and error codes:
// subjects with numbered versions, one global id per distinct schema, compatibility levels
// checked on registration, soft and permanent deletes, and modes. Writes are serialized; each
// appends to _schemas first and is applied to memory only once the log has it.
import type { Logger } from 'pino';
import type { ReplicaManager } from '../replica/replica-manager.js';
import type { TopicRegistry } from '../topics/topic-registry.js';
import { avroFormat } from './formats/avro.js';
import { InvalidSchemaError, SCHEMA_TYPES, type ParsedSchema, type ResolvedReference, type SchemaFormat, type SchemaType } from './formats/format.js';
import { jsonSchemaFormat } from './formats/json-schema.js';
import { protobufFormat } from './formats/protobuf.js';
import { SchemaStore, type SchemaReference, type SchemaVersion, type StoreRecord } from './schema-store.js';
import { SchemasTopic } from './schemas-topic.js';

export const COMPATIBILITY_LEVELS = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'] as const;
export const MODES = ['READWRITE', 'READONLY', 'IMPORT'] as const;
const DEFAULT_COMPATIBILITY = 'BACKWARD';
const DEFAULT_MODE = 'READWRITE';
const MAX_VERSION = 2 ** 31 - 1;

const FORMATS: Record<SchemaType, SchemaFormat> = { AVRO: avroFormat, JSON: jsonSchemaFormat, PROTOBUF: protobufFormat };

/** A failure with Confluent's HTTP status, error code and message. */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

const subjectNotFound = (subject: string): RegistryError => new RegistryError(404, 40401, `Subject '${subject}' not found.`);
const versionNotFound = (version: number): RegistryError => new RegistryError(404, 40402, `Version ${version} not found.`);
const schemaNotFound = (what = 'Schema not found'): RegistryError => new RegistryError(404, 40403, what);
const invalidSchema = (message: string): RegistryError => new RegistryError(422, 42201, message);

/** A schema as a client submits it. */
export interface SchemaInput {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
}

/** A version selector: a number, or "latest". */
export type VersionSelector = number | 'latest';

export class SchemaRegistry {
  private readonly store = new SchemaStore();
  /** Parsed schemas by id (the same text always parses the same). */
  private readonly parsed = new Map<number, ParsedSchema>();
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(private readonly topic: SchemasTopic) {}

  /** Reads _schemas back (the topic is created by the first write). */
  static async open(topics: TopicRegistry, replicas: ReplicaManager, log: Logger): Promise<SchemaRegistry> {
    const registry = new SchemaRegistry(new SchemasTopic(topics, replicas, log));
    const count = await registry.topic.replay((r) => registry.store.apply(r));
    log.info({ records: count, subjects: registry.store.subjectNames(false).length }, 'schema registry loaded');
    return registry;
  }

  // ---- reads ----

  subjects(deleted: boolean, prefix = ''): string[] {
    return this.store.subjectNames(deleted).filter((s) => s.startsWith(prefix));
  }

  versionNumbers(subject: string, deleted: boolean): number[] {
    const versions = this.store.versions(subject, deleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    return versions.map((v) => v.version);
  }

  version(subject: string, selector: VersionSelector, deleted = false): SchemaVersion {
    const versions = this.store.versions(subject, deleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    const found = selector === 'latest' ? versions.at(-1) : versions.find((v) => v.version === selector);
    if (found === undefined) throw versionNotFound(selector as number);
    return found;
  }

  schemaById(id: number): SchemaVersion {
    const found = this.store.versionsWithId(id)[0];
    if (found === undefined) throw schemaNotFound(`Schema ${id} not found`);
    return found;
  }

  /**
   * A value serialized with schema `id` (the bytes after Confluent's magic byte and id) as JSON
   * data; throws RegistryError 40403 for an unknown id, or the format's error for bytes it cannot read.
   */
  decode(id: number, payload: Buffer): { schemaType: string; subject: string; value: unknown } {
    const v = this.schemaById(id);
    return { schemaType: v.schemaType, subject: v.subject, value: this.parsedOf(v).decode(payload) };
  }

  /** The subject-versions that registered schema `id`. */
  subjectVersionsOf(id: number, deleted: boolean): { subject: string; version: number }[] {
    const all = this.store.versionsWithId(id);
    if (all.length === 0) throw schemaNotFound(`Schema ${id} not found`);
    return all.filter((v) => deleted || !v.deleted).map((v) => ({ subject: v.subject, version: v.version }));
  }

  referencedBy(subject: string, selector: VersionSelector): number[] {
    const v = this.version(subject, selector);
    return this.store.referencedBy(v.subject, v.version).map((r) => r.id);
  }

  /** The version of `subject` that holds this schema (POST /subjects/{subject}). */
  lookup(subject: string, input: SchemaInput, deleted: boolean): SchemaVersion {
    if (!this.store.hasSubject(subject)) throw subjectNotFound(subject);
    const parsed = this.parse(input);
    const found = this.store.versions(subject, deleted).find((v) => this.sameSchema(v, input, parsed));
    if (found === undefined) throw schemaNotFound();
    return found;
  }

  compatibilityLevel(subject: string | null): string | undefined {
    return this.store.compatibilityLevel(subject);
  }

  effectiveCompatibility(subject: string): string {
    return this.store.compatibilityLevel(subject) ?? this.store.compatibilityLevel(null) ?? DEFAULT_COMPATIBILITY;
  }

  mode(subject: string | null): string | undefined {
    return this.store.mode(subject);
  }

  effectiveMode(subject: string | null): string {
    return (subject === null ? undefined : this.store.mode(subject)) ?? this.store.mode(null) ?? DEFAULT_MODE;
  }

  /** Why `input` is not compatible with the versions the level compares it to (or only with `against`). */
  compatibilityErrors(subject: string, input: SchemaInput, against?: VersionSelector): string[] {
    const parsed = this.parse(input);
    const live = this.store.versions(subject, false);
    if (against !== undefined) {
      if (live.length === 0 && against === 'latest') return [];
      const one = this.version(subject, against);
      return this.incompatibilities(parsed, [one], this.effectiveCompatibility(subject).replace('_TRANSITIVE', ''));
    }
    return this.incompatibilities(parsed, live, this.effectiveCompatibility(subject));
  }

  // ---- writes ----

  /** POST /subjects/{subject}/versions: the id of the schema, registering a new version when needed. */
  register(subject: string, input: SchemaInput, imported?: { id?: number; version?: number }): Promise<number> {
    return this.serialized(async () => {
      const mode = this.effectiveMode(subject);
      if (mode === 'READONLY') throw new RegistryError(422, 42205, `Subject ${subject} is in read-only mode`);
      const importing = imported?.id !== undefined && imported.id >= 0;
      if (importing && mode !== 'IMPORT') throw new RegistryError(422, 42205, `Subject ${subject} is not in import mode`);
      const parsed = this.parse(input);
      const live = this.store.versions(subject, false);
      const existing = live.find((v) => this.sameSchema(v, input, parsed));
      if (existing !== undefined && !importing) return existing.id;
      if (mode !== 'IMPORT') {
        const level = this.effectiveCompatibility(subject);
        const errors = this.incompatibilities(parsed, live, level);
        if (errors.length > 0) {
          const latest = live.at(-1)!;
          throw new RegistryError(
            409,
            409,
            `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${errors.map((e) => `{errorType:'${e}'}`).join(', ')}, {oldSchemaVersion: ${latest.version}}, {oldSchema: '${latest.schema}'}, {compatibility: '${level}'}]`,
          );
        }
      }
      const all = this.store.versions(subject, true);
      const version = imported?.version ?? (all.at(-1)?.version ?? 0) + 1;
      if (importing && all.some((v) => v.version === version)) throw new RegistryError(422, 42202, `Version ${version} already exists for subject ${subject}`);
      const id = importing ? imported.id! : (this.store.allVersions().find((v) => this.sameSchema(v, input, parsed))?.id ?? this.store.nextId());
      if (importing) {
        const holder = this.store.versionsWithId(id)[0];
        if (holder !== undefined && !this.sameSchema(holder, input, parsed)) throw new RegistryError(422, 42207, `Overwrite new schema with id ${id} is not permitted.`);
      }
      const value: Record<string, unknown> = { subject, version, id, ...(input.schemaType === 'AVRO' ? {} : { schemaType: input.schemaType }), schema: input.schema, ...(input.references.length > 0 ? { references: input.references } : {}), deleted: false };
      await this.write([{ key: { keytype: 'SCHEMA', subject, version, magic: 1 }, value }]);
      this.parsed.set(id, parsed);
      return id;
    });
  }

  /** DELETE /subjects/{subject}: the versions deleted. */
  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.serialized(async () => {
      this.checkWritable(subject);
      const all = this.store.versions(subject, true);
      if (all.length === 0) throw subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      for (const v of live) this.checkUnreferenced(v);
      if (!permanent) {
        if (live.length === 0) throw new RegistryError(404, 40404, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`);
        await this.write(live.map((v) => this.softDeleted(v)));
        return live.map((v) => v.version);
      }
      if (live.length > 0) throw new RegistryError(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`);
      const records: StoreRecord[] = all.map((v) => ({ key: { keytype: 'SCHEMA', subject, version: v.version, magic: 1 }, value: null }));
      if (this.store.compatibilityLevel(subject) !== undefined) records.push({ key: { keytype: 'CONFIG', subject, magic: 0 }, value: null });
      if (this.store.mode(subject) !== undefined) records.push({ key: { keytype: 'MODE', subject, magic: 0 }, value: null });
      await this.write(records);
      return all.map((v) => v.version);
    });
  }

  /** DELETE /subjects/{subject}/versions/{version}: the version deleted. */
  deleteVersion(subject: string, selector: VersionSelector, permanent: boolean): Promise<number> {
    return this.serialized(async () => {
      this.checkWritable(subject);
      const all = this.store.versions(subject, true);
      if (all.length === 0) throw subjectNotFound(subject);
      const target = selector === 'latest' ? (permanent ? all : all.filter((v) => !v.deleted)).at(-1) : all.find((v) => v.version === selector);
      if (target === undefined) throw versionNotFound(selector === 'latest' ? -1 : selector);
      this.checkUnreferenced(target);
      if (!permanent) {
        if (target.deleted) throw new RegistryError(404, 40406, `Subject '${subject}' Version ${target.version} was soft deleted.Set permanent=true to delete permanently`);
        await this.write([this.softDeleted(target)]);
      } else {
        if (!target.deleted) throw new RegistryError(404, 40407, `Subject '${subject}' Version ${target.version} was not deleted first before being permanently deleted`);
        await this.write([{ key: { keytype: 'SCHEMA', subject, version: target.version, magic: 1 }, value: null }]);
      }
      return target.version;
    });
  }

  /** PUT /config[/{subject}]. */
  setCompatibility(subject: string | null, level: string): Promise<void> {
    return this.serialized(() => this.write([{ key: { keytype: 'CONFIG', subject, magic: 0 }, value: { compatibilityLevel: level } }]));
  }

  /** DELETE /config[/{subject}]: the level that was set. */
  deleteCompatibility(subject: string | null): Promise<string> {
    return this.serialized(async () => {
      const previous = this.store.compatibilityLevel(subject);
      if (subject !== null && !this.store.hasSubject(subject)) throw subjectNotFound(subject);
      if (previous !== undefined) await this.write([{ key: { keytype: 'CONFIG', subject, magic: 0 }, value: null }]);
      return previous ?? (subject === null ? DEFAULT_COMPATIBILITY : this.effectiveCompatibility(subject));
    });
  }

  /** PUT /mode[/{subject}]. */
  setMode(subject: string | null, mode: string, force: boolean): Promise<void> {
    return this.serialized(async () => {
      if (mode === 'IMPORT' && !force && (subject === null ? this.store.subjectNames(false).length > 0 : this.store.versions(subject, false).length > 0)) {
        throw new RegistryError(422, 42205, 'Cannot import since found existing subjects');
      }
      await this.write([{ key: { keytype: 'MODE', subject, magic: 0 }, value: { mode } }]);
    });
  }

  /** DELETE /mode/{subject}: the mode that was set. */
  deleteMode(subject: string): Promise<string> {
    return this.serialized(async () => {
      const previous = this.effectiveMode(subject);
      if (this.store.mode(subject) !== undefined) await this.write([{ key: { keytype: 'MODE', subject, magic: 0 }, value: null }]);
      return previous;
    });
  }

  // ---- internals ----

  private parse(input: SchemaInput): ParsedSchema {
    const format = FORMATS[input.schemaType];
    if (format === undefined) throw invalidSchema(`Invalid schema type ${String(input.schemaType)}; supported: ${SCHEMA_TYPES.join(', ')}`);
    const references = this.resolveReferences(input.references, new Set());
    try {
      return format.parse(input.schema, references);
    } catch (err) {
      if (err instanceof InvalidSchemaError) throw invalidSchema(err.message);
      throw err;
    }
  }

  /** The referenced schemas' texts, dependencies first. */
  private resolveReferences(references: readonly SchemaReference[], seen: Set<string>): ResolvedReference[] {
    const out: ResolvedReference[] = [];
    for (const ref of references) {
      const key = `${ref.subject}/${ref.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let target: SchemaVersion;
      try {
        target = this.version(ref.subject, ref.version === -1 ? 'latest' : ref.version, true);
      } catch {
        throw invalidSchema(`Invalid schema: reference ${ref.name} to subject ${ref.subject} version ${ref.version} not found`);
      }
      out.push(...this.resolveReferences(target.references, seen), { name: ref.name, schema: target.schema });
    }
    return out;
  }

  private parsedOf(v: SchemaVersion): ParsedSchema {
    let parsed = this.parsed.get(v.id);
    if (parsed === undefined) {
      parsed = this.parse({ schema: v.schema, schemaType: v.schemaType, references: v.references });
      this.parsed.set(v.id, parsed);
    }
    return parsed;
  }

  private sameSchema(v: SchemaVersion, input: SchemaInput, parsed: ParsedSchema): boolean {
    if (v.schemaType !== input.schemaType) return false;
    const refs = (r: SchemaReference[]): string => JSON.stringify(r.map((x) => [x.name, x.subject, x.version]));
    return refs(v.references) === refs(input.references) && this.parsedOf(v).canonical === parsed.canonical;
  }

  /** Compatibility of a new schema with the subject's live versions under `level`. */
  private incompatibilities(parsed: ParsedSchema, live: SchemaVersion[], level: string): string[] {
    if (level === 'NONE' || live.length === 0) return [];
    const against = level.endsWith('_TRANSITIVE') ? [...live].reverse() : [live.at(-1)!];
    const base = level.replace('_TRANSITIVE', '');
    const errors: string[] = [];
    for (const old of against) {
      const previous = this.parsedOf(old);
      if (base === 'BACKWARD' || base === 'FULL') errors.push(...parsed.readIncompatibilities(previous));
      if (base === 'FORWARD' || base === 'FULL') errors.push(...previous.readIncompatibilities(parsed));
    }
    return errors;
  }

  private softDeleted(v: SchemaVersion): StoreRecord {
    return {
      key: { keytype: 'SCHEMA', subject: v.subject, version: v.version, magic: 1 },
      value: { subject: v.subject, version: v.version, id: v.id, ...(v.schemaType === 'AVRO' ? {} : { schemaType: v.schemaType }), schema: v.schema, ...(v.references.length > 0 ? { references: v.references } : {}), deleted: true },
    };
  }

  private checkWritable(subject: string): void {
    if (this.effectiveMode(subject) === 'READONLY') throw new RegistryError(422, 42205, `Subject ${subject} is in read-only mode`);
  }

  private checkUnreferenced(v: SchemaVersion): void {
    if (this.store.referencedBy(v.subject, v.version).length > 0) throw new RegistryError(422, 42206, `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${v.subject},version=${v.version}}.`);
  }

  private async write(records: StoreRecord[]): Promise<void> {
    try {
      await this.topic.append(records);
    } catch (err) {
      throw new RegistryError(500, 50001, `Error in the backend data store: ${(err as Error).message}`);
    }
    for (const r of records) this.store.apply(r);
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writes.then(task, task);
    this.writes = run.catch(() => undefined);
    return run;
  }
}

/** Parses a version path segment: a number in 1..2^31-1, -1 or "latest". */
export function parseVersion(text: string): VersionSelector {
  if (text === 'latest' || text === '-1') return 'latest';
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_VERSION) {
    throw new RegistryError(422, 42202, `The specified version '${text}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`);
  }
  return n;
}
