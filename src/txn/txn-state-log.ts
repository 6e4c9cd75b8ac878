// The coordinator's durable state: __transaction_state, one record per state change of a
// transactional id, in the partition Kafka would use for it. Created on first use; read back in
// full on start (the last record of each id wins, a tombstone removes it).
import type { Logger } from 'pino';
import { decodeBatch, encodeBatch, isControl, readBatchHeader, splitBatches } from '../../protocol/records/index.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import type { Topic, TopicRegistry } from '../topics/topic-registry.js';
import { partitionFor } from './partition-for.js';
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue, type StoredTxn } from './txn-log-format.js';

export const TXN_STATE_TOPIC = '__transaction_state';
const READ_CHUNK_BYTES = 1 << 20;

export class TxnStateLog {
  private creating: Promise<Topic> | undefined;

  constructor(
    private readonly topics: TopicRegistry,
    private readonly replicas: ReplicaManager,
    private readonly partitions: number,
    private readonly segmentBytes: number,
    private readonly log: Logger,
  ) {}

  /** Every transactional id's last stored state. */
  async load(): Promise<Map<string, StoredTxn>> {
    const out = new Map<string, StoredTxn>();
    const topic = this.topics.get(TXN_STATE_TOPIC);
    if (!topic) return out;
    for (let index = 0; index < topic.partitions.length; index++) {
      const partition = this.replicas.leaderPartition(topic, index);
      let offset = partition.logStartOffset;
      while (offset < partition.highWatermark) {
        const read = await partition.read(offset, READ_CHUNK_BYTES);
        if (read.chunks.length === 0) break;
        for (const batch of read.chunks.flatMap((c) => splitBatches(c))) {
          const header = readBatchHeader(batch);
          offset = header.baseOffset + header.lastOffsetDelta + 1;
          if (isControl(header.attributes)) continue;
          for (const record of decodeBatch(batch).records) {
            if (!record.key) continue;
            const id = decodeTxnKey(record.key);
            if (record.value) out.set(id, decodeTxnValue(record.value));
            else out.delete(id);
          }
        }
      }
    }
    this.log.info({ transactionalIds: out.size }, 'loaded transaction state');
    return out;
  }

  /** Writes the state of `transactionalId`; null removes it. */
  async write(transactionalId: string, value: StoredTxn | null): Promise<void> {
    const topic = await this.topic();
    const partition = this.replicas.leaderPartition(topic, partitionFor(transactionalId, topic.partitions.length));
    const batch = encodeBatch({ records: [{ key: encodeTxnKey(transactionalId), value: value === null ? null : encodeTxnValue(value) }] });
    await partition.appendAsLeader(batch);
  }

  private topic(): Promise<Topic> {
    const existing = this.topics.get(TXN_STATE_TOPIC);
    if (existing) return Promise.resolve(existing);
    this.creating ??= this.topics
      .create(TXN_STATE_TOPIC, {
        numPartitions: this.partitions,
        overrides: new Map([
          ['cleanup.policy', 'compact'],
          ['segment.bytes', String(this.segmentBytes)],
          ['compression.type', 'uncompressed'],
        ]),
      })
      .then((t) => t!)
      .finally(() => (this.creating = undefined));
    return this.creating;
  }
}
