// AlterConfigs and IncrementalAlterConfigs share one path: Kafka's checks of each resource (the
// broker's preprocessing, then the controller's validation), the resulting override set, and its
// application through the topic registry so logs pick the new settings up at once.
import { ErrorCode } from '../../protocol/errors.js';
import { brokerConfigDef } from '../config/broker-config-defs.js';
import { ConfigType } from '../config/config-def.js';
import { validateBrokerConfigAlter, validateListenerConnectionLimits } from '../config/describe-configs.js';
import type { DynamicLayer } from '../config/dynamic-broker-configs.js';
import { topicConfigDef, validateTopicConfigs } from '../config/topic-config.js';
import { KafkaError } from '../kafka-error.js';
import { failure } from './failure.js';
import { invalidTopicNameReason } from '../topics/topic-names.js';
import type { BrokerServices } from '../apis/api.js';

/** Kafka's ConfigResource.Type ids. */
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;

/** Kafka's AlterConfigOp.OpType ids. */
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

export interface ConfigChange {
  name: string;
  /** AlterOp; the legacy AlterConfigs sets every given key. */
  op: number;
  value: string | null;
}

export interface ConfigResourceRequest {
  resourceType: number;
  resourceName: string;
  changes: ConfigChange[];
}

export interface ConfigResourceResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/**
 * 'replace': the legacy AlterConfigs, whose keys become the resource's whole override set.
 * 'incremental': IncrementalAlterConfigs, whose operations edit the current set.
 */
export type AlterMode = 'replace' | 'incremental';

/** The engines altering configs reaches: the node id, the topic registry (which keeps every override) and the log. */
type ConfigServices = Pick<BrokerServices, 'config' | 'topics' | 'log'>;

const invalidRequest = (message: string): KafkaError => new KafkaError(ErrorCode.INVALID_REQUEST, message);

/** Alters every resource in request order; a resource named twice fails every time it appears. */
export async function alterConfigResources(
  broker: ConfigServices,
  resources: readonly ConfigResourceRequest[],
  mode: AlterMode,
  validateOnly: boolean,
): Promise<ConfigResourceResult[]> {
  const seen = new Map<string, number>();
  for (const r of resources) {
    const key = `${r.resourceType}:${r.resourceName}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const results: ConfigResourceResult[] = [];
  for (const r of resources) {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    try {
      if (seen.get(`${r.resourceType}:${r.resourceName}`)! > 1) throw invalidRequest('Each resource must appear at most once.');
      await alterConfigResource(broker, r, mode, validateOnly);
      results.push({ ...base, errorCode: ErrorCode.NONE, errorMessage: null });
    } catch (err) {
      results.push({ ...base, ...failure(err, broker.log, { resource: base }) });
    }
  }
  return results;
}

async function alterConfigResource(broker: ConfigServices, r: ConfigResourceRequest, mode: AlterMode, validateOnly: boolean): Promise<void> {
  const names = r.changes.map((c) => c.name);
  if (new Set(names).size !== names.length) throw invalidRequest('Error due to duplicate config keys');
  const nullValues = r.changes.filter((c) => c.op !== AlterOp.DELETE && c.value === null).map((c) => c.name);
  if (nullValues.length > 0) throw invalidRequest(`Null value not supported for : ${nullValues.join(', ')}`);
  const unknownOp = r.changes.find((c) => OP_NAMES[c.op] === undefined);
  if (unknownOp) throw invalidRequest(`Unknown operations type ${unknownOp.op}`);

  switch (r.resourceType) {
    case ResourceType.BROKER:
      return alterBroker(broker, r, mode, validateOnly);
    case ResourceType.TOPIC:
      return alterTopic(broker, r, mode, validateOnly);
    default:
      throw invalidRequest(`Unknown resource type ${r.resourceType}`);
  }
}

/**
 * Checks a BROKER resource name: "" (cluster-wide default) or this node's id, as Kafka's brokers
 * do (a client sends a broker's resource to that broker); returns which layer. Kafka words the
 * refusals of DescribeConfigs (ConfigHelper) and of the alters (ConfigAdminManager) differently.
 */
export function brokerLayerOf(broker: Pick<BrokerServices, 'config'>, name: string, api: 'describe' | 'alter'): DynamicLayer {
  if (name === '') return 'default';
  const nodeId = broker.config.nodeId;
  if (!/^[+-]?\d+$/.test(name) || Math.abs(Number(name)) > 2 ** 31) throw invalidRequest(`${api === 'describe' ? 'Broker' : 'Node'} id must be an integer, but it is: ${name}`);
  if (Number(name) !== nodeId) {
    throw invalidRequest(`Unexpected broker id, expected ${nodeId}${api === 'describe' ? ' or empty string' : ''}, but received ${name}`);
  }
  return 'broker';
}

async function alterBroker(broker: ConfigServices, r: ConfigResourceRequest, mode: AlterMode, validateOnly: boolean): Promise<void> {
  const layer = brokerLayerOf(broker, r.resourceName, 'alter');
  let next = new Map<string, string>();
  await broker.topics.updateBrokerConfigs(layer, (current) => {
    next = resultingOverrides(current, r.changes, mode, (name) => {
      const def = brokerConfigDef(name);
      return { def, notList: (op) => `Config value ${op.toLowerCase()} is not allowed for config key: ${name}`, unknown: def === undefined };
    });
    const layers = broker.topics.layers;
    const after = { ...layers, [layer === 'default' ? 'dynamicDefault' : 'dynamicBroker']: next };
    const listeners = broker.config.listeners.map((l) => l.endpoint.name);
    const invalid = validateBrokerConfigAlter(next) ?? validateListenerConnectionLimits(layers, after, listeners);
    if (invalid) throw new KafkaError(invalid.errorCode, invalid.errorMessage);
    return validateOnly ? undefined : next;
  });
  if (validateOnly) return;
  broker.log.info({ resource: r.resourceName === '' ? 'cluster default' : `broker ${r.resourceName}`, configs: Object.fromEntries(next) }, 'altered broker configs');
}

async function alterTopic(broker: ConfigServices, r: ConfigResourceRequest, mode: AlterMode, validateOnly: boolean): Promise<void> {
  if (r.resourceName === '') throw invalidRequest('Default topic resources are not allowed.');
  const reason = invalidTopicNameReason(r.resourceName);
  if (reason) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, reason);
  const topic = broker.topics.get(r.resourceName);
  const next = resultingOverrides(topic?.overrides ?? new Map(), r.changes, mode, (name) => ({
    def: topicConfigDef(name),
    notList: (op) => `Can't ${op} to key ${name} because its type is not LIST.`,
    unknown: false,
  }));
  // Kafka validates the values before it looks the topic up.
  const invalid = validateTopicConfigs(next);
  if (invalid) throw new KafkaError(invalid.errorCode, invalid.errorMessage);
  if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${r.resourceName}' does not exist.`);
  if (validateOnly) return;
  await broker.topics.setTopicOverrides(topic, next);
  broker.log.info({ topic: topic.name, configs: Object.fromEntries(next) }, 'altered topic configs');
}

interface KeyInfo {
  def: { type: ConfigType; default: string | null } | undefined;
  /** Kafka's INVALID_CONFIG message for APPEND/SUBTRACT on a key that is not a list. */
  notList: (op: string) => string;
  /** APPEND/SUBTRACT on an unknown key fails as such (brokers) rather than as "not a list". */
  unknown: boolean;
}

/** The override set after the request: its keys alone (replace) or the current set edited. */
function resultingOverrides(
  current: ReadonlyMap<string, string>,
  changes: readonly ConfigChange[],
  mode: AlterMode,
  info: (name: string) => KeyInfo,
): Map<string, string> {
  if (mode === 'replace') return new Map(changes.map((c) => [c.name, c.value!]));
  const next = new Map(current);
  for (const c of changes) {
    switch (c.op) {
      case AlterOp.SET:
        next.set(c.name, c.value!);
        break;
      case AlterOp.DELETE:
        next.delete(c.name);
        break;
      default: {
        const { def, notList, unknown } = info(c.name);
        const opName = OP_NAMES[c.op]!;
        if (unknown) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown config name: ${c.name}`);
        if (def?.type !== ConfigType.LIST) throw new KafkaError(ErrorCode.INVALID_CONFIG, notList(opName));
        const items = (next.get(c.name) ?? def.default ?? '').split(',').filter((s) => s !== '');
        for (const value of c.value!.split(',')) {
          if (c.op === AlterOp.APPEND) {
            if (!items.includes(value)) items.push(value);
          } else {
            const at = items.indexOf(value);
            if (at >= 0) items.splice(at, 1);
          }
        }
        next.set(c.name, items.join(','));
      }
    }
  }
  return next;
}
