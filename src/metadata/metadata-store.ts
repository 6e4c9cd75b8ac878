// Everything the broker persists about the cluster, behind one interface: topics (id, partition
// count, config overrides, replicas), partition leadership and ISR change requests (clusters),
// dynamic broker configs (the cluster default and each broker's own), the producer-id block,
// SCRAM credentials, ACLs and client quotas. Documents are addressed by kind and key
// (cluster-wide documents use the key ''). Reads come from the store's local view; writes are
// compare-and-swap on a document's version, and watchers hear of every change, so a store shared
// by several brokers fits the same shape. Implementations: file-metadata-store.ts (the data dir),
// memory-metadata-store.ts (--memory, in-process clusters), etcd-metadata-store.ts (clusters).

/** A topic: what the broker must know of it across restarts (<dataDir>/topics/<name>.json). */
export interface TopicRecord {
  name: string;
  /** Kafka topic id, in its text form. */
  topicId: string;
  partitions: number;
  /** Topic config overrides (AlterConfigs / CreateTopics), by Kafka config name. */
  configs: Record<string, string>;
  /**
   * Each partition's replicas (broker ids, the preferred leader first). Absent from files written
   * before replica lists were kept: every partition is then on the broker that wrote the file.
   */
  replicas?: number[][];
}

/**
 * Dynamic broker configs of one Kafka BROKER config resource, keyed as Kafka names it: the
 * cluster-wide default under CLUSTER_KEY (resource name ""), a broker's own under its node id.
 * Each broker applies the default and its own document only.
 */
export interface BrokerConfigsRecord {
  configs: Record<string, string>;
}

/**
 * The one document older versions kept under CLUSTER_KEY, the default and the writing broker's
 * own configs together. A broker opening the store migrates it (dynamic-broker-configs.ts).
 */
export interface LegacyBrokerConfigsRecord {
  default: Record<string, string>;
  broker: Record<string, string>;
}

/** The configs a brokerConfigs document sets (of a legacy one, its cluster-wide default; none without a document). */
export function brokerConfigsOf(record: BrokerConfigsRecord | LegacyBrokerConfigsRecord | undefined): Record<string, string> {
  if (record === undefined) return {};
  return 'configs' in record ? record.configs : record.default;
}

/** Where the next block of producer ids starts. */
export interface ProducerIdBlockRecord {
  nextBlockStart: number;
}

/** One SCRAM credential, bytes in base64 (never a password). */
export interface StoredScramCredential {
  salt: string;
  storedKey: string;
  serverKey: string;
  iterations: number;
}

/** SCRAM users: user → mechanism name → credential. */
export interface ScramCredentialsRecord {
  version: 1;
  users: Record<string, Record<string, StoredScramCredential>>;
}

/** One ACL: Kafka's wire codes of the resource, pattern, operation and permission types. */
export interface StoredAcl {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** The authorizer's ACLs. */
export interface AclsRecord {
  version: 1;
  acls: StoredAcl[];
}

/** One client quota entity (entity type → name, null for the default entity) and its values. */
export interface StoredClientQuota {
  entity: [string, string | null][];
  values: Record<string, number>;
}

/** Client quotas (AlterClientQuotas). */
export interface ClientQuotasRecord {
  version: 1;
  quotas: StoredClientQuota[];
}

/**
 * One partition's leadership as the controller decided it (Kafka's ZooKeeper-era
 * /brokers/topics/<t>/partitions/<p>/state), keyed by partitionDocKey(). Written only by the
 * controller, with compare-and-swap; every broker watches it. The replicas stay in the topic record.
 */
export interface PartitionStateRecord {
  topic: string;
  partition: number;
  /** -1: no leader (no live replica in the ISR). */
  leader: number;
  leaderEpoch: number;
  isr: number[];
}

/**
 * A leader's request to change a partition's ISR (Kafka's AlterPartition), keyed by
 * partitionDocKey(): the controller applies it when `leaderEpoch` and `partitionStateVersion` are
 * still the stored ones, and deletes it either way.
 */
export interface IsrChangeRequestRecord {
  topic: string;
  partition: number;
  leader: number;
  leaderEpoch: number;
  /** The version of the partition state the leader based its request on. */
  partitionStateVersion: number;
  isr: number[];
}

/**
 * A broker's request for an ElectLeaders election (preferred: leadership to the first replica, as
 * Kafka's ZooKeeper-era /admin/preferred_replica_election; unclean: any live replica for a
 * partition without a live leader), keyed by partitionDocKey(). The controller writes its
 * `outcome` into the document; the requester reads it and deletes the document.
 */
export interface LeaderElectionRequestRecord {
  topic: string;
  partition: number;
  type: 'preferred' | 'unclean';
  outcome: 'ELECTED' | 'ELECTION_NOT_NEEDED' | 'PREFERRED_LEADER_NOT_AVAILABLE' | 'ELIGIBLE_LEADERS_NOT_AVAILABLE' | null;
}

/**
 * An ongoing partition reassignment (KIP-455), keyed by partitionDocKey(): written by the broker
 * that took AlterPartitionReassignments, executed and deleted by the controller. While it runs
 * the topic record's replicas are the union of `target` and `original`; the controller makes
 * them `target` once every target replica is in the ISR. `target` null asks the controller to
 * cancel: the replicas go back to `original`.
 */
export interface ReassignmentRecord {
  topic: string;
  partition: number;
  /** The replicas before the first reassignment of this run (kept when a new target replaces one). */
  original: number[];
  target: number[] | null;
}

/** The key of a partition's documents: `<topic>-<partition>`, as Kafka names partition directories. */
export function partitionDocKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Every kind of document and its value. */
export interface MetadataRecords {
  topic: TopicRecord;
  partitionState: PartitionStateRecord;
  isrChangeRequest: IsrChangeRequestRecord;
  leaderElectionRequest: LeaderElectionRequestRecord;
  reassignment: ReassignmentRecord;
  brokerConfigs: BrokerConfigsRecord | LegacyBrokerConfigsRecord;
  producerIdBlock: ProducerIdBlockRecord;
  scramCredentials: ScramCredentialsRecord;
  acls: AclsRecord;
  clientQuotas: ClientQuotasRecord;
}

export type MetadataKind = keyof MetadataRecords;

/** Every kind, at run time (a Record, so that a kind added to MetadataRecords must be named here too). */
const KINDS: Record<MetadataKind, true> = {
  topic: true,
  partitionState: true,
  isrChangeRequest: true,
  leaderElectionRequest: true,
  reassignment: true,
  brokerConfigs: true,
  producerIdBlock: true,
  scramCredentials: true,
  acls: true,
  clientQuotas: true,
};
export const METADATA_KINDS = Object.keys(KINDS) as readonly MetadataKind[];

/** The key of a cluster-wide document (one per kind). */
export const CLUSTER_KEY = '';

/** A version no stored document has: `put` with it creates only. */
export const ABSENT = 0;

export interface Versioned<T> {
  readonly value: T;
  /** Changes with every write of the document; never ABSENT. */
  readonly version: number;
}

/** A document written (value) or deleted (null). */
export interface MetadataChange<K extends MetadataKind> {
  kind: K;
  key: string;
  value: MetadataRecords[K] | null;
  version: number;
}

/**
 * The controller a write is made for: the write happens only while the cluster's current
 * controller epoch is this one, checked atomically with the write (a deposed controller that
 * resumes after a stall cannot write its late decisions). Every controller write carries it.
 */
export interface ControllerFence {
  controllerEpoch: number;
}

/** A write under a ControllerFence whose epoch is no longer the current controller's. */
export class ControllerFenced extends Error {
  constructor(kind: MetadataKind, key: string, epoch: number) {
    super(`metadata ${kind}/${key} not written: controller epoch ${epoch} is no longer the current one`);
    this.name = 'ControllerFenced';
  }
}

/** A compare-and-swap write whose expected version was not the stored one. */
export class MetadataConflict extends Error {
  constructor(kind: MetadataKind, key: string, expected: number, actual: number) {
    super(`metadata ${kind}/${key} is at version ${actual}, not the expected ${expected}`);
    this.name = 'MetadataConflict';
  }
}

export interface MetadataStore {
  get<K extends MetadataKind>(kind: K, key: string): Versioned<MetadataRecords[K]> | undefined;
  /** Every document of a kind, by key. */
  list<K extends MetadataKind>(kind: K): Map<string, Versioned<MetadataRecords[K]>>;
  /**
   * Writes a document durably; resolves with its new version. With `expectedVersion` it writes
   * only if the stored version is that one (ABSENT: only if there is none), else MetadataConflict;
   * with `fence`, only while that controller epoch is current, else ControllerFenced.
   */
  put<K extends MetadataKind>(kind: K, key: string, value: MetadataRecords[K], expectedVersion?: number, fence?: ControllerFence): Promise<number>;
  /** Deletes a document durably (a no-op when there is none); `expectedVersion` and `fence` as for put. */
  delete(kind: MetadataKind, key: string, expectedVersion?: number, fence?: ControllerFence): Promise<void>;
  /** Hears every later change of a kind (this broker's writes too); returns the unsubscribe function. */
  watch<K extends MetadataKind>(kind: K, listener: (change: MetadataChange<K>) => void): () => void;
}
