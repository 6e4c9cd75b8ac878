// The durable home of the schema registry: the compacted topic _schemas (one partition, as
// Confluent's registry keeps it), created on the first write like the other internal topics (so
// a broker whose registry is never used has no such topic) and read back in full at start-up.
// Records not in the registry's format are skipped with a warning.
import type { Logger } from 'pino';
import { encodeBatch } from '../../protocol/records/index.js';
import { logRecords } from '../log/log-records.js';
import type { TopicRegistry } from '../topics/topic-registry.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import { decodeStoreRecord, encodeStoreRecord, type StoreRecord } from './schema-store.js';

export const SCHEMAS_TOPIC = '_schemas';
const PARTITION = 0;

export class SchemasTopic {
  constructor(
    private readonly topics: TopicRegistry,
    private readonly replicas: ReplicaManager,
    private readonly log: Logger,
  ) {}

  /** Appends records as one batch, creating the topic on the first write; resolves once the log has them. */
  async append(records: readonly StoreRecord[]): Promise<void> {
    const topic =
      this.topics.get(SCHEMAS_TOPIC) ??
      (await this.topics.create(SCHEMAS_TOPIC, { numPartitions: 1, overrides: new Map([['cleanup.policy', 'compact']]) }))!;
    const now = Date.now();
    const batch = encodeBatch({ baseTimestamp: now, records: records.map(encodeStoreRecord) });
    await this.replicas.leaderPartition(topic, PARTITION).appendAsLeader(batch, { now });
  }

  /** Every registry record in log order (none before the first write); returns how many. */
  async replay(visit: (record: StoreRecord) => void): Promise<number> {
    const partition = this.topics.get(SCHEMAS_TOPIC)?.partitions[PARTITION];
    if (partition === undefined) return 0;
    let count = 0;
    for await (const r of logRecords(partition, partition.logStartOffset)) {
      let record: StoreRecord | undefined;
      try {
        record = decodeStoreRecord(r.key, r.value);
      } catch {
        record = undefined;
      }
      if (record === undefined) {
        this.log.warn({ offset: r.offset }, `skipping a record of ${SCHEMAS_TOPIC} that is not a schema registry record`);
        continue;
      }
      visit(record);
      count++;
    }
    return count;
  }

}
