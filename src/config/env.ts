// Broker settings from environment variables. `CREEK_NUM_PARTITIONS=3` sets num.partitions, and
// `KAFKA_`-prefixed names are read the way the Kafka Docker images read them, so compose files
// carry over: `_` → `.`, `__` → `_`, `___` → `-`, lower-cased. CREEK_ wins over KAFKA_. Creek's own
// keys may drop their `creek.` prefix (CREEK_STORAGE, CREEK_LOG_LEVEL). CLUSTER_ID, read by the
// images, sets cluster.id.
import { brokerConfigDef } from './broker-config-defs.js';
import type { ConfigLayer } from './config-layer.js';

/** KAFKA_ variables the images use for the JVM and scripts, not for server.properties. */
const KAFKA_SCRIPT_VARIABLES = new Set([
  'KAFKA_HEAP_OPTS', 'KAFKA_OPTS', 'KAFKA_JVM_PERFORMANCE_OPTS', 'KAFKA_GC_LOG_OPTS',
  'KAFKA_LOG4J_OPTS', 'KAFKA_LOG4J_ROOT_LOGLEVEL', 'KAFKA_LOG4J_LOGGERS', 'KAFKA_TOOLS_LOG4J_LOGLEVEL',
  'KAFKA_JMX_OPTS', 'KAFKA_JMX_PORT', 'KAFKA_JMX_HOSTNAME', 'KAFKA_DEBUG', 'KAFKA_HOME', 'KAFKA_VERSION',
]);

export function envVarToKey(suffix: string): string {
  return suffix
    .replace(/___/g, '-')
    .replace(/__/g, '\0')
    .replace(/_/g, '.')
    .replace(/\0/g, '_')
    .toLowerCase();
}

export function envLayer(env: Readonly<Record<string, string | undefined>>): ConfigLayer {
  const layer: ConfigLayer = new Map();
  const set = (key: string, value: string, variable: string): void => {
    layer.set(key, { value, origin: `environment variable ${variable}` });
  };
  const clusterId = env['CLUSTER_ID'];
  if (clusterId !== undefined) set('cluster.id', clusterId, 'CLUSTER_ID');
  for (const prefix of ['KAFKA_', 'CREEK_']) {
    for (const [variable, value] of Object.entries(env)) {
      if (value === undefined || !variable.startsWith(prefix) || KAFKA_SCRIPT_VARIABLES.has(variable)) continue;
      const key = envVarToKey(variable.slice(prefix.length));
      const creekKey = `creek.${key}`;
      const useCreekKey = prefix === 'CREEK_' && brokerConfigDef(key) === undefined && brokerConfigDef(creekKey) !== undefined;
      set(useCreekKey ? creekKey : key, value, variable);
    }
  }
  return layer;
}
