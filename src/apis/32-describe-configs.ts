// DescribeConfigs (key 32), versions 1-4 (Kafka 4 removed v0).
// v1: include_synonyms, config_source replaces is_default. v2: same as v1. v3: config_type and
// include_documentation. v4: flexible. TOPIC and BROKER resources (name "" = the cluster-wide
// dynamic defaults, else this node id); a null or empty key list means every config.
import { ErrorCode } from '../../protocol/errors.js';
import type {
  DescribeConfigsRequestDescribeConfigsResource as ResourceIn,
  DescribeConfigsResponseDescribeConfigsResult as ResourceOut,
} from '../../protocol/schema/index.js';
import { ConfigSource } from '../config/config-def.js';
import { describeBrokerConfigs, describeTopicConfigs, type DescribedConfig } from '../config/describe-configs.js';
import { KafkaError } from '../kafka-error.js';
import { ResourceType, brokerLayerOf } from '../admin/config-resources.js';
import { failure } from '../admin/failure.js';
import { invalidTopicNameReason } from '../topics/topic-names.js';
import { AclOperation } from '../security/authorizer/acl.js';
import { configResourceRefusal } from '../security/authorizer/request-authorization.js';
import { defineApi, type BrokerServices } from './api.js';

const TYPE_NAMES: Record<number, string> = { 8: 'BROKER_LOGGER', 16: 'CLIENT_METRICS', 32: 'GROUP' };

/** The configs of one resource, or a KafkaError; null for an unknown topic (no message, as Kafka). */
function configsOf(broker: Pick<BrokerServices, 'config' | 'topics'>, r: ResourceIn): DescribedConfig[] | null {
  switch (r.resourceType) {
    case ResourceType.TOPIC: {
      const reason = invalidTopicNameReason(r.resourceName);
      if (reason) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, reason);
      const topic = broker.topics.get(r.resourceName);
      return topic ? describeTopicConfigs(topic.overrides, broker.topics.layers) : null;
    }
    case ResourceType.BROKER:
      return describeBrokerConfigs(broker.topics.layers, brokerLayerOf(broker, r.resourceName, 'describe'));
    default:
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${TYPE_NAMES[r.resourceType] ?? 'UNKNOWN'}`);
  }
}

export default defineApi({
  apiKey: 32,
  minVersion: 1,
  maxVersion: 4,
  uses: ['config', 'topics'],
  handle(req, ctx) {
    const results = req.resources.map((r): ResourceOut => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      const refusal = configResourceRefusal(ctx.authz, AclOperation.DESCRIBE_CONFIGS, r.resourceType, r.resourceName);
      if (refusal !== ErrorCode.NONE) return { ...base, errorCode: refusal, errorMessage: null, configs: [] };
      let configs: DescribedConfig[] | null;
      try {
        configs = configsOf(ctx.broker, r);
      } catch (err) {
        return { ...base, ...failure(err, ctx.log, { resource: base }), configs: [] };
      }
      if (configs === null) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, configs: [] };
      const keys = r.configurationKeys;
      const wanted = keys === null || keys.length === 0 ? configs : configs.filter((c) => keys.includes(c.name));
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        configs: wanted.map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
          configSource: c.source,
          isSensitive: c.isSensitive,
          synonyms: req.includeSynonyms ? c.synonyms : [],
          configType: c.configType,
          documentation: req.includeDocumentation ? c.documentation : null,
        })),
      };
    });
    return { throttleTimeMs: 0, results };
  },
});
