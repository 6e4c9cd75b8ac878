// The registry's state, rebuilt from the records of the _schemas topic in the key and value
// formats Confluent's registry writes there (JSON keys with a keytype of SCHEMA, CONFIG or MODE;
// a null value is a tombstone). Replay at start-up and every write go through `apply`, so the
// state in memory is always what the topic says.
import type { SchemaType } from './formats/format.js';

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface SchemaVersion {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
  deleted: boolean;
}

export type StoreKey =
  | { keytype: 'SCHEMA'; subject: string; version: number; magic: 1 }
  | { keytype: 'CONFIG'; subject: string | null; magic: 0 }
  | { keytype: 'MODE'; subject: string | null; magic: 0 };

export interface StoreRecord {
  key: StoreKey;
  /** The record's value, null for a tombstone. */
  value: Record<string, unknown> | null;
}

export class SchemaStore {
  private readonly subjects = new Map<string, Map<number, SchemaVersion>>();
  /** Compatibility level per subject; the key null is the global level. */
  private readonly compatibility = new Map<string | null, string>();
  private readonly modes = new Map<string | null, string>();
  private maxId = 0;

  apply({ key, value }: StoreRecord): void {
    switch (key.keytype) {
      case 'SCHEMA': {
        const versions = this.subjects.get(key.subject) ?? new Map<number, SchemaVersion>();
        if (value === null) versions.delete(key.version);
        else {
          const v: SchemaVersion = {
            subject: key.subject,
            version: key.version,
            id: Number(value.id),
            schemaType: ((value.schemaType as SchemaType | undefined) ?? 'AVRO'),
            schema: String(value.schema),
            references: (value.references as SchemaReference[] | undefined) ?? [],
            deleted: value.deleted === true,
          };
          versions.set(key.version, v);
          this.maxId = Math.max(this.maxId, v.id);
        }
        if (versions.size === 0) this.subjects.delete(key.subject);
        else this.subjects.set(key.subject, versions);
        return;
      }
      case 'CONFIG':
        if (value === null) this.compatibility.delete(key.subject);
        else this.compatibility.set(key.subject, String(value.compatibilityLevel));
        return;
      case 'MODE':
        if (value === null) this.modes.delete(key.subject);
        else this.modes.set(key.subject, String(value.mode));
        return;
    }
  }

  /** Subject names; soft-deleted subjects (no live version) only when `deleted`. */
  subjectNames(deleted: boolean): string[] {
    return [...this.subjects].filter(([, versions]) => deleted || [...versions.values()].some((v) => !v.deleted)).map(([name]) => name).sort();
  }

  /** A subject's versions in order; soft-deleted ones only when `deleted`. */
  versions(subject: string, deleted: boolean): SchemaVersion[] {
    return [...(this.subjects.get(subject)?.values() ?? [])].filter((v) => deleted || !v.deleted).sort((a, b) => a.version - b.version);
  }

  hasSubject(subject: string): boolean {
    return this.subjects.has(subject);
  }

  /** Every version (soft-deleted ones too) that registered schema `id`. */
  versionsWithId(id: number): SchemaVersion[] {
    return [...this.subjects.values()].flatMap((versions) => [...versions.values()].filter((v) => v.id === id));
  }

  /** Every version whose schema references `subject` version `version`. */
  referencedBy(subject: string, version: number): SchemaVersion[] {
    return [...this.subjects.values()].flatMap((versions) => [...versions.values()].filter((v) => !v.deleted && v.references.some((r) => r.subject === subject && r.version === version)));
  }

  allVersions(): SchemaVersion[] {
    return [...this.subjects.values()].flatMap((versions) => [...versions.values()]);
  }

  nextId(): number {
    return this.maxId + 1;
  }

  compatibilityLevel(subject: string | null): string | undefined {
    return this.compatibility.get(subject);
  }

  mode(subject: string | null): string | undefined {
    return this.modes.get(subject);
  }
}

/** Parses a _schemas record's key and value; undefined for records of other kinds (NOOP, ...). */
export function decodeStoreRecord(key: Buffer | null, value: Buffer | null): StoreRecord | undefined {
  if (key === null) return undefined;
  const k = JSON.parse(key.toString('utf8')) as Partial<StoreKey> & { keytype?: string };
  const v = value === null ? null : (JSON.parse(value.toString('utf8')) as Record<string, unknown>);
  if (k.keytype === 'SCHEMA' && typeof k.subject === 'string' && typeof k.version === 'number') return { key: { keytype: 'SCHEMA', subject: k.subject, version: k.version, magic: 1 }, value: v };
  if (k.keytype === 'CONFIG' || k.keytype === 'MODE') return { key: { keytype: k.keytype, subject: (k.subject as string | null | undefined) ?? null, magic: 0 }, value: v };
  return undefined;
}

/** The key and value bytes of a record, in Confluent's field order. */
export function encodeStoreRecord(record: StoreRecord): { key: Buffer; value: Buffer | null } {
  return { key: Buffer.from(JSON.stringify(record.key)), value: record.value === null ? null : Buffer.from(JSON.stringify(record.value)) };
}
