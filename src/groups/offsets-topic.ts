// The durable home of group state: the internal topic __consumer_offsets. Every committed offset
// and every group metadata change is appended as a record batch; on start the log is replayed
// (last record per key wins, null values are tombstones). Offsets committed by a transactional
// producer (TxnOffsetCommit) are appended as a transactional batch carrying its producer id and
// epoch, and the transaction's COMMIT/ABORT marker lands in the same partition, so replay sees
// both. Kafka spreads groups over 50 partitions so that coordinators can be spread over brokers;
// a single node is the coordinator of every group, so one partition keeps all group state in one
// ordered log and replay simple.
import type { Logger } from 'pino';
import { ControlRecordType, decodeBatch, decodeControlKey, encodeBatch, isControl, isTransactional } from '../../protocol/records/index.js';
import type { Topic, TopicRegistry } from '../topics/topic-registry.js';
import type { AppendResult } from '../log/partition-log.js';
import type { Partition } from '../replica/partition.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import { decodeKey, encodeKey, type RecordKey } from './group-records.js';

export const OFFSETS_TOPIC = '__consumer_offsets';
const PARTITION = 0;
const READ_BYTES = 1024 * 1024;

export interface GroupRecord {
  key: RecordKey;
  /** null: tombstone. */
  value: Buffer | null;
}

/** The producer a transactional batch is written for. */
export interface TxnProducer {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
}

/**
 * Appends a transactional batch on behalf of the producer named in its header, checking that the
 * partition is in the producer's open transaction (the transaction engine). `applied` runs once
 * the batch is in the log and before anything else can be appended to the partition.
 */
export type TransactionalAppender = (topic: Topic, partition: number, batch: Buffer, transactionalId: string, applied: (result: AppendResult) => void) => Promise<void>;

/** What replay reports, in log order. */
export interface ReplayVisitor {
  /** A record at `offset`; `producerId` is the transactional producer that wrote it, else -1. */
  record(record: GroupRecord, offset: number, producerId: number): void;
  /** A COMMIT or ABORT marker ending `producerId`'s transaction. */
  marker(producerId: number, commit: boolean): void;
}

export class OffsetsTopic {
  private constructor(
    private readonly topic: Topic,
    private readonly replicas: ReplicaManager,
    private readonly appendForProducer: TransactionalAppender,
    private readonly log: Logger,
  ) {}

  static async open(topics: TopicRegistry, replicas: ReplicaManager, segmentBytes: number, appendForProducer: TransactionalAppender, log: Logger): Promise<OffsetsTopic> {
    const topic =
      topics.get(OFFSETS_TOPIC) ??
      (await topics.create(OFFSETS_TOPIC, {
        numPartitions: 1,
        overrides: new Map([
          ['cleanup.policy', 'compact'],
          ['segment.bytes', String(segmentBytes)],
        ]),
      }))!;
    return new OffsetsTopic(topic, replicas, appendForProducer, log);
  }

  /** The partition that holds a group's records (and gets the markers of its transactions). */
  partitionFor(_groupId: string): number {
    return PARTITION;
  }

  /** Appends records as one batch; resolves with the log offset of the first once the log has them. */
  async append(records: GroupRecord[]): Promise<number> {
    if (records.length === 0) return -1;
    const now = Date.now();
    const result = await this.partition().appendAsLeader(this.batch(records, now), { now });
    return result.baseOffset;
  }

  /**
   * Appends records as one transactional batch of `producer`; `applied` gets the log offset of the
   * first record as soon as the log has them, before the partition can take the producer's marker.
   */
  async appendTransactional(records: GroupRecord[], producer: TxnProducer, applied: (baseOffset: number) => void): Promise<void> {
    if (records.length === 0) return;
    const batch = this.batch(records, Date.now(), producer);
    await this.appendForProducer(this.topic, PARTITION, batch, producer.transactionalId, (result) => applied(result.baseOffset));
  }

  private partition(): Partition {
    return this.replicas.leaderPartition(this.topic, PARTITION);
  }

  private batch(records: GroupRecord[], now: number, producer?: TxnProducer): Buffer {
    return encodeBatch({
      baseTimestamp: now,
      records: records.map((r) => ({ key: encodeKey(r.key), value: r.value })),
      ...(producer && { transactional: true, producerId: producer.producerId, producerEpoch: producer.producerEpoch }),
    });
  }

  /** Reports every stored record and transaction marker in log order; returns how many records. */
  async replay(visitor: ReplayVisitor): Promise<number> {
    const partition = this.partition();
    let offset = partition.logStartOffset;
    let count = 0;
    const end = partition.highWatermark;
    while (offset < end) {
      const { chunks } = await partition.read(offset, READ_BYTES);
      if (chunks.length === 0) break;
      for (const chunk of chunks) {
        for (let at = 0; at < chunk.length; ) {
          const size = chunk.readInt32BE(at + 8) + 12;
          const { header, records } = decodeBatch(chunk.subarray(at, at + size));
          offset = header.baseOffset + header.lastOffsetDelta + 1;
          at += size;
          if (isControl(header.attributes)) {
            const type = records[0] && decodeControlKey(records[0].key).type;
            if (type === ControlRecordType.COMMIT || type === ControlRecordType.ABORT) visitor.marker(header.producerId, type === ControlRecordType.COMMIT);
            continue;
          }
          const producerId = isTransactional(header.attributes) ? header.producerId : -1;
          for (const r of records) {
            const key = r.key && decodeKey(r.key);
            if (!key) {
              this.log.warn({ offset: header.baseOffset + r.offsetDelta }, 'skipping unknown record in __consumer_offsets');
              continue;
            }
            visitor.record({ key, value: r.value && Buffer.from(r.value) }, header.baseOffset + r.offsetDelta, producerId);
            count++;
          }
        }
      }
    }
    return count;
  }
}
