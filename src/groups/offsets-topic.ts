// The durable home of group state: the internal topic __consumer_offsets. Every committed offset
// and every group metadata change is appended as a record batch; on start the log is replayed
// (last record per key wins, null values are tombstones). Offsets committed by a transactional
// producer (TxnOffsetCommit) are appended as a transactional batch carrying its producer id and
// epoch, and the transaction's COMMIT/ABORT marker lands in the same partition, so replay sees
// both. A group lives in partition hash(group id) mod partitions, whose leader is its coordinator:
// in a cluster offsets.topic.num.partitions (50) spread the groups over the brokers as Kafka does;
// a single node coordinates every group, so there one partition keeps all group state in one
// ordered log. Every write waits for the partition's ISR (acks=all), as Kafka's coordinator's do.
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { ControlRecordType, decodeBatch, decodeControlKey, encodeBatch, isControl, isTransactional } from '../../protocol/records/index.js';
import type { Topic, TopicRegistry } from '../topics/topic-registry.js';
import { ensureInternalTopic } from '../topics/internal-topics.js';
import { partitionFor } from '../txn/partition-for.js';
import type { AppendResult } from '../log/partition-log.js';
import { KafkaError } from '../kafka-error.js';
import { ACKS_ALL, type Partition } from '../replica/partition.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import { decodeKey, encodeKey, type RecordKey } from './group-records.js';

export const OFFSETS_TOPIC = '__consumer_offsets';
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

/** Where __consumer_offsets lives and how it is created. */
export interface OffsetsTopicOptions {
  topics: TopicRegistry;
  replicas: ReplicaManager;
  /** The live brokers, over which a new topic's replicas are placed. */
  liveBrokers: () => number[];
  /** Partitions of a new __consumer_offsets (1 on a single node, offsets.topic.num.partitions in a cluster). */
  partitions: number;
  replicationFactor: number;
  segmentBytes: number;
  /** offsets.commit.timeout.ms: how long a write waits for the ISR. */
  commitTimeoutMs: number;
  appendForProducer: TransactionalAppender;
  log: Logger;
}

export class OffsetsTopic {
  constructor(private readonly o: OffsetsTopicOptions) {}

  /** The topic, once it exists. */
  get topic(): Topic | undefined {
    return this.o.topics.get(OFFSETS_TOPIC);
  }

  /** Creates __consumer_offsets unless it exists; undefined while another creation of it is under way. */
  ensure(): Promise<Topic | undefined> {
    return ensureInternalTopic(this.o.topics, this.o.liveBrokers(), {
      name: OFFSETS_TOPIC,
      partitions: this.o.partitions,
      replicationFactor: this.o.replicationFactor,
      overrides: new Map([
        ['cleanup.policy', 'compact'],
        ['segment.bytes', String(this.o.segmentBytes)],
      ]),
    });
  }

  /** The partition that holds a group's records (and gets the markers of its transactions). */
  partitionFor(groupId: string): number {
    return partitionFor(groupId, this.topic?.partitions.length ?? this.o.partitions);
  }

  /** Appends records as one batch to a partition led here; resolves with the log offset of the first once the ISR has them. */
  async append(index: number, records: GroupRecord[]): Promise<number> {
    if (records.length === 0) return -1;
    const partition = this.partition(index);
    const now = Date.now();
    const result = await partition.appendAsLeader(this.batch(records, now), { now, requiredAcks: ACKS_ALL });
    await partition.waitForCommit(result.lastOffset, this.o.commitTimeoutMs);
    return result.baseOffset;
  }

  /**
   * Appends records as one transactional batch of `producer`; `applied` gets the log offset of the
   * first record as soon as the log has them, before the partition can take the producer's marker.
   * Resolves once the ISR has them.
   */
  async appendTransactional(index: number, records: GroupRecord[], producer: TxnProducer, applied: (baseOffset: number) => void): Promise<void> {
    if (records.length === 0) return;
    const partition = this.partition(index);
    const batch = this.batch(records, Date.now(), producer);
    let lastOffset = -1;
    await this.o.appendForProducer(this.topic!, index, batch, producer.transactionalId, (result) => {
      lastOffset = result.lastOffset;
      applied(result.baseOffset);
    });
    await partition.waitForCommit(lastOffset, this.o.commitTimeoutMs);
  }

  private partition(index: number): Partition {
    const topic = this.topic;
    if (topic === undefined) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `${OFFSETS_TOPIC} does not exist yet`);
    return this.o.replicas.coordinatorPartition(topic, index);
  }

  private batch(records: GroupRecord[], now: number, producer?: TxnProducer): Buffer {
    return encodeBatch({
      baseTimestamp: now,
      records: records.map((r) => ({ key: encodeKey(r.key), value: r.value })),
      ...(producer && { transactional: true, producerId: producer.producerId, producerEpoch: producer.producerEpoch }),
    });
  }

  /**
   * Reports every record and transaction marker of one partition in log order, up to its log end
   * (a new leader's high watermark may still lag what the ISR acknowledged, as in Kafka's loader);
   * returns how many records. The end is read again after each chunk: a transaction marker
   * written while the partition loads is replayed after the offsets it settles.
   */
  async replay(partition: Partition, visitor: ReplayVisitor): Promise<number> {
    let offset = partition.logStartOffset;
    let count = 0;
    while (offset < partition.logEndOffset) {
      const { chunks } = await partition.log.read(offset, READ_BYTES, { maxOffset: partition.logEndOffset });
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
              this.o.log.warn({ offset: header.baseOffset + r.offsetDelta }, 'skipping unknown record in __consumer_offsets');
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
