// Stand-ins for every engine in BrokerServices, each a distinct token object, for unit tests of
// the handler registry that never run a handler's body.
import type { BrokerServices, ServiceName } from '../../src/apis/api.js';

const NAMES: readonly ServiceName[] = [
  'config', 'replicas', 'cluster', 'topics', 'txn', 'groups', 'fetchSessions',
  'scramCredentials', 'quotas', 'quotaMeter', 'metrics', 'apis', 'log',
];

/** Every engine name, with a token object `{ engine: name }` standing in for the engine. */
export function serviceStandIns(): { -readonly [N in ServiceName]: BrokerServices[N] } {
  return Object.fromEntries(NAMES.map((name) => [name, { engine: name }])) as unknown as BrokerServices;
}
