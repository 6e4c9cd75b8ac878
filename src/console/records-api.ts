// The console's message browser and producer: records of one partition from an offset, or from
// the first record at or after a timestamp (ListOffsets), up to the high watermark; the page
// follows a partition live by asking again from `nextOffset`. Producing goes through the Produce
// handler (acks=all), refused when the console's writes are off.
import { encodeBatch } from '../../protocol/records/index.js';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { HttpError, jsonResponse, type Router } from '../http/router.js';
import { logRecords } from '../log/log-records.js';
import { bodyInt, intParam, objectBody, requireAllowed, requireWrites, throwIfKafkaError, type ConsoleContext } from './console-context.js';
import { shownBytes, type ShownBytes } from './record-view.js';

const MAX_RECORDS = 500;
const PRODUCE_TIMEOUT_MS = 30_000;
const ACKS_ALL = -1;
const READ_UNCOMMITTED = 0;

export interface RecordView {
  offset: number;
  timestamp: number;
  key: ShownBytes | null;
  value: ShownBytes | null;
  headers: { key: string; value: ShownBytes | null }[];
}

/** GET /api/topics/:topic/partitions/:partition/records */
export interface RecordsPage {
  topic: string;
  partition: number;
  /** Where the page starts. */
  from: number;
  /** Where to ask from for what follows. */
  nextOffset: number;
  logStartOffset: number;
  highWatermark: number;
  records: RecordView[];
}

/** POST /api/topics/:topic/records */
export interface ProducedRecord {
  topic: string;
  partition: number;
  offset: number;
}

export function addRecordRoutes(router: Router, ctx: ConsoleContext): void {
  const { topics } = ctx.broker;

  router.add('GET', '/api/topics/:topic/partitions/:partition/records', async (req) => {
    // As Fetch: READ on the topic.
    const { authz, kafka } = ctx.session(req);
    requireAllowed(authz.allows(AclOperation.READ, ResourceType.TOPIC, req.params.topic!), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const topic = topics.get(req.params.topic!);
    const partition = intParam(req.params.partition, 0, 'partition');
    const log = topic?.partitions[partition];
    if (topic === undefined || log === undefined) throw new HttpError(404, { error_code: 404, message: `Unknown topic or partition ${req.params.topic}-${req.params.partition}` });
    const limit = Math.min(MAX_RECORDS, Math.max(1, intParam(req.query.get('limit'), 50, 'limit')));
    let requested = intParam(req.query.get('offset'), log.logStartOffset, 'offset');
    const timestamp = req.query.get('timestamp');
    if (timestamp !== null && timestamp !== '') {
      const listed = await kafka(2, {
        replicaId: -1,
        isolationLevel: READ_UNCOMMITTED,
        topics: [{ name: topic.name, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: intParam(timestamp, 0, 'timestamp') }] }],
        timeoutMs: PRODUCE_TIMEOUT_MS,
      });
      const found = listed.topics[0]!.partitions[0]!;
      throwIfKafkaError(found.errorCode);
      // No record at or after the timestamp: Kafka answers offset -1; nothing to show until new records come.
      requested = found.offset < 0 ? log.highWatermark : found.offset;
    }
    const from = Math.min(Math.max(requested, log.logStartOffset), log.highWatermark);
    const records: RecordView[] = [];
    let nextOffset = from;
    for await (const r of logRecords(log, from)) {
      records.push({
        offset: r.offset,
        timestamp: r.timestamp,
        key: shownBytes(r.key, ctx.registry),
        value: shownBytes(r.value, ctx.registry),
        headers: r.headers.map((h) => ({ key: h.key, value: shownBytes(h.value) })),
      });
      nextOffset = r.offset + 1;
      if (records.length >= limit) break;
    }
    // Past the last record shown; when none was, past transaction markers up to the high watermark.
    if (records.length === 0) nextOffset = Math.max(from, log.highWatermark);
    const page: RecordsPage = { topic: topic.name, partition, from, nextOffset, logStartOffset: log.logStartOffset, highWatermark: log.highWatermark, records };
    return jsonResponse(200, page);
  });

  router.add('POST', '/api/topics/:topic/records', async (req) => {
    requireWrites(ctx);
    const body = await objectBody(req);
    const partition = bodyInt(body.partition, 0, 'partition');
    const key = optionalText(body.key, 'key');
    const value = optionalText(body.value, 'value');
    const headers = body.headers ?? [];
    if (!Array.isArray(headers) || headers.some((h) => typeof h !== 'object' || h === null || typeof (h as { key?: unknown }).key !== 'string')) {
      throw new HttpError(400, { error_code: 400, message: 'headers must be a list of {key, value}' });
    }
    const batch = encodeBatch({
      records: [
        {
          key: key === null ? null : Buffer.from(key, 'utf8'),
          value: value === null ? null : Buffer.from(value, 'utf8'),
          headers: (headers as { key: string; value?: unknown }[]).map((h) => {
            const v = optionalText(h.value, 'header value');
            return { key: h.key, value: v === null ? null : Buffer.from(v, 'utf8') };
          }),
        },
      ],
    });
    const produced = await ctx.session(req).kafka(0, {
      transactionalId: null,
      acks: ACKS_ALL,
      timeoutMs: PRODUCE_TIMEOUT_MS,
      topicData: [{ name: req.params.topic!, topicId: ctx.broker.topics.get(req.params.topic!)?.id ?? ZERO_UUID, partitionData: [{ index: partition, records: batch }] }],
    });
    const result = produced.responses[0]!.partitionResponses[0]!;
    throwIfKafkaError(result.errorCode, result.errorMessage);
    const stored: ProducedRecord = { topic: req.params.topic!, partition, offset: result.baseOffset };
    return jsonResponse(201, stored);
  });
}

function optionalText(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new HttpError(400, { error_code: 400, message: `${name} must be a string or null` });
  return value;
}
