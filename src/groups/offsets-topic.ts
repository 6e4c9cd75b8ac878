// The durable home of group state: the internal topic __consumer_offsets. Every committed offset
// and every group metadata change is appended as a record batch; on start the log is replayed
// (last record per key wins, null values are tombstones). Kafka spreads groups over 50
// partitions so that coordinators can be spread over brokers; a single node is the coordinator
// of every group, so one partition keeps all group state in one ordered log and replay simple.
import type { Logger } from 'pino';
import { decodeBatch, encodeBatch, isControl } from '../../protocol/records/index.js';
import type { TopicRegistry } from '../topics/topic-registry.js';
import type { PartitionLog } from '../log/partition-log.js';
import { decodeKey, encodeKey, type RecordKey } from './group-records.js';

export const OFFSETS_TOPIC = '__consumer_offsets';
const READ_BYTES = 1024 * 1024;

export interface GroupRecord {
  key: RecordKey;
  /** null: tombstone. */
  value: Buffer | null;
}

export class OffsetsTopic {
  private constructor(
    private readonly partition: PartitionLog,
    private readonly log: Logger,
  ) {}

  static async open(topics: TopicRegistry, segmentBytes: number, log: Logger): Promise<OffsetsTopic> {
    const topic =
      topics.get(OFFSETS_TOPIC) ??
      (await topics.create(OFFSETS_TOPIC, {
        numPartitions: 1,
        overrides: new Map([
          ['cleanup.policy', 'compact'],
          ['segment.bytes', String(segmentBytes)],
        ]),
      }))!;
    return new OffsetsTopic(topic.partitions[0]!, log);
  }

  /** Appends records as one batch; resolves once the log has them. */
  async append(records: GroupRecord[]): Promise<void> {
    if (records.length === 0) return;
    const now = Date.now();
    const batch = encodeBatch({
      baseTimestamp: now,
      records: records.map((r) => ({ key: encodeKey(r.key), value: r.value })),
    });
    await this.partition.append(batch, { leaderEpoch: 0, now });
  }

  /** Calls `visit` for every stored record in log order. */
  async replay(visit: (record: GroupRecord) => void): Promise<number> {
    let offset = this.partition.logStartOffset;
    let count = 0;
    const end = this.partition.highWatermark;
    while (offset < end) {
      const { chunks } = await this.partition.read(offset, READ_BYTES);
      if (chunks.length === 0) break;
      for (const chunk of chunks) {
        for (let at = 0; at < chunk.length; ) {
          const size = chunk.readInt32BE(at + 8) + 12;
          const { header, records } = decodeBatch(chunk.subarray(at, at + size));
          offset = header.baseOffset + header.lastOffsetDelta + 1;
          at += size;
          if (isControl(header.attributes)) continue;
          for (const r of records) {
            const key = r.key && decodeKey(r.key);
            if (!key) {
              this.log.warn({ offset: header.baseOffset + r.offsetDelta }, 'skipping unknown record in __consumer_offsets');
              continue;
            }
            visit({ key, value: r.value && Buffer.from(r.value) });
            count++;
          }
        }
      }
    }
    return count;
  }
}
