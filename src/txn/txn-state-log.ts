// The coordinator's durable state: __transaction_state, one record per state change of a
// transactional id, in partition hash(id) mod partitions, whose leader coordinates the id. Each
// partition is read back in full when this broker becomes its leader (the last record of each id
// wins, a tombstone removes it). Every write waits for the partition's ISR (acks=all).
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeBatch, encodeBatch, isControl, readBatchHeader, splitBatches } from '../../protocol/records/index.js';
import { KafkaError } from '../kafka-error.js';
import { ACKS_ALL, type Partition } from '../replica/partition.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import { ensureInternalTopic } from '../topics/internal-topics.js';
import type { Topic, TopicRegistry } from '../topics/topic-registry.js';
import { partitionFor } from './partition-for.js';
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue, type StoredTxn } from './txn-log-format.js';

export const TXN_STATE_TOPIC = '__transaction_state';
const READ_CHUNK_BYTES = 1 << 20;

export interface TxnStateLogOptions {
  topics: TopicRegistry;
  replicas: ReplicaManager;
  /** transaction.state.log.num.partitions, .replication.factor, .min.isr and .segment.bytes. */
  partitions: number;
  replicationFactor: number;
  minIsr: number;
  segmentBytes: number;
  /** The live brokers, over which a new topic's replicas are placed. */
  liveBrokers: () => number[];
  /** How long a write waits for the ISR. */
  writeTimeoutMs: number;
  log: Logger;
}

export class TxnStateLog {
  private creating: Promise<Topic | undefined> | undefined;

  constructor(private readonly o: TxnStateLogOptions) {}

  /** The topic, once it exists. */
  get topic(): Topic | undefined {
    return this.o.topics.get(TXN_STATE_TOPIC);
  }

  /** The partition holding a transactional id, or undefined while the topic does not exist. */
  partitionOf(transactionalId: string): number | undefined {
    const topic = this.topic;
    return topic === undefined ? undefined : partitionFor(transactionalId, topic.partitions.length);
  }

  /** Creates the topic unless it exists; resolves undefined while another broker's creation of it is under way. */
  ensure(): Promise<Topic | undefined> {
    const existing = this.topic;
    if (existing) return Promise.resolve(existing);
    this.creating ??= ensureInternalTopic(this.o.topics, this.o.liveBrokers(), {
      name: TXN_STATE_TOPIC,
      partitions: this.o.partitions,
      replicationFactor: this.o.replicationFactor,
      minInsyncReplicas: this.o.minIsr,
      overrides: new Map([
        ['cleanup.policy', 'compact'],
        ['segment.bytes', String(this.o.segmentBytes)],
        ['compression.type', 'uncompressed'],
      ]),
    }).finally(() => (this.creating = undefined));
    return this.creating;
  }

  /** Every transactional id's last stored state in one partition, read up to its log end (Kafka's loader). */
  async load(partition: Partition): Promise<Map<string, StoredTxn>> {
    const out = new Map<string, StoredTxn>();
    let offset = partition.logStartOffset;
    const end = partition.logEndOffset;
    while (offset < end) {
      const read = await partition.log.read(offset, READ_CHUNK_BYTES, { maxOffset: end });
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
    this.o.log.info({ partition: partition.index, transactionalIds: out.size }, 'loaded transaction state');
    return out;
  }

  /** Writes the state of `transactionalId` (null removes it) to its partition, which this broker must lead. */
  async write(transactionalId: string, value: StoredTxn | null): Promise<void> {
    const topic = this.topic;
    if (topic === undefined) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `${TXN_STATE_TOPIC} does not exist yet`);
    const partition = this.o.replicas.coordinatorPartition(topic, partitionFor(transactionalId, topic.partitions.length));
    const batch = encodeBatch({ records: [{ key: encodeTxnKey(transactionalId), value: value === null ? null : encodeTxnValue(value) }] });
    const result = await partition.appendAsLeader(batch, { requiredAcks: ACKS_ALL });
    await partition.waitForCommit(result.lastOffset, this.o.writeTimeoutMs);
  }
}
