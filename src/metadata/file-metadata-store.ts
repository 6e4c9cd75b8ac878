// The metadata store in a data directory, in the files the broker has always kept:
//   <dataDir>/topics/<topic>.json      {"name","topicId","partitions","configs","replicas"} per topic
//   <dataDir>/broker-configs.json      {"default":{...},"broker":{...}} dynamic broker configs
//   <dataDir>/producer-ids.json        {"nextBlockStart":N}
//   <dataDir>/scram-credentials.json   {"version":1,"users":{user:{mechanism:{salt,storedKey,serverKey,iterations}}}}
//   <dataDir>/acls.json                {"version":1,"acls":[{resourceType,resourceName,patternType,principal,host,operation,permissionType}]}
//   <dataDir>/client-quotas.json       {"version":1,"quotas":[{"entity":[[type,name|null]],"values":{key:number}}]}
// Each is replaced atomically (write, fsync, rename) before a write resolves. A topic's file is
// what makes the topic exist.
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { readIfExists, writeFileAtomic } from '../log/atomic-file.js';
import { CachedMetadataStore } from './cached-metadata-store.js';
import { CLUSTER_KEY, type MetadataKind, type MetadataRecords, type TopicRecord } from './metadata-store.js';

const TOPICS_DIR = 'topics';

/** The file of each cluster-wide document, and how it is written. */
const CLUSTER_FILES = {
  brokerConfigs: { file: 'broker-configs.json', format: (v: unknown) => JSON.stringify(v, null, 1) },
  producerIdBlock: { file: 'producer-ids.json', format: (v: unknown) => JSON.stringify(v) },
  scramCredentials: { file: 'scram-credentials.json', format: (v: unknown) => `${JSON.stringify(v, null, 2)}\n` },
  acls: { file: 'acls.json', format: (v: unknown) => `${JSON.stringify(v, null, 1)}\n` },
  clientQuotas: { file: 'client-quotas.json', format: (v: unknown) => `${JSON.stringify(v, null, 1)}\n` },
} as const satisfies Record<Exclude<MetadataKind, 'topic'>, { file: string; format: (v: unknown) => string }>;

function isTopicRecord(value: unknown): value is TopicRecord {
  const t = value as TopicRecord;
  return (
    typeof t === 'object' && t !== null && typeof t.name === 'string' && typeof t.topicId === 'string' &&
    Number.isInteger(t.partitions) && t.partitions > 0 && typeof t.configs === 'object' && t.configs !== null &&
    Object.values(t.configs).every((v) => typeof v === 'string') &&
    (t.replicas === undefined || (Array.isArray(t.replicas) && t.replicas.length === t.partitions && t.replicas.every((r) => Array.isArray(r) && r.every(Number.isInteger))))
  );
}

export class FileMetadataStore extends CachedMetadataStore {
  private readonly topicsDir: string;

  private constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
  ) {
    super();
    this.topicsDir = join(dataDir, TOPICS_DIR);
  }

  /** Reads every document of the data dir (creating the dir when new). */
  static open(dataDir: string, logger: Logger): FileMetadataStore {
    const store = new FileMetadataStore(dataDir, logger);
    store.loadAll();
    return store;
  }

  private loadAll(): void {
    mkdirSync(this.topicsDir, { recursive: true });
    // Atomic writes a crash interrupted left these behind.
    for (const name of readdirSync(this.topicsDir).filter((n) => n.endsWith('.tmp'))) unlinkSync(join(this.topicsDir, name));
    for (const file of readdirSync(this.topicsDir).filter((f) => f.endsWith('.json'))) {
      try {
        const topic: unknown = JSON.parse(readFileSync(join(this.topicsDir, file), 'utf8'));
        if (!isTopicRecord(topic) || `${topic.name}.json` !== file) throw new Error('unexpected content');
        this.load('topic', topic.name, topic);
      } catch (err) {
        this.logger.error({ err, file }, 'ignoring unreadable topic metadata');
      }
    }
    for (const kind of Object.keys(CLUSTER_FILES) as (keyof typeof CLUSTER_FILES)[]) {
      const bytes = readIfExists(join(this.dataDir, CLUSTER_FILES[kind].file));
      if (bytes !== undefined) this.load(kind, CLUSTER_KEY, JSON.parse(bytes.toString('utf8')) as MetadataRecords[typeof kind]);
    }
  }

  protected async persist<K extends MetadataKind>(kind: K, key: string, value: MetadataRecords[K] | null): Promise<void> {
    const path = kind === 'topic' ? join(this.topicsDir, `${key}.json`) : join(this.dataDir, CLUSTER_FILES[kind as keyof typeof CLUSTER_FILES].file);
    if (value === null) {
      unlinkSync(path);
      return;
    }
    const text = kind === 'topic' ? `${JSON.stringify(value, null, 2)}\n` : CLUSTER_FILES[kind as keyof typeof CLUSTER_FILES].format(value);
    await writeFileAtomic(path, text);
  }
}
