// The set of registered handlers by API key; the single source for ApiVersions. Each handler is
// bound here, once, to an object holding only the engines it declared in `uses`, which dispatchers
// pass as each request's `broker`.
import type { ApiVersionsResponse } from '../../protocol/schema/index.js';
import type { ApiHandler, BoundServices, BrokerServices, ServedApi, ServedApis, ServiceName } from './api.js';
import { apiDef } from '../../protocol/codec/messages.js';

/**
 * The named engines of `services` and nothing else. Each is read through a getter, since the broker
 * sets some engines (groups, txn) after it has made its registry.
 */
export function servicesView<S extends ServiceName>(services: BrokerServices, uses: readonly S[]): Pick<BrokerServices, S> {
  const view = Object.create(null) as Pick<BrokerServices, S>;
  for (const name of new Set(uses)) Object.defineProperty(view, name, { get: () => services[name], enumerable: true });
  return Object.freeze(view);
}

export class ApiRegistry implements ServedApis {
  private readonly byKey = new Map<number, ServedApi>();

  constructor(handlers: readonly ApiHandler[], services: BrokerServices) {
    for (const h of handlers) {
      const def = apiDef(h.apiKey);
      if (!def || h.minVersion < def.minVersion || h.maxVersion > def.maxVersion) {
        throw new Error(`handler for api ${h.apiKey} serves versions its schema does not define`);
      }
      if (def.latestVersionUnstable && h.maxVersion === def.maxVersion) {
        throw new Error(`handler for api ${h.apiKey} advertises v${h.maxVersion}, which Kafka marks unstable`);
      }
      if (this.byKey.has(h.apiKey)) throw new Error(`two handlers for api ${h.apiKey}`);
      this.byKey.set(h.apiKey, bind(h, servicesView(services, h.uses) as BoundServices));
    }
  }

  get(apiKey: number): ServedApi | undefined {
    return this.byKey.get(apiKey);
  }

  all(): ServedApi[] {
    return [...this.byKey.values()].sort((a, b) => a.apiKey - b.apiKey);
  }

  apiVersionsBody(errorCode: number): ApiVersionsResponse {
    return {
      errorCode,
      apiKeys: this.all().map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion })),
      throttleTimeMs: 0,
    };
  }
}

function bind(h: ApiHandler, services: BoundServices): ServedApi {
  const { apiKey, minVersion, maxVersion, keepsNoRequestBytes } = h;
  return { apiKey, minVersion, maxVersion, keepsNoRequestBytes, services, handle: (request, ctx) => h.handle(request, ctx) };
}
