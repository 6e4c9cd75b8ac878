// The metadata store in a data directory, in the files the broker has always kept:
//   <dataDir>/topics/<topic>.json      {"name","topicId","partitions","configs","replicas"} per topic
//   <dataDir>/{partition-state,isr-change-requests,leader-election-requests}/<topic>-<partition>.json
//                                      a cluster's partition leadership, ISR and election requests
//   <dataDir>/broker-configs.json      {"default":{...},"broker":{...}} dynamic broker configs
//   <dataDir>/producer-ids.json        {"nextBlockStart":N}
//   <dataDir>/scram-credentials.json   {"version":1,"users":{user:{mechanism:{salt,storedKey,serverKey,iterations}}}}
//   <dataDir>/acls.json                {"version":1,"acls":[{resourceType,resourceName,patternType,principal,host,operation,permissionType}]}
//   <dataDir>/client-quotas.json       {"version":1,"quotas":[{"entity":[[type,name|null]],"values":{key:number}}]}
// Each is replaced atomically (write, fsync, rename) before a write resolves. A topic's file is
// what makes the topic exist.
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { readIfExists, writeFileAtomic } from '../log/atomic-file.js';
import { CachedMetadataStore } from './cached-metadata-store.js';
import { CLUSTER_KEY, partitionDocKey, type MetadataKind, type MetadataRecords, type TopicRecord } from './metadata-store.js';

/** The directory of each kind kept as one file per key. */
const KEYED_DIRS = {
  topic: 'topics',
  partitionState: 'partition-state',
  isrChangeRequest: 'isr-change-requests',
  leaderElectionRequest: 'leader-election-requests',
  reassignment: 'reassignments',
} as const;
type KeyedKind = keyof typeof KEYED_DIRS;

function isKeyed(kind: MetadataKind): kind is KeyedKind {
  return kind in KEYED_DIRS;
}

/** The file of each cluster-wide document, and how it is written. */
const CLUSTER_FILES = {
  brokerConfigs: { file: 'broker-configs.json', format: (v: unknown) => JSON.stringify(v, null, 1) },
  producerIdBlock: { file: 'producer-ids.json', format: (v: unknown) => JSON.stringify(v) },
  scramCredentials: { file: 'scram-credentials.json', format: (v: unknown) => `${JSON.stringify(v, null, 2)}\n` },
  acls: { file: 'acls.json', format: (v: unknown) => `${JSON.stringify(v, null, 1)}\n` },
  clientQuotas: { file: 'client-quotas.json', format: (v: unknown) => `${JSON.stringify(v, null, 1)}\n` },
} as const satisfies Record<Exclude<MetadataKind, KeyedKind>, { file: string; format: (v: unknown) => string }>;

function isTopicRecord(value: unknown): value is TopicRecord {
  const t = value as TopicRecord;
  return (
    typeof t === 'object' && t !== null && typeof t.name === 'string' && typeof t.topicId === 'string' &&
    Number.isInteger(t.partitions) && t.partitions > 0 && typeof t.configs === 'object' && t.configs !== null &&
    Object.values(t.configs).every((v) => typeof v === 'string') &&
    (t.replicas === undefined || (Array.isArray(t.replicas) && t.replicas.length === t.partitions && t.replicas.every((r) => Array.isArray(r) && r.every(Number.isInteger))))
  );
}

function isPartitionDocument(value: unknown): value is { topic: string; partition: number } {
  const d = value as { topic: string; partition: number };
  return typeof d === 'object' && d !== null && typeof d.topic === 'string' && Number.isInteger(d.partition);
}

export class FileMetadataStore extends CachedMetadataStore {
  private constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Reads every document of the data dir (creating the dir when new). */
  static open(dataDir: string, logger: Logger): FileMetadataStore {
    const store = new FileMetadataStore(dataDir, logger);
    store.loadAll();
    return store;
  }

  private loadAll(): void {
    mkdirSync(join(this.dataDir, KEYED_DIRS.topic), { recursive: true });
    for (const kind of Object.keys(KEYED_DIRS) as KeyedKind[]) this.loadKeyed(kind);
    for (const kind of Object.keys(CLUSTER_FILES) as (keyof typeof CLUSTER_FILES)[]) {
      const bytes = readIfExists(join(this.dataDir, CLUSTER_FILES[kind].file));
      if (bytes !== undefined) this.load(kind, CLUSTER_KEY, JSON.parse(bytes.toString('utf8')) as MetadataRecords[typeof kind]);
    }
  }

  /** Reads one file per key of a kind; a kind's directory exists once something was written. */
  private loadKeyed(kind: KeyedKind): void {
    const dir = join(this.dataDir, KEYED_DIRS[kind]);
    if (!existsSync(dir)) return;
    // Atomic writes a crash interrupted left these behind.
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.tmp'))) unlinkSync(join(dir, name));
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      try {
        const value: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
        if (kind === 'topic') {
          if (!isTopicRecord(value) || `${value.name}.json` !== file) throw new Error('unexpected content');
          this.load('topic', value.name, value);
        } else {
          if (!isPartitionDocument(value) || `${partitionDocKey(value.topic, value.partition)}.json` !== file) throw new Error('unexpected content');
          this.load(kind, partitionDocKey(value.topic, value.partition), value as MetadataRecords[typeof kind]);
        }
      } catch (err) {
        this.logger.error({ err, file, kind }, 'ignoring unreadable metadata');
      }
    }
  }

  protected async persist<K extends MetadataKind>(kind: K, key: string, value: MetadataRecords[K] | null): Promise<void> {
    let path: string;
    if (isKeyed(kind)) {
      const dir = join(this.dataDir, KEYED_DIRS[kind]);
      mkdirSync(dir, { recursive: true });
      path = join(dir, `${key}.json`);
    } else {
      path = join(this.dataDir, CLUSTER_FILES[kind as keyof typeof CLUSTER_FILES].file);
    }
    if (value === null) {
      unlinkSync(path);
      return;
    }
    const text = isKeyed(kind) ? `${JSON.stringify(value, null, 2)}\n` : CLUSTER_FILES[kind as keyof typeof CLUSTER_FILES].format(value);
    await writeFileAtomic(path, text);
  }
}
