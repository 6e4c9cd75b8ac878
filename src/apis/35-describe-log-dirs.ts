// DescribeLogDirs (key 35), versions 1-5 (Kafka 4 removed v0).
// v1: throttle time. v2: flexible. v3: top-level error code. v4: total and usable bytes of the
// volume. v5: is_cordoned (a dir taking no new partitions); Creek never cordons its dir. Creek has one log dir (log.dirs' first entry); a null topic list means every partition.
// With in-memory storage the dir is reported with the partitions' sizes and unknown (-1) volume bytes.
import { statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeLogDirsResponseDescribeLogDirsTopic as TopicOut } from '../../protocol/schema/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

const UNKNOWN_VOLUME_BYTES = -1;

async function volumeBytes(dir: string): Promise<{ totalBytes: number; usableBytes: number }> {
  const fs = await statfs(dir);
  return { totalBytes: fs.blocks * fs.bsize, usableBytes: fs.bavail * fs.bsize };
}

export default defineApi({
  apiKey: 35,
  minVersion: 1,
  maxVersion: 5,
  uses: ['config', 'cluster', 'topics'],
  async handle(req, ctx) {
    const { broker } = ctx;
    const logDir = resolve(broker.config.logDir);
    if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitions)]));
    const topics: TopicOut[] = [];
    for (const topic of broker.topics.list()) {
      const asked = wanted?.get(topic.name);
      if (wanted && !asked) continue;
      const partitions = topic.partitions
        .map((log, partitionIndex) => ({ partitionIndex, partitionSize: log.size, offsetLag: 0, isFutureKey: false }))
        // Only the partitions this broker is a replica of are in its log dir.
        .filter((p) => (!asked || asked.has(p.partitionIndex)) && (topic.replicas[p.partitionIndex]?.includes(broker.cluster.localId) ?? true));
      if (partitions.length > 0) topics.push({ name: topic.name, partitions });
    }
    let volume = { totalBytes: UNKNOWN_VOLUME_BYTES, usableBytes: UNKNOWN_VOLUME_BYTES };
    if (broker.config.storage === 'disk') {
      try {
        volume = await volumeBytes(logDir);
      } catch (err) {
        ctx.log.warn({ err, logDir }, 'log dir is not readable');
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results: [{ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [], ...volume, isCordoned: false }] };
      }
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results: [{ errorCode: ErrorCode.NONE, logDir, topics, ...volume, isCordoned: false }] };
  },
});
