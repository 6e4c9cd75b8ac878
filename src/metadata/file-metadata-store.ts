// The metadata store in a data directory, in the files the broker has always kept:
//   <dataDir>/topics/<topic>.json      {"name","topicId","partitions","configs","replicas"} per topic
//   <dataDir>/{partition-state,isr-change-requests,leader-election-requests}/<topic>-<partition>.json
//                                      a cluster's partition leadership, ISR and election requests
//   <dataDir>/broker-configs.json      {"configs":{...}} cluster-wide dynamic broker configs
//                                      (older versions: {"default":{...},"broker":{...}}, migrated on open)
//   <dataDir>/broker-configs/<id>.json {"configs":{...}} a broker's own dynamic configs
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
import { CLUSTER_KEY, partitionDocKey, type BrokerConfigsRecord, type MetadataKind, type MetadataRecords, type TopicRecord } from './metadata-store.js';

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

/** Where a broker's own dynamic configs are kept; the cluster-wide default stays in broker-configs.json. */
const PER_BROKER_CONFIGS_DIR = 'broker-configs';

function isBrokerConfigsRecord(value: unknown): value is BrokerConfigsRecord {
  const c = (value as BrokerConfigsRecord | null)?.configs;
  return typeof c === 'object' && c !== null && Object.values(c).every((v) => typeof v === 'string');
}

function isPartitionDocument(value: unknown): value is { topic: string; partition: number } {
  const d = value as { topic: string; partition: number };
  return typeof d === 'object' && d !== null && typeof d.topic === 'string' && Number.isInteger(d.partition);
}

export class FileMetadataStore extends CachedMetadataStore {
  private constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
    controllerEpoch?: () => number,
  ) {
    super(controllerEpoch);
  }

  /**
   * Reads every document of the data dir (creating the dir when new). `controllerEpoch`: the
   * current controller's epoch, for a store shared by brokers in one process (creek cluster --threads).
   */
  static open(dataDir: string, logger: Logger, controllerEpoch?: () => number): FileMetadataStore {
    const store = new FileMetadataStore(dataDir, logger, controllerEpoch);
    store.loadAll();
    return store;
  }

  private loadAll(): void {
    mkdirSync(join(this.dataDir, KEYED_DIRS.topic), { recursive: true });
    for (const kind of Object.keys(KEYED_DIRS) as KeyedKind[]) {
      this.loadDir(KEYED_DIRS[kind], kind, (file, value) => {
        if (kind === 'topic') {
          if (!isTopicRecord(value) || `${value.name}.json` !== file) return false;
          this.load('topic', value.name, value);
        } else {
          if (!isPartitionDocument(value) || `${partitionDocKey(value.topic, value.partition)}.json` !== file) return false;
          this.load(kind, partitionDocKey(value.topic, value.partition), value as MetadataRecords[typeof kind]);
        }
        return true;
      });
    }
    for (const kind of Object.keys(CLUSTER_FILES) as (keyof typeof CLUSTER_FILES)[]) {
      const bytes = readIfExists(join(this.dataDir, CLUSTER_FILES[kind].file));
      if (bytes !== undefined) this.load(kind, CLUSTER_KEY, JSON.parse(bytes.toString('utf8')) as MetadataRecords[typeof kind]);
    }
    this.loadDir(PER_BROKER_CONFIGS_DIR, 'brokerConfigs', (file, value) => {
      const id = file.slice(0, -'.json'.length);
      if (!/^-?\d+$/.test(id) || !isBrokerConfigsRecord(value)) return false;
      this.load('brokerConfigs', id, value);
      return true;
    });
  }

  /**
   * Reads a directory of one file per document (it exists once something was written), each
   * handed to `add`, which loads it or answers false for content that is not what its name says.
   */
  private loadDir(name: string, kind: MetadataKind, add: (file: string, value: unknown) => boolean): void {
    const dir = join(this.dataDir, name);
    if (!existsSync(dir)) return;
    // Atomic writes a crash interrupted left these behind.
    for (const tmp of readdirSync(dir).filter((n) => n.endsWith('.tmp'))) unlinkSync(join(dir, tmp));
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      try {
        if (!add(file, JSON.parse(readFileSync(join(dir, file), 'utf8')))) throw new Error('unexpected content');
      } catch (err) {
        this.logger.error({ err, file, kind }, 'ignoring unreadable metadata');
      }
    }
  }

  protected async persist<K extends MetadataKind>(kind: K, key: string, value: MetadataRecords[K] | null): Promise<void> {
    let path: string;
    if (isKeyed(kind) || (kind === 'brokerConfigs' && key !== CLUSTER_KEY)) {
      const dir = join(this.dataDir, isKeyed(kind) ? KEYED_DIRS[kind] : PER_BROKER_CONFIGS_DIR);
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
