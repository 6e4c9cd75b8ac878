// The read-only JSON the web console shows: topics with their partitions' offsets and sizes,
// records of one partition from an offset (keys, values and headers as text when they are UTF-8,
// else base64, never interpreted), and consumer groups with their lag per partition.
import type { Broker } from '../broker.js';
import { HttpError, jsonResponse, type Router } from '../http/router.js';
import { logRecords } from '../log/log-records.js';
import { groupOffsets } from '../metrics/group-offsets.js';

const MAX_RECORDS = 200;

export interface ShownBytes {
  /** The bytes as UTF-8 text, or base64 when they are not valid UTF-8. */
  text: string;
  encoding: 'utf8' | 'base64';
}

export function shownBytes(bytes: Buffer | null): ShownBytes | null {
  if (bytes === null) return null;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: bytes.toString('base64'), encoding: 'base64' };
  }
}

function intParam(value: string | null, fallback: number, name: string): number {
  if (value === null || value === '') return fallback;
  if (!/^-?\d+$/.test(value)) throw new HttpError(400, { error_code: 400, message: `${name} must be an integer` });
  return Number(value);
}

export function addConsoleApiRoutes(router: Router, broker: Broker): void {
  router.add('GET', '/api/topics', () =>
    jsonResponse(
      200,
      broker.topics
        .list()
        .map((t) => ({
          name: t.name,
          internal: t.internal,
          partitions: t.partitions.map((p, partition) => ({ partition, logStartOffset: p.logStartOffset, highWatermark: p.highWatermark, size: p.size })),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    ),
  );

  router.add('GET', '/api/topics/:topic/partitions/:partition/records', async (req) => {
    const topic = broker.topics.get(req.params.topic!);
    const partition = intParam(req.params.partition!, 0, 'partition');
    const log = topic?.partitions[partition];
    if (topic === undefined || log === undefined) throw new HttpError(404, { error_code: 404, message: `Unknown topic or partition ${req.params.topic}-${req.params.partition}` });
    const limit = Math.min(MAX_RECORDS, Math.max(1, intParam(req.query.get('limit'), 50, 'limit')));
    const from = Math.min(Math.max(intParam(req.query.get('offset'), log.logStartOffset, 'offset'), log.logStartOffset), log.highWatermark);
    const records: unknown[] = [];
    for await (const r of logRecords(log, from)) {
      records.push({ offset: r.offset, timestamp: r.timestamp, key: shownBytes(r.key), value: shownBytes(r.value), headers: r.headers.map((h) => ({ key: h.key, value: shownBytes(h.value) })) });
      if (records.length >= limit) break;
    }
    return jsonResponse(200, { topic: topic.name, partition, logStartOffset: log.logStartOffset, highWatermark: log.highWatermark, records });
  });

  router.add('GET', '/api/groups', () => {
    const offsets = groupOffsets(broker);
    return jsonResponse(
      200,
      broker.groups
        .listGroups()
        .sort((a, b) => a.groupId.localeCompare(b.groupId))
        .map((g) => {
          const partitions = offsets.filter((o) => o.groupId === g.groupId).map(({ topic, partition, offset, highWatermark, lag }) => ({ topic, partition, committed: offset, highWatermark, lag }));
          return { groupId: g.groupId, state: g.state, type: g.type, protocolType: g.protocolType, lag: partitions.reduce((n, p) => n + p.lag, 0), partitions };
        }),
    );
  });
}
