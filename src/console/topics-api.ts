// The console's topic pages: every topic with its partitions (leader, replicas and ISR from the
// cluster view; offsets and sizes from the logs here), one topic's configs (DescribeConfigs, with
// where each value comes from), and creating and deleting topics (CreateTopics, DeleteTopics:
// Kafka's own checks and errors, refused when the console's writes are off).
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl.js';
import { ConfigSource } from '../config/config-def.js';
import type { Topic } from '../topics/topic-registry.js';
import { HttpError, jsonResponse, type Router } from '../http/router.js';
import { bodyInt, objectBody, requireAllowed, requireWrites, throwIfKafkaError, type ConsoleContext } from './console-context.js';

const TOPIC_RESOURCE = 2;
const REQUEST_TIMEOUT_MS = 30_000;

export interface PartitionSummary {
  partition: number;
  /** -1 without a leader. */
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  logStartOffset: number;
  highWatermark: number;
  records: number;
  size: number;
}

/** GET /api/topics: one a topic. */
export interface TopicSummary {
  name: string;
  id: string;
  internal: boolean;
  replicationFactor: number;
  underReplicated: number;
  size: number;
  records: number;
  retentionMs: number;
  retentionBytes: number;
  /** 'delete', 'compact', or both comma-separated. */
  cleanupPolicy: string;
  partitions: PartitionSummary[];
}

export interface TopicConfigView {
  name: string;
  /** null for a sensitive value. */
  value: string | null;
  /** Kafka's ConfigSource name, e.g. DYNAMIC_TOPIC_CONFIG or DEFAULT_CONFIG. */
  source: string;
  readOnly: boolean;
  sensitive: boolean;
}

/** GET /api/topics/:topic */
export interface TopicDetail extends TopicSummary {
  configs: TopicConfigView[];
}

/** POST /api/topics */
export interface CreatedTopic {
  name: string;
  topicId: string;
  partitions: number;
  replicationFactor: number;
}

function topicSummary(ctx: ConsoleContext, t: Topic): TopicSummary {
  const partitions = t.partitions.map((log, partition): PartitionSummary => {
    const state = ctx.broker.cluster.partitionState(t.name, partition);
    return {
      partition,
      leader: state?.leaderId ?? -1,
      replicas: [...(state?.replicas ?? t.replicas[partition] ?? [])],
      isr: [...(state?.isr ?? [])],
      offlineReplicas: [...(state?.offlineReplicas ?? [])],
      logStartOffset: log.logStartOffset,
      highWatermark: log.highWatermark,
      // Offsets between log start and high watermark: records, plus transaction markers and compacted-away gaps.
      records: log.highWatermark - log.logStartOffset,
      size: log.size,
    };
  });
  return {
    name: t.name,
    id: t.id,
    internal: t.internal,
    replicationFactor: t.replicas[0]?.length ?? 0,
    underReplicated: partitions.filter((p) => p.isr.length < p.replicas.length).length,
    size: partitions.reduce((n, p) => n + p.size, 0),
    records: partitions.reduce((n, p) => n + p.records, 0),
    retentionMs: t.config.retentionMs,
    retentionBytes: t.config.retentionBytes,
    cleanupPolicy: [...(t.config.delete ? ['delete'] : []), ...(t.config.compact ? ['compact'] : [])].join(','),
    partitions,
  };
}

export function addTopicRoutes(router: Router, ctx: ConsoleContext): void {
  const { topics } = ctx.broker;

  // As Metadata: the topics the user may DESCRIBE.
  router.add('GET', '/api/topics', (req) => {
    const { authz } = ctx.session(req);
    return jsonResponse(
      200,
      topics
        .list()
        .filter((t) => authz.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name))
        .map((t) => topicSummary(ctx, t))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  router.add('GET', '/api/topics/:topic', async (req) => {
    const { authz, kafka } = ctx.session(req);
    requireAllowed(authz.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, req.params.topic!), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const topic = topics.get(req.params.topic!);
    if (topic === undefined) throw new HttpError(404, { error_code: 404, message: `Unknown topic ${req.params.topic}` });
    const described = await kafka(32, { resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic.name, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
    const result = described.results[0]!;
    throwIfKafkaError(result.errorCode, result.errorMessage);
    const configs = result.configs
      .map((c): TopicConfigView => ({ name: c.name, value: c.isSensitive ? null : c.value, source: ConfigSource[c.configSource] ?? 'UNKNOWN', readOnly: c.readOnly, sensitive: c.isSensitive }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const detail: TopicDetail = { ...topicSummary(ctx, topic), configs };
    return jsonResponse(200, detail);
  });

  router.add('POST', '/api/topics', async (req) => {
    requireWrites(ctx);
    const body = await objectBody(req);
    const name = body.name;
    if (typeof name !== 'string' || name === '') throw new HttpError(400, { error_code: 400, message: 'name is required' });
    // -1: the broker's num.partitions / default.replication.factor.
    const numPartitions = bodyInt(body.partitions, -1, 'partitions');
    const replicationFactor = bodyInt(body.replicationFactor, -1, 'replicationFactor');
    const configs = body.configs ?? {};
    if (typeof configs !== 'object' || configs === null || Array.isArray(configs) || Object.values(configs).some((v) => typeof v !== 'string')) {
      throw new HttpError(400, { error_code: 400, message: 'configs must be an object of strings' });
    }
    const created = await ctx.session(req).kafka(19, {
      topics: [{ name, numPartitions, replicationFactor, assignments: [], configs: Object.entries(configs as Record<string, string>).map(([k, value]) => ({ name: k, value })) }],
      timeoutMs: REQUEST_TIMEOUT_MS,
      validateOnly: false,
    });
    const result = created.topics[0]!;
    throwIfKafkaError(result.errorCode, result.errorMessage);
    // CreateTopics v7, the console's version, answers all three.
    const made: CreatedTopic = { name: result.name, topicId: result.topicId!, partitions: result.numPartitions!, replicationFactor: result.replicationFactor! };
    return jsonResponse(201, made);
  });

  router.add('DELETE', '/api/topics/:topic', async (req) => {
    requireWrites(ctx);
    const name = req.params.topic!;
    const deleted = await ctx.session(req).kafka(20, { topics: [{ name, topicId: ZERO_UUID }], topicNames: [name], timeoutMs: REQUEST_TIMEOUT_MS });
    const result = deleted.responses[0]!;
    throwIfKafkaError(result.errorCode, result.errorMessage);
    return jsonResponse(200, { name });
  });
}
