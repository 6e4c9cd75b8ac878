// Dynamic broker configs over raw requests: IncrementalAlterConfigs and DescribeConfigs of a
// BROKER resource (resource name "" for the cluster-wide default, else a node id).
import { ConfigResourceTypes } from 'kafkajs';
import { ErrorCode } from '../../protocol/errors.js';
import type { RawClient } from './raw-client.js';

export interface Described {
  value: string | null;
  source: number;
}

/** Sets (value) or deletes (null) configs of a BROKER resource with IncrementalAlterConfigs v1; answers its result. */
export async function alterBroker(client: RawClient, resourceName: string, configs: Record<string, string | null>): Promise<{ errorCode: number; errorMessage: string | null }> {
  const res = await client.send(44, 1, {
    resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName, configs: Object.entries(configs).map(([name, value]) => ({ name, configOperation: value === null ? 1 : 0, value })) }],
    validateOnly: false,
  });
  return res.responses[0]!;
}

/** DescribeConfigs v4 of a BROKER resource: each named config's value and source, or the error. */
export async function describeBroker(client: RawClient, resourceName: string, names: string[]): Promise<Record<string, Described> | { errorCode: number; errorMessage: string | null }> {
  const res = await client.send(32, 4, { resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName, configurationKeys: names }], includeSynonyms: false, includeDocumentation: false });
  const result = res.results[0]!;
  if (result.errorCode !== ErrorCode.NONE) return { errorCode: result.errorCode, errorMessage: result.errorMessage };
  return Object.fromEntries(result.configs.map((c) => [c.name, { value: c.value, source: c.configSource }]));
}
